using System.Numerics;
using ProverMarketChain.Indexer.Model;

namespace ProverMarketChain.Indexer.Projection;

/// <summary>
/// The additive figures of one <see cref="AggregateKey"/>: a sum of request contributions. A request's change is applied
/// as its new contribution minus its old one, so the summaries stay exact through re-folds and reorganisations.
/// </summary>
public sealed class AggregateValues
{
    /// <summary>Requests.</summary>
    public long Requests;

    /// <summary>Requests per status (index = <see cref="RequestStatus"/>).</summary>
    public long[] ByStatus = new long[8];

    /// <summary>Slashes.</summary>
    public long Slashes;

    /// <summary>Collateral slashed.</summary>
    public BigInteger SlashedAmount;

    /// <summary>Paid to provers.</summary>
    public BigInteger FeesPaid;

    /// <summary>Maximum fees escrowed.</summary>
    public BigInteger MaxFees;

    /// <summary>Reserve fees booked.</summary>
    public BigInteger ReserveFees;

    /// <summary>Protocol fees.</summary>
    public BigInteger ProtocolFees;

    /// <summary>Gas attributed.</summary>
    public long GasUsed;

    /// <summary>Sum of delivered latencies.</summary>
    public long LatencySum;

    /// <summary>Requests with a delivered latency.</summary>
    public long LatencyCount;

    /// <summary>Settled sealed auctions.</summary>
    public long Auctions;

    /// <summary>Settled sealed auctions won by the best revealed score.</summary>
    public long BestScoreWon;

    /// <summary>Sum over settled auctions of payment / winner's bid, in parts per million.</summary>
    public long PaymentOverBidPpm;

    /// <summary>Adds <paramref name="other"/> times <paramref name="sign"/> (+1 or -1).</summary>
    public void Add(AggregateValues other, int sign)
    {
        Requests += sign * other.Requests;
        for (var i = 0; i < ByStatus.Length; i++) ByStatus[i] += sign * other.ByStatus[i];
        Slashes += sign * other.Slashes;
        SlashedAmount += sign * other.SlashedAmount;
        FeesPaid += sign * other.FeesPaid;
        MaxFees += sign * other.MaxFees;
        ReserveFees += sign * other.ReserveFees;
        ProtocolFees += sign * other.ProtocolFees;
        GasUsed += sign * other.GasUsed;
        LatencySum += sign * other.LatencySum;
        LatencyCount += sign * other.LatencyCount;
        Auctions += sign * other.Auctions;
        BestScoreWon += sign * other.BestScoreWon;
        PaymentOverBidPpm += sign * other.PaymentOverBidPpm;
    }

    /// <summary>True when every figure is zero (the row can be deleted).</summary>
    public bool IsZero =>
        Requests == 0 && ByStatus.All(n => n == 0) && Slashes == 0 && SlashedAmount.IsZero && FeesPaid.IsZero && MaxFees.IsZero &&
        ReserveFees.IsZero && ProtocolFees.IsZero && GasUsed == 0 && LatencySum == 0 && LatencyCount == 0 && Auctions == 0 &&
        BestScoreWon == 0 && PaymentOverBidPpm == 0;
}
