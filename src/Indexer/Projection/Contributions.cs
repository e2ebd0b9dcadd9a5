using ProverMarketChain.Indexer.Model;

namespace ProverMarketChain.Indexer.Projection;

/// <summary>What one request adds to the summaries: the aggregate rows it counts in and its latency histogram entry.</summary>
public static class Contributions
{
    /// <summary>Seconds per hour bucket.</summary>
    public const long Hour = 3600;

    /// <summary>Seconds per day bucket.</summary>
    public const long Day = 86_400;

    /// <summary>
    /// The aggregate rows <paramref name="row"/> counts in, with its figures. Time buckets are by submission time; the
    /// prover rows go to the prover responsible at the end (paid, assigned or matched), and each slash counts for the
    /// prover slashed.
    /// </summary>
    public static IEnumerable<(AggregateKey Key, AggregateValues Values)> Of(RequestRow row)
    {
        var mode = (int)row.Mode;
        var hour = Floor(row.SubmittedAt, Hour);
        var day = Floor(row.SubmittedAt, Day);
        var whole = Whole(row);
        yield return (new(Dims.Hour, "", hour, mode), whole);
        yield return (new(Dims.Day, "", day, mode), whole);
        yield return (new(Dims.Requester, row.Requester, 0, mode), whole);
        yield return (new(Dims.RequesterHour, row.Requester, hour, mode), whole);
        yield return (new(Dims.Circuit, row.CircuitId.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, mode), whole);
        if (row.Prover is { } prover)
        {
            var job = Whole(row);
            job.Slashes = 0;
            job.SlashedAmount = 0;
            yield return (new(Dims.Prover, prover, 0, mode), job);
            yield return (new(Dims.ProverHour, prover, hour, mode), job);
        }
        foreach (var slash in row.Slashes)
        {
            var s = new AggregateValues { Slashes = 1, SlashedAmount = slash.Amount };
            yield return (new(Dims.Prover, slash.Prover, 0, mode), s);
            yield return (new(Dims.ProverHour, slash.Prover, hour, mode), s);
        }
    }

    /// <summary>The latency histogram entry of <paramref name="row"/> (hour of submission, mode, seconds), if delivered.</summary>
    public static (long Bucket, int Mode, long Latency)? Latency(RequestRow row) =>
        row.DeliveredLatency is { } l ? (Floor(row.SubmittedAt, Hour), (int)row.Mode, l) : null;

    private static AggregateValues Whole(RequestRow row)
    {
        var v = new AggregateValues
        {
            Requests = 1,
            Slashes = row.Slashes.Count,
            SlashedAmount = row.Slashes.Aggregate(System.Numerics.BigInteger.Zero, (a, s) => a + s.Amount),
            FeesPaid = RequestFold.OrZero(row.Payment),
            MaxFees = row.MaxFee,
            ReserveFees = row.ReserveFee,
            ProtocolFees = RequestFold.OrZero(row.ProtocolFee),
            GasUsed = row.GasUsed,
            LatencySum = row.DeliveredLatency ?? 0,
            LatencyCount = row.DeliveredLatency is null ? 0 : 1,
        };
        v.ByStatus[(int)row.Status] = 1;
        if (row.WinnerFee is not null)
        {
            v.Auctions = 1;
            v.BestScoreWon = row.BestScoreWon == true ? 1 : 0;
            v.PaymentOverBidPpm = RequestFold.PaymentOverBidPpm(row) ?? 0;
        }
        return v;
    }

    /// <summary>The start of the bucket of width <paramref name="width"/> holding <paramref name="t"/>.</summary>
    public static long Floor(long t, long width) => t - ((t % width) + width) % width;
}
