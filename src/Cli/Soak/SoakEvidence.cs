using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>What the soak run itself knows and hands to the <see cref="SoakAuditor"/> (everything else is read from the chain).</summary>
/// <param name="Requests">Every request posted.</param>
/// <param name="Workers">The workers' addresses and names.</param>
/// <param name="BalancesBefore">ETH balances of every tracked account at <paramref name="FromBlock"/>.</param>
/// <param name="BalancesAfter">The same at <paramref name="ToBlock"/>.</param>
/// <param name="Tokens">ERC-20 collateral balance sheets over the same accounts and blocks.</param>
/// <param name="FromBlock">First audited block.</param>
/// <param name="ToBlock">Last audited block.</param>
/// <param name="Kills">When each SIGKILL was sent, and to which worker.</param>
/// <param name="Fleet">The worker processes.</param>
/// <param name="Rpc">The fault proxies.</param>
/// <param name="Janitor">The permissionless upkeep done.</param>
/// <param name="RefusedByMarket">Requests the market refused at submission.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Minutes">Minutes of load.</param>
/// <param name="WallSeconds">Duration of the run.</param>
/// <param name="WorkDirectory">Where the run's files are.</param>
public sealed record SoakEvidence(
    IReadOnlyList<SoakRequest> Requests,
    IReadOnlyDictionary<Address, string> Workers,
    IReadOnlyDictionary<Address, BigInteger> BalancesBefore,
    IReadOnlyDictionary<Address, BigInteger> BalancesAfter,
    IReadOnlyList<TokenReport> Tokens,
    ulong FromBlock,
    ulong ToBlock,
    IReadOnlyList<(DateTimeOffset At, Address Worker)> Kills,
    WorkerFleetStats Fleet,
    RpcFaultStats Rpc,
    JanitorStats Janitor,
    int RefusedByMarket,
    int Seed,
    double Minutes,
    double WallSeconds,
    string WorkDirectory);
