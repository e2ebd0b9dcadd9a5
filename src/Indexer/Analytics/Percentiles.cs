namespace ProverMarketChain.Indexer.Analytics;

/// <summary>Percentiles of an exact histogram (nearest rank: the smallest value with at least p% of the count at or below it).</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="p"/>-th percentile of <paramref name="histogram"/> (value, count); null when it is empty.</summary>
    public static long? Of(IReadOnlyList<(long Value, long Count)> histogram, double p)
    {
        var total = histogram.Sum(h => h.Count);
        if (total <= 0) return null;
        var rank = (long)Math.Ceiling(p / 100.0 * total);
        if (rank < 1) rank = 1;
        long seen = 0;
        foreach (var (value, count) in histogram.OrderBy(h => h.Value))
        {
            seen += count;
            if (seen >= rank) return value;
        }
        return histogram.Max(h => h.Value);
    }
}
