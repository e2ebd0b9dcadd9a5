namespace ProverMarketChain.Indexer.Projection;

/// <summary>A row of the <c>aggregates</c> table.</summary>
/// <param name="Dim">prover, requester, circuit, hour, day, prover_hour or requester_hour.</param>
/// <param name="Key">The prover, requester or circuit ('' for hour and day).</param>
/// <param name="Bucket">Start of the hour or day (unix seconds); 0 for the all-time dimensions.</param>
/// <param name="Mode">The allocation mode.</param>
public readonly record struct AggregateKey(string Dim, string Key, long Bucket, int Mode);

/// <summary>The dimension names of <see cref="AggregateKey.Dim"/>.</summary>
public static class Dims
{
    /// <summary>Per prover, all time: jobs it was responsible for at their end, fees earned, slashes suffered.</summary>
    public const string Prover = "prover";

    /// <summary>Per requester, all time.</summary>
    public const string Requester = "requester";

    /// <summary>Per circuit, all time.</summary>
    public const string Circuit = "circuit";

    /// <summary>Per hour of submission.</summary>
    public const string Hour = "hour";

    /// <summary>Per day of submission.</summary>
    public const string Day = "day";

    /// <summary>Per prover and hour of submission: decentralization over a window.</summary>
    public const string ProverHour = "prover_hour";

    /// <summary>Per requester and hour of submission: unique requesters over a window.</summary>
    public const string RequesterHour = "requester_hour";
}
