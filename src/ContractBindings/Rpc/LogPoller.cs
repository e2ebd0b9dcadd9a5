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

    /// <summary>Largest block range per <c>eth_getLogs</c>. Default 2000.</summary>
    public ulong MaxBlockRange { get; init; } = 2000;

    /// <summary>How many recent block hashes are remembered to detect reorganisations. Default 128.</summary>
    public int ReorgDepth { get; init; } = 128;
}

/// <summary>
/// Polls <c>eth_getLogs</c> over consecutive block ranges and detects chain reorganisations by block-hash continuity:
/// it remembers the hashes (and emitted logs) of the last <see cref="LogPollerOptions.ReorgDepth"/> blocks; when a
/// remembered hash no longer matches the chain it rewinds to the common ancestor, emits the rolled-back logs again
/// with <see cref="LogEntry.Removed"/> = true (newest first), and re-reads the new branch. Not thread-safe: one consumer.
/// </summary>
public sealed class LogPoller
{
    private readonly EthClient _client;
    private readonly IReadOnlyList<Address>? _addresses;
    private readonly IReadOnlyList<byte[]?>? _topics;
    private readonly LogPollerOptions _options;
    private readonly ILogger _logger;

    // Processed blocks, oldest first: number, hash and the logs emitted for it.
    private readonly LinkedList<(ulong Number, byte[] Hash, List<LogEntry> Logs)> _recent = new();
    private ulong _next;

    /// <summary>Creates a poller starting at <see cref="LogFilter.FromBlock"/> (its <see cref="LogFilter.ToBlock"/> is ignored).</summary>
    public LogPoller(EthClient client, LogFilter filter, LogPollerOptions? options = null, ILogger<LogPoller>? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentNullException.ThrowIfNull(filter);
        _addresses = filter.Addresses;
        _topics = filter.Topics;
        _next = filter.FromBlock;
        _options = options ?? new LogPollerOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The next block number that will be read.</summary>
    public ulong NextBlock => _next;

    /// <summary>
    /// Reads up to the chain head once: returns removed logs (on a reorg) followed by new logs in chain order.
    /// Returns an empty list when there is nothing new.
    /// </summary>
    public async Task<IReadOnlyList<LogEntry>> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var output = new List<LogEntry>();
        ulong head = await _client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);

        await DetectReorgAsync(head, output, cancellationToken).ConfigureAwait(false);
        while (_next <= head)
        {
            ulong to = Math.Min(head, _next + Math.Max(1, _options.MaxBlockRange) - 1);
            if (!await ReadRangeAsync(_next, to, output, cancellationToken).ConfigureAwait(false))
            {
                // The chain changed under us mid-read: resolve it on the next round.
                await DetectReorgAsync(head, output, cancellationToken).ConfigureAwait(false);
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

    private async Task DetectReorgAsync(ulong head, List<LogEntry> output, CancellationToken cancellationToken)
    {
        if (_recent.Count == 0)
        {
            return;
        }

        // Walk back from the newest remembered block until its hash still matches the chain.
        var numbers = _recent.Select(r => r.Number).Where(n => n <= head).ToList();
        var current = numbers.Count == 0 ? [] : await _client.GetBlocksByNumberAsync(numbers, cancellationToken).ConfigureAwait(false);
        var canonical = new Dictionary<ulong, byte[]>();
        for (int i = 0; i < numbers.Count; i++)
        {
            if (current[i] is { } h)
            {
                canonical[numbers[i]] = h.Hash;
            }
        }

        int rolledBack = 0;
        while (_recent.Last is { } last)
        {
            var (number, hash, logs) = last.Value;
            if (canonical.TryGetValue(number, out var now) && now.AsSpan().SequenceEqual(hash))
            {
                break;
            }

            for (int i = logs.Count - 1; i >= 0; i--)
            {
                output.Add(logs[i] with { Removed = true });
            }

            _recent.RemoveLast();
            _next = number;
            rolledBack++;
        }

        if (rolledBack > 0)
        {
            _logger.LogWarning("Chain reorganisation: rolled back {Count} block(s); resuming at {Next}", rolledBack, _next);
            if (_recent.Count == 0)
            {
                _logger.LogError("Reorganisation deeper than the {Depth} remembered blocks; resuming at {Next}", _options.ReorgDepth, _next);
            }
        }
    }

    /// <summary>Reads [from, to]; false when the logs and headers disagree (a reorg happened between the calls).</summary>
    private async Task<bool> ReadRangeAsync(ulong from, ulong to, List<LogEntry> output, CancellationToken cancellationToken)
    {
        var logs = await _client.GetLogsAsync(new LogFilter(from, to, _addresses, _topics), cancellationToken).ConfigureAwait(false);

        // Headers for the blocks we will remember, plus the parent of `from` to check continuity with our history.
        ulong rememberFrom = to + 1 > (ulong)_options.ReorgDepth ? Math.Max(from, to + 1 - (ulong)_options.ReorgDepth) : from;
        var numbers = new List<ulong>();
        for (ulong n = rememberFrom; n <= to; n++)
        {
            numbers.Add(n);
        }

        var headers = await _client.GetBlocksByNumberAsync(numbers, cancellationToken).ConfigureAwait(false);
        var hashes = new Dictionary<ulong, byte[]>();
        for (int i = 0; i < numbers.Count; i++)
        {
            if (headers[i] is not { } h)
            {
                return false; // head moved back
            }

            hashes[numbers[i]] = h.Hash;
        }

        if (rememberFrom == from && _recent.Last is { } last && last.Value.Number + 1 == from
            && !headers[0]!.ParentHash.AsSpan().SequenceEqual(last.Value.Hash))
        {
            return false; // our newest remembered block is no longer the parent: reorg
        }

        for (int i = 1; i < headers.Count; i++)
        {
            if (!headers[i]!.ParentHash.AsSpan().SequenceEqual(headers[i - 1]!.Hash))
            {
                return false; // headers fetched across a reorg
            }
        }

        foreach (var log in logs)
        {
            if (hashes.TryGetValue(log.BlockNumber, out var expected) && !expected.AsSpan().SequenceEqual(log.BlockHash))
            {
                return false; // logs from another branch than the headers
            }
        }

        var sorted = logs.Where(l => !l.Removed).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList();
        output.AddRange(sorted);
        foreach (ulong n in numbers)
        {
            var blockLogs = sorted.Where(l => l.BlockNumber == n).ToList();
            _recent.AddLast((n, hashes[n], blockLogs));
            while (_recent.Count > _options.ReorgDepth)
            {
                _recent.RemoveFirst();
            }
        }

        _next = to + 1;
        return true;
    }
}
