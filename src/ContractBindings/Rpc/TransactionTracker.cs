using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Transactions;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// Follows every transaction a <see cref="Signer"/> has had accepted, by nonce, until it is
/// <see cref="SignerOptions.TrackConfirmations"/> blocks deep, in the background, whether or not anyone awaits its
/// receipt. Each pass compares the node's view of the account with the local one and heals the difference:
/// <list type="bullet">
/// <item>A transaction the node's pool no longer holds (dropped, evicted, or behind a nonce gap: the node's
/// <c>pending</c> nonce is at or below it) is re-broadcast, the same signed bytes, so nothing later in the account
/// waits behind it.</item>
/// <item>A transaction unmined for <see cref="SignerOptions.RebroadcastInterval"/> whose fees are stuck (max fee under
/// the next base fee plus its tip, or tip under today's) is replaced: same nonce, both fees bumped
/// (<see cref="FeeReplacement"/>), up to the cap it was sent under, through <see cref="Signer.BeforeBroadcast"/>.</item>
/// <item>A transaction seen mined whose nonce is no longer used on the canonical chain was removed by a reorg: it is
/// broadcast again and followed until it is deep enough.</item>
/// <item>A nonce below the signer's next one that the node lacks and no tracked transaction holds (one forgotten
/// after <see cref="SignerOptions.TrackingTimeout"/>) is filled with a zero-value transfer to ourselves, once two
/// passes in a row saw it missing.</item>
/// </list>
/// The loop runs only while something is tracked or a gap is open.
/// <para>
/// The RPC node is trusted for what it reports, and what a wrong answer can cost is bounded: re-broadcasting the same
/// signed bytes is idempotent (a lagging or lying node costs requests, never a second action); a filler at a nonce
/// already used on chain can never be mined (so it costs nothing), and at most a few are signed per pass; a replacement
/// happens only for a transaction unmined for <see cref="SignerOptions.RebroadcastInterval"/> or dropped, is priced
/// from today's fee history with the tip under <see cref="SignerOptions.MaxPriorityFeePerGas"/>, and never exceeds the
/// cap the transaction was sent under, so fee history inflated by whoever buys block space raises what one
/// transaction may cost only up to that cap. Thread-safe.
/// </para>
/// </summary>
public sealed class TransactionTracker
{
    /// <summary>A nonce used on chain by none of our versions is given up after this long (a lagging receipt otherwise).</summary>
    private static readonly TimeSpan TakenSettle = TimeSpan.FromSeconds(30);

    /// <summary>At most this many untracked gap nonces are filled per pass.</summary>
    private const int MaxGapFillsPerPass = 16;

    private readonly Signer _signer;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly SortedDictionary<ulong, Entry> _entries = [];
    private readonly SemaphoreSlim _pass = new(1, 1);
    private bool _running;

    /// <summary>Whether the background loop is following transactions (for tests).</summary>
    internal bool IsRunning
    {
        get
        {
            lock (_gate) return _running;
        }
    }
    private volatile bool _gapOpen;
    // Untracked nonces the node lacked in the last pass: one is filled only when two passes in a row saw it missing,
    // so one stale answer (a load-balanced RPC's lagging backend) does not sign a filler.
    private HashSet<ulong> _missingLastPass = [];

    internal TransactionTracker(Signer signer, ILogger logger)
    {
        _signer = signer;
        _logger = logger;
    }

    /// <summary>How many transactions (nonces) are followed now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The nonces followed now, with their signed versions (oldest first) and the block one was seen mined in.</summary>
    public IReadOnlyList<TrackedTransaction> Snapshot()
    {
        lock (_gate)
        {
            return _entries.Values.Select(e => new TrackedTransaction(e.Nonce, e.Versions.ToArray(), e.MinedBlock, e.Reorged)).ToList();
        }
    }

    /// <summary>
    /// Every signed version (oldest first) of <paramref name="signed"/>'s nonce when <paramref name="signed"/> is one of
    /// them and is still followed; otherwise null.
    /// </summary>
    public IReadOnlyList<SignedTransaction>? VersionsOf(SignedTransaction signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        lock (_gate)
        {
            if (_entries.TryGetValue(signed.Transaction.Nonce, out var e) && e.Versions.Any(v => v.Hash.AsSpan().SequenceEqual(signed.Hash)))
            {
                return e.Versions.ToArray();
            }

            return null;
        }
    }

    /// <summary>Starts following an accepted transaction (a new nonce). <paramref name="feeCap"/> bounds its replacements.</summary>
    internal void Track(SignedTransaction signed, BigInteger feeCap)
    {
        // The caller's execution context (its AsyncLocal state: the worker's request and action) is kept so that the
        // broadcast hook sees it again for replacements signed later on this loop.
        var context = ExecutionContext.Capture();
        lock (_gate)
        {
            _entries[signed.Transaction.Nonce] = new Entry(signed.Transaction.Nonce, signed, feeCap, context);
            if (_running)
            {
                return;
            }

            _running = true;
        }

        // The loop must not inherit this send's AsyncLocal state (it serves every later send too).
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(LoopAsync);
        }
    }

    /// <summary>
    /// One pass over the tracked transactions (the background loop runs one every
    /// <see cref="SignerOptions.TrackerPollInterval"/>; a caller may run one at any time). Passes never overlap.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CheckCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task LoopAsync()
    {
        var warnedAt = DateTime.MinValue;
        while (true)
        {
            try
            {
                await Task.Delay(_signer.Options.TrackerPollInterval).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_entries.Count == 0 && !_gapOpen)
                    {
                        _running = false;
                        return;
                    }
                }

                await CheckAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the loop must survive any failure of one pass; it is logged
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (IsClientDisposed(e))
                {
                    // The owner disposed the RPC client (a worker host shutting down): nothing can be followed any more.
                    _logger.LogDebug("Transaction tracker for {Account} stops: its RPC client was disposed", _signer.From);
                    lock (_gate) _running = false;
                    return;
                }

                if (DateTime.UtcNow - warnedAt > TimeSpan.FromMinutes(1))
                {
                    warnedAt = DateTime.UtcNow;
                    _logger.LogWarning(e, "Transaction tracker pass for {Account} failed; retrying", _signer.From);
                }
            }
        }
    }

    private static bool IsClientDisposed(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is ObjectDisposedException { ObjectName: "System.Net.Http.HttpClient" }) return true;
        return false;
    }

    private async Task CheckCoreAsync(CancellationToken ct)
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = _entries.Values.ToArray();
        }

        var client = _signer.Client;
        ulong latest = await client.GetTransactionCountAsync(_signer.From, "latest", ct).ConfigureAwait(false);
        ulong pending = await client.GetTransactionCountAsync(_signer.From, "pending", ct).ConfigureAwait(false);
        ulong head = await client.BlockNumberAsync(ct).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        var options = _signer.Options;

        foreach (var e in entries)
        {
            if (e.Nonce < latest)
            {
                await FollowMinedAsync(e, head, now, ct).ConfigureAwait(false);
                continue;
            }

            // Not (or no longer) on the canonical chain.
            if (now - e.FirstSent > options.TrackingTimeout)
            {
                _logger.LogError("Transaction {Hash} (nonce {Nonce}) is still unmined after {Timeout}; no longer followed (a gap it leaves is filled)",
                    Hex.Encode(e.Latest.Hash), e.Nonce, options.TrackingTimeout);
                Remove(e);
                continue;
            }

            e.TakenSince = null;
            bool broadcastNow = false;
            if (e.MinedBlock is { } block)
            {
                _logger.LogWarning("Transaction {Hash} (nonce {Nonce}) was mined in block {Block}, but a reorg removed it; sending it again",
                    Hex.Encode(e.Latest.Hash), e.Nonce, block);
                e.MinedBlock = null;
                e.Reorged = true;
                broadcastNow = true;
            }

            if (e.Nonce >= pending && !broadcastNow)
            {
                // The node's pending nonce does not reach it: the pool lost it (dropped, evicted) or an earlier nonce.
                if (!await client.IsTransactionKnownAsync(e.Latest.Hash, ct).ConfigureAwait(false))
                {
                    if (now - e.DropWarnedAt >= options.RebroadcastInterval)
                    {
                        e.DropWarnedAt = now;
                        _logger.LogWarning("Transaction {Hash} (nonce {Nonce}) is unknown to the node (pending nonce {Pending}); re-broadcasting it",
                            Hex.Encode(e.Latest.Hash), e.Nonce, pending);
                    }

                    broadcastNow = true;
                }
            }

            // Due: dropped or reorged out (at once), or unmined for RebroadcastInterval. A stuck one is replaced first
            // (a node evicts a transaction under the base fee, and refuses it back, so re-sending alone cannot help).
            if (broadcastNow || now - e.LastBroadcast >= options.RebroadcastInterval)
            {
                if (await _signer.ReplacementAsync(e.Latest, e.FeeCap, ct).ConfigureAwait(false) is { } replacement)
                {
                    await InvokeHookAsync(e.Context, replacement, ct).ConfigureAwait(false);
                    lock (_gate)
                    {
                        e.Versions.Add(replacement);
                    }

                    _logger.LogWarning("Transaction {Hash} (nonce {Nonce}) is stuck at its fees; replaced by {Replacement} (max fee {MaxFee}, tip {Tip})",
                        Hex.Encode(e.Versions[^2].Hash), e.Nonce, Hex.Encode(replacement.Hash),
                        ((Eip1559Transaction)replacement.Transaction).MaxFeePerGas, ((Eip1559Transaction)replacement.Transaction).MaxPriorityFeePerGas);
                }

                broadcastNow = true;
            }

            if (broadcastNow)
            {
                e.LastBroadcast = now;
                if (await _signer.RebroadcastAsync(e.Latest, ct).ConfigureAwait(false) is { } refusal && now - e.RefusalWarnedAt >= options.RebroadcastInterval)
                {
                    // An underpriced replacement or a version already mined: the receipts decide. Logged once an interval.
                    e.RefusalWarnedAt = now;
                    _logger.LogWarning("Re-broadcast of {Hash} (nonce {Nonce}) refused: {Error}", Hex.Encode(e.Latest.Hash), e.Nonce, refusal);
                }
            }
        }

        await FillGapsAsync(latest, pending, ct).ConfigureAwait(false);
    }

    private async Task FollowMinedAsync(Entry e, ulong head, DateTime now, CancellationToken ct)
    {
        var options = _signer.Options;
        if (e.MinedBlock is null)
        {
            var versions = e.Versions.ToArray();
            for (int i = versions.Length - 1; i >= 0; i--)
            {
                var receipt = await _signer.Client.GetTransactionReceiptAsync(versions[i].Hash, ct).ConfigureAwait(false);
                if (receipt is not null)
                {
                    e.MinedBlock = receipt.BlockNumber;
                    e.TakenSince = null;
                    break;
                }
            }

            if (e.MinedBlock is null)
            {
                e.TakenSince ??= now;
                if (now - e.TakenSince.Value > TakenSettle)
                {
                    _logger.LogWarning("Nonce {Nonce} of {Account} was used by a transaction that is none of ours ({Hash} and its replacements); no longer followed",
                        e.Nonce, _signer.From, Hex.Encode(e.Latest.Hash));
                    Remove(e);
                }

                return;
            }
        }

        if (head + 1 >= e.MinedBlock.Value + (ulong)Math.Max(1, options.TrackConfirmations) || now - e.FirstSent > options.TrackingTimeout)
        {
            Remove(e);
        }
    }

    private async Task FillGapsAsync(ulong latest, ulong pending, CancellationToken ct)
    {
        _gapOpen = false;
        if (_signer.Nonces.LocalNext is not { } next)
        {
            return;
        }

        // A gap stays watched (the loop keeps running) until the node's pending nonce reaches the local one.
        _gapOpen = pending < next;

        var untracked = new List<ulong>();
        lock (_gate)
        {
            for (ulong n = Math.Max(latest, pending); n < next && untracked.Count < MaxGapFillsPerPass; n++)
            {
                if (!_entries.ContainsKey(n))
                {
                    untracked.Add(n);
                }
            }
        }

        if (untracked.Count == 0)
        {
            _missingLastPass = [];
            return;
        }

        // Re-read: the re-broadcasts of this pass may have closed the gap already.
        ulong fresh = await _signer.Client.GetTransactionCountAsync(_signer.From, "pending", ct).ConfigureAwait(false);
        var missing = untracked.Where(n => n >= fresh).ToHashSet();
        var seenBefore = _missingLastPass;
        _missingLastPass = missing;
        foreach (var n in missing.Where(seenBefore.Contains).Order())
        {
            _logger.LogWarning("Nonce {Nonce} of {Account} is below the next one ({Next}) but unknown to the node and not followed; filling the gap with a no-op transfer",
                n, _signer.From, next);
            await _signer.FillGapAsync(n, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the signer's broadcast hook in the original send's execution context, so AsyncLocal state its caller set
    /// (the worker's request and action, for its journal) applies to a replacement signed later on this loop too.
    /// </summary>
    private async Task InvokeHookAsync(ExecutionContext? context, SignedTransaction signed, CancellationToken ct)
    {
        Task hook = Task.CompletedTask;
        if (context is null)
        {
            hook = _signer.InvokeBeforeBroadcastAsync(signed, ct);
        }
        else
        {
            ExecutionContext.Run(context, _ => hook = _signer.InvokeBeforeBroadcastAsync(signed, ct), null);
        }

        await hook.ConfigureAwait(false);
    }

    private void Remove(Entry e)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(e.Nonce, out var current) && ReferenceEquals(current, e))
            {
                _entries.Remove(e.Nonce);
            }
        }
    }

    private sealed class Entry(ulong nonce, SignedTransaction first, BigInteger feeCap, ExecutionContext? context)
    {
        public ulong Nonce { get; } = nonce;
        public List<SignedTransaction> Versions { get; } = [first];
        public SignedTransaction Latest => Versions[^1];
        public BigInteger FeeCap { get; } = feeCap;
        public ExecutionContext? Context { get; } = context;
        public DateTime FirstSent { get; } = DateTime.UtcNow;
        public DateTime LastBroadcast { get; set; } = DateTime.UtcNow;
        public ulong? MinedBlock { get; set; }
        public DateTime? TakenSince { get; set; }
        public bool Reorged { get; set; }
        public DateTime DropWarnedAt { get; set; } = DateTime.MinValue;
        public DateTime RefusalWarnedAt { get; set; } = DateTime.MinValue;
    }
}

/// <summary>A nonce the <see cref="TransactionTracker"/> follows.</summary>
/// <param name="Nonce">The nonce.</param>
/// <param name="Versions">Its signed versions, oldest first (later ones are fee-bumped replacements).</param>
/// <param name="MinedBlock">The block one version was last seen mined in, or null while unmined.</param>
/// <param name="Reorged">Whether a reorg removed it from a block after it was seen mined.</param>
public sealed record TrackedTransaction(ulong Nonce, IReadOnlyList<SignedTransaction> Versions, ulong? MinedBlock, bool Reorged);
