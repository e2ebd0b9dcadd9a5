namespace ProverMarketChain.Cli.Soak;

/// <summary>What the workers' fault proxies did.</summary>
/// <param name="ConfiguredRate">The share of calls each proxy was set to fail.</param>
/// <param name="Calls">Calls the proxies handled.</param>
/// <param name="Faults">Calls dropped, answered 500, or delayed past the worker's attempt timeout.</param>
public sealed record RpcFaultStats(double ConfiguredRate, int Calls, int Faults)
{
    /// <summary>The share of calls that got a fault.</summary>
    public double MeasuredRate => Calls == 0 ? 0 : Math.Round((double)Faults / Calls, 4);
}
