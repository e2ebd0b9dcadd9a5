using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Abi;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Pricing;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Node;

/// <summary>Request status on chain (mirrors the market's <c>Status</c> enum).</summary>
internal enum ChainStatus { None = 0, Open = 1, Assigned = 2, Secondary = 3, Fulfilled = 4, Cancelled = 5, Expired = 6, Matched = 7 }

/// <summary>Mirrors <c>IProverMarketTypes.BidStatus</c>.</summary>
internal enum BidStatus { None = 0, Committed = 1, Best = 2, RunnerUp = 3 }

/// <summary>
/// The prover node. Each tick it reads new market events (reorg-aware, resuming from the journal's cursor), then
/// reconciles every followed request against CHAIN STATE (never against a possibly-failed RPC reply): it bids, reveals,
/// locks, proves and submits as the request's mode and phase require. Every decision that must survive a crash is in
/// the journal before the transaction that depends on it is sent (the salt before the commit, the proof before the
/// submission), and every send is preceded by a chain-state check, so a restart after <c>kill -9</c> neither loses a
/// reveal nor sends a second lock, commit or proof.
/// </summary>
public sealed class ProverNode
{
    private static readonly AbiType[] RequestTuple = [AbiType.Parse(Request.AbiTupleType)];
    private static readonly AbiType[] CommitmentTypes =
        [AbiType.Bytes32, AbiType.Address, AbiType.Parse("uint96"), AbiType.Parse("uint32"), AbiType.Bytes32];

    private readonly WorkerOptions _options;
    private readonly Signer _signer;
    private readonly IProverMarket _market;
    private readonly ICollateralVault _vault;
    private readonly Deployment _deployment;
    private readonly WorkerJournal _journal;
    private readonly ProofEngine _engine;
    private readonly JobPlanner _planner;
    private readonly InputFetcher _inputs;
    private readonly ArtifactStore _artifacts;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _capacity;
    private readonly ConcurrentDictionary<string, Task> _proving = new();
    private readonly ConcurrentDictionary<string, string> _provingPhase = new();
    // When a submission was last sent per request: a send whose reply was lost is not repeated while it may still be
    // pending (the chain state read each tick is what confirms it).
    private readonly Dictionary<string, DateTime> _lastSubmission = [];
    private static readonly TimeSpan SubmissionCooldown = TimeSpan.FromSeconds(5);
    private readonly HashSet<string> _skipLogged = [];
    private readonly ConcurrentDictionary<string, byte[]> _inputCache = new();
    // Preflights of standing-ask matches (input fetch and witness) running in the background, per request.
    private readonly ConcurrentDictionary<string, Task<MatchVerdict>> _preflights = new();
    // Open submissions: the block from which our reveal may be paid (an earlier commitment's reveal window is open).
    private readonly Dictionary<string, ulong> _revealNotBefore = [];
    // Ask upkeep: when a circuit's ask may next be (re)posted after a failure, and the warnings already logged.
    private readonly Dictionary<uint, DateTime> _askRetryAt = [];
    private readonly HashSet<string> _askWarned = [];
    private static readonly TimeSpan AskRetryDelay = TimeSpan.FromSeconds(30);
    private IAskBook? _askBook;

    /// <summary>The outcome of a match preflight: accept, or decline with the reason (and whether the input is at fault).</summary>
    private sealed record MatchVerdict(MatchDecision Decision, string? Reason, bool InputRejected);

    /// <summary>Creates a node; call <see cref="RunAsync"/> to start it.</summary>
    public ProverNode(WorkerOptions options, Signer signer, Deployment deployment, WorkerJournal journal, ProofEngine engine,
        JobPlanner planner, InputFetcher inputs, ArtifactStore artifacts, WorkerMetrics metrics, ILogger logger)
    {
        _options = options;
        _signer = signer;
        _deployment = deployment;
        _journal = journal;
        _engine = engine;
        _planner = planner;
        _inputs = inputs;
        _artifacts = artifacts;
        Metrics = metrics;
        metrics.ObserveJobsInFlight(() => _proving.Count);
        _log = logger;
        _market = new IProverMarket(signer, deployment.ProverMarket);
        _vault = new ICollateralVault(signer, deployment.CollateralVault);
        _capacity = new SemaphoreSlim(options.Capacity, options.Capacity);
    }

    /// <summary>The node's instruments.</summary>
    public WorkerMetrics Metrics { get; }

    /// <summary>The prover's address.</summary>
    public Address Prover => _signer.From;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; in-flight proofs are abandoned (the journal resumes them).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await CheckDeploymentAsync(cancellationToken).ConfigureAwait(false);
        await CheckAskOptionsAsync(cancellationToken).ConfigureAwait(false);
        await ReserveCollateralAsync(cancellationToken).ConfigureAwait(false);
        await OpenBidLanesAsync(cancellationToken).ConfigureAwait(false);
        var from = _journal.GetCursor() is { } c ? c.Block + 1 : _deployment.DeployBlock;
        var poller = new LogPoller(_signer.Client, new LogFilter(from, null, [_deployment.ProverMarket], null),
            new LogPollerOptions { PollInterval = _options.PollInterval });
        _log.LogInformation("Worker {Prover} following market {Market} from block {Block}", Prover, _deployment.ProverMarket, from);

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var log in await poller.PollOnceAsync(cancellationToken).ConfigureAwait(false))
                    Ingest(log);
                if (poller.NextBlock > 0) _journal.SetCursor(poller.NextBlock - 1, "");
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Metrics.RpcErrors.Add(1);
                _log.LogWarning("Tick failed, retrying next tick: {Error}", e.Message);
            }

            try { await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        _log.LogInformation("Worker {Prover} stopped", Prover);
    }

    private async Task CheckDeploymentAsync(CancellationToken ct)
    {
        var chainId = await _signer.Client.ChainIdAsync(ct).ConfigureAwait(false);
        if (chainId != _deployment.ChainId)
            throw new WorkerConfigurationException(_options.DeploymentFile, [$"the deployment is for chain {_deployment.ChainId} but the RPC serves chain {chainId}"]);
        if ((await _signer.Client.GetCodeAsync(_deployment.ProverMarket, cancellationToken: ct).ConfigureAwait(false)).Length == 0)
            throw new WorkerConfigurationException(_options.DeploymentFile, [$"no contract at the market address {_deployment.ProverMarket}"]);
        var registry = new ICircuitRegistry(_signer, _deployment.CircuitRegistry);
        foreach (var c in _options.Circuits)
        {
            var onChain = await registry.CircuitAsync(c.CircuitId, ct).ConfigureAwait(false);
            if (onChain.Owner == Address.Zero)
            {
                _log.LogError("Circuit {Circuit} is not registered; its jobs are skipped", c.CircuitId);
                _engine.Disable(c.CircuitId);
                continue;
            }
            if (c.FetchFromRegistry)
            {
                try
                {
                    _engine.Add(await _artifacts.ResolveAsync(c.CircuitId, onChain.ArtifactsURI, onChain.ArtifactsHash, ct).ConfigureAwait(false));
                }
                catch (Exception e) when (e is ArtifactRejectedException or ProvingFormatException)
                {
                    _log.LogError("Circuit {Circuit}: its registered artifacts are unusable ({Reason}); its jobs are skipped", c.CircuitId, e.Message);
                }
                continue;
            }
            var local = await ArtifactStore.ComputeHashAsync(c.Zkey, c.WitnessWasm, ct).ConfigureAwait(false);
            if (!onChain.ArtifactsHash.AsSpan().SequenceEqual(local))
            {
                // Proving with other artifacts than the registered ones would fail on chain: skip the circuit's jobs.
                _log.LogError("Circuit {Circuit}: local artifacts hash {Local} differs from the registered {Registered}; its jobs are skipped",
                    c.CircuitId, Hex.Encode(local), Hex.Encode(onChain.ArtifactsHash));
                _engine.Disable(c.CircuitId);
            }
        }
        if (!_engine.Circuits.Any())
            throw new WorkerConfigurationException(_options.DeploymentFile, ["no configured circuit has usable artifacts matching its registered hash (see the errors above)"]);
    }

    /// <summary>
    /// Checks the standing-ask options against the ask book's bounds (<c>MIN_ASK_COLLATERAL</c>, <c>MAX_ASK_LIFETIME</c>)
    /// before anything is posted: an ask the book would refuse is a configuration error, not a revert every tick.
    /// </summary>
    private async Task CheckAskOptionsAsync(CancellationToken ct)
    {
        if (!_options.PostStandingAsks) return;
        var bookAddress = await new ProverMarket(_signer, _deployment.ProverMarket).AskBookAsync(ct).ConfigureAwait(false);
        _askBook = new IAskBook(_signer, bookAddress);
        var book = new AskBook(_signer, bookAddress);
        var min = await book.MIN_ASK_COLLATERALAsync(ct).ConfigureAwait(false);
        var maxLifetime = await book.MAX_ASK_LIFETIMEAsync(ct).ConfigureAwait(false);
        var problems = new List<string>();
        if (_options.AskMaxCollateral < min)
            problems.Add($"askMaxCollateralWei: {_options.AskMaxCollateral} is below the ask book's MIN_ASK_COLLATERAL {min}");
        if ((BigInteger)_options.AskLifetime.TotalSeconds > maxLifetime)
            problems.Add($"askLifetime: {_options.AskLifetime} exceeds the ask book's MAX_ASK_LIFETIME of {maxLifetime} s");
        if (problems.Count > 0) throw new WorkerConfigurationException(_options.DeploymentFile, problems);
    }

    /// <summary>Tops the market bond balance up to each configured target from the free vault balance.</summary>
    private async Task ReserveCollateralAsync(CancellationToken ct)
    {
        if (_options.CollateralReserve.Count == 0) return;
        foreach (var target in _options.CollateralReserve)
        {
            var held = await _market.BondBalanceAsync(Prover, target.AssetId, ct).ConfigureAwait(false);
            if (held >= target.Amount)
            {
                _log.LogInformation("Collateral asset {Asset}: bond balance {Held} already meets the target {Target}", target.AssetId, held, target.Amount);
                continue;
            }
            var free = await _vault.FreeBalanceAsync(Prover, target.AssetId, ct).ConfigureAwait(false);
            var amount = BigInteger.Min(target.Amount - held, free);
            if (amount > 0)
            {
                await _market.ReserveCollateralAsync(target.AssetId, amount, ct).ConfigureAwait(false);
                held += amount;
            }
            if (held < target.Amount)
                _log.LogWarning("Collateral asset {Asset}: bond balance {Held} is below the target {Target}: the free vault balance covered only {Amount}; deposit more",
                    target.AssetId, held, target.Amount, amount);
            else
                _log.LogInformation("Collateral asset {Asset}: reserved {Amount}, bond balance now {Held}", target.AssetId, amount, held);
        }
    }

    /// <summary>
    /// Whether the market can take the request's collateral from us (our bond balance or our free vault balance covers
    /// it, as the market requires). When not, the job is skipped with the reason, logged once, instead of sending a
    /// bid or lock that would revert.
    /// </summary>
    private async Task<bool> CollateralCoversAsync(TrackedRequest r, Request req, CancellationToken ct)
    {
        var need = req.MinCollateral;
        if (need.IsZero) return true;
        byte asset = (byte)req.AssetId;
        var bond = await _market.BondBalanceAsync(Prover, asset, ct).ConfigureAwait(false);
        if (bond >= need) return true;
        var free = await _vault.FreeBalanceAsync(Prover, asset, ct).ConfigureAwait(false);
        if (free >= need) return true;
        SkipOnce(r, $"collateral: it needs {need} of asset {asset}, but the bond balance is {bond} and the free vault balance {free}", LogLevel.Warning);
        return false;
    }

    // ------------------------------------------------------------------ events

    private void Ingest(LogEntry log)
    {
        if (!IProverMarket.RequestSubmittedEvent.TryDecode(log, out var e)) return;
        var id = Hex.Encode(e.RequestId);
        if (log.Removed)
        {
            _log.LogWarning("Request {Id} was rolled back by a reorg", id);
            _journal.DropRequestIfUntouched(id);
            return;
        }
        var circuit = (uint)e.CircuitId;
        if (!_engine.Serves(circuit)) return;
        var terms = AbiCodec.Encode(RequestTuple, [Request.ToAbi(e.Request)]);
        _journal.TrackRequest(new TrackedRequest(id, circuit, terms, e.Input, e.InputUri, e.PublicInputs.ToArray(),
            (ulong)e.ProvingUnits, e.ReserveFee, log.BlockNumber));
    }

    // ------------------------------------------------------------------ reconciliation

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var head = await _signer.Client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the node returned no latest block");
        var fees = await _signer.EstimateFeesAsync(ct).ConfigureAwait(false);
        await KeepAsksCurrentAsync(fees.MaxFeePerGas, head.Timestamp, ct).ConfigureAwait(false);

        foreach (var r in _journal.ActiveRequests())
        {
            if (r.Block + (ulong)_options.Confirmations > head.Number) continue; // not yet confirmed
            try
            {
                await ReconcileOneAsync(r, head, fees.MaxFeePerGas, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (ContractRevertException e)
            {
                // A revert means chain state moved under us (someone else locked, fulfilled, slashed...): the next tick
                // reads the new state and acts on it.
                _log.LogInformation("Request {Id}: call reverted ({Error}); re-reading state next tick", r.RequestId, e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Metrics.RpcErrors.Add(1);
                _log.LogWarning("Request {Id}: {Error}; retrying next tick", r.RequestId, e.Message);
            }
        }
    }

    /// <summary>
    /// Fetches and checks the request's input before the worker commits to anything: a bad input is skipped (and the
    /// request closed with the reason) instead of being bid on and then missed.
    /// </summary>
    private async Task<byte[]?> InputOrSkipAsync(TrackedRequest r, Request req, CancellationToken ct)
    {
        if (_inputCache.TryGetValue(r.RequestId, out var cached)) return cached;
        try
        {
            var input = await _inputs.FetchAsync(r.Input, r.InputUri, req.InputHash, ct).ConfigureAwait(false);
            _inputCache[r.RequestId] = input;
            return input;
        }
        catch (InputRejectedException e)
        {
            Metrics.JobsSkipped.Add(1);
            _log.LogWarning("Request {Id}: skipped: {Reason}", r.RequestId, e.Message);
            _journal.CloseRequest(r.RequestId, "skipped: " + e.Message);
            return null;
        }
    }

    private async Task ReconcileOneAsync(TrackedRequest r, BlockHeader head, BigInteger gasPrice, CancellationToken ct)
    {
        var req = Request.FromAbi(AbiCodec.Decode(RequestTuple, r.Terms)[0]);
        var id = Hex.Decode(r.RequestId);
        var view = await _market.RequestStateAsync(id, ct).ConfigureAwait(false);
        var status = (ChainStatus)(int)view.Status;
        var mode = (AllocationMode)(int)req.Mode;
        var now = head.Timestamp;
        bool mine = view.Prover == Prover;

        // We declined a match of this request because its input failed our preflight: we deliver it in no other way
        // either (it would fail the same way once it opens for secondary delivery).
        if (status is ChainStatus.Open or ChainStatus.Secondary or ChainStatus.Matched && !(status == ChainStatus.Matched && mine)
            && _journal.Matches(r.RequestId).FirstOrDefault(m => m.InputRejected) is { } rejected)
        {
            _log.LogInformation("Request {Id}: no longer followed: we declined it ({Reason})", r.RequestId, rejected.Reason);
            Forget(r.RequestId);
            _journal.CloseRequest(r.RequestId, "declined: " + rejected.Reason);
            return;
        }

        switch (status)
        {
            case ChainStatus.None:
                _journal.CloseRequest(r.RequestId, "unknown on chain");
                return;
            case ChainStatus.Matched when mine:
                await MatchedAsync(r, req, view, now, gasPrice, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Matched:
                _preflights.TryRemove(r.RequestId, out _); // matched to another ask now: a preflight of ours is moot
                if (now > (ulong)view.Deadline && !InCooldown(r.RequestId))
                {
                    // The matched prover stayed silent: move the request on (its ask leaves the book). Permissionless.
                    _log.LogInformation("Request {Id}: matched prover {Prover} let its acceptance window pass; lapsing the match", r.RequestId, view.Prover);
                    _lastSubmission[r.RequestId] = DateTime.UtcNow;
                    await _market.LapseMatchAsync(req, ct).ConfigureAwait(false);
                }
                return;
            case ChainStatus.Secondary when view.Excluded == Prover:
                // We were slashed on this request: the market keeps us out of its secondary delivery.
                if (_journal.GetJob(r.RequestId) is { State: < JobState.Done })
                    _journal.AdvanceJob(r.RequestId, JobState.Abandoned, "slashed: excluded from the secondary delivery");
                _log.LogWarning("Request {Id}: we were slashed; the secondary delivery is open to others only", r.RequestId);
                CloseBidIfOpen(r.RequestId);
                Forget(r.RequestId);
                _journal.CloseRequest(r.RequestId, "slashed: excluded from the secondary delivery");
                return;
            case ChainStatus.Fulfilled or ChainStatus.Cancelled or ChainStatus.Expired:
                await FinishAsync(r, req, status, mine, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Assigned when mine:
                await DeliverAsync(r, req, (ulong)view.Deadline, openSubmission: false, now, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Assigned:
                CloseBidIfOpen(r.RequestId);
                if (now > (ulong)view.Deadline)
                {
                    _log.LogInformation("Request {Id}: prover {Prover} missed its deadline; slashing", r.RequestId, view.Prover);
                    await _market.SlashAsync(req, ct).ConfigureAwait(false);
                }
                return;
            case ChainStatus.Secondary:
                await OpenWorkAsync(r, req, mode, view.Fee, view.Bounty, (ulong)view.Deadline, now, gasPrice, ct).ConfigureAwait(false);
                return;
        }

        // Open.
        switch (mode)
        {
            case AllocationMode.SealedBid:
                await SealedBidAsync(r, req, view, id, now, gasPrice, ct).ConfigureAwait(false);
                break;
            case AllocationMode.Dutch:
                await DutchAsync(r, req, now, gasPrice, ct).ConfigureAwait(false);
                break;
            case AllocationMode.OpenRace:
                await OpenWorkAsync(r, req, mode, req.MaxFee, BigInteger.Zero, (ulong)view.CreatedAt + (ulong)req.ProvingWindow, now, gasPrice, ct).ConfigureAwait(false);
                break;
            case AllocationMode.StandingAsk:
                break; // matched at submission (or refused): a standing-ask request is never left open
        }
    }

    private async Task SealedBidAsync(TrackedRequest r, Request req, RequestView view, byte[] id, ulong now, BigInteger gasPrice, CancellationToken ct)
    {
        var bid = _journal.GetBid(r.RequestId);
        if (now <= (ulong)req.BidDeadline)
        {
            if (bid is null)
            {
                if (await InputOrSkipAsync(r, req, ct).ConfigureAwait(false) is null) return;
                if (Plan(r, req, AllocationMode.SealedBid, BigInteger.Zero, null, now, gasPrice) is not JobDecision.Take take) return;
                if (!await CollateralCoversAsync(r, req, ct).ConfigureAwait(false)) return;
                if (await FreeLaneAsync(r, ct).ConfigureAwait(false) is not { } lane) return;
                var salt = RandomNumberGenerator.GetBytes(32);
                var commitment = Keccak.Hash(AbiCodec.Encode(CommitmentTypes, [id, Prover, take.Fee, new BigInteger(take.PromisedLatencySeconds), salt]));
                // Durable before the transaction: a crash after the commit still finds the salt (and lane) to reveal with.
                bid = _journal.PlanBid(r.RequestId, take.Fee, take.PromisedLatencySeconds, salt, commitment, lane);
            }
            if (bid.State == BidState.Planned)
            {
                var status = await BidStatusAsync(id, bid, ct).ConfigureAwait(false);
                if (status == BidStatus.None)
                {
                    _log.LogInformation("Request {Id}: committing bid fee={Fee} latency={Latency}s in lane {Lane}", r.RequestId, bid.Fee, bid.LatencySeconds, bid.Lane);
                    await _market.CommitBidAsync(req, bid.Commitment, bid.Lane, ct).ConfigureAwait(false);
                    Metrics.BidsCommitted.Add(1);
                }
                _journal.AdvanceBid(r.RequestId, BidState.Committed);
            }
            return;
        }

        if (now <= (ulong)req.RevealDeadline)
        {
            if (bid is null || bid.State >= BidState.Revealed) return;
            var status = await BidStatusAsync(id, bid, ct).ConfigureAwait(false);
            if (status is BidStatus.Best or BidStatus.RunnerUp)
            {
                // An earlier reveal landed although its reply was lost.
                _journal.AdvanceBid(r.RequestId, BidState.Revealed);
                return;
            }
            if (status == BidStatus.None)
            {
                // Never landed, or revealed already and released at once (it did not lead): nothing left to do.
                _journal.AdvanceBid(r.RequestId, BidState.Closed);
                _log.LogWarning("Request {Id}: our commitment is not (or no longer) in lane {Lane}; nothing to reveal", r.RequestId, bid.Lane);
                return;
            }
            try
            {
                await _market.RevealBidAsync(req, bid.Fee, bid.LatencySeconds, bid.Salt, bid.Lane, ct).ConfigureAwait(false);
                Metrics.BidsRevealed.Add(1);
                _log.LogInformation("Request {Id}: revealed bid", r.RequestId);
            }
            catch (IProverMarket.AlreadyRevealedException)
            {
                // An earlier reveal landed although its reply was lost: chain state says we are done.
            }
            _journal.AdvanceBid(r.RequestId, BidState.Revealed);
            return;
        }

        // Reveal phase over, auction not yet settled: the best bidder proves now (fulfil settles implicitly).
        var winnerDeadline = (ulong)req.RevealDeadline + (ulong)view.ProverLatency;
        if (view.Prover == Prover)
        {
            await DeliverAsync(r, req, winnerDeadline, openSubmission: false, now, ct).ConfigureAwait(false);
            return;
        }
        if (view.RunnerUp != Prover) CloseBidIfOpen(r.RequestId);
        if (view.Prover != Address.Zero && now > winnerDeadline)
        {
            // slash settles the auction implicitly; the job then goes to the runner-up or to secondary fulfilment.
            _log.LogInformation("Request {Id}: winner {Prover} missed its deadline; slashing", r.RequestId, view.Prover);
            await _market.SlashAsync(req, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A standing-ask request matched our ask: preflight it (profit at today's gas price, latency, collateral cap and
    /// cover, then the input's hash and, in the background, its witness against the request's public inputs) and accept
    /// or decline. The decision is journalled before its transaction is sent, so a restart re-sends the same one (chain
    /// state, read each tick, says whether it landed) and never the opposite.
    /// </summary>
    private async Task MatchedAsync(TrackedRequest r, Request req, RequestView view, ulong now, BigInteger gasPrice, CancellationToken ct)
    {
        var acceptBy = (ulong)view.Deadline;
        if (now > acceptBy) return; // the window is over: anyone lapses the match (and our ask leaves the book)
        var decided = _journal.GetMatch(r.RequestId, acceptBy);
        if (decided is null)
        {
            var verdict = await MatchVerdictAsync(r, req, view, gasPrice, ct).ConfigureAwait(false);
            if (verdict is null) return; // preflight still running
            decided = _journal.DecideMatch(r.RequestId, acceptBy, verdict.Decision, verdict.Reason, verdict.InputRejected);
            if (decided.Decision == MatchDecision.Decline) Metrics.JobsSkipped.Add(1);
        }
        if (InCooldown(r.RequestId)) return;
        _lastSubmission[r.RequestId] = DateTime.UtcNow;
        if (decided.Decision == MatchDecision.Accept)
        {
            _log.LogInformation("Request {Id}: accepting the match at {Fee} wei (latency {Latency} s, collateral {Collateral})",
                r.RequestId, view.Fee, view.ProverLatency, req.MinCollateral);
            await _market.AcceptMatchAsync(req, ct).ConfigureAwait(false);
            // The next tick sees the assignment in chain state and starts proving.
        }
        else
        {
            _log.Log(decided.InputRejected ? LogLevel.Warning : LogLevel.Information, "Request {Id}: declining the match: {Reason}", r.RequestId, decided.Reason);
            await _market.DeclineMatchAsync(req, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The decision on a match, or null while its input preflight runs in the background.</summary>
    private async Task<MatchVerdict?> MatchVerdictAsync(TrackedRequest r, Request req, RequestView view, BigInteger gasPrice, CancellationToken ct)
    {
        if (!_preflights.ContainsKey(r.RequestId))
        {
            // Cheap checks first: they need no input.
            var busy = _journal.OpenJobs().Count + _journal.OpenBids().Count(b => b.State < BidState.Closed);
            if (busy >= _options.Capacity)
                return new MatchVerdict(MatchDecision.Decline, $"at capacity ({busy} open jobs and bids, capacity {_options.Capacity})", false);
            if (_planner.PlanMatch(r.ProvingUnits, view.Fee, (uint)view.ProverLatency, gasPrice, _options.MaxGasPrice) is JobDecision.Skip skip)
                return new MatchVerdict(MatchDecision.Decline, skip.Reason, false);
            var need = req.MinCollateral;
            if (need > _options.AskMaxCollateral)
                return new MatchVerdict(MatchDecision.Decline, $"collateral {need} exceeds our cap of {_options.AskMaxCollateral} per job", false);
            if (!need.IsZero)
            {
                byte asset = (byte)req.AssetId;
                var bond = await _market.BondBalanceAsync(Prover, asset, ct).ConfigureAwait(false);
                var free = bond >= need ? BigInteger.Zero : await _vault.FreeBalanceAsync(Prover, asset, ct).ConfigureAwait(false);
                if (bond < need && free < need)
                    return new MatchVerdict(MatchDecision.Decline,
                        $"collateral: it needs {need} of asset {asset}, but the bond balance is {bond} and the free vault balance {free}", false);
            }
            _preflights[r.RequestId] = Task.Run(() => PreflightInputAsync(r, req, ct), CancellationToken.None);
        }
        var running = _preflights[r.RequestId];
        if (!running.IsCompleted) return null;
        _preflights.TryRemove(r.RequestId, out _);
        if (running.IsFaulted || running.IsCanceled)
        {
            // Not the input's fault (node could not run, cancellation): try again next tick.
            _log.LogWarning("Request {Id}: match preflight failed, retrying: {Error}", r.RequestId, running.Exception?.GetBaseException().Message ?? "cancelled");
            return null;
        }
        return running.Result;
    }

    /// <summary>
    /// Fetches the input and checks it against the request's input hash, then computes its witness and checks that the
    /// public signals it yields are the request's public inputs: a job that would fail is declined now, before any
    /// collateral is locked, instead of being accepted and missed.
    /// </summary>
    private async Task<MatchVerdict> PreflightInputAsync(TrackedRequest r, Request req, CancellationToken ct)
    {
        byte[] input;
        try
        {
            input = _inputCache.TryGetValue(r.RequestId, out var cached)
                ? cached
                : await _inputs.FetchAsync(r.Input, r.InputUri, req.InputHash, ct).ConfigureAwait(false);
        }
        catch (InputRejectedException e)
        {
            return new MatchVerdict(MatchDecision.Decline, e.Message, true);
        }
        BigInteger[] signals;
        try
        {
            signals = await _engine.PublicSignalsAsync(r.CircuitId, input, ct).ConfigureAwait(false);
        }
        catch (ProvingFormatException e)
        {
            return new MatchVerdict(MatchDecision.Decline, "the input does not satisfy the circuit: " + e.Message, true);
        }
        if (!PublicInputs.Hash(signals).AsSpan().SequenceEqual(req.PublicInputsHash))
            return new MatchVerdict(MatchDecision.Decline, "the witness's public signals do not match the request's publicInputsHash", true);
        _inputCache[r.RequestId] = input;
        return new MatchVerdict(MatchDecision.Accept, null, false);
    }

    private async Task DutchAsync(TrackedRequest r, Request req, ulong now, BigInteger gasPrice, CancellationToken ct)
    {
        if (now > (ulong)req.BidDeadline) return;
        if (Plan(r, req, AllocationMode.Dutch, BigInteger.Zero, null, now, gasPrice) is not JobDecision.Take take) return;
        var price = await _market.DutchPriceAsync(req, ct).ConfigureAwait(false);
        if (price < take.Fee) return; // wait for the price to reach our ask
        if (await InputOrSkipAsync(r, req, ct).ConfigureAwait(false) is null) return;
        if (!await CollateralCoversAsync(r, req, ct).ConfigureAwait(false)) return;
        _log.LogInformation("Request {Id}: locking Dutch job at {Price} wei (ask {Ask})", r.RequestId, price, take.Fee);
        await _market.LockDutchAsync(req, ct).ConfigureAwait(false);
        // The next tick sees the assignment in chain state and starts proving.
    }

    private async Task OpenWorkAsync(TrackedRequest r, Request req, AllocationMode mode, BigInteger fee, BigInteger bounty, ulong deadline, ulong now,
        BigInteger gasPrice, CancellationToken ct)
    {
        if (now >= deadline) return;
        if (_journal.GetJob(r.RequestId) is null)
        {
            var terms = new JobTerms(AllocationMode.OpenRace, r.ProvingUnits, fee, BigInteger.Zero, (uint)req.ProvingWindow, deadline - now, bounty);
            if (Plan(r, terms, gasPrice) is not JobDecision.Take) return;
            if (await InputOrSkipAsync(r, req, ct).ConfigureAwait(false) is null) return;
        }
        await DeliverAsync(r, req, deadline, openSubmission: true, now, ct).ConfigureAwait(false);
    }

    /// <summary>Proves (in the background, within capacity) and submits once the proof is journalled.</summary>
    private async Task DeliverAsync(TrackedRequest r, Request req, ulong deadline, bool openSubmission, ulong now, CancellationToken ct)
    {
        if (_journal.AcceptJob(r.RequestId, (int)req.Mode))
        {
            _lastSubmission.Remove(r.RequestId); // the lock or acceptance that won it landed: nothing of ours is pending
            Metrics.JobsWon.Add(1);
            _log.LogInformation("Request {Id}: taking the job (deadline {Deadline}, {Left} s left)", r.RequestId, deadline, (long)deadline - (long)now);
        }
        var job = _journal.GetJob(r.RequestId)!;
        if (job.State >= JobState.Done) return;
        if (now > deadline)
        {
            _journal.AdvanceJob(r.RequestId, JobState.Abandoned, "deadline passed");
            _log.LogWarning("Request {Id}: deadline passed before delivery", r.RequestId);
            return;
        }
        if (job.ProofJson is null)
        {
            StartProving(r, req, ct);
            return;
        }

        var proof = ParseNumbers(job.ProofJson);
        var publics = ParseNumbers(job.PublicJson!);
        var id = Hex.Decode(r.RequestId);
        if (_lastSubmission.TryGetValue(r.RequestId, out var last) && DateTime.UtcNow - last < SubmissionCooldown) return;
        if (!openSubmission)
        {
            _log.LogInformation("Request {Id}: submitting proof", r.RequestId);
            _lastSubmission[r.RequestId] = DateTime.UtcNow;
            await _market.FulfillAsync(req, proof, publics, ct).ConfigureAwait(false);
            Metrics.ProofsSubmitted.Add(1);
            return; // chain state confirms it next tick
        }

        // Two-step submission: commit hash(proof, submitter), reveal in a later block.
        var commitment = await _market.ProofCommitmentAsync(id, Prover, proof, ct).ConfigureAwait(false);
        var committedAt = await _market.ProofCommitBlockAsync(commitment, ct).ConfigureAwait(false);
        if (committedAt.IsZero)
        {
            _log.LogInformation("Request {Id}: committing proof", r.RequestId);
            _lastSubmission[r.RequestId] = DateTime.UtcNow;
            await _market.CommitProofAsync(id, commitment, ct).ConfigureAwait(false);
            _journal.AdvanceJob(r.RequestId, JobState.ProofCommitted);
            _lastSubmission.Remove(r.RequestId); // the commitment is on chain: the reveal may follow at once
            return;
        }
        var block = await _signer.Client.BlockNumberAsync(ct).ConfigureAwait(false);
        if (block <= (ulong)committedAt) return; // reveal needs a later block
        // An earlier commitment's reveal window is still open: our reveal cannot be paid before it closes. The job stays
        // ours (ProofCommitted); if the earlier one is revealed, chain state shows the request fulfilled by another.
        if (_revealNotBefore.TryGetValue(r.RequestId, out var notBefore) && block + 1 < notBefore) return;
        _log.LogInformation("Request {Id}: revealing proof", r.RequestId);
        _lastSubmission[r.RequestId] = DateTime.UtcNow;
        try
        {
            await _market.RevealProofAsync(req, proof, publics, ct).ConfigureAwait(false);
        }
        catch (IProverMarket.EarlierCommitmentPendingException e)
        {
            _revealNotBefore[r.RequestId] = (ulong)e.RevealableFrom;
            _lastSubmission.Remove(r.RequestId);
            _log.LogInformation("Request {Id}: an earlier proof commitment (block {First}) has until block {From} to be revealed; our reveal waits (retrying then)",
                r.RequestId, e.FirstCommitBlock, e.RevealableFrom);
            return;
        }
        Metrics.ProofsSubmitted.Add(1);
    }

    private void StartProving(TrackedRequest r, Request req, CancellationToken ct)
    {
        if (_proving.ContainsKey(r.RequestId)) return;
        _proving[r.RequestId] = Task.Run(async () =>
        {
            await _capacity.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var input = _inputCache.TryGetValue(r.RequestId, out var cachedInput)
                    ? cachedInput
                    : await _inputs.FetchAsync(r.Input, r.InputUri, req.InputHash, ct).ConfigureAwait(false);
                var started = DateTime.UtcNow;
                var progress = new Progress<string>(phase =>
                {
                    _provingPhase[r.RequestId] = phase;
                    Metrics.ProofPhases.Add(1, new KeyValuePair<string, object?>("phase", phase));
                    _log.LogInformation("Request {Id}: proving, {Phase} done after {Seconds:F1} s", r.RequestId, phase, (DateTime.UtcNow - started).TotalSeconds);
                });
                var proof = await _engine.ProveAsync(r.CircuitId, input, progress, ct).ConfigureAwait(false);
                if (!PublicInputs.Hash(proof.PublicInputs).AsSpan().SequenceEqual(req.PublicInputsHash))
                    throw new InputRejectedException("the witness's public signals do not match the request's publicInputsHash");
                Metrics.ProofsGenerated.Add(1);
                if (!_journal.TrySaveProof(r.RequestId, JsonSerializer.Serialize(proof.Proof.Select(x => x.ToString(CultureInfo.InvariantCulture))),
                        JsonSerializer.Serialize(proof.PublicInputs.Select(x => x.ToString(CultureInfo.InvariantCulture)))))
                    _log.LogInformation("Request {Id}: proof no longer needed (the job closed while proving)", r.RequestId);
                Metrics.ProvingSeconds.Record(proof.Elapsed.TotalSeconds);
            }
            catch (Exception e) when (e is InputRejectedException or ProvingFormatException)
            {
                _journal.AdvanceJob(r.RequestId, JobState.Abandoned, e.Message);
                Metrics.JobsSkipped.Add(1);
                _log.LogWarning("Request {Id}: skipped: {Reason}", r.RequestId, e.Message);
            }
            catch (Exception e) when (ct.IsCancellationRequested)
            {
                // Shutting down: the proving key may already be closed under this proof. Nothing is lost: the journal
                // still holds the job, and a restarted node proves it again if the deadline allows.
                _log.LogInformation("Request {Id}: proof abandoned at shutdown ({Error}); the journal resumes it on restart", r.RequestId, e.GetType().Name);
            }
            catch (Exception e)
            {
                _log.LogWarning("Request {Id}: proving failed, will retry: {Error}", r.RequestId, e.Message);
            }
            finally
            {
                _capacity.Release();
                _proving.TryRemove(r.RequestId, out _);
                _provingPhase.TryRemove(r.RequestId, out _);
            }
        }, CancellationToken.None);
    }

    /// <summary>Drops the in-memory state kept for a request the node stops following.</summary>
    private void Forget(string requestId)
    {
        _inputCache.TryRemove(requestId, out _);
        _preflights.TryRemove(requestId, out _);
        _lastSubmission.Remove(requestId);
        _revealNotBefore.Remove(requestId);
    }

    /// <summary>Whether a transaction for this request was sent so recently that it may still be pending.</summary>
    private bool InCooldown(string requestId) =>
        _lastSubmission.TryGetValue(requestId, out var last) && DateTime.UtcNow - last < SubmissionCooldown;

    private async Task FinishAsync(TrackedRequest r, Request req, ChainStatus status, bool mine, CancellationToken ct)
    {
        if (_journal.GetJob(r.RequestId) is { } job && job.State < JobState.Done)
        {
            // The market clears the assignment when it pays (a storage refund), so who fulfilled a request is read from
            // its RequestFulfilled event, which is chain state too.
            if (status == ChainStatus.Fulfilled && !mine)
            {
                var paid = await _market.GetRequestFulfilledEventsAsync(r.Block, null, Hex.Decode(r.RequestId), Prover, ct).ConfigureAwait(false);
                mine = paid.Count > 0;
            }
            if (status == ChainStatus.Fulfilled && mine)
            {
                _journal.AdvanceJob(r.RequestId, JobState.Done);
                Metrics.JobsFulfilled.Add(1);
                _log.LogInformation("Request {Id}: fulfilled by us (confirmed from chain state)", r.RequestId);
            }
            else
            {
                _journal.AdvanceJob(r.RequestId, JobState.Abandoned, $"request {status.ToString().ToLowerInvariant()} by another party");
            }
        }
        // A sealed-bid request is never cancelled (a binding offer), so no bond of ours can be left on a cancelled one.
        CloseBidIfOpen(r.RequestId);
        Forget(r.RequestId);
        _journal.CloseRequest(r.RequestId, status.ToString());
    }

    /// <summary>Where our journalled bid stands on chain.</summary>
    private async Task<BidStatus> BidStatusAsync(byte[] requestId, BidRecord bid, CancellationToken ct) =>
        (BidStatus)(int)await _market.BidStatusAsync(requestId, Prover, bid.Lane, bid.Commitment, ct).ConfigureAwait(false);

    /// <summary>
    /// The lowest bid lane that neither an open bid of ours (journal) nor the chain holds (a lane the chain still holds
    /// belongs to a bid that was never resolved, e.g. an unrevealed one awaiting its forfeit). Null, logged, when
    /// every lane is busy.
    /// </summary>
    private async Task<byte?> FreeLaneAsync(TrackedRequest r, CancellationToken ct)
    {
        var inUse = _journal.LanesInUse();
        for (int lane = 0; lane < 256; lane++)
        {
            if (inUse.Contains((byte)lane)) continue;
            if (await _market.BidLaneAsync(Prover, lane, ct).ConfigureAwait(false) <= BigInteger.One) return (byte)lane;
        }
        _log.LogWarning("Request {Id}: skipped: all 256 bid lanes are busy", r.RequestId);
        return null;
    }

    /// <summary>Prepares one bid lane per unit of capacity on first start (set-up, like the reserve): later commits
    ///     then rewrite a slot instead of creating one.</summary>
    private async Task OpenBidLanesAsync(CancellationToken ct)
    {
        int count = Math.Min(_options.Capacity, 255); // openBidLanes takes a uint8 count; lane 255 opens on first use
        if (await _market.BidLaneAsync(Prover, count - 1, ct).ConfigureAwait(false) != BigInteger.Zero) return;
        await _market.OpenBidLanesAsync(0, count, ct).ConfigureAwait(false);
        _log.LogInformation("Opened bid lanes 0..{Last}", count - 1);
    }

    private void CloseBidIfOpen(string requestId)
    {
        if (_journal.GetBid(requestId) is { State: < BidState.Closed }) _journal.AdvanceBid(requestId, BidState.Closed);
    }

    private JobDecision Plan(TrackedRequest r, Request req, AllocationMode mode, BigInteger bounty, ulong? deadline, ulong now, BigInteger gasPrice) =>
        Plan(r, new JobTerms(mode, r.ProvingUnits, req.MaxFee, r.ReserveFee, (uint)req.ProvingWindow,
            deadline is { } d ? d - (double)now : null, bounty), gasPrice);

    private JobDecision Plan(TrackedRequest r, JobTerms terms, BigInteger gasPrice)
    {
        var busy = _journal.OpenJobs().Count + _journal.OpenBids().Count(b => b.State < BidState.Closed);
        JobDecision d = busy >= _options.Capacity
            ? new JobDecision.Skip($"at capacity ({busy} open jobs and bids, capacity {_options.Capacity})")
            : _planner.Plan(terms, gasPrice, _options.MaxGasPrice);
        if (d is JobDecision.Skip s) SkipOnce(r, s.Reason, LogLevel.Information);
        return d;
    }

    /// <summary>Counts and logs a skipped job once per request (the decision is re-taken every tick).</summary>
    private void SkipOnce(TrackedRequest r, string reason, LogLevel level)
    {
        if (!_skipLogged.Add(r.RequestId)) return;
        Metrics.JobsSkipped.Add(1);
        _log.Log(level, "Request {Id}: skipped: {Reason}", r.RequestId, reason);
    }

    /// <summary>
    /// Keeps one ask per served circuit in the book: posted when missing (never posted, expired, removed as unbacked or
    /// silent, evicted), re-posted when the price moved by more than 10% (each post costs gas) or when less than a
    /// quarter of its lifetime is left. An ask the vault cannot back is not posted (the book would refuse it), with a
    /// warning; a failed post is retried after a pause rather than every tick.
    /// </summary>
    private async Task KeepAsksCurrentAsync(BigInteger gasPrice, ulong now, CancellationToken ct)
    {
        if (!_options.PostStandingAsks || _askBook is null) return;
        var registry = new ICircuitRegistry(_signer, _deployment.CircuitRegistry);
        var lifetime = (ulong)_options.AskLifetime.TotalSeconds;
        var cap = _options.AskMaxCollateral;
        foreach (var c in _engine.Circuits)
        {
            if (_askRetryAt.TryGetValue(c.CircuitId, out var retryAt) && DateTime.UtcNow < retryAt) continue;
            try
            {
                var terms = await registry.CircuitTermsAsync(c.CircuitId, ct).ConfigureAwait(false);
                var units = (ulong)terms.ProvingUnits;
                if (units == 0) continue;
                var ask = _planner.AskFor(AllocationMode.StandingAsk, units, gasPrice);
                var perUnit = (ask + units - 1) / units;
                var latency = _planner.EstimateLatencySeconds(units);
                var current = await _askBook.AskOfAsync(c.CircuitId, Prover, ct).ConfigureAwait(false);
                string? why = !current.Listed ? "not listed"
                    : (ulong)current.ExpiresAt <= now + lifetime / 4 ? $"expires at {current.ExpiresAt}"
                    : BigInteger.Abs(perUnit - current.PricePerUnit) * 10 > current.PricePerUnit ? $"price moved from {current.PricePerUnit}"
                    : current.MaxCollateral != cap || (int)current.AssetId != _options.AskAssetId ? "collateral terms changed"
                    : current.MaxLatency != latency ? $"latency moved from {current.MaxLatency} s"
                    : null;
                if (why is null) continue;

                var bond = await _market.BondBalanceAsync(Prover, _options.AskAssetId, ct).ConfigureAwait(false);
                var free = bond >= cap ? BigInteger.Zero : await _vault.FreeBalanceAsync(Prover, _options.AskAssetId, ct).ConfigureAwait(false);
                if (bond < cap && free < cap)
                {
                    if (_askWarned.Add($"unbacked:{c.CircuitId}"))
                        _log.LogWarning("Standing ask for circuit {Circuit} not posted: its max collateral {Cap} of asset {Asset} is covered neither by the bond balance {Bond} nor by the free vault balance {Free}; deposit more or lower askMaxCollateralWei",
                            c.CircuitId, cap, _options.AskAssetId, bond, free);
                    _askRetryAt[c.CircuitId] = DateTime.UtcNow + AskRetryDelay;
                    continue;
                }
                _askWarned.Remove($"unbacked:{c.CircuitId}");
                var expiresAt = now + lifetime;
                _log.LogInformation("Posting standing ask for circuit {Circuit} ({Why}): {PerUnit} wei/unit, {Latency} s, capacity {Capacity}, max collateral {Cap}, expires at {ExpiresAt}",
                    c.CircuitId, why, perUnit, latency, _options.Capacity, cap, expiresAt);
                await _askBook.PostAskAsync(c.CircuitId, perUnit, latency, _options.Capacity, _options.AskAssetId, cap, expiresAt, Address.Zero, ct).ConfigureAwait(false);
                _askRetryAt.Remove(c.CircuitId);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Asks are upkeep: a failure here must not hold up the requests this tick.
                _askRetryAt[c.CircuitId] = DateTime.UtcNow + AskRetryDelay;
                _log.LogWarning("Standing ask for circuit {Circuit}: posting failed, retrying in {Delay} s: {Error}", c.CircuitId, AskRetryDelay.TotalSeconds, e.Message);
            }
        }
    }

    private static BigInteger[] ParseNumbers(string json) =>
        JsonSerializer.Deserialize<string[]>(json)!.Select(s => BigInteger.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>A JSON summary of the journal for the status endpoint and command.</summary>
    public string StatusJson() => JsonSerializer.Serialize(new
    {
        prover = Prover.ToString(),
        cursor = _journal.GetCursor()?.Block,
        followedRequests = _journal.ActiveRequests().Count,
        openBids = _journal.OpenBids().Count,
        jobs = _journal.JobCounts().ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
        proving = _proving.Keys.ToDictionary(k => k, k => _provingPhase.GetValueOrDefault(k, "queued")),
        metrics = Metrics.Snapshot(),
    });
}
