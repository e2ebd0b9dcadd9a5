using System.Numerics;

namespace ProverMarketChain.Indexer.Model;

/// <summary>
/// The projection of one request: its terms, where it stands, and every figure the summaries need. It is a pure fold of
/// the request's events (<see cref="Projection.RequestFold"/>), so a reorganisation re-folds it from the events that
/// remain. Amounts are in wei (or vault units of the collateral asset for collateral and slashes).
/// </summary>
public sealed class RequestRow
{
    /// <summary>The request id (0x-hex).</summary>
    public string RequestId { get; set; } = "";

    /// <summary>Who pays.</summary>
    public string Requester { get; set; } = "";

    /// <summary>The circuit.</summary>
    public long CircuitId { get; set; }

    /// <summary>Allocation mode.</summary>
    public AllocationMode Mode { get; set; }

    /// <summary>Fallback after a missed deadline (0 open secondary, 1 runner-up).</summary>
    public int OnMiss { get; set; }

    /// <summary>Collateral asset (0 = ETH).</summary>
    public int AssetId { get; set; }

    /// <summary>Status now.</summary>
    public RequestStatus Status { get; set; }

    /// <summary>The prover responsible now (assigned, matched, or the one paid); null when none.</summary>
    public string? Prover { get; set; }

    /// <summary>Escrowed maximum fee.</summary>
    public BigInteger MaxFee { get; set; }

    /// <summary>Dutch start price.</summary>
    public BigInteger MinFee { get; set; }

    /// <summary>The reserve fee booked at submission.</summary>
    public BigInteger ReserveFee { get; set; }

    /// <summary>Collateral the assigned prover locks (also the sealed-bid bond).</summary>
    public BigInteger MinCollateral { get; set; }

    /// <summary>Collateral backing the job at its last assignment.</summary>
    public BigInteger? Collateral { get; set; }

    /// <summary>Sealed: wei added to a bid's score per second of promised latency.</summary>
    public BigInteger LatencyWeight { get; set; }

    /// <summary>The circuit's proving units at submission.</summary>
    public long ProvingUnits { get; set; }

    /// <summary>Seconds allowed to prove.</summary>
    public long ProvingWindow { get; set; }

    /// <summary>Sealed: end of commits. Dutch: end of the ramp.</summary>
    public long BidDeadline { get; set; }

    /// <summary>Sealed: end of reveals (the winner's clock starts here).</summary>
    public long RevealDeadline { get; set; }

    /// <summary>The agreed fee at the last assignment or match (sealed: the second-score payment).</summary>
    public BigInteger? Fee { get; set; }

    /// <summary>Paid to the prover on fulfilment.</summary>
    public BigInteger? Payment { get; set; }

    /// <summary>Protocol fee taken on fulfilment.</summary>
    public BigInteger? ProtocolFee { get; set; }

    /// <summary>Refunded to the requester (fulfilment change, cancellation or expiry).</summary>
    public BigInteger? Refund { get; set; }

    /// <summary>The proving deadline now.</summary>
    public long? Deadline { get; set; }

    /// <summary>Latency the responsible prover promised (seconds): the bid's, the ask's, or the proving window.</summary>
    public long? PromisedLatency { get; set; }

    /// <summary>Seconds from the start of the prover's clock to fulfilment.</summary>
    public long? DeliveredLatency { get; set; }

    /// <summary>When the responsible prover's clock started.</summary>
    public long? ClockStart { get; set; }

    /// <summary>Submission block, log index and time.</summary>
    public long SubmittedBlock { get; set; }

    /// <summary>Log index of <c>RequestSubmitted</c>.</summary>
    public int SubmittedLog { get; set; }

    /// <summary>Submission time.</summary>
    public long SubmittedAt { get; set; }

    /// <summary>Block of the last assignment.</summary>
    public long? AssignedBlock { get; set; }

    /// <summary>Time of the last assignment.</summary>
    public long? AssignedAt { get; set; }

    /// <summary>Block of fulfilment.</summary>
    public long? FulfilledBlock { get; set; }

    /// <summary>Time of fulfilment.</summary>
    public long? FulfilledAt { get; set; }

    /// <summary>Block of cancellation or expiry.</summary>
    public long? ClosedBlock { get; set; }

    /// <summary>Time of cancellation or expiry.</summary>
    public long? ClosedAt { get; set; }

    /// <summary>Slashes of this job, in order: each slashed prover and the amount.</summary>
    public List<SlashRecord> Slashes { get; set; } = [];

    /// <summary>Sealed: commitments.</summary>
    public int BidsCommitted { get; set; }

    /// <summary>Sealed: reveals.</summary>
    public int BidsRevealed { get; set; }

    /// <summary>Sealed: the score of the bid the market ranks best (the last reveal with rank 1).</summary>
    public BigInteger? BestScore { get; set; }

    /// <summary>Sealed: the lowest score of any revealed bid.</summary>
    public BigInteger? LowestScore { get; set; }

    /// <summary>Sealed: the payment the settlement fixed (a runner-up takeover later changes <see cref="Fee"/>, not this).</summary>
    public BigInteger? SettledPayment { get; set; }

    /// <summary>Sealed: fee and latency of the best revealed bid.</summary>
    public BigInteger? BestBidFee { get; set; }

    /// <summary>Sealed: latency of the best revealed bid.</summary>
    public long? BestBidLatency { get; set; }

    /// <summary>Sealed: who revealed the best bid.</summary>
    public string? BestBidder { get; set; }

    /// <summary>Sealed, settled: the winner's own fee (its bid).</summary>
    public BigInteger? WinnerFee { get; set; }

    /// <summary>Sealed, settled: the winner's score.</summary>
    public BigInteger? WinnerScore { get; set; }

    /// <summary>Sealed, settled: the second-best score (0: none).</summary>
    public BigInteger? SecondScore { get; set; }

    /// <summary>Sealed, settled: did the best revealed score win.</summary>
    public bool? BestScoreWon { get; set; }

    /// <summary>Gas of the transactions that touched this request (shared transactions divided evenly).</summary>
    public long GasUsed { get; set; }

    /// <summary>The transaction whose gas was counted last (a transaction's events are consecutive).</summary>
    public string? LastGasTx { get; set; }

    /// <summary>Position of the last event applied.</summary>
    public long LastBlock { get; set; }

    /// <summary>Log index of the last event applied.</summary>
    public int LastLog { get; set; }

    /// <summary>A deep copy (the store keeps the row before a change to compute the summaries' deltas).</summary>
    public RequestRow Clone()
    {
        var c = (RequestRow)MemberwiseClone();
        c.Slashes = [.. Slashes];
        return c;
    }
}

/// <summary>One slash of a job.</summary>
/// <param name="Prover">The slashed prover.</param>
/// <param name="Amount">Collateral taken (vault units of the request's asset).</param>
public sealed record SlashRecord(string Prover, BigInteger Amount);
