using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Finds the workers' duplicate sends in mined transactions: for each (worker, market function, request id), every
/// transaction mined after one that succeeded is a duplicate, whether it succeeded or reverted. Transactions that
/// reverted before the first success are retries, not duplicates. Only the workers' own transactions count (contract
/// reverts seen in logs do not), in chain order (block, then position), whatever order they are given in. A
/// <c>fulfillBatch</c> counts as a <c>fulfill</c> of each of its requests.
/// </summary>
public static class DuplicateSendDetector
{
    /// <summary>The duplicates among <paramref name="transactions"/>, in chain order.</summary>
    /// <param name="transactions">Mined transactions (any senders, any order).</param>
    /// <param name="workers">The senders whose transactions are checked.</param>
    /// <param name="decoder">Recognises request-level market calls.</param>
    public static IReadOnlyList<DuplicateSend> Find(IEnumerable<MinedTransaction> transactions, IReadOnlySet<Address> workers, MarketCallDecoder decoder)
    {
        var firstSuccess = new Dictionary<(Address, string, string), string>();
        var duplicates = new List<DuplicateSend>();
        foreach (var tx in transactions.Where(t => workers.Contains(t.From)).OrderBy(t => t.Block).ThenBy(t => t.Index))
        {
            if (!decoder.TryDecodeAll(tx.To, tx.Input, out var function, out var requestIds)) continue;
            foreach (var requestId in requestIds)
            {
                var key = (tx.From, function, Hex.Encode(requestId));
                if (firstSuccess.TryGetValue(key, out var first))
                    duplicates.Add(new DuplicateSend(tx.From, function, key.Item3, Hex.Encode(tx.Hash), tx.Block, tx.Succeeded, first));
                else if (tx.Succeeded)
                    firstSuccess[key] = Hex.Encode(tx.Hash);
            }
        }
        return duplicates;
    }
}
