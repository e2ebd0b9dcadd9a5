using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Reads every transaction mined in a block range, with its receipt's outcome and gas, straight from the node
/// (<c>eth_getBlockByNumber</c> with full transactions, <c>eth_getTransactionReceipt</c>), in JSON-RPC batches.
/// </summary>
public sealed class BlockScanner(JsonRpcClient rpc)
{
    private const int BlockBatch = 50;
    private const int ReceiptBatch = 100;

    /// <summary>Every transaction in blocks <paramref name="from"/>..<paramref name="to"/> (inclusive), in chain order.</summary>
    /// <exception cref="JsonRpcException">A block or receipt is missing or malformed.</exception>
    public async Task<IReadOnlyList<MinedTransaction>> ScanAsync(ulong from, ulong to, CancellationToken ct)
    {
        var pending = new List<(byte[] Hash, ulong Block, int Index, Address From, Address? To, byte[] Input, BigInteger Value, BigInteger? BaseFee, Address Miner)>();
        for (ulong start = from; start <= to; start += BlockBatch)
        {
            var numbers = Enumerable.Range(0, (int)Math.Min(BlockBatch, to - start + 1)).Select(i => start + (ulong)i).ToList();
            var blocks = await rpc.SendBatchAsync(numbers.Select(n => ("eth_getBlockByNumber", (IReadOnlyList<object?>)[Quantity.Encode(n), true])).ToList(), ct).ConfigureAwait(false);
            for (int b = 0; b < blocks.Count; b++)
            {
                var block = blocks[b].GetResultOrThrow();
                if (block.ValueKind != JsonValueKind.Object) throw new JsonRpcException($"block {numbers[b]} is missing", "eth_getBlockByNumber");
                var miner = Address.Parse(block.GetProperty("miner").GetString()!);
                BigInteger? baseFee = block.TryGetProperty("baseFeePerGas", out var bf) && bf.ValueKind == JsonValueKind.String ? Quantity.ParseBig(bf.GetString()!) : null;
                int index = 0;
                foreach (var tx in block.GetProperty("transactions").EnumerateArray())
                {
                    var toField = tx.TryGetProperty("to", out var t) && t.ValueKind == JsonValueKind.String ? Address.Parse(t.GetString()!) : (Address?)null;
                    pending.Add((Hex.Decode(tx.GetProperty("hash").GetString()!), numbers[b], index++, Address.Parse(tx.GetProperty("from").GetString()!), toField,
                        Hex.Decode(tx.GetProperty("input").GetString()!), Quantity.ParseBig(tx.GetProperty("value").GetString()!), baseFee, miner));
                }
            }
        }

        var mined = new List<MinedTransaction>(pending.Count);
        for (int start = 0; start < pending.Count; start += ReceiptBatch)
        {
            var slice = pending.Skip(start).Take(ReceiptBatch).ToList();
            var receipts = await rpc.SendBatchAsync(slice.Select(p => ("eth_getTransactionReceipt", (IReadOnlyList<object?>)[Hex.Encode(p.Hash)])).ToList(), ct).ConfigureAwait(false);
            for (int i = 0; i < slice.Count; i++)
            {
                var r = receipts[i].GetResultOrThrow();
                var p = slice[i];
                if (r.ValueKind != JsonValueKind.Object) throw new JsonRpcException($"no receipt for mined transaction {Hex.Encode(p.Hash)}", "eth_getTransactionReceipt");
                mined.Add(new MinedTransaction(p.Hash, p.Block, p.Index, p.From, p.To, p.Input, p.Value,
                    Quantity.ParseULong(r.GetProperty("status").GetString()!) == 1,
                    Quantity.ParseULong(r.GetProperty("gasUsed").GetString()!),
                    Quantity.ParseBig(r.GetProperty("effectiveGasPrice").GetString()!),
                    p.BaseFee, p.Miner));
            }
        }
        return mined;
    }
}
