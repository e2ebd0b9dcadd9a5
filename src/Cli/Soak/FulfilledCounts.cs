namespace ProverMarketChain.Cli.Soak;

/// <summary>Requests fulfilled (a <c>RequestFulfilled</c> event) by the end of a soak run.</summary>
/// <param name="Honest">Honest requests fulfilled.</param>
/// <param name="Hostile">Hostile requests fulfilled (an input served late by the 503 server, an open delivery).</param>
/// <param name="HonestByMode">Honest requests fulfilled per allocation mode.</param>
public sealed record FulfilledCounts(int Honest, int Hostile, IReadOnlyDictionary<string, int> HonestByMode);
