using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Node.Delivery;
using ProverMarketChain.Worker.Pricing;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// The prover node. Each tick it reads new market events (reorg-aware, resuming from the journal's cursor) and starts
/// one reconciliation task per followed request, most urgent first (<see cref="RequestReconciler"/>); a request whose
/// previous step is still running is not started again, and no request's I/O can hold up another's reveal or
/// submission. Inputs are fetched and checked in the background (<see cref="Preflight"/>), proofs run in an
/// earliest-deadline-first queue (<see cref="ProvingQueue"/>), and standing asks are kept apart
/// (<see cref="AskKeeper"/>), and finished proofs are delivered, batched when that is on, by the
/// <see cref="DeliveryBatcher"/>. Every decision that must survive a crash is journalled before the transaction that
/// depends on it is sent, and every send goes through the <see cref="SendGuard"/>, so a restart after <c>kill -9</c>
/// neither loses a reveal nor sends an action twice.
/// </summary>
public sealed class ProverNode
{
    // Most request steps in flight at once (each is a few RPC calls; a flood of requests queues here, most urgent first).
    private const int MaxConcurrentSteps = 32;
    private readonly NodeContext _ctx;
    private readonly ArtifactStore _artifacts;
    private readonly Preflight _preflight;
    private readonly ProvingQueue _proving;
    private readonly RequestReconciler _reconciler;
    private readonly DeliveryBatcher _batcher;
    private Task _flush = Task.CompletedTask;
    // A request whose preflight passed this recently is about to be bid on, locked or accepted (counted as coming).
    private static readonly TimeSpan ImminentFor = TimeSpan.FromSeconds(5);
    // Seconds between blocks as last seen (a proof waiting for a batch is sent this much earlier than its margin alone
    // says: a head read between blocks is this stale at most). Until measured, a 12-second chain is assumed.
    private ulong _blockSeconds = 12;
    private BlockHeader? _lastHead;
    private readonly ConcurrentDictionary<string, Task> _steps = new();
    private readonly SemaphoreSlim _stepSlots = new(MaxConcurrentSteps, MaxConcurrentSteps);
    private AskKeeper? _asks;
    private Task _askUpkeep = Task.CompletedTask;
    private DateTime _feeWarnedAt;

    /// <summary>Creates a node; call <see cref="RunAsync"/> to start it.</summary>
    public ProverNode(WorkerOptions options, Signer signer, Deployment deployment, WorkerJournal journal, ProofEngine engine,
        JobPlanner planner, InputFetcher inputs, ArtifactStore artifacts, WorkerMetrics metrics, ILogger logger)
    {
        _ctx = new NodeContext(options, signer, deployment, journal, engine, planner, inputs, metrics, logger);
        _artifacts = artifacts;
        Metrics = metrics;
        _preflight = new Preflight(inputs, engine, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.JournalPath))!,
            Path.GetFileNameWithoutExtension(options.JournalPath) + ".inputs"), logger);
        _proving = new ProvingQueue(_ctx, _preflight, options.Capacity);
        var deliveries = new MarketDeliveries(_ctx);
        var batching = options.Batching;
        _batcher = new DeliveryBatcher(deliveries,
            batching.Enabled ? new BatchPolicy(batching.MinBatchSize, batching.MaxBatchSize, (ulong)batching.MaxWaitSeconds) : null, metrics, logger);
        _reconciler = new RequestReconciler(_ctx, _preflight, _proving, new MatchResponder(_ctx, _preflight), _batcher, deliveries);
        metrics.ObserveJobsInFlight(() => _proving.Count);
    }

    /// <summary>The node's instruments.</summary>
    public WorkerMetrics Metrics { get; }

    /// <summary>The prover's address.</summary>
    public Address Prover => _ctx.Prover;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; in-flight proofs are abandoned (the journal resumes them).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await CheckDeploymentAsync(cancellationToken).ConfigureAwait(false);
        await CheckAskOptionsAsync(cancellationToken).ConfigureAwait(false);
        await CheckBatchingAsync(cancellationToken).ConfigureAwait(false);
        await ReserveCollateralAsync(cancellationToken).ConfigureAwait(false);
        await OpenBidLanesAsync(cancellationToken).ConfigureAwait(false);
        _preflight.Sweep(_ctx.Journal.ActiveRequests().Select(r => r.RequestId));
        // The cursor's hash is checked against the chain before reading on: a block reorganised away while the worker
        // was down is re-read from the fork point. A journal from before hashes were kept resumes unchecked.
        var saved = _ctx.Journal.GetCursor();
        var resume = saved is { Hash.Length: > 0 } s ? new LogCursor(s.Block, Hex.Decode(s.Hash)) : null;
        var from = saved is { } c ? c.Block + 1 : _ctx.Deployment.DeployBlock;
        var poller = new LogPoller(_ctx.Signer.Client, new LogFilter(resume is null ? from : _ctx.Deployment.DeployBlock, null, [_ctx.Deployment.ProverMarket], null),
            new LogPollerOptions { PollInterval = _ctx.Options.PollInterval }, _ctx.Log, resume);
        _ctx.Log.LogInformation("Worker {Prover} following market {Market} from block {Block}", Prover, _ctx.Deployment.ProverMarket, from);

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var log in await poller.PollOnceAsync(cancellationToken).ConfigureAwait(false))
                    Ingest(log);
                if (poller.Cursor is { } at) _ctx.Journal.SetCursor(at.Block, Hex.Encode(at.Hash));
                await TickAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Metrics.RpcErrors.Add(1);
                _ctx.Log.LogWarning("Tick failed, retrying next tick: {Error}", e.Message);
            }

            try { await Task.Delay(_ctx.Options.PollInterval, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        try { await Task.WhenAll(_steps.Values.Append(_askUpkeep).Append(_flush)).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException) { }
        _ctx.Log.LogInformation("Worker {Prover} stopped", Prover);
    }

    /// <summary>
    /// One tick: the head and today's fees (a failed fee estimate only stops new work: promises are kept), ask upkeep in
    /// the background, then a step for every confirmed request not already in a step, most urgent first.
    /// </summary>
    private async Task TickAsync(CancellationToken ct)
    {
        var head = await _ctx.Signer.Client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the node returned no latest block");
        BigInteger? gasPrice = null;
        try
        {
            // What new work is priced at: the fee cap a transaction sent now needs, within the new-work cap (the planner
            // refuses new work when even the next base fee plus the tip is over it).
            var fees = await _ctx.Signer.EstimateFeesAsync(ct).ConfigureAwait(false);
            var required = fees.NextBaseFee + fees.MaxPriorityFeePerGas;
            gasPrice = required > _ctx.Options.MaxGasPrice ? required : BigInteger.Min(fees.MaxFeePerGas, _ctx.Options.MaxGasPrice);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (DateTime.UtcNow - _feeWarnedAt > TimeSpan.FromMinutes(1))
            {
                _feeWarnedAt = DateTime.UtcNow;
                _ctx.Log.LogWarning("Fee estimate failed ({Error}): no new work this tick; reveals and submissions go on", e.Message);
            }
        }
        if (_asks is not null && gasPrice is { } gas && _askUpkeep.IsCompleted)
            _askUpkeep = Task.Run(() => _asks.KeepCurrentAsync(gas, head.Timestamp, ct), CancellationToken.None);
        if (_lastHead is { } last && head.Number == last.Number + 1 && head.Timestamp > last.Timestamp)
            _blockSeconds = Math.Min(head.Timestamp - last.Timestamp, 60);
        if (_lastHead is null || head.Number > _lastHead.Number) _lastHead = head;
        // Deliveries waiting for a batch: sent apart from the steps (a delivery's I/O never holds up a reveal).
        if (_batcher.Enabled && _flush.IsCompleted)
            _flush = Task.Run(() => _batcher.FlushAsync(head.Timestamp, SubmissionMarginSeconds(), Promised(), ct), CancellationToken.None);

        var due = _ctx.Journal.ActiveRequests()
            .Where(r => r.Block + (ulong)_ctx.Options.Confirmations <= head.Number && !_steps.ContainsKey(r.RequestId))
            .Select(r => (Request: r, Urgency: Urgency(r, head.Timestamp)))
            .OrderBy(x => x.Urgency)
            .Select(x => x.Request);
        foreach (var r in due)
        {
            var step = new TaskCompletionSource();
            if (!_steps.TryAdd(r.RequestId, step.Task)) continue;
            _ = Task.Run(async () =>
            {
                try { await StepAsync(r, head, gasPrice, ct).ConfigureAwait(false); }
                finally
                {
                    _steps.TryRemove(r.RequestId, out _);
                    step.SetResult();
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>How long before its deadline a waiting proof is sent at the latest: the planner's submission overhead (part
    ///     of every promised latency), a poll, and a block.</summary>
    private ulong SubmissionMarginSeconds() =>
        (ulong)Math.Ceiling(_ctx.Planner.SubmissionOverheadSeconds + _ctx.Options.PollInterval.TotalSeconds) + _blockSeconds;

    /// <summary>
    /// Jobs that may yet join a waiting batch and that the batcher does not know of, by batch key: our open jobs whose
    /// delivery was never sent, our open sealed bids, Dutch locks and accepted matches (each may become such a job), and
    /// requests about to get one (their preflight is running or has just passed). Read from the journal before the
    /// batcher counts what it knows (expected, waiting, being sent), so a job moving into the batcher meanwhile is counted
    /// twice (a longer wait), never missed (a batch sent without it). Open races are delivered by commit and reveal,
    /// never batched, and are not counted; a secondary delivery (also commit and reveal) is, until it ends: it can only
    /// make a batch wait longer, at most its wait.
    /// </summary>
    private Func<BatchKey, int> Promised()
    {
        var requests = _ctx.Journal.ActiveRequests().ToDictionary(r => r.RequestId);
        var coming = new HashSet<string>(_preflight.Imminent(ImminentFor));
        foreach (var job in _ctx.Journal.OpenJobs()) coming.Add(job.RequestId);
        foreach (var bid in _ctx.Journal.OpenBids()) coming.Add(bid.RequestId);
        foreach (var id in _ctx.Journal.OpenLocks()) coming.Add(id);
        foreach (var id in _ctx.Journal.PendingAccepts()) coming.Add(id);
        var counts = new Dictionary<BatchKey, int>();
        foreach (var id in coming)
        {
            if (_batcher.Knows(id) || !requests.TryGetValue(id, out var r)) continue;
            if (_ctx.Journal.GetJob(id) is { State: >= JobState.Done } || _ctx.Journal.GetSend(id, WorkerJournal.DeliveryAction) is not null) continue;
            var terms = NodeContext.Decode(r);
            if ((AllocationMode)(int)terms.Mode == AllocationMode.OpenRace) continue;
            var key = new BatchKey(r.CircuitId, Address.Parse(terms.Verifier));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return key => counts.GetValueOrDefault(key);
    }

    private static ulong Urgency(TrackedRequest r, ulong now)
    {
        try { return RequestReconciler.Urgency(r, now); }
        catch (Exception e) when (e is not OutOfMemoryException) { return ulong.MaxValue; }
    }

    /// <summary>One request's step, isolated: its failure is logged and retried next tick, and touches no other request.</summary>
    private async Task StepAsync(TrackedRequest r, BlockHeader head, BigInteger? gasPrice, CancellationToken ct)
    {
        try
        {
            await _stepSlots.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            await _reconciler.ReconcileAsync(r, head, gasPrice, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ContractRevertException e)
        {
            // A revert means chain state moved under us (someone else locked, fulfilled, slashed...): the next tick
            // reads the new state and acts on it.
            _ctx.Log.LogInformation("Request {Id}: call reverted ({Error}); re-reading state next tick", r.RequestId, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Metrics.RpcErrors.Add(1);
            _ctx.Log.LogWarning("Request {Id}: {Error}; retrying next tick", r.RequestId, e.Message);
        }
        finally
        {
            _stepSlots.Release();
        }
    }

    private async Task CheckDeploymentAsync(CancellationToken ct)
    {
        var chainId = await _ctx.Signer.Client.ChainIdAsync(ct).ConfigureAwait(false);
        if (chainId != _ctx.Deployment.ChainId)
            throw new WorkerConfigurationException(_ctx.Options.DeploymentFile, [$"the deployment is for chain {_ctx.Deployment.ChainId} but the RPC serves chain {chainId}"]);
        if ((await _ctx.Signer.Client.GetCodeAsync(_ctx.Deployment.ProverMarket, cancellationToken: ct).ConfigureAwait(false)).Length == 0)
            throw new WorkerConfigurationException(_ctx.Options.DeploymentFile, [$"no contract at the market address {_ctx.Deployment.ProverMarket}"]);
        var registry = new ICircuitRegistryService(_ctx.Signer.Web3(), _ctx.Deployment.CircuitRegistry.ToString());
        foreach (var c in _ctx.Options.Circuits)
        {
            var onChain = await registry.CircuitQueryAsync(c.CircuitId, cancellationToken: ct).ConfigureAwait(false);
            if (onChain.Owner == Address.Zero)
            {
                _ctx.Log.LogError("Circuit {Circuit} is not registered; its jobs are skipped", c.CircuitId);
                _ctx.Engine.Disable(c.CircuitId);
                continue;
            }
            if (c.FetchFromRegistry)
            {
                try
                {
                    _ctx.Engine.Add(await _artifacts.ResolveAsync(c.CircuitId, onChain.ArtifactsURI, onChain.ArtifactsHash, ct).ConfigureAwait(false));
                }
                catch (Exception e) when (e is ArtifactRejectedException or ProvingFormatException)
                {
                    _ctx.Log.LogError("Circuit {Circuit}: its registered artifacts are unusable ({Reason}); its jobs are skipped", c.CircuitId, e.Message);
                }
                continue;
            }
            var local = await ArtifactStore.ComputeHashAsync(c.Zkey, c.WitnessWasm, ct).ConfigureAwait(false);
            if (!onChain.ArtifactsHash.AsSpan().SequenceEqual(local))
            {
                // Proving with other artifacts than the registered ones would fail on chain: skip the circuit's jobs.
                _ctx.Log.LogError("Circuit {Circuit}: local artifacts hash {Local} differs from the registered {Registered}; its jobs are skipped",
                    c.CircuitId, Hex.Encode(local), Hex.Encode(onChain.ArtifactsHash));
                _ctx.Engine.Disable(c.CircuitId);
            }
        }
        if (!_ctx.Engine.Circuits.Any())
            throw new WorkerConfigurationException(_ctx.Options.DeploymentFile, ["no configured circuit has usable artifacts matching its registered hash (see the errors above)"]);
    }

    /// <summary>
    /// Checks the standing-ask options against the ask book's bounds (<c>MIN_ASK_COLLATERAL</c>, <c>MAX_ASK_LIFETIME</c>)
    /// before anything is posted: an ask the book would refuse is a configuration error, not a revert every tick.
    /// </summary>
    private async Task CheckAskOptionsAsync(CancellationToken ct)
    {
        if (!_ctx.Options.PostStandingAsks) return;
        var bookAddress = await new ProverMarketService(_ctx.Signer.Web3(), _ctx.Deployment.ProverMarket.ToString()).AskBookQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        _asks = new AskKeeper(_ctx, new IAskBookService(_ctx.Signer.Web3(), bookAddress.ToString()));
        var book = new AskBookService(_ctx.Signer.Web3(), bookAddress.ToString());
        var min = await book.MIN_ASK_COLLATERALQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        var maxLifetime = await book.MAX_ASK_LIFETIMEQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        var problems = new List<string>();
        if (_ctx.Options.AskMaxCollateral < min)
            problems.Add($"askMaxCollateralWei: {_ctx.Options.AskMaxCollateral} is below the ask book's MIN_ASK_COLLATERAL {min}");
        if ((BigInteger)_ctx.Options.AskLifetime.TotalSeconds > maxLifetime)
            problems.Add($"askLifetime: {_ctx.Options.AskLifetime} exceeds the ask book's MAX_ASK_LIFETIME of {maxLifetime} s");
        if (problems.Count > 0) throw new WorkerConfigurationException(_ctx.Options.DeploymentFile, problems);
    }

    /// <summary>
    /// With batching on, checks that the market takes batches (<c>MAX_BATCH</c>) and that <c>maxBatchSize</c> is within
    /// it: a size the market refuses is a configuration error, not a revert per batch.
    /// </summary>
    private async Task CheckBatchingAsync(CancellationToken ct)
    {
        var batching = _ctx.Options.Batching;
        if (!batching.Enabled) return;
        BigInteger max;
        try
        {
            max = await _ctx.Market.MAX_BATCHQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            throw new WorkerConfigurationException(_ctx.Options.DeploymentFile,
                [$"batching.enabled: the market at {_ctx.Deployment.ProverMarket} does not take batches (MAX_BATCH() failed: {e.Message}); turn batching off"]);
        }
        if (batching.MaxBatchSize > max)
            throw new WorkerConfigurationException(_ctx.Options.DeploymentFile, [$"batching.maxBatchSize: {batching.MaxBatchSize} exceeds the market's MAX_BATCH {max}"]);
        _ctx.Log.LogInformation("Batching deliveries: {Min}..{Max} proofs per batch, waiting at most {Wait} s (the market takes up to {MarketMax})",
            batching.MinBatchSize, batching.MaxBatchSize, batching.MaxWaitSeconds, max);
    }

    /// <summary>Tops the market bond balance up to each configured target from the free vault balance.</summary>
    private async Task ReserveCollateralAsync(CancellationToken ct)
    {
        if (_ctx.Options.CollateralReserve.Count == 0) return;
        foreach (var target in _ctx.Options.CollateralReserve)
        {
            var held = await _ctx.Market.BondBalanceQueryAsync(Prover, target.AssetId, cancellationToken: ct).ConfigureAwait(false);
            if (held >= target.Amount)
            {
                _ctx.Log.LogInformation("Collateral asset {Asset}: bond balance {Held} already meets the target {Target}", target.AssetId, held, target.Amount);
                continue;
            }
            var free = await _ctx.Vault.FreeBalanceQueryAsync(Prover, target.AssetId, cancellationToken: ct).ConfigureAwait(false);
            var amount = BigInteger.Min(target.Amount - held, free);
            if (amount > 0)
            {
                await _ctx.Market.ReserveCollateralRequestAndWaitForReceiptAsync(target.AssetId, amount, ct).ConfigureAwait(false);
                held += amount;
            }
            if (held < target.Amount)
                _ctx.Log.LogWarning("Collateral asset {Asset}: bond balance {Held} is below the target {Target}: the free vault balance covered only {Amount}; deposit more",
                    target.AssetId, held, target.Amount, amount);
            else
                _ctx.Log.LogInformation("Collateral asset {Asset}: reserved {Amount}, bond balance now {Held}", target.AssetId, amount, held);
        }
    }

    /// <summary>Prepares one bid lane per unit of capacity on first start (set-up, like the reserve): later commits
    ///     then rewrite a slot instead of creating one.</summary>
    private async Task OpenBidLanesAsync(CancellationToken ct)
    {
        int count = Math.Min(_ctx.Options.Capacity, 255); // openBidLanes takes a uint8 count; lane 255 opens on first use
        if (await _ctx.Market.BidLaneQueryAsync(Prover, count - 1, cancellationToken: ct).ConfigureAwait(false) != BigInteger.Zero) return;
        await _ctx.Market.OpenBidLanesRequestAndWaitForReceiptAsync(0, count, ct).ConfigureAwait(false);
        _ctx.Log.LogInformation("Opened bid lanes 0..{Last}", count - 1);
    }

    // ------------------------------------------------------------------ events

    private void Ingest(LogEntry log)
    {
        if (!log.TryDecodeEvent<IProverMarketService.RequestSubmittedEventDTO>(out var e)) return;
        var id = Hex.Encode(e.RequestId);
        if (log.Removed)
        {
            _ctx.Log.LogWarning("Request {Id} was rolled back by a reorg", id);
            _ctx.Journal.DropRequestIfUntouched(id);
            if (_ctx.Journal.ActiveRequests().All(r => r.RequestId != id)) _preflight.Forget(id);
            return;
        }
        var circuit = (uint)e.CircuitId;
        if (!_ctx.Engine.Serves(circuit)) return;
        var terms = NodeContext.Encode(e.Request);
        _ctx.Journal.TrackRequest(new TrackedRequest(id, circuit, terms, e.Input, e.InputUri, e.PublicInputs.ToArray(),
            (ulong)e.ProvingUnits, e.ReserveFee, log.BlockNumber));
    }

    /// <summary>A JSON summary of the journal for the status endpoint and command.</summary>
    public string StatusJson() => JsonSerializer.Serialize(new
    {
        prover = Prover.ToString(),
        cursor = _ctx.Journal.GetCursor()?.Block,
        followedRequests = _ctx.Journal.ActiveRequests().Count,
        openBids = _ctx.Journal.OpenBids().Count,
        openLocks = _ctx.Journal.OpenLocks().Count,
        jobs = _ctx.Journal.JobCounts().ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
        collateralAtRisk = _ctx.Commitments().Aggregate(BigInteger.Zero, (s, c) => s + c.Collateral).ToString(System.Globalization.CultureInfo.InvariantCulture),
        preflightsRunning = _preflight.Running,
        proving = _proving.Phases,
        batching = _batcher.Status(),
        recentBatches = _ctx.Journal.Batches(MarketDeliveries.Action, 10).Select(b => new { tx = b.TransactionHash, requests = b.RequestIds }),
        metrics = Metrics.Snapshot(),
    });
}
