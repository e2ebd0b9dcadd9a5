namespace ProverMarketChain.Cli.Soak;

/// <summary>The requests posted in a soak run.</summary>
/// <param name="Honest">By honest requesters.</param>
/// <param name="Hostile">By the hostile requester.</param>
/// <param name="HonestByMode">Honest requests per allocation mode.</param>
/// <param name="HostileByCase">Hostile requests per case.</param>
/// <param name="RefusedByMarket">Requests the market refused at submission, not counted above: standing-ask requests no ask
/// fitted, hostile requests it rejects.</param>
public sealed record RequestCounts(int Honest, int Hostile, IReadOnlyDictionary<string, int> HonestByMode, IReadOnlyDictionary<string, int> HostileByCase, int RefusedByMarket);
