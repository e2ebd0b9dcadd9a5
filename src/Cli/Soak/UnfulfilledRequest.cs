namespace ProverMarketChain.Cli.Soak;

/// <summary>An honest request not fulfilled by the end of a soak run, and where it stands.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="Mode">Its allocation mode.</param>
/// <param name="Status">Its status at the last block (<c>expired</c>: nobody took or delivered it in time).</param>
/// <param name="Bids">Sealed bids committed on it by the workers.</param>
public sealed record UnfulfilledRequest(string RequestId, string Mode, string Status, int Bids);
