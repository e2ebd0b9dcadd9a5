using System.Numerics;

namespace ProverMarketChain.Worker.Pricing;

/// <summary>
/// One promise the worker has made or is about to make: an open sealed bid, a journalled Dutch lock, an accepted
/// standing-ask match, or a job it must deliver.
/// </summary>
/// <param name="RequestId">The request's id (0x-hex).</param>
/// <param name="CircuitId">Its circuit.</param>
/// <param name="Collateral">What a miss (or an unrevealed bid) can cost: the request's collateral or bond, in wei.</param>
/// <param name="ProvingSeconds">Estimated seconds of proving work still ahead for it (0 once proved).</param>
public sealed record Commitment(string RequestId, uint CircuitId, BigInteger Collateral, double ProvingSeconds);

/// <summary>
/// The operator's exposure limits: jobs at once (in total and per circuit), collateral per job, and collateral at risk
/// in total. Pure: the caller passes the open commitments (from the journal) and the candidate.
/// </summary>
/// <param name="capacity">Most open commitments at once (the worker's proving capacity).</param>
/// <param name="jobsPerCircuit">Most open commitments of one circuit.</param>
/// <param name="maxCollateralPerJob">Most collateral one job may put at risk, in wei.</param>
/// <param name="maxCollateralAtRisk">Most collateral at risk summed over every commitment, in wei.</param>
public sealed class ExposureLimits(int capacity, int jobsPerCircuit, BigInteger maxCollateralPerJob, BigInteger maxCollateralAtRisk)
{
    /// <summary>Why the candidate is refused, or null when it fits every limit.</summary>
    /// <param name="open">The commitments already made (the candidate's own request is ignored if present).</param>
    /// <param name="requestId">The candidate's request.</param>
    /// <param name="circuitId">The candidate's circuit.</param>
    /// <param name="collateral">What the candidate puts at risk, in wei.</param>
    public string? Refusal(IReadOnlyCollection<Commitment> open, string requestId, uint circuitId, BigInteger collateral)
    {
        if (collateral > maxCollateralPerJob)
            return $"collateral {collateral} wei exceeds maxCollateralPerJobWei {maxCollateralPerJob}";
        var others = open.Where(c => c.RequestId != requestId).ToList();
        if (others.Count >= capacity)
            return $"at capacity ({others.Count} open bids, locks and jobs; capacity {capacity})";
        int sameCircuit = others.Count(c => c.CircuitId == circuitId);
        if (sameCircuit >= jobsPerCircuit)
            return $"circuit {circuitId} already has {sameCircuit} open bids, locks and jobs (maxJobsPerCircuit {jobsPerCircuit})";
        var atRisk = others.Aggregate(BigInteger.Zero, (sum, c) => sum + c.Collateral);
        if (atRisk + collateral > maxCollateralAtRisk)
            return $"collateral at risk would reach {atRisk + collateral} wei, over maxCollateralAtRiskWei {maxCollateralAtRisk} ({atRisk} already at risk)";
        return null;
    }

    /// <summary>
    /// Seconds of proving already queued ahead of a new job: the work of every open commitment, shared over the
    /// capacity's parallel slots. A promised latency adds this to the job's own proving time.
    /// </summary>
    public double QueueAheadSeconds(IReadOnlyCollection<Commitment> open, string requestId) =>
        open.Where(c => c.RequestId != requestId).Sum(c => c.ProvingSeconds) / Math.Max(1, capacity);
}
