namespace ProverMarketChain.Cli.Soak;

/// <summary>Options of <c>pmc soak</c>.</summary>
/// <param name="Minutes">Minutes of load: requests posted, workers killed. A drain of at most <see cref="DrainLimit"/> follows.</param>
/// <param name="Seed">Seeds every random choice (inputs, timings, kill victims, fault draws).</param>
/// <param name="Cases">The hostile cases posted (cycled); empty for an honest-only run.</param>
public sealed record SoakOptions(double Minutes, int Seed, IReadOnlyList<HostileCase> Cases)
{
    /// <summary>Share of each worker's RPC calls its fault proxy fails.</summary>
    public double RpcFaultRate { get; init; } = 0.2;

    /// <summary>Shortest wait between two kills.</summary>
    public TimeSpan KillIntervalMin { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest wait between two kills.</summary>
    public TimeSpan KillIntervalMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Mean time between two requests of one honest requester (there are two).</summary>
    public TimeSpan HonestInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Mean time between two hostile requests.</summary>
    public TimeSpan HostileInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the load, how long to wait at most for every honest request to be settled.</summary>
    public TimeSpan DrainLimit { get; init; } = TimeSpan.FromSeconds(150);
}
