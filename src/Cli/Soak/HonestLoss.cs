using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// One loss of one of the soak's workers on an honest request, with what was going on around it to help find its cause.
/// </summary>
/// <param name="Kind"><c>bond-forfeited</c> (BondForfeited), <c>bond-unrevealed</c> (committed, never revealed, reveal
/// phase over, not yet forfeited), <c>slashed</c> (ProverSlashed) or <c>deadline-missed</c> (assigned, deadline passed,
/// not yet slashed).</param>
/// <param name="RequestId">The request.</param>
/// <param name="Mode">Its allocation mode.</param>
/// <param name="Worker">The worker that lost.</param>
/// <param name="WorkerName">Its name in the soak (its log file is named after it).</param>
/// <param name="Timestamp">When: the event's block time, or the missed deadline.</param>
/// <param name="WorkerKilledWithin60s">Whether the soak killed that worker in the 60 s before.</param>
/// <param name="RecentHostileCases">Hostile cases posted in the 180 s before (candidates for what froze the worker).</param>
public sealed record HonestLoss(string Kind, string RequestId, string Mode, Address Worker, string WorkerName, ulong Timestamp,
    bool WorkerKilledWithin60s, IReadOnlyList<string> RecentHostileCases);
