namespace ProverMarketChain.Simulation.Engine;

/// <summary>How one request was allocated and paid (the replay compares these with the chain).</summary>
/// <param name="Request">Request index.</param>
/// <param name="Winner">Prover paid for the delivery (-1: none).</param>
/// <param name="Payment">Fee paid for the delivery (before the protocol fee), wei.</param>
/// <param name="Participants">Provers that bid, locked, matched or raced.</param>
/// <param name="Slashed">Prover slashed on the way (-1: none; -2: the requester's shill).</param>
/// <param name="DeliveredAt">Delivery time (NaN: not delivered).</param>
public readonly record struct Outcome(int Request, int Winner, ulong Payment, int Participants, int Slashed, double DeliveredAt);
