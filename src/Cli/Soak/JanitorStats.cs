namespace ProverMarketChain.Cli.Soak;

/// <summary>The permissionless calls the soak's janitor made (see <see cref="MarketJanitor"/>).</summary>
/// <param name="Expired">Requests expired.</param>
/// <param name="Slashed">Provers slashed.</param>
/// <param name="Lapsed">Silent matches lapsed.</param>
/// <param name="Forfeited">Unrevealed bonds forfeited.</param>
public sealed record JanitorStats(int Expired, int Slashed, int Lapsed, int Forfeited);
