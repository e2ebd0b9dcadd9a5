using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Simulation.Rules;

/// <summary>A revealed sealed bid, as <c>AuctionLib.Bid</c> holds it.</summary>
/// <param name="Prover">The bidder's 20-byte address (the tie-break key).</param>
/// <param name="Fee">The bid fee in wei (a uint96 on chain).</param>
/// <param name="Latency">The promised latency in seconds.</param>
public readonly record struct RevealedBid(byte[] Prover, ulong Fee, uint Latency);

/// <summary>
/// The sealed-bid rules of <c>contracts/src/libraries/AuctionLib.sol</c>: score = fee + latencyWeight * latency (lower
/// wins), ties broken by the lower latency and then by the lower <c>keccak256(abi.encode(requestId, prover))</c>; the
/// winner is paid the fee at which its score equals the second-best score, capped at <c>maxFee</c> (its own fee with no
/// second bid: <c>ProverMarketBase._sealedAssignment</c>). Checked against the contract on anvil in the tests.
/// </summary>
public static class AuctionRules
{
    /// <summary><c>AuctionLib.score</c>: exact (a uint96 plus a uint64 times a uint32 fits 128 bits).</summary>
    public static UInt128 Score(ulong fee, uint latency, ulong weight) => (UInt128)fee + (UInt128)weight * latency;

    /// <summary><c>AuctionLib.beats</c>: whether <paramref name="a"/> ranks strictly before <paramref name="b"/>.</summary>
    public static bool Beats(ReadOnlySpan<byte> requestId, in RevealedBid a, in RevealedBid b, ulong weight)
    {
        var sa = Score(a.Fee, a.Latency, weight);
        var sb = Score(b.Fee, b.Latency, weight);
        if (sa != sb) return sa < sb;
        if (a.Latency != b.Latency) return a.Latency < b.Latency;
        return TieKey(requestId, a.Prover).AsSpan().SequenceCompareTo(TieKey(requestId, b.Prover)) < 0;
    }

    /// <summary><c>keccak256(abi.encode(requestId, prover))</c>: the last tie-break key.</summary>
    public static byte[] TieKey(ReadOnlySpan<byte> requestId, ReadOnlySpan<byte> prover)
    {
        if (requestId.Length != 32) throw new ArgumentException($"request id must be 32 bytes, got {requestId.Length}", nameof(requestId));
        if (prover.Length != 20) throw new ArgumentException($"prover address must be 20 bytes, got {prover.Length}", nameof(prover));
        Span<byte> buf = stackalloc byte[64];
        requestId.CopyTo(buf);
        prover.CopyTo(buf[44..]);
        return Keccak.Hash(buf);
    }

    /// <summary><c>AuctionLib.secondScorePayment</c>: <c>min(secondScore - weight * winnerLatency, maxFee)</c>.</summary>
    /// <exception cref="ArgumentException">The second score is below the winner's latency term (the winner must rank first).</exception>
    public static ulong SecondScorePayment(uint winnerLatency, UInt128 secondScore, ulong weight, ulong maxFee)
    {
        var term = (UInt128)weight * winnerLatency;
        if (secondScore < term) throw new ArgumentException("second score below the winner's latency term: the winner does not rank first");
        var pay = secondScore - term;
        return pay > maxFee ? maxFee : (ulong)pay;
    }

    /// <summary>
    /// Settles an auction from its revealed bids (in any order: the result does not depend on it): the winner's index,
    /// its payment, and the index of the second-best bid (-1: none, the winner is paid its own fee).
    /// </summary>
    /// <exception cref="ArgumentException">No bids.</exception>
    public static (int Winner, ulong Payment, int Second) Settle(ReadOnlySpan<byte> requestId, IReadOnlyList<RevealedBid> bids, ulong weight, ulong maxFee)
    {
        if (bids.Count == 0) throw new ArgumentException("no bids", nameof(bids));
        int best = 0, second = -1;
        for (int i = 1; i < bids.Count; i++)
        {
            if (Beats(requestId, bids[i], bids[best], weight)) { second = best; best = i; }
            else if (second < 0 || Beats(requestId, bids[i], bids[second], weight)) second = i;
        }
        var w = bids[best];
        ulong pay = second < 0 ? w.Fee : SecondScorePayment(w.Latency, Score(bids[second].Fee, bids[second].Latency, weight), weight, maxFee);
        return (best, pay, second);
    }
}
