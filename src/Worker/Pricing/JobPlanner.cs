using System.Numerics;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Worker.Pricing;

/// <summary>How a job is allocated (mirrors the market's <c>Mode</c> enum).</summary>
public enum AllocationMode : byte
{
    /// <summary>Sealed-bid second-score auction.</summary>
    SealedBid = 0,
    /// <summary>Reverse Dutch auction: the price ramps up; the first lock takes the job.</summary>
    Dutch = 1,
    /// <summary>Matched at once against standing asks.</summary>
    StandingAsk = 2,
    /// <summary>First valid proof is paid.</summary>
    OpenRace = 3,
}

/// <summary>What the worker needs to know of a job to decide whether to take it.</summary>
/// <param name="Mode">Allocation mode.</param>
/// <param name="ProvingUnits">The circuit's proving units (constraints).</param>
/// <param name="MaxFee">Most the requester pays, in wei.</param>
/// <param name="ReserveFee">Least a bid may ask (reserve price x units), in wei.</param>
/// <param name="ProvingWindowSeconds">Seconds allowed to prove once assigned (an upper bound on promised latency).</param>
/// <param name="SecondsUntilDeadline">For open work (race, secondary): seconds left to deliver; otherwise null.</param>
/// <param name="Bounty">Slashed collateral paid on top of the fee to whoever delivers a secondary job, in wei.</param>
/// <param name="QueueAheadSeconds">Seconds of proving already queued ahead of this job (see
///     <see cref="ExposureLimits.QueueAheadSeconds"/>): the promised latency includes them.</param>
/// <param name="CallbackGas">The request's <c>callbackGasLimit</c>: gas the delivery gives the requester's callback, paid
///     by the deliverer whatever the callback does with it (0: no callback).</param>
public sealed record JobTerms(
    AllocationMode Mode,
    ulong ProvingUnits,
    BigInteger MaxFee,
    BigInteger ReserveFee,
    uint ProvingWindowSeconds,
    double? SecondsUntilDeadline = null,
    BigInteger Bounty = default,
    double QueueAheadSeconds = 0,
    ulong CallbackGas = 0);

/// <summary>The outcome of <see cref="JobPlanner.Plan"/>.</summary>
public abstract record JobDecision
{
    /// <summary>Skip the job, with the reason logged.</summary>
    public sealed record Skip(string Reason) : JobDecision;

    /// <summary>Take the job: bid (sealed), lock once the price reaches <see cref="Fee"/> (Dutch), or prove (race, secondary).</summary>
    /// <param name="Fee">The fee to bid or the lowest acceptable price, in wei (truthful: cost plus margin, at least the reserve).</param>
    /// <param name="PromisedLatencySeconds">Seconds promised from assignment to proof on chain.</param>
    /// <param name="ExpectedProfit">Fee (plus bounty) minus cost and gas, at current fees, in wei.</param>
    public sealed record Take(BigInteger Fee, uint PromisedLatencySeconds, BigInteger ExpectedProfit) : JobDecision;
}

/// <summary>
/// Gas the worker spends on one job, per mode (transactions it sends, excluding pairing which is in
/// <see cref="VerifyGas"/>), and what a requester's callback adds to its delivery.
/// </summary>
/// <param name="SealedBidGas">A sealed bid's commit and reveal.</param>
/// <param name="DutchGas">A Dutch lock.</param>
/// <param name="OpenSubmitGas">An open submission's commitment.</param>
/// <param name="VerifyGas">The delivery itself, its pairing check included.</param>
/// <param name="CallbackOverheadGas">Gas of the callback's call itself beyond its limit: the cold account access, the
///     call, and the <c>CallbackFailed</c> event when it fails.</param>
public sealed record GasProfile(ulong SealedBidGas = 180_000, ulong DutchGas = 120_000, ulong OpenSubmitGas = 150_000, ulong VerifyGas = 260_000,
    ulong CallbackOverheadGas = 10_000)
{
    /// <summary>Total gas the worker pays for a job of <paramref name="mode"/> without a callback.</summary>
    public ulong For(AllocationMode mode) => mode switch
    {
        AllocationMode.SealedBid => SealedBidGas + VerifyGas,
        AllocationMode.Dutch => DutchGas + VerifyGas,
        AllocationMode.StandingAsk => VerifyGas + DutchGas / 2,
        AllocationMode.OpenRace => OpenSubmitGas + VerifyGas,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown allocation mode"),
    };

    /// <summary>
    /// Total gas the worker pays for a job of <paramref name="mode"/> whose delivery calls back the requester with
    /// <paramref name="callbackGas"/>: priced as if the callback burned all of it, which a hostile one does.
    /// </summary>
    public ulong For(AllocationMode mode, ulong callbackGas) => For(mode) + Callback(callbackGas);

    /// <summary>What a callback of <paramref name="callbackGas"/> costs the deliverer at most (0 for none).</summary>
    public ulong Callback(ulong callbackGas) => callbackGas == 0 ? 0 : checked(callbackGas + CallbackOverheadGas);
}

/// <summary>
/// Decides whether a job is feasible (its estimated proving time fits the window) and profitable
/// (fee − gas − cost &gt; 0 at current gas prices), and at what fee to bid. Pure: no I/O.
/// </summary>
/// <remarks>
/// In the sealed-bid mode the winner is paid the second score, so bidding the true cost (plus the operator's margin)
/// is dominant: the planner never shades its bid.
/// </remarks>
/// <param name="cost">The operator's costs.</param>
/// <param name="gas">Gas per job.</param>
/// <param name="unitsPerSecond">Proving speed.</param>
/// <param name="submissionOverheadSeconds">Seconds from a finished proof to its delivery on chain.</param>
/// <param name="maxCallbackGas">Jobs whose callback asks for more gas are skipped (<see cref="WorkerOptions.MaxCallbackGas"/>).</param>
public sealed class JobPlanner(CostModelOptions cost, GasProfile gas, double unitsPerSecond, double submissionOverheadSeconds = 4,
    ulong maxCallbackGas = WorkerOptions.DefaultMaxCallbackGas)
{
    private readonly BigInteger _costPerUnit = BigInteger.Parse(cost.CostPerUnitWei, System.Globalization.CultureInfo.InvariantCulture);
    private readonly BigInteger _fixedCost = BigInteger.Parse(cost.FixedCostWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Estimated seconds from assignment to a proof on chain, safety factor included, behind
    /// <paramref name="queueAheadSeconds"/> of work already queued.
    /// </summary>
    public uint EstimateLatencySeconds(ulong provingUnits, double queueAheadSeconds = 0)
    {
        double seconds = EstimateProvingSeconds(provingUnits) + submissionOverheadSeconds + Math.Max(0, queueAheadSeconds);
        return (uint)Math.Min(uint.MaxValue, Math.Ceiling(seconds));
    }

    /// <summary>Estimated seconds of proving for a job (safety factor included, no submission overhead, no queue).</summary>
    public double EstimateProvingSeconds(ulong provingUnits)
    {
        if (unitsPerSecond <= 0) throw new InvalidOperationException("proving speed is not calibrated (unitsPerSecond <= 0)");
        return provingUnits / unitsPerSecond * cost.TimeSafetyFactor;
    }

    /// <summary>Seconds from a finished proof to its delivery on chain (part of every promised latency): a delivery is
    ///     due this long before its deadline.</summary>
    public double SubmissionOverheadSeconds => submissionOverheadSeconds;

    /// <summary>The largest callback gas limit a job may carry for the worker to take it.</summary>
    public ulong MaxCallbackGas => maxCallbackGas;

    /// <summary>The gas profile jobs are priced with.</summary>
    public GasProfile Gas => gas;

    /// <summary>
    /// The operator's cost of a job (proving, fixed, and gas at <paramref name="maxFeePerGas"/> including the requester's
    /// callback of <paramref name="callbackGas"/>) plus its margin.
    /// </summary>
    public BigInteger AskFor(AllocationMode mode, ulong provingUnits, BigInteger maxFeePerGas, ulong callbackGas = 0)
    {
        var baseCost = Spent(mode, provingUnits, maxFeePerGas, callbackGas);
        return baseCost + baseCost * cost.MarginBps / 10_000;
    }

    /// <summary>What a job costs the operator: fixed, proving, and every gas unit it sends (the callback's included).</summary>
    private BigInteger Spent(AllocationMode mode, ulong provingUnits, BigInteger maxFeePerGas, ulong callbackGas) =>
        _fixedCost + _costPerUnit * provingUnits + maxFeePerGas * gas.For(mode, callbackGas);

    private static string CallbackNote(ulong callbackGas) => callbackGas > 0 ? $" (gas includes the requester's callback of {callbackGas})" : "";

    /// <summary>Why a callback of <paramref name="callbackGas"/> is refused, or null.</summary>
    private string? CallbackRefusal(ulong callbackGas) => callbackGas > maxCallbackGas
        ? $"callback gas limit {callbackGas} exceeds maxCallbackGas {maxCallbackGas} (the deliverer pays the requester's callback in full)"
        : null;

    /// <summary>
    /// Decides on a standing-ask match: the fee is fixed (the ask's price, posted earlier, raised to the reserve), so the
    /// job is taken when it still fits (the ask's latency is the proving window once accepted) and still pays more than
    /// it costs at today's gas price. A thinner margin than the ask's is accepted; a loss is not.
    /// </summary>
    /// <param name="provingUnits">The circuit's proving units.</param>
    /// <param name="fee">The matched fee, in wei.</param>
    /// <param name="latencySeconds">The matched ask's latency: seconds from acceptance to the proving deadline.</param>
    /// <param name="maxFeePerGas">Current max fee per gas.</param>
    /// <param name="gasPriceCap">The operator's gas price cap.</param>
    /// <param name="queueAheadSeconds">Seconds of proving already queued ahead of this job.</param>
    /// <param name="callbackGas">The request's callback gas limit (paid by the deliverer).</param>
    public JobDecision PlanMatch(ulong provingUnits, BigInteger fee, uint latencySeconds, BigInteger maxFeePerGas, BigInteger gasPriceCap,
        double queueAheadSeconds = 0, ulong callbackGas = 0)
    {
        if (CallbackRefusal(callbackGas) is { } callback) return new JobDecision.Skip(callback);
        if (maxFeePerGas > gasPriceCap)
            return new JobDecision.Skip($"gas price {maxFeePerGas} wei exceeds the cap {gasPriceCap} wei");
        uint latency = EstimateLatencySeconds(provingUnits, queueAheadSeconds);
        if (latency > latencySeconds)
            return new JobDecision.Skip($"estimated latency {latency} s (with {queueAheadSeconds:F0} s of queued work ahead) does not fit the matched latency {latencySeconds} s");
        var spent = Spent(AllocationMode.StandingAsk, provingUnits, maxFeePerGas, callbackGas);
        var profit = fee - spent;
        if (profit <= 0)
            return new JobDecision.Skip($"unprofitable: the matched fee {fee} wei does not cover the cost {spent} wei at {maxFeePerGas} wei/gas{CallbackNote(callbackGas)}");
        return new JobDecision.Take(fee, latency, profit);
    }

    /// <summary>Plans a job at the current gas price.</summary>
    public JobDecision Plan(JobTerms job, BigInteger maxFeePerGas, BigInteger gasPriceCap)
    {
        if (CallbackRefusal(job.CallbackGas) is { } callback) return new JobDecision.Skip(callback);
        if (maxFeePerGas > gasPriceCap)
            return new JobDecision.Skip($"gas price {maxFeePerGas} wei exceeds the cap {gasPriceCap} wei");

        uint latency = EstimateLatencySeconds(job.ProvingUnits, job.QueueAheadSeconds);
        if (latency > job.ProvingWindowSeconds)
            return new JobDecision.Skip($"estimated latency {latency} s (with {job.QueueAheadSeconds:F0} s of queued work ahead) does not fit the proving window {job.ProvingWindowSeconds} s");
        if (job.SecondsUntilDeadline is { } left && latency > left)
            return new JobDecision.Skip($"estimated latency {latency} s exceeds the {left:F0} s left before the deadline");

        var ask = AskFor(job.Mode, job.ProvingUnits, maxFeePerGas, job.CallbackGas);
        var fee = BigInteger.Max(ask, job.ReserveFee);
        var revenueCap = job.MaxFee + job.Bounty;
        if (fee > job.MaxFee && job.Bounty.IsZero)
            return new JobDecision.Skip($"unprofitable: ask {ask} wei exceeds the maximum fee {job.MaxFee} wei{CallbackNote(job.CallbackGas)}");
        if (ask > revenueCap)
            return new JobDecision.Skip($"unprofitable: ask {ask} wei exceeds the fee plus bounty {revenueCap} wei{CallbackNote(job.CallbackGas)}");

        // Open work pays the whole fee; bids pay at least their own fee.
        var revenue = job.Mode == AllocationMode.OpenRace || !job.Bounty.IsZero ? revenueCap : BigInteger.Min(fee, job.MaxFee);
        var spent = Spent(job.Mode, job.ProvingUnits, maxFeePerGas, job.CallbackGas);
        var profit = revenue - spent;
        if (profit <= 0)
            return new JobDecision.Skip($"unprofitable: expected profit {profit} wei at {maxFeePerGas} wei/gas{CallbackNote(job.CallbackGas)}");
        return new JobDecision.Take(BigInteger.Min(fee, job.MaxFee), latency, profit);
    }
}
