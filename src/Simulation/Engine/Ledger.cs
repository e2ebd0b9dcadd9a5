namespace ProverMarketChain.Simulation.Engine;

/// <summary>Money and work of one run, per prover and per request (wei as doubles: the figures are reported, not settled).</summary>
internal sealed class Ledger(int provers)
{
    public readonly double[] Revenue = new double[provers];
    public readonly double[] WorkCost = new double[provers];
    public readonly double[] Gas = new double[provers];
    public readonly double[] BondLost = new double[provers];
    public readonly double[] BusySeconds = new double[provers];
    public readonly long[] Wins = new long[provers];

    public double RequesterPaid;
    public double RequesterGas;
    public double RequesterRecovered;
    public double ShillLoss;
    public double Burnt;
    public double ProtocolFees;
    public double Resources;
    public double WinnerProvingSeconds;
    public double AllProvingSeconds;
    public long Served;
    public long Unserved;
    public long Slashes;
    public long Participants;
    public double FrontRunExposure;
    public double Stolen;
    public readonly List<double> Latencies = [];
    public double Horizon;

    /// <summary>Work of prover <paramref name="p"/>: <paramref name="seconds"/> of machine time costing <paramref name="cost"/>.</summary>
    public void Work(int p, double seconds, double cost)
    {
        if (seconds <= 0) return;
        BusySeconds[p] += seconds;
        WorkCost[p] += cost;
        Resources += cost;
        AllProvingSeconds += seconds;
    }

    /// <summary>Gas sent by prover <paramref name="p"/>.</summary>
    public void ProverGas(int p, double wei)
    {
        Gas[p] += wei;
        Resources += wei;
    }

    /// <summary>Gas sent by the requester.</summary>
    public void RequesterGasSpent(double wei)
    {
        RequesterGas += wei;
        Resources += wei;
    }
}
