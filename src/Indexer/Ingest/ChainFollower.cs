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
/// <param name="Progress">False when the step could not move (the chain changed under the read, the node lags): wait before the next.</param>
public sealed record FollowStep(int Applied, int Removed, bool CaughtUp, bool Progress = true);

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

    private const int RpcBatch = 100;

    /// <summary>One step: resolve a reorganisation if there is one, else project the next range (up to the confirmed head).</summary>
    /// <exception cref="InvalidOperationException">The database indexes another chain or market (checked before anything is rolled back).</exception>
    public async Task<FollowStep> StepAsync(CancellationToken ct)
    {
        var head = await _client.BlockNumberAsync(ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var cursor = await _store.GetCursorAsync(ct).ConfigureAwait(false);
        var market = _contracts.ProverMarket.ToString().ToLowerInvariant();
        if (cursor is not null && (cursor.ChainId != (long)_chainId || !string.Equals(cursor.Market, market, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"{_store.Database.Display} indexes market {cursor.Market} on chain {cursor.ChainId}, not {market} on chain {_chainId}: use another database");
        // A cursor below the first block is a database rolled back to its start: index from the start again.
        if (cursor is not null && cursor.Block < (long)_startBlock) cursor = null;
        if (cursor is not null)
        {
            await _store.SetHeadAsync((long)head, now, ct).ConfigureAwait(false);
            var removed = await ResolveReorgAsync(cursor, ct).ConfigureAwait(false);
            if (removed is { } r) return new FollowStep(0, Math.Max(r, 0), false, Progress: r >= 0);
        }
        if (head < (ulong)_confirmations) return new FollowStep(0, 0, true);
        var target = head - (ulong)_confirmations;
        var from = cursor is null ? _startBlock : (ulong)cursor.Block + 1;
        if (from > target) return new FollowStep(0, 0, true);
        var to = Math.Min(target, from + _range - 1);
        // The range's last header is read before the logs and again after: if it moved, the chain changed under the read.
        var before = await _client.GetBlockByNumberAsync(to, ct).ConfigureAwait(false);
        if (before is null) return NoProgress("the node does not have block {Block} yet", to);
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
        var numbers = logs.Select(l => l.BlockNumber).Append(from).Append(to).Distinct().Order().ToList();
        var byNumber = new Dictionary<ulong, BlockHeader>();
        foreach (var chunk in numbers.Chunk(RpcBatch))
        {
            var headers = await _client.GetBlocksByNumberAsync(chunk, ct).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (headers[i] is not { } h) return NoProgress("block {Block} vanished while it was read", chunk[i]);
                byNumber[chunk[i]] = h;
            }
        }
        // Every log's block, the range's first block's parent (the cursor) and its last block must be the ones read.
        if (!byNumber[to].Hash.AsSpan().SequenceEqual(before.Hash) ||
            cursor is not null && !string.Equals(Hex.Encode(byNumber[from].ParentHash), cursor.Hash, StringComparison.OrdinalIgnoreCase) ||
            logs.Any(l => !l.BlockHash.AsSpan().SequenceEqual(byNumber[l.BlockNumber].Hash)))
            return NoProgress("blocks from {Block} changed while they were read; reading them again", from);
        var gas = await GasByTransactionAsync(logs, ct).ConfigureAwait(false);
        var events = Decode(logs, byNumber, gas);
        var blocks = numbers.Select(n => new IndexedBlock((long)n, Hex.Encode(byNumber[n].Hash), (long)byNumber[n].Timestamp)).ToList();
        var applied = await _store.ApplyBatchAsync(blocks, events,
            new IndexCursor((long)_chainId, market, (long)to, Hex.Encode(byNumber[to].Hash), (long)head, now), ct).ConfigureAwait(false);
        return new FollowStep(applied, 0, to >= target);
    }

    private FollowStep NoProgress(string message, ulong block)
    {
        _log.LogInformation(message, block);
        return new FollowStep(0, 0, false, Progress: false);
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

    // Receipts of exactly the transactions that emitted followed events, a bounded batch at a time (whole-block receipts of
    // a busy chain, or one batch for a long range, would exceed a provider's response or batch limits).
    private async Task<Dictionary<string, long>> GasByTransactionAsync(IReadOnlyList<LogEntry> logs, CancellationToken ct)
    {
        var gas = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var wanted = logs.Select(l => Hex.Encode(l.TransactionHash)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in wanted.Chunk(RpcBatch))
        {
            var calls = chunk.Select(h => ("eth_getTransactionReceipt", (IReadOnlyList<object?>)[h])).ToList();
            foreach (var result in await _client.Rpc.SendBatchAsync(calls, ct).ConfigureAwait(false))
                if (result.GetResultOrThrow() is { ValueKind: JsonValueKind.Object } receipt) AddReceipt(gas, wanted, receipt);
        }
        return gas;
    }

    private static void AddReceipt(Dictionary<string, long> gas, HashSet<string> wanted, JsonElement receipt)
    {
        var hash = receipt.GetProperty("transactionHash").GetString()!;
        if (wanted.Contains(hash)) gas[hash.ToLowerInvariant()] = (long)Quantity.ParseULong(receipt.GetProperty("gasUsed").GetString()!);
    }

    // Null when the cursor is on the chain; -1 when the node does not have the cursor's block (a lagging replica: wait,
    // roll nothing back); else the number of events rolled back.
    private async Task<int?> ResolveReorgAsync(IndexCursor cursor, CancellationToken ct)
    {
        var header = await _client.GetBlockByNumberAsync((ulong)cursor.Block, ct).ConfigureAwait(false);
        if (header is null)
        {
            _log.LogInformation("the node does not have block {Block} (the indexed cursor); waiting for it", cursor.Block);
            return -1;
        }
        if (string.Equals(Hex.Encode(header.Hash), cursor.Hash, StringComparison.OrdinalIgnoreCase)) return null;
        var stored = (await _store.RecentBlocksAsync(cursor.Block - 1, _reorgSearchDepth, ct).ConfigureAwait(false))
            .Where(b => b.Number >= (long)_startBlock).ToList();
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
            // No stored block within the search depth is on the chain (a reorganisation deeper than it, or a chain reset
            // with the same addresses): nothing indexed can be trusted, so everything is rolled back and indexed again.
            fork = new IndexedBlock((long)_startBlock - 1, "", 0);
            _log.LogWarning("no fork point among the last {Depth} stored blocks; rolling everything back and indexing again from block {Start}", _reorgSearchDepth, _startBlock);
        }
        var removed = await _store.RollbackAsync(fork, ct).ConfigureAwait(false);
        Reorgs++;
        _log.LogWarning("reorganisation: blocks {From}-{To} replaced; rolled back {Removed} events to block {Fork}", fork.Number + 1, cursor.Block, removed, fork.Number);
        return removed;
    }
}
