namespace ProverMarketChain.Simulation.Model;

/// <summary>A simulated prover: an operator of <see cref="Machines"/> identical machines.</summary>
/// <param name="Index">Index in the population (0 is the sequencer-prover when the scenario has one).</param>
/// <param name="Address">Its 20-byte address (the sealed-bid tie-break key).</param>
/// <param name="UnitsPerSecond">Proving speed of one machine.</param>
/// <param name="OperatingWeiPerSecond">Running cost of one machine while it proves, wei per second.</param>
/// <param name="CapitalWeiPerSecond">Capital cost of one machine, amortized over its lifetime, wei per second owned.</param>
/// <param name="Machines">Jobs it can prove at once.</param>
/// <param name="FailureRate">Probability that a job it takes is not delivered (crash, bad witness).</param>
/// <param name="Strategy">How it bids.</param>
public sealed record Prover(int Index, byte[] Address, double UnitsPerSecond, double OperatingWeiPerSecond, double CapitalWeiPerSecond,
    int Machines, double FailureRate, Strategy Strategy)
{
    /// <summary>Seconds to prove <paramref name="units"/>.</summary>
    public double ProvingSeconds(ulong units) => units / UnitsPerSecond;

    /// <summary>Hardware cost of proving <paramref name="units"/>: running cost plus the capital of the machine-time it uses.</summary>
    public double HardwareCost(ulong units) => ProvingSeconds(units) * (OperatingWeiPerSecond + CapitalWeiPerSecond);

    /// <summary>Hardware cost per proving unit (running plus capital).</summary>
    public double CostPerUnit => (OperatingWeiPerSecond + CapitalWeiPerSecond) / UnitsPerSecond;
}

/// <summary>A proof request.</summary>
/// <param name="Index">Arrival order.</param>
/// <param name="Id">Its 32-byte id (the tie-break key).</param>
/// <param name="ArrivalSeconds">Submission time.</param>
/// <param name="Circuit">Circuit index (one per size).</param>
/// <param name="Units">Proving units of the circuit.</param>
/// <param name="MaxFee">Escrowed maximum fee, wei.</param>
/// <param name="ProvingWindow">Seconds allowed to prove (the race duration for an open race).</param>
/// <param name="LatencyWeight">Wei per second of promised latency in a sealed bid's score.</param>
/// <param name="Urgent">Whether it is urgent.</param>
/// <param name="Shill">Whether its requester places a shill bid (sealed bid).</param>
public sealed record Request(int Index, byte[] Id, double ArrivalSeconds, int Circuit, ulong Units, ulong MaxFee, uint ProvingWindow,
    ulong LatencyWeight, bool Urgent, bool Shill);
