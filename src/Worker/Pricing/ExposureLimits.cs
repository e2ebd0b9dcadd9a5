using System.Numerics;

namespace ProverMarketChain.Worker.Pricing;

/// <summary>
/// One promise the worker has made or is about to make: an open sealed bid, a journalled Dutch lock, an accepted
/// standing-ask match, or a job it must deliver.
/// </summary>
/// <param name="RequestId">The request's id (0x-hex).</param>
/// <param name="CircuitId">Its circuit.</param>
/// <param name="Collateral">What a miss (or an unrevealed bid) can cost: the request's collateral or bond, in the
///     smallest unit of <paramref name="AssetId"/>.</param>
/// <param name="ProvingSeconds">Estimated seconds of proving work still ahead for it (0 once proved).</param>
/// <param name="AssetId">The collateral asset (0 is ETH).</param>
public sealed record Commitment(string RequestId, uint CircuitId, BigInteger Collateral, double ProvingSeconds, byte AssetId = 0);

/// <summary>
/// The operator's exposure limits: jobs at once (in total and per circuit), collateral per job, and collateral at risk
/// in total. Collateral amounts are per asset, in the asset's smallest unit: commitments in other assets never add up
/// with the candidate's. Pure: the caller passes the open commitments (from the journal) and the candidate.
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
    /// <param name="collateral">What the candidate puts at risk, in the smallest unit of <paramref name="assetId"/>.</param>
    /// <param name="assetId">The candidate's collateral asset.</param>
    public string? Refusal(IReadOnlyCollection<Commitment> open, string requestId, uint circuitId, BigInteger collateral, byte assetId = 0)
    {
        if (collateral > maxCollateralPerJob)
            return $"collateral {collateral} wei exceeds maxCollateralPerJobWei {maxCollateralPerJob}";
        var others = open.Where(c => c.RequestId != requestId).ToList();
        if (others.Count >= capacity)
            return $"at capacity ({others.Count} open bids, locks and jobs; capacity {capacity})";
        int sameCircuit = others.Count(c => c.CircuitId == circuitId);
        if (sameCircuit >= jobsPerCircuit)
            return $"circuit {circuitId} already has {sameCircuit} open bids, locks and jobs (maxJobsPerCircuit {jobsPerCircuit})";
        var atRisk = others.Where(c => c.AssetId == assetId).Aggregate(BigInteger.Zero, (sum, c) => sum + c.Collateral);
        if (atRisk + collateral > maxCollateralAtRisk)
            return $"collateral at risk would reach {atRisk + collateral} wei, over maxCollateralAtRiskWei {maxCollateralAtRisk} ({atRisk} already at risk)";
        return null;
    }

    /// <summary>
    /// Seconds of proving already queued ahead of a new job: the work of every open commitment shared over the
    /// capacity's parallel slots, but at least the work of its own circuit (proofs of one circuit run one at a time, on
    /// its proving key). A promised latency adds this to the job's own proving time.
    /// </summary>
    public double QueueAheadSeconds(IReadOnlyCollection<Commitment> open, string requestId, uint circuitId)
    {
        var others = open.Where(c => c.RequestId != requestId).ToList();
        return Math.Max(others.Sum(c => c.ProvingSeconds) / Math.Max(1, capacity), others.Where(c => c.CircuitId == circuitId).Sum(c => c.ProvingSeconds));
    }
}
