using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>Options for <see cref="LogPoller"/>.</summary>
public sealed record LogPollerOptions
{
    /// <summary>Delay between polls when caught up. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest block range per <c>eth_getLogs</c>; halved for good when the node answers "range too large". Default 2000.</summary>
    public ulong MaxBlockRange { get; init; } = 2000;

    /// <summary>
    /// How many processed blocks are remembered (hash and emitted logs) to resolve a reorganisation, and how far back a
    /// resumed poller re-reads when its persisted block was reorganised away and the fork point cannot be found. Default 128.
    /// </summary>
    public int ReorgDepth { get; init; } = 128;
}

/// <summary>Where a <see cref="LogPoller"/> stands: the last block it has fully processed, and that block's hash.</summary>
/// <param name="Block">The block number.</param>
/// <param name="Hash">The block's hash when it was processed; checked against the chain when polling resumes.</param>
public sealed record LogCursor(ulong Block, byte[] Hash);

/// <summary>
/// Follows <c>eth_getLogs</c> over consecutive block ranges, reorganisation-aware.
/// <para>
/// Each poll checks one header: the last processed block's hash against the chain. Only on a mismatch does it walk back
/// through the blocks it remembers (range ends and blocks that had logs, the last <see cref="LogPollerOptions.ReorgDepth"/>),
/// newest first, to the newest one still on the chain (the fork point); the logs it had emitted above that are emitted
/// again with <see cref="LogEntry.Removed"/> = true (newest first) and the new branch is read from there. A poller resumed
/// from a persisted <see cref="LogCursor"/> remembers only that block: if it was reorganised away, the poller follows the
/// abandoned branch back by parent hash (<c>eth_getBlockByHash</c>) to the fork point while the node still has it, and
/// otherwise re-reads the last <see cref="LogPollerOptions.ReorgDepth"/> blocks (consumers must tolerate a log delivered twice).
/// </para>
/// <para>
/// A range is read between two reads of its last header (which must agree), and every log's block hash is checked against
/// the chain, so a reorganisation during the read is not half-applied. When the node refuses a range as too large
/// (<see cref="JsonRpcException.IsRangeTooLarge"/>) the range is split in half, down to single blocks.
/// </para>
/// <para>
/// Nethereum.BlockchainProcessing's <c>LogOrchestrator</c> is not used: it persists a block number only (no hash), handles
/// reorganisations by re-processing a fixed trailing buffer without telling the consumer what was removed, and shrinks its
/// range on any exception (a transient RPC fault too); its <c>BlockCrawlOrchestrator</c> detects reorganisations but
/// crawls whole blocks with their transactions. Not thread-safe: one consumer.
/// </para>
/// </summary>
public sealed class LogPoller
{
    private const int WalkBackBatch = 16;

    private readonly EthClient _client;
    private readonly IReadOnlyList<Address>? _addresses;
    private readonly IReadOnlyList<byte[]?>? _topics;
    private readonly LogPollerOptions _options;
    private readonly ILogger _logger;
    private readonly ulong _start;

    // Processed blocks that matter for a reorganisation, oldest first: every range's last block and every block that had
    // logs, with the logs emitted for it. The newest entry is the cursor.
    private readonly LinkedList<(ulong Number, byte[] Hash, List<LogEntry> Logs)> _recent = new();
    private ulong _next;
    private ulong _rangeLimit;

    /// <summary>Creates a poller starting at <see cref="LogFilter.FromBlock"/> (its <see cref="LogFilter.ToBlock"/> is ignored).</summary>
    /// <param name="client">The node.</param>
    /// <param name="filter">Addresses and topics to follow, and the first block; the poller never rewinds below it.</param>
    /// <param name="options">Poll interval, range and reorganisation depth.</param>
    /// <param name="logger">Logger for reorganisations and split ranges.</param>
    /// <param name="resumeAfter">
    /// A persisted <see cref="Cursor"/>: reading resumes after it, once its hash has been checked against the chain.
    /// </param>
    public LogPoller(EthClient client, LogFilter filter, LogPollerOptions? options = null, ILogger? logger = null, LogCursor? resumeAfter = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentNullException.ThrowIfNull(filter);
        _addresses = filter.Addresses;
        _topics = filter.Topics;
        _start = filter.FromBlock;
        _options = options ?? new LogPollerOptions();
        _rangeLimit = Math.Max(1, _options.MaxBlockRange);
        _logger = logger ?? NullLogger.Instance;
        _next = _start;
        if (resumeAfter is { } cursor)
        {
            _recent.AddLast((cursor.Block, cursor.Hash, []));
            _next = cursor.Block + 1;
        }
    }

    /// <summary>The next block number that will be read.</summary>
    public ulong NextBlock => _next;

    /// <summary>
    /// The last processed block (<see cref="NextBlock"/> − 1) and its hash: persist it and pass it back as
    /// <c>resumeAfter</c> to resume. Null before the first block has been read.
    /// </summary>
    public LogCursor? Cursor => _recent.Last is { } last ? new LogCursor(last.Value.Number, last.Value.Hash) : null;

    /// <summary>
    /// Reads up to the chain head once: returns removed logs (on a reorg) followed by new logs in chain order.
    /// Returns an empty list when there is nothing new.
    /// </summary>
    public async Task<IReadOnlyList<LogEntry>> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var output = new List<LogEntry>();
        ulong head = await _client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        await CheckCursorAsync(output, cancellationToken).ConfigureAwait(false);
        while (_next <= head)
        {
            ulong to = Math.Min(head, _next + _rangeLimit - 1);
            if (!await ReadRangeAsync(_next, to, output, cancellationToken).ConfigureAwait(false))
            {
                // The chain changed under the read: nothing of the range was taken; the next poll's check resolves it.
                _logger.LogInformation("The chain changed while blocks {From}-{To} were read; re-checking on the next poll", _next, to);
                break;
            }
        }

        return output;
    }

    /// <summary>Streams logs forever (until cancelled), polling every <see cref="LogPollerOptions.PollInterval"/>.</summary>
    public async IAsyncEnumerable<LogEntry> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<LogEntry> batch;
            try
            {
                batch = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TransientJsonRpcException e)
            {
                _logger.LogWarning(e, "Log poll failed transiently; retrying after {Interval}", _options.PollInterval);
                batch = [];
            }

            foreach (var log in batch)
            {
                yield return log;
            }

            try
            {
                await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>Runs <paramref name="onLog"/> for every streamed log until cancelled (callback-style subscription).</summary>
    public async Task SubscribeAsync(Func<LogEntry, CancellationToken, Task> onLog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onLog);
        await foreach (var log in StreamAsync(cancellationToken).ConfigureAwait(false))
        {
            await onLog(log, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One header: is the last processed block still on the chain? Walks back only when it is not.</summary>
    private async Task CheckCursorAsync(List<LogEntry> output, CancellationToken cancellationToken)
    {
        if (_recent.Last is not { } last)
        {
            return;
        }

        var now = await _client.GetBlockByNumberAsync(last.Value.Number, cancellationToken).ConfigureAwait(false);
        if (now is not null && now.Hash.AsSpan().SequenceEqual(last.Value.Hash))
        {
            return;
        }

        await WalkBackAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops remembered blocks, newest first, until one is still on the chain; the newest is known to be stale.</summary>
    private async Task WalkBackAsync(List<LogEntry> output, CancellationToken cancellationToken)
    {
        var (staleNumber, staleHash, _) = _recent.Last!.Value;
        int rolledBack = 1;
        RollBackNewest(output);
        while (_recent.Count > 0)
        {
            var candidates = new List<(ulong Number, byte[] Hash)>();
            for (var node = _recent.Last; node is not null && candidates.Count < WalkBackBatch; node = node.Previous)
            {
                candidates.Add((node.Value.Number, node.Value.Hash));
            }

            var headers = await _client.GetBlocksByNumberAsync(candidates.Select(c => c.Number).ToList(), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < candidates.Count; i++)
            {
                if (headers[i] is { } h && h.Hash.AsSpan().SequenceEqual(candidates[i].Hash))
                {
                    _next = candidates[i].Number + 1;
                    _logger.LogWarning("Chain reorganisation: rolled back {Count} remembered block(s) above block {Fork}; resuming at {Next}",
                        rolledBack, candidates[i].Number, _next);
                    return;
                }

                (staleNumber, staleHash, _) = _recent.Last!.Value;
                RollBackNewest(output);
                rolledBack++;
            }
        }

        await RewindPastUnknownForkAsync(staleNumber, staleHash, cancellationToken).ConfigureAwait(false);
    }

    private void RollBackNewest(List<LogEntry> output)
    {
        var logs = _recent.Last!.Value.Logs;
        for (int i = logs.Count - 1; i >= 0; i--)
        {
            output.Add(logs[i] with { Removed = true });
        }

        _recent.RemoveLast();
    }

    /// <summary>
    /// No remembered block is on the chain any more (a restart after a reorg, or one deeper than the memory). Follow the
    /// abandoned branch back from <paramref name="staleHash"/> while the node still serves it, to the first ancestor on the
    /// chain; if the node has dropped it, re-read the last <see cref="LogPollerOptions.ReorgDepth"/> blocks.
    /// </summary>
    private async Task RewindPastUnknownForkAsync(ulong staleNumber, byte[] staleHash, CancellationToken cancellationToken)
    {
        var hash = staleHash;
        for (int step = 0; step < _options.ReorgDepth; step++)
        {
            var abandoned = await _client.GetBlockByHashAsync(hash, cancellationToken).ConfigureAwait(false);
            if (abandoned is null || abandoned.Number == 0 || abandoned.Number <= _start)
            {
                break;
            }

            var canonical = await _client.GetBlockByNumberAsync(abandoned.Number - 1, cancellationToken).ConfigureAwait(false);
            if (canonical is not null && canonical.Hash.AsSpan().SequenceEqual(abandoned.ParentHash))
            {
                _recent.AddLast((canonical.Number, canonical.Hash, []));
                _next = canonical.Number + 1;
                _logger.LogWarning("Chain reorganisation below the remembered blocks: block {Stale} was abandoned; the fork point is block {Fork}, resuming at {Next}",
                    staleNumber, canonical.Number, _next);
                return;
            }

            hash = abandoned.ParentHash;
        }

        ulong depth = (ulong)Math.Max(1, _options.ReorgDepth);
        ulong resume = Math.Max(_start, staleNumber + 1 > depth ? staleNumber + 1 - depth : 0);
        if (resume > 0 && await _client.GetBlockByNumberAsync(resume - 1, cancellationToken).ConfigureAwait(false) is { } below)
        {
            _recent.AddLast((below.Number, below.Hash, []));
        }

        _next = resume;
        _logger.LogError("Chain reorganisation below the remembered blocks: block {Stale} was abandoned and the node no longer has its branch; re-reading from block {Next}",
            staleNumber, _next);
    }

    /// <summary>Reads [from, to]; false, with nothing taken, when the chain changed during the read.</summary>
    private async Task<bool> ReadRangeAsync(ulong from, ulong to, List<LogEntry> output, CancellationToken cancellationToken)
    {
        var before = await _client.GetBlockByNumberAsync(to, cancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            return false; // the head moved back
        }

        var logs = (await GetLogsAsync(from, to, cancellationToken).ConfigureAwait(false)).Where(l => !l.Removed).ToList();

        // One batch: the blocks that had logs, the last processed block and the range end again.
        var numbers = logs.Select(l => l.BlockNumber).Append(to).Distinct().Order().ToList();
        int lastIndex = -1;
        if (_recent.Last is { } last && !numbers.Contains(last.Value.Number))
        {
            lastIndex = numbers.Count;
            numbers.Add(last.Value.Number);
        }

        var headers = await _client.GetBlocksByNumberAsync(numbers, cancellationToken).ConfigureAwait(false);
        if (headers.Any(h => h is null))
        {
            return false;
        }

        var hashes = numbers.Zip(headers, (n, h) => (n, h!.Hash)).ToDictionary(p => p.n, p => p.Hash);
        if (!hashes[to].AsSpan().SequenceEqual(before.Hash)
            || (lastIndex >= 0 && !headers[lastIndex]!.Hash.AsSpan().SequenceEqual(_recent.Last!.Value.Hash))
            || logs.Any(l => !hashes[l.BlockNumber].AsSpan().SequenceEqual(l.BlockHash)))
        {
            return false;
        }

        var sorted = logs.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList();
        output.AddRange(sorted);
        foreach (ulong n in numbers.Where(n => n >= from).Order())
        {
            _recent.AddLast((n, hashes[n], sorted.Where(l => l.BlockNumber == n).ToList()));
        }

        while (_recent.Count > Math.Max(1, _options.ReorgDepth))
        {
            _recent.RemoveFirst();
        }

        _next = to + 1;
        return true;
    }

    /// <summary><c>eth_getLogs</c> over [from, to], halving the range while the node refuses it as too large.</summary>
    private async Task<List<LogEntry>> GetLogsAsync(ulong from, ulong to, CancellationToken cancellationToken)
    {
        try
        {
            return [.. await _client.GetLogsAsync(new LogFilter(from, to, _addresses, _topics), cancellationToken).ConfigureAwait(false)];
        }
        catch (JsonRpcException e) when (e.IsRangeTooLarge && from < to)
        {
            ulong mid = from + ((to - from) / 2);
            ulong half = mid - from + 1;
            if (half < _rangeLimit)
            {
                _rangeLimit = half;
                _logger.LogInformation("The node refused blocks {From}-{To} as too large ({Error}); reading at most {Range} blocks per query from now on",
                    from, to, e.NodeMessage, half);
            }

            var first = await GetLogsAsync(from, mid, cancellationToken).ConfigureAwait(false);
            first.AddRange(await GetLogsAsync(mid + 1, to, cancellationToken).ConfigureAwait(false));
            return first;
        }
    }
}
