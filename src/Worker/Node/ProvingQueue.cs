using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// Runs the worker's proofs, at most <c>capacity</c> at once, earliest deadline first, and journals each proof before
/// anything submits it. Every proof can be cancelled: when its job is lost, expires, or is fulfilled by someone else,
/// the proof stops at its next phase instead of holding a slot another job needs.
/// </summary>
internal sealed class ProvingQueue
{
    private readonly NodeContext _ctx;
    private readonly Preflight _preflight;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private int _running;
    // Waiting proofs by deadline (then arrival): the earliest deadline gets the next free slot.
    private readonly SortedSet<(ulong Deadline, long Seq, string RequestId)> _waiting = [];
    private readonly Dictionary<string, TaskCompletionSource> _wakeups = [];
    private long _seq;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _jobs = new();
    private readonly ConcurrentDictionary<string, string> _phase = new();

    public ProvingQueue(NodeContext ctx, Preflight preflight, int capacity)
    {
        _ctx = ctx;
        _preflight = preflight;
        _capacity = capacity;
    }

    /// <summary>Proofs queued or running, with their phase (for the status endpoint and metrics).</summary>
    public IReadOnlyDictionary<string, string> Phases => _jobs.Keys.ToDictionary(k => k, k => _phase.GetValueOrDefault(k, "queued"));

    /// <summary>Proofs queued or running.</summary>
    public int Count => _jobs.Count;

    /// <summary>Whether a proof of this request is queued or running.</summary>
    public bool Contains(string requestId) => _jobs.ContainsKey(requestId);

    /// <summary>Queues a proof of the request (no-op when one is queued or running).</summary>
    public void Start(TrackedRequest r, Request req, ulong deadline, CancellationToken nodeCt)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(nodeCt);
        if (!_jobs.TryAdd(r.RequestId, cts))
        {
            cts.Dispose();
            return;
        }
        _ = Task.Run(() => ProveAsync(r, req, deadline, cts), CancellationToken.None);
    }

    /// <summary>Stops the request's proof, queued or running, with the reason logged.</summary>
    public void Cancel(string requestId, string reason)
    {
        if (!_jobs.TryGetValue(requestId, out var cts)) return;
        try
        {
            if (cts.IsCancellationRequested) return;
            _ctx.Log.LogInformation("Request {Id}: proof cancelled: {Reason}", requestId, reason);
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The proof ended (and disposed its source) between the lookup and the cancel: nothing to stop.
        }
    }

    private async Task ProveAsync(TrackedRequest r, Request req, ulong deadline, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        bool holding = false;
        try
        {
            await AcquireAsync(r.RequestId, deadline, ct).ConfigureAwait(false);
            holding = true;
            var input = _preflight.Input(r.RequestId)
                ?? await _ctx.Inputs.FetchAsync(r.Input, r.InputUri, req.InputHash, ct).ConfigureAwait(false);
            var started = DateTime.UtcNow;
            var progress = new Progress<string>(phase =>
            {
                _phase[r.RequestId] = phase;
                _ctx.Metrics.ProofPhases.Add(1, new KeyValuePair<string, object?>("phase", phase));
                _ctx.Log.LogInformation("Request {Id}: proving, {Phase} done after {Seconds:F1} s", r.RequestId, phase, (DateTime.UtcNow - started).TotalSeconds);
            });
            var proof = await _ctx.Engine.ProveAsync(r.CircuitId, input, progress, ct).ConfigureAwait(false);
            if (!PublicInputs.Hash(proof.PublicInputs).AsSpan().SequenceEqual(req.PublicInputsHash))
                throw new InputRejectedException("the witness's public signals do not match the request's publicInputsHash");
            _ctx.Metrics.ProofsGenerated.Add(1);
            if (!_ctx.Journal.TrySaveProof(r.RequestId, JsonSerializer.Serialize(proof.Proof.Select(x => x.ToString(CultureInfo.InvariantCulture))),
                    JsonSerializer.Serialize(proof.PublicInputs.Select(x => x.ToString(CultureInfo.InvariantCulture)))))
                _ctx.Log.LogInformation("Request {Id}: proof no longer needed (the job closed while proving)", r.RequestId);
            _ctx.Metrics.ProvingSeconds.Record(proof.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is InputRejectedException or ProvingFormatException)
        {
            _ctx.Journal.AdvanceJob(r.RequestId, JobState.Abandoned, e.Message);
            _ctx.Metrics.JobsSkipped.Add(1);
            _ctx.Log.LogWarning("Request {Id}: job abandoned: {Reason}", r.RequestId, e.Message);
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // Cancelled (the job is gone) or shutting down: the journal still holds an open job, and a restarted node
            // proves it again if the deadline allows.
            _ctx.Log.LogInformation("Request {Id}: proof stopped ({Error})", r.RequestId, e.GetType().Name);
        }
        catch (Exception e)
        {
            // Transient (input server down, node missing): the next reconciliation queues it again.
            _ctx.Log.LogWarning("Request {Id}: proving failed, will retry: {Error}", r.RequestId, e.Message);
        }
        finally
        {
            if (holding) Release();
            else Withdraw(r.RequestId);
            _jobs.TryRemove(r.RequestId, out _);
            _phase.TryRemove(r.RequestId, out _);
            cts.Dispose();
        }
    }

    private async Task AcquireAsync(string requestId, ulong deadline, CancellationToken ct)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            var key = (deadline, _seq++, requestId);
            if (_running < _capacity && _waiting.Count == 0)
            {
                _running++;
                return;
            }
            _waiting.Add(key);
            wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _wakeups[requestId] = wake;
        }
        await using (ct.Register(() => wake.TrySetCanceled(ct)))
            await wake.Task.ConfigureAwait(false);
    }

    private void Release()
    {
        lock (_gate)
        {
            _running--;
            GrantNext();
        }
    }

    private void Withdraw(string requestId)
    {
        lock (_gate)
        {
            // Cancelled while waiting: a granted slot always completes the wait successfully (holding), so a withdrawn
            // waiter never holds one.
            _waiting.RemoveWhere(w => w.RequestId == requestId);
            _wakeups.Remove(requestId);
        }
    }

    private void GrantNext()
    {
        while (_running < _capacity && _waiting.Count > 0)
        {
            var next = _waiting.Min;
            _waiting.Remove(next);
            if (_wakeups.Remove(next.RequestId, out var wake) && wake.TrySetResult())
            {
                _running++;
                return;
            }
        }
    }
}
