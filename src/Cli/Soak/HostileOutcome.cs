namespace ProverMarketChain.Cli.Soak;

/// <summary>What became of one hostile case's requests, and what they cost the workers.</summary>
/// <param name="Submitted">Requests posted.</param>
/// <param name="Fulfilled">Fulfilled anyway.</param>
/// <param name="Expired">Expired (escrow refunded).</param>
/// <param name="NotSettled">Neither fulfilled, cancelled nor expired at the end.</param>
/// <param name="Declined">Standing-ask matches the workers declined.</param>
/// <param name="WorkerBidBonds">Sealed bids the workers committed (each locks a bond of <c>minCollateral</c>).</param>
/// <param name="WorkerAssignments">Times one of the workers took the job (locked, accepted, won).</param>
/// <param name="WorkerBondsForfeited">The workers' bonds forfeited (or left unrevealed).</param>
/// <param name="WorkerSlashes">The workers' slashes (or missed deadlines not yet slashed).</param>
public sealed record HostileOutcome(int Submitted, int Fulfilled, int Expired, int NotSettled, int Declined, int WorkerBidBonds,
    int WorkerAssignments, int WorkerBondsForfeited, int WorkerSlashes);
