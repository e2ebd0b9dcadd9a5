namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// The soak's verdict, read from the chain after the run (printed as one JSON object). It passes when no honest bond
/// was forfeited, no worker was slashed on an honest request, no worker sent a duplicate transaction and every wei is
/// accounted for.
/// </summary>
/// <param name="Requests">Requests posted.</param>
/// <param name="Fulfilled">Requests fulfilled.</param>
/// <param name="HonestBondsForfeited">The workers' sealed-bid bonds on honest requests forfeited or left unrevealed.</param>
/// <param name="HonestSlashes">The workers' slashes (and missed deadlines) on honest requests.</param>
/// <param name="DuplicateSends">The workers' transactions sent after their own successful send of the same function on the same request.</param>
/// <param name="FundsConserved">Whether the ETH (and any ERC-20 collateral) sums balance.</param>
/// <param name="Kills">SIGKILLs sent to workers.</param>
/// <param name="RpcFaultRate">The measured share of the workers' RPC calls that failed.</param>
/// <param name="Passed">All four checks hold.</param>
/// <param name="Failures">Each failed check, in words.</param>
/// <param name="Funds">The ETH balance sheet.</param>
/// <param name="Tokens">The ERC-20 collateral balance sheets (none when the vault holds only ETH).</param>
/// <param name="HonestLosses">Each honest loss, with context.</param>
/// <param name="HonestUnfulfilled">Honest requests not fulfilled, and where they stand.</param>
/// <param name="Duplicates">Each duplicate send.</param>
/// <param name="Hostile">Per hostile case: what became of its requests and what they cost the workers.</param>
/// <param name="Workers">The worker processes.</param>
/// <param name="Rpc">The fault proxies.</param>
/// <param name="Janitor">The permissionless upkeep done.</param>
/// <param name="FromBlock">First audited block (balances before are read here).</param>
/// <param name="ToBlock">Last audited block (balances after).</param>
/// <param name="Seed">The seed of every random choice.</param>
/// <param name="Minutes">Minutes of load (a drain follows).</param>
/// <param name="WallSeconds">Duration of the whole run.</param>
/// <param name="WorkDirectory">Configurations, journals and worker logs.</param>
public sealed record SoakAudit(
    RequestCounts Requests,
    FulfilledCounts Fulfilled,
    int HonestBondsForfeited,
    int HonestSlashes,
    int DuplicateSends,
    bool FundsConserved,
    int Kills,
    double RpcFaultRate,
    bool Passed,
    IReadOnlyList<string> Failures,
    FundsReport Funds,
    IReadOnlyList<TokenReport> Tokens,
    IReadOnlyList<HonestLoss> HonestLosses,
    IReadOnlyList<UnfulfilledRequest> HonestUnfulfilled,
    IReadOnlyList<DuplicateSend> Duplicates,
    IReadOnlyDictionary<string, HostileOutcome> Hostile,
    WorkerFleetStats Workers,
    RpcFaultStats Rpc,
    JanitorStats Janitor,
    ulong FromBlock,
    ulong ToBlock,
    int Seed,
    double Minutes,
    double WallSeconds,
    string WorkDirectory);
