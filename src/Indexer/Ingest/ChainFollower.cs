using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Ingest;

/// <summary>What one <see cref="ChainFollower.StepAsync"/> did.</summary>
/// <param name="Applied">Events projected.</param>
/// <param name="Removed">Events rolled back by a reorganisation.</param>
/// <param name="CaughtUp">True when the cursor has reached the confirmed head.</param>
public sealed record FollowStep(int Applied, int Removed, bool CaughtUp);

/// <summary>
/// Follows the four contracts' logs a configurable number of blocks behind the head and hands each block range to the
/// store with its new cursor.
/// <para>
/// Reorganisations are detected by block hash against the database, not against memory: each step first checks the
/// cursor's stored hash against the chain; on a mismatch it walks the stored blocks (every block that had events and every
/// range end) newest first to the newest one the chain still has (the fork point), and rolls the projections back to it.
/// Because the hashes live in the database, a restarted indexer resolves a reorganisation that happened while it was down
/// the same way. A range is read, then its blocks' headers; a log whose block hash differs from the header read after it
/// means the chain moved under the read, and the range is read again on the next step.
/// </para>
/// </summary>
public sealed class ChainFollower
{
    private readonly EthClient _client;
    private readonly IndexerStore _store;
    private readonly EventDecoder _decoder;
    private readonly MarketContracts _contracts;
    private readonly ulong _chainId;
    private readonly ulong _startBlock;
    private readonly int _confirmations;
    private readonly int _reorgSearchDepth;
    private readonly ILogger _log;
    private ulong _range;
    private bool _blockReceipts = true;

    /// <summary>Creates a follower.</summary>
    /// <param name="client">The node.</param>
    /// <param name="store">The projections.</param>
    /// <param name="contracts">The contracts to follow.</param>
    /// <param name="chainId">The chain (checked against the stored cursor).</param>
    /// <param name="startBlock">First block indexed into an empty database.</param>
    /// <param name="confirmations">Blocks behind the head.</param>
    /// <param name="maxBlockRange">Largest range per <c>eth_getLogs</c>.</param>
    /// <param name="reorgSearchDepth">Stored blocks searched for a fork point.</param>
    /// <param name="log">Logger.</param>
    public ChainFollower(EthClient client, IndexerStore store, MarketContracts contracts, ulong chainId, ulong startBlock,
        int confirmations, int maxBlockRange, int reorgSearchDepth, ILogger log)
    {
        _client = client;
        _store = store;
        _contracts = contracts;
        _decoder = new EventDecoder(contracts);
        _chainId = chainId;
        _startBlock = startBlock;
        _confirmations = confirmations;
        _range = (ulong)Math.Max(1, maxBlockRange);
        _reorgSearchDepth = reorgSearchDepth;
        _log = log;
    }

    /// <summary>Reorganisations rolled back so far.</summary>
    public int Reorgs { get; private set; }

    /// <summary>One step: resolve a reorganisation if there is one, else project the next range (up to the confirmed head).</summary>
    public async Task<FollowStep> StepAsync(CancellationToken ct)
    {
        var head = await _client.BlockNumberAsync(ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var cursor = await _store.GetCursorAsync(ct).ConfigureAwait(false);
        if (cursor is not null)
        {
            await _store.SetHeadAsync((long)head, now, ct).ConfigureAwait(false);
            var removed = await ResolveReorgAsync(cursor, ct).ConfigureAwait(false);
            if (removed is not null) return new FollowStep(0, removed.Value, false);
        }
        if (head < (ulong)_confirmations) return new FollowStep(0, 0, true);
        var target = head - (ulong)_confirmations;
        var from = cursor is null ? _startBlock : (ulong)cursor.Block + 1;
        if (from > target) return new FollowStep(0, 0, true);
        var to = Math.Min(target, from + _range - 1);
        IReadOnlyList<LogEntry> logs;
        try
        {
            logs = await _client.GetLogsAsync(new LogFilter(from, to, _contracts.All, null), ct).ConfigureAwait(false);
        }
        catch (JsonRpcException e) when (e.IsRangeTooLarge && to > from)
        {
            _range = Math.Max(1, (to - from + 1) / 2);
            _log.LogInformation("the node refused {Count} blocks of logs as too many; reading {Range} at a time", to - from + 1, _range);
            return new FollowStep(0, 0, false);
        }
        var numbers = logs.Select(l => l.BlockNumber).Append(to).Distinct().Order().ToList();
        var headers = await _client.GetBlocksByNumberAsync(numbers, ct).ConfigureAwait(false);
        var byNumber = new Dictionary<ulong, BlockHeader>();
        for (var i = 0; i < numbers.Count; i++)
        {
            if (headers[i] is not { } h) return new FollowStep(0, 0, false); // the chain shrank under the read: next step resolves it
            byNumber[numbers[i]] = h;
        }
        if (logs.Any(l => !l.BlockHash.AsSpan().SequenceEqual(byNumber[l.BlockNumber].Hash)))
        {
            _log.LogInformation("blocks {From}-{To} changed while they were read; reading them again", from, to);
            return new FollowStep(0, 0, false);
        }
        var gas = await GasByTransactionAsync(logs, ct).ConfigureAwait(false);
        var events = Decode(logs, byNumber, gas);
        var blocks = numbers.Select(n => new IndexedBlock((long)n, Hex.Encode(byNumber[n].Hash), (long)byNumber[n].Timestamp)).ToList();
        var applied = await _store.ApplyBatchAsync(blocks, events,
            new IndexCursor((long)_chainId, _contracts.ProverMarket.ToString().ToLowerInvariant(), (long)to, Hex.Encode(byNumber[to].Hash), (long)head, now), ct).ConfigureAwait(false);
        return new FollowStep(applied, 0, to >= target);
    }

    private List<ChainEvent> Decode(IReadOnlyList<LogEntry> logs, Dictionary<ulong, BlockHeader> headers, Dictionary<string, long> gas)
    {
        var decoded = new List<ChainEvent>(logs.Count);
        foreach (var log in logs.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex))
            if (!log.Removed && _decoder.Decode(log, headers[log.BlockNumber].Timestamp) is { } e) decoded.Add(e);
        // A transaction's gas is divided evenly among the requests it touched (a batch of reveals, a fulfilment that also
        // settles): each request's events then carry its share.
        var shares = decoded.Where(e => e.RequestId is not null).GroupBy(e => e.TxHash)
            .ToDictionary(tx => tx.Key, tx => gas.TryGetValue(tx.Key, out var g) ? g / tx.Select(e => e.RequestId).Distinct().Count() : 0);
        for (var i = 0; i < decoded.Count; i++)
            if (decoded[i].RequestId is not null) decoded[i] = decoded[i] with { GasShare = shares[decoded[i].TxHash] };
        return decoded;
    }

    private async Task<Dictionary<string, long>> GasByTransactionAsync(IReadOnlyList<LogEntry> logs, CancellationToken ct)
    {
        var gas = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var wanted = logs.Select(l => Hex.Encode(l.TransactionHash)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (wanted.Count == 0) return gas;
        if (_blockReceipts)
        {
            try
            {
                var blocks = logs.Select(l => l.BlockNumber).Distinct().ToList();
                var calls = blocks.Select(n => ("eth_getBlockReceipts", (IReadOnlyList<object?>)[Quantity.Encode(n)])).ToList();
                foreach (var result in await _client.Rpc.SendBatchAsync(calls, ct).ConfigureAwait(false))
                    foreach (var receipt in result.GetResultOrThrow().EnumerateArray())
                        AddReceipt(gas, wanted, receipt);
                return gas;
            }
            catch (JsonRpcException e) when (e.Code == -32601)
            {
                _log.LogInformation("the node lacks eth_getBlockReceipts; reading receipts one transaction at a time");
                _blockReceipts = false;
            }
        }
        var perTx = wanted.Select(h => ("eth_getTransactionReceipt", (IReadOnlyList<object?>)[h])).ToList();
        foreach (var result in await _client.Rpc.SendBatchAsync(perTx, ct).ConfigureAwait(false))
            if (result.GetResultOrThrow() is { ValueKind: JsonValueKind.Object } receipt) AddReceipt(gas, wanted, receipt);
        return gas;
    }

    private static void AddReceipt(Dictionary<string, long> gas, HashSet<string> wanted, JsonElement receipt)
    {
        var hash = receipt.GetProperty("transactionHash").GetString()!;
        if (wanted.Contains(hash)) gas[hash.ToLowerInvariant()] = (long)Quantity.ParseULong(receipt.GetProperty("gasUsed").GetString()!);
    }

    // Null when the cursor is on the chain; else the number of events rolled back.
    private async Task<int?> ResolveReorgAsync(IndexCursor cursor, CancellationToken ct)
    {
        var header = await _client.GetBlockByNumberAsync((ulong)cursor.Block, ct).ConfigureAwait(false);
        if (header is not null && string.Equals(Hex.Encode(header.Hash), cursor.Hash, StringComparison.OrdinalIgnoreCase)) return null;
        var stored = await _store.RecentBlocksAsync(cursor.Block - 1, _reorgSearchDepth, ct).ConfigureAwait(false);
        IndexedBlock? fork = null;
        foreach (var batch in stored.Chunk(32))
        {
            var chain = await _client.GetBlocksByNumberAsync(batch.Select(b => (ulong)b.Number).ToList(), ct).ConfigureAwait(false);
            for (var i = 0; i < batch.Length && fork is null; i++)
                if (chain[i] is { } h && string.Equals(Hex.Encode(h.Hash), batch[i].Hash, StringComparison.OrdinalIgnoreCase)) fork = batch[i];
            if (fork is not null) break;
        }
        if (fork is null)
        {
            // Deeper than every stored block searched: start again just below the oldest one, as the chain has it now.
            var below = (ulong)Math.Max((long)_startBlock - 1, (stored.Count > 0 ? stored[^1].Number : cursor.Block) - 1);
            var h = await _client.GetBlockByNumberAsync(below, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"block {below} is missing from the node while rolling back a reorganisation");
            fork = new IndexedBlock((long)below, Hex.Encode(h.Hash), (long)h.Timestamp);
            _log.LogWarning("no fork point among the last {Depth} stored blocks; rolling back to block {Block}", _reorgSearchDepth, below);
        }
        var removed = await _store.RollbackAsync(fork, ct).ConfigureAwait(false);
        Reorgs++;
        _log.LogWarning("reorganisation: blocks {From}-{To} replaced; rolled back {Removed} events to block {Fork}", fork.Number + 1, cursor.Block, removed, fork.Number);
        return removed;
    }
}
