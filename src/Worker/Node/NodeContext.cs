using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
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
/// What the node's parts share: the configuration, the chain clients, the journal, the proof engine and planner, and
/// the one admission gate through which every new promise (bid, lock, acceptance, race) passes, so that the exposure
/// limits hold however many requests are reconciled at once.
/// </summary>
internal sealed class NodeContext
{
    private readonly SemaphoreSlim _admission = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _skipLogged = new();

    public NodeContext(WorkerOptions options, Signer signer, Deployment deployment, WorkerJournal journal, ProofEngine engine,
        JobPlanner planner, InputFetcher inputs, WorkerMetrics metrics, ILogger log)
    {
        Options = options;
        Signer = signer;
        Deployment = deployment;
        Journal = journal;
        Engine = engine;
        Planner = planner;
        Inputs = inputs;
        Metrics = metrics;
        Log = log;
        Market = new IProverMarketService(signer.Web3(), deployment.ProverMarket.ToString());
        Vault = new ICollateralVaultService(signer.Web3(), deployment.CollateralVault.ToString());
        Sends = new SendGuard(signer, journal, log);
        Limits = new ExposureLimits(options.Capacity, options.JobsPerCircuitLimit, options.MaxCollateralPerJob, options.MaxCollateralAtRisk);
    }

    public WorkerOptions Options { get; }
    public Signer Signer { get; }
    public Deployment Deployment { get; }
    public WorkerJournal Journal { get; }
    public ProofEngine Engine { get; }
    public JobPlanner Planner { get; }
    public InputFetcher Inputs { get; }
    public WorkerMetrics Metrics { get; }
    public ILogger Log { get; }
    public IProverMarketService Market { get; }
    public ICollateralVaultService Vault { get; }
    public SendGuard Sends { get; }
    public ExposureLimits Limits { get; }
    public Address Prover => Signer.From;

    // Decoded terms by request id (the id is keccak256 of the terms, so an id always maps to the same terms). Nethereum's
    // attribute-driven decoder costs about 0.45 ms a request, and every step and every admission reads the terms of
    // every open promise: decoded once, kept while the worker follows fewer than TermsCacheLimit requests.
    private const int TermsCacheLimit = 4096;
    private static readonly ConcurrentDictionary<string, Request> TermsCache = new();

    /// <summary>The request's terms as the market takes them back (decoded once per request; treat as read-only).</summary>
    public static Request Decode(TrackedRequest r)
    {
        if (TermsCache.TryGetValue(r.RequestId, out var cached)) return cached;
        if (TermsCache.Count >= TermsCacheLimit) TermsCache.Clear();
        var request = AbiStructs.Decode<Request>(r.Terms);
        TermsCache[r.RequestId] = request;
        return request;
    }

    /// <summary>The request's callback gas limit (a uint32 in the terms; the deliverer pays it).</summary>
    public static ulong CallbackGas(Request request) =>
        request.CallbackGasLimit.Sign <= 0 ? 0 : request.CallbackGasLimit > ulong.MaxValue ? ulong.MaxValue : (ulong)request.CallbackGasLimit;

    /// <summary>The request's terms, ABI-encoded (what the journal keeps).</summary>
    public static byte[] Encode(Request request) => AbiStructs.Encode(request);

    /// <summary>Counts and logs a skipped job once per request (the decision is re-taken every tick).</summary>
    public void SkipOnce(TrackedRequest r, string reason, LogLevel level = LogLevel.Information)
    {
        if (!_skipLogged.TryAdd(r.RequestId, 0)) return;
        Metrics.JobsSkipped.Add(1);
        Log.Log(level, "Request {Id}: skipped: {Reason}", r.RequestId, reason);
    }

    /// <summary>Why the exposure limits refuse a new promise on <paramref name="r"/> now, or null (a cheap check before any I/O).</summary>
    public string? Refusal(TrackedRequest r, Request req, BigInteger collateral) =>
        Limits.Refusal(Commitments(), r.RequestId, r.CircuitId, collateral, (byte)req.AssetId);

    /// <summary>Forgets that a skip was logged (the request left the journal's active set).</summary>
    public void ForgetSkip(string requestId) => _skipLogged.TryRemove(requestId, out _);

    /// <summary>
    /// Every promise the worker holds now, from the journal: open sealed bids, open Dutch locks, accepted matches not yet
    /// jobs, and open jobs (one entry per request). Its collateral is the request's <c>minCollateral</c> (a sealed bid's
    /// bond is that too); its proving work is zero once the proof is journalled.
    /// </summary>
    public IReadOnlyList<Commitment> Commitments()
    {
        var requests = Journal.ActiveRequests().ToDictionary(r => r.RequestId);
        var open = new Dictionary<string, Commitment>();
        void Add(string id, bool proven)
        {
            if (!requests.TryGetValue(id, out var r)) return;
            var req = Decode(r);
            var seconds = proven ? 0 : Planner.EstimateProvingSeconds(r.ProvingUnits);
            if (open.TryGetValue(id, out var seen)) seconds = Math.Min(seconds, seen.ProvingSeconds);
            open[id] = new Commitment(id, r.CircuitId, req.MinCollateral, seconds, (byte)req.AssetId);
        }
        foreach (var b in Journal.OpenBids()) Add(b.RequestId, false);
        foreach (var id in Journal.OpenLocks()) Add(id, false);
        foreach (var id in Journal.PendingAccepts()) Add(id, false);
        foreach (var j in Journal.OpenJobs()) Add(j.RequestId, j.ProofJson is not null);
        return open.Values.ToList();
    }

    /// <summary>
    /// The admission gate for a new promise. Under one lock: the exposure limits are checked against every open
    /// commitment, the job is planned with the queue of work ahead in its latency, and — when both agree —
    /// <paramref name="reserve"/> journals the promise before the lock is released, so two requests reconciled at once
    /// cannot both take the last slot. Returns the reservation's result, or default (with the reason logged once) when
    /// the job is refused.
    /// </summary>
    /// <param name="r">The request.</param>
    /// <param name="collateral">What the promise puts at risk, in the smallest unit of <paramref name="assetId"/>.</param>
    /// <param name="assetId">Its collateral asset.</param>
    /// <param name="plan">Plans the job given the seconds of proving queued ahead.</param>
    /// <param name="reserve">Journals the promise (and may do chain reads); its result is returned.</param>
    /// <param name="ct">Cancels the wait for the gate.</param>
    /// <param name="refused">Told the reason when the job is refused.</param>
    public async Task<T?> AdmitAsync<T>(TrackedRequest r, BigInteger collateral, byte assetId, Func<double, JobDecision> plan,
        Func<JobDecision.Take, Task<T?>> reserve, CancellationToken ct, Action<string>? refused = null)
    {
        await _admission.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var open = Commitments();
            if (Limits.Refusal(open, r.RequestId, r.CircuitId, collateral, assetId) is { } why)
            {
                SkipOnce(r, why);
                refused?.Invoke(why);
                return default;
            }
            var decision = plan(Limits.QueueAheadSeconds(open, r.RequestId, r.CircuitId));
            if (decision is JobDecision.Skip skip)
            {
                SkipOnce(r, skip.Reason);
                refused?.Invoke(skip.Reason);
                return default;
            }
            return await reserve((JobDecision.Take)decision).ConfigureAwait(false);
        }
        finally
        {
            _admission.Release();
        }
    }

    /// <summary>
    /// Whether the market can take the request's collateral from us (our bond balance or our free vault balance covers
    /// it). When not, the job is skipped with the reason, logged once, instead of sending a bid or lock that would revert.
    /// </summary>
    public async Task<bool> CollateralCoversAsync(TrackedRequest r, Request req, CancellationToken ct)
    {
        var need = req.MinCollateral;
        if (need.IsZero) return true;
        byte asset = (byte)req.AssetId;
        var bond = await Market.BondBalanceQueryAsync(Prover, asset, cancellationToken: ct).ConfigureAwait(false);
        if (bond >= need) return true;
        var free = await Vault.FreeBalanceQueryAsync(Prover, asset, cancellationToken: ct).ConfigureAwait(false);
        if (free >= need) return true;
        SkipOnce(r, $"collateral: it needs {need} of asset {asset}, but the bond balance is {bond} and the free vault balance {free}", LogLevel.Warning);
        return false;
    }
}
