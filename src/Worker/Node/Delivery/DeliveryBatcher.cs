using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Node.Delivery;

/// <summary>
/// Delivers the worker's finished proofs of assigned jobs, batching them when that is on. A request's step offers its
/// proof (<see cref="OfferAsync"/>); with batching off, or for a request or kind of request that cannot be batched, it
/// goes out at once through <c>fulfill</c>. Otherwise it waits here, and every tick <see cref="FlushAsync"/> sends what
/// the <see cref="BatchPolicy"/> says is due, one <c>fulfillBatch</c> per group.
/// <para>
/// A batch that would revert never sinks its other requests: when the verifier names the bad proof
/// (<c>InvalidProofAt(i)</c>) that one is taken out and the rest sent again; otherwise each request is simulated alone,
/// those that could not be delivered alone either (lost, slashed, expired or fulfilled meanwhile) are dropped (their
/// step reads their state and settles them), and the rest go again as a smaller batch, or singly when too few are left.
/// When every request would go through alone but the batch still fails (a verifier without the batch entry), that kind
/// of request is delivered singly from then on. A request whose batch reverted on chain, or that made one fail, is
/// delivered singly from then on.
/// </para>
/// </summary>
internal sealed class DeliveryBatcher
{
    /// <summary>How many resubmissions a failing batch gets before its requests go singly.</summary>
    private const int MaxResubmissions = 3;

    /// <summary>The selector of <c>IGroth16BatchVerifier.InvalidProofAt(uint256)</c>.</summary>
    private static readonly byte[] InvalidProofAtSelector = Keccak.Hash(System.Text.Encoding.ASCII.GetBytes("InvalidProofAt(uint256)"))[..4];

    private readonly IDeliveryChannel _channel;
    private readonly BatchPolicy? _policy;
    private readonly ILogger _log;
    private readonly WorkerMetrics _metrics;
    private readonly ConcurrentDictionary<string, PendingDelivery> _pending = new();
    // Assigned jobs of ours whose proofs are still to come (proving, or proven and not yet offered): they may join a batch.
    private readonly ConcurrentDictionary<string, BatchKey> _expected = new();
    private readonly ConcurrentDictionary<string, byte> _submitting = new();
    private readonly ConcurrentDictionary<string, string> _singleOnly = new();
    private readonly ConcurrentDictionary<BatchKey, string> _unbatchable = new();
    private long _batchesSent;
    private long _proofsBatched;

    /// <summary>A batcher; <paramref name="policy"/> null turns batching off (every proof goes singly, at once).</summary>
    public DeliveryBatcher(IDeliveryChannel channel, BatchPolicy? policy, WorkerMetrics metrics, ILogger log)
    {
        _channel = channel;
        _policy = policy;
        _metrics = metrics;
        _log = log;
    }

    /// <summary>Whether deliveries are batched.</summary>
    public bool Enabled => _policy is not null;

    /// <summary>The proofs waiting for a batch, by request id.</summary>
    public IReadOnlyCollection<PendingDelivery> Pending => _pending.Values.ToList();

    /// <summary>
    /// Notes that an assigned job of ours will be delivered through here once proven (its step says so every tick until
    /// the proof is offered): a proof of its kind that is ready may wait for it.
    /// </summary>
    public void Expect(string requestId, BatchKey key)
    {
        if (_policy is null || _singleOnly.ContainsKey(requestId) || _unbatchable.ContainsKey(key)) return; // never joins a batch
        if (!_pending.ContainsKey(requestId) && !_submitting.ContainsKey(requestId)) _expected[requestId] = key;
    }

    /// <summary>
    /// Whether the batcher accounts for the request itself: expected, waiting or being sent here (it counts those), or
    /// delivered singly from now on (never coming to a batch). Other counts of what may come leave these out.
    /// </summary>
    public bool Knows(string requestId) => _expected.ContainsKey(requestId) || _pending.ContainsKey(requestId)
        || _submitting.ContainsKey(requestId) || _singleOnly.ContainsKey(requestId);

    /// <summary>
    /// Offers a finished proof of an assigned job for delivery (idempotent: its step offers it every tick until chain state
    /// shows it fulfilled). It is sent now when it cannot be batched, else it waits for <see cref="FlushAsync"/>.
    /// </summary>
    /// <exception cref="ContractRevertException">Sent singly and the delivery would revert (the step re-reads state).</exception>
    public async Task OfferAsync(PendingDelivery delivery, CancellationToken ct)
    {
        var id = delivery.RequestId;
        if (_policy is null || _singleOnly.ContainsKey(id) || _unbatchable.ContainsKey(delivery.Key))
        {
            _pending.TryRemove(id, out _);
            _expected.TryRemove(id, out _);
            await _channel.SendSingleAsync(delivery, ct).ConfigureAwait(false);
            return;
        }
        if (_pending.ContainsKey(id) || _submitting.ContainsKey(id)) return;
        if (!await _channel.IsClearAsync(id, ct).ConfigureAwait(false))
        {
            _expected.TryRemove(id, out _); // a delivery is in flight or done
            return;
        }
        if (_submitting.ContainsKey(id)) return;
        // Waiting before no longer expected: a flush counting both at once waits a little longer, never too little.
        bool added = _pending.TryAdd(id, delivery);
        _expected.TryRemove(id, out _);
        if (added)
            _log.LogInformation("Request {Id}: proof ready; it may wait up to {Wait} s for a batch ({Key}, deadline {Deadline})",
                id, _policy.MaxWaitSeconds, delivery.Key, delivery.Deadline);
    }

    /// <summary>Forgets the request (its job ended): it leaves the batch it waited for.</summary>
    public void Forget(string requestId)
    {
        _pending.TryRemove(requestId, out _);
        _expected.TryRemove(requestId, out _);
        _singleOnly.TryRemove(requestId, out _);
    }

    /// <summary>
    /// Sends every batch (and single) that is due at <paramref name="now"/>. Each transaction's failure is handled
    /// apart: one failing never holds up the others.
    /// </summary>
    /// <param name="now">The current time (chain seconds, as deadlines are).</param>
    /// <param name="safetyMarginSeconds">How long before its deadline a proof must be sent at the latest.</param>
    /// <param name="promised">How many more jobs of a kind may yet come that this batcher does not know of (open bids,
    ///     locks and accepted matches); its own expected jobs are added to it.</param>
    /// <param name="ct">Stops the sends.</param>
    public async Task FlushAsync(ulong now, ulong safetyMarginSeconds, Func<BatchKey, int> promised, CancellationToken ct)
    {
        if (_policy is null || _pending.IsEmpty) return;
        // Expected jobs are counted before the waiting ones are read: a proof moving from one to the other meanwhile is
        // counted twice (a longer wait), never missed (which would send its batch without it).
        var expected = _expected.Values.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        var waiting = _pending.Values.ToList();
        foreach (var send in _policy.Due(waiting, now, safetyMarginSeconds, key => promised(key) + expected.GetValueOrDefault(key)))
        {
            var claimed = new List<PendingDelivery>(send.Count);
            foreach (var p in send)
            {
                _submitting[p.RequestId] = 0;
                if (_pending.TryRemove(new KeyValuePair<string, PendingDelivery>(p.RequestId, p))) claimed.Add(p);
                else _submitting.TryRemove(p.RequestId, out _); // forgotten or changed meanwhile
            }
            if (claimed.Count == 0) continue;
            try
            {
                await SubmitAsync(claimed, 0, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A transient failure (the node, the fee estimate): the proofs wait again, due at once, for the next tick.
                _metrics.RpcErrors.Add(1);
                _log.LogWarning("Delivery of {Ids} failed before it was sent ({Error}); retrying next tick", string.Join(", ", claimed.Select(c => c.RequestId)), e.Message);
                foreach (var p in claimed) _pending.TryAdd(p.RequestId, p);
            }
            finally
            {
                foreach (var p in claimed) _submitting.TryRemove(p.RequestId, out _);
            }
        }
    }

    /// <summary>A JSON-ready summary for the status endpoint.</summary>
    public object Status() => new
    {
        enabled = Enabled,
        batchesSent = Interlocked.Read(ref _batchesSent),
        proofsBatched = Interlocked.Read(ref _proofsBatched),
        expected = _expected.Count,
        waiting = _pending.Values.OrderBy(p => p.ReadyAt).Select(p => new { requestId = p.RequestId, key = p.Key.ToString(), readyAt = p.ReadyAt, deadline = p.Deadline }).ToList(),
        singleOnly = _singleOnly.ToDictionary(kv => kv.Key, kv => kv.Value),
        unbatchable = _unbatchable.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
    };

    private async Task SubmitAsync(List<PendingDelivery> batch, int attempt, CancellationToken ct)
    {
        // Only requests no delivery of which is in flight or done (a single send may have raced this batch).
        var clear = new List<PendingDelivery>(batch.Count);
        foreach (var p in batch)
            if (await _channel.IsClearAsync(p.RequestId, ct).ConfigureAwait(false)) clear.Add(p);
        batch = clear;
        if (batch.Count == 0) return;
        if (batch.Count < _policy!.MinBatchSize || attempt > MaxResubmissions)
        {
            foreach (var p in batch) await SendSingleAsync(p, ct).ConfigureAwait(false);
            return;
        }
        try
        {
            if (!await _channel.SendBatchAsync(batch, e => RevertedOnChain(batch, e), ct).ConfigureAwait(false))
            {
                // One became pending or done between the check above and the send: the rest wait again, due at once.
                foreach (var p in batch) _pending.TryAdd(p.RequestId, p);
                return;
            }
            Interlocked.Increment(ref _batchesSent);
            Interlocked.Add(ref _proofsBatched, batch.Count);
            _metrics.BatchesSent.Add(1);
            _metrics.ProofsPerBatch.Record(batch.Count);
        }
        catch (ContractRevertException e) when (!ct.IsCancellationRequested)
        {
            _metrics.BatchFailures.Add(1);
            await RecoverAsync(batch, e, attempt, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A batch would revert: find who makes it fail, drop them, and deliver the rest.</summary>
    private async Task RecoverAsync(List<PendingDelivery> batch, ContractRevertException e, int attempt, CancellationToken ct)
    {
        if (InvalidProofIndex(e) is { } index && index < batch.Count)
        {
            var bad = batch[index];
            _singleOnly[bad.RequestId] = $"its proof failed a batch's verification ({e.Message})";
            _log.LogWarning("Request {Id}: its proof made a batch of {Count} fail (InvalidProofAt({Index})); it goes singly, the others again as a batch",
                bad.RequestId, batch.Count, index);
            await SendSingleAsync(bad, ct).ConfigureAwait(false);
            batch.RemoveAt(index);
            await SubmitAsync(batch, attempt + 1, ct).ConfigureAwait(false);
            return;
        }

        // Not attributed: simulate each delivery alone.
        var good = new List<PendingDelivery>(batch.Count);
        foreach (var p in batch)
        {
            if (await _channel.CanDeliverAsync(p, ct).ConfigureAwait(false))
            {
                good.Add(p);
                continue;
            }
            _singleOnly[p.RequestId] = "it could no longer be delivered when its batch was sent";
            _log.LogInformation("Request {Id}: dropped from a batch of {Count} ({Error}): it cannot be delivered alone either (lost, slashed, expired or fulfilled meanwhile?); its state is re-read next tick",
                p.RequestId, batch.Count, e.Message);
        }
        if (good.Count == batch.Count)
        {
            var key = batch[0].Key;
            _unbatchable[key] = $"a batch failed although each proof delivers alone ({e.Message})";
            _log.LogWarning("Batches for {Key} fail although each of their {Count} proofs delivers alone ({Error}): the verifier may lack verifyProofBatch; delivering these singly from now on",
                key, batch.Count, e.Message);
            foreach (var p in good) await SendSingleAsync(p, ct).ConfigureAwait(false);
            return;
        }
        if (good.Count > 0) await SubmitAsync(good, attempt + 1, ct).ConfigureAwait(false);
    }

    /// <summary>One delivery through <c>fulfill</c>; a revert is logged (the request's step re-reads its state next tick).</summary>
    private async Task SendSingleAsync(PendingDelivery p, CancellationToken ct)
    {
        try
        {
            await _channel.SendSingleAsync(p, ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e) when (!ct.IsCancellationRequested)
        {
            _log.LogInformation("Request {Id}: delivery reverted ({Error}); re-reading state next tick", p.RequestId, e.Message);
        }
    }

    private void RevertedOnChain(IReadOnlyList<PendingDelivery> batch, Exception e)
    {
        if (e is not ContractRevertException) return; // not a revert (cancelled, a timeout): chain state tells
        _metrics.BatchFailures.Add(1);
        foreach (var p in batch) _singleOnly[p.RequestId] = "its batch reverted on chain";
        _log.LogWarning("A batch of {Count} ({Ids}) reverted on chain ({Error}); each goes singly", batch.Count,
            string.Join(", ", batch.Select(p => p.RequestId)), e.Message);
    }

    /// <summary>The batch index <c>InvalidProofAt(i)</c> names, if the revert is that error.</summary>
    internal static int? InvalidProofIndex(ContractRevertException e)
    {
        var data = e.RevertData;
        if (data is not { Length: 36 } || !data.AsSpan(0, 4).SequenceEqual(InvalidProofAtSelector)) return null;
        var index = new BigInteger(data.AsSpan(4, 32), isUnsigned: true, isBigEndian: true);
        return index < int.MaxValue ? (int)index : null;
    }
}
