namespace ProverMarketChain.Cli.Soak;

/// <summary>The requests posted in a soak run.</summary>
/// <param name="Honest">By honest requesters.</param>
/// <param name="Hostile">By the hostile requester.</param>
/// <param name="HonestByMode">Honest requests per allocation mode.</param>
/// <param name="HostileByCase">Hostile requests per case.</param>
/// <param name="RefusedNoAsk">Standing-ask requests the market refused at submission because no ask fitted (not counted above).</param>
public sealed record RequestCounts(int Honest, int Hostile, IReadOnlyDictionary<string, int> HonestByMode, IReadOnlyDictionary<string, int> HostileByCase, int RefusedNoAsk);
