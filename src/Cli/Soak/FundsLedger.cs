using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Checks that no wei appears or disappears in a run: every account and contract involved (the burn address included)
/// is a tracked account, and the sum of their balances at the first block equals the sum at the last plus the gas their
/// transactions paid in between. A priority fee paid to a tracked account (when one is the block's fee recipient) stays
/// in the set and is added back. Transactions from untracked senders are counted: any means the set is incomplete.
/// </summary>
public static class FundsLedger
{
    /// <summary>Balances the ETH of the tracked accounts.</summary>
    /// <param name="before">Balances at the first block, one per tracked account.</param>
    /// <param name="after">Balances at the last block, for the same accounts.</param>
    /// <param name="transactions">Every transaction mined after the first block up to the last.</param>
    /// <exception cref="ArgumentException">The two snapshots do not cover the same accounts.</exception>
    public static FundsReport Check(IReadOnlyDictionary<Address, BigInteger> before, IReadOnlyDictionary<Address, BigInteger> after,
        IEnumerable<MinedTransaction> transactions)
    {
        if (before.Count != after.Count || before.Keys.Any(a => !after.ContainsKey(a)))
            throw new ArgumentException("the before and after snapshots must cover the same accounts", nameof(after));
        BigInteger gas = BigInteger.Zero, tips = BigInteger.Zero;
        int counted = 0, foreign = 0;
        foreach (var tx in transactions)
        {
            if (before.ContainsKey(tx.Miner)) tips += tx.Tip;
            if (!before.ContainsKey(tx.From))
            {
                foreign++;
                continue;
            }
            gas += tx.Fee;
            counted++;
        }
        return new FundsReport(before.Count, Sum(before.Values), Sum(after.Values), gas, tips, counted, foreign);
    }

    /// <summary>Balances one ERC-20 token over the tracked accounts.</summary>
    public static TokenReport CheckToken(byte assetId, Address token, IEnumerable<BigInteger> before, IEnumerable<BigInteger> after) =>
        new(assetId, token, Sum(before), Sum(after));

    private static BigInteger Sum(IEnumerable<BigInteger> values) => values.Aggregate(BigInteger.Zero, (a, b) => a + b);
}
