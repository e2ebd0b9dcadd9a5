using System.Numerics;
using ProverMarketChain.Indexer.Model;

namespace ProverMarketChain.Indexer.Projection;

/// <summary>
/// Folds a request's events, in chain order, into its <see cref="RequestRow"/>. The same function serves live indexing
/// (apply the new events to the stored row) and a reorganisation (fold again from the events that remain), so both give
/// the same row. Events the fold does not recognise leave the row as it was (they still appear in the history).
/// </summary>
public static class RequestFold
{
    /// <summary>Folds <paramref name="events"/> (oldest first) from nothing; null when they hold no <c>RequestSubmitted</c>.</summary>
    public static RequestRow? Fold(IEnumerable<ChainEvent> events)
    {
        RequestRow? row = null;
        foreach (var e in events) row = ApplyOrKeep(row, e);
        return row;
    }

    private static long _unprojectable;

    /// <summary>Events whose fold failed since start (their history is kept; the row is left as the event found it).</summary>
    public static long Unprojectable => Interlocked.Read(ref _unprojectable);

    /// <summary>
    /// <see cref="Apply"/>, except that an event whose fields cannot be folded (a value no rule expects) leaves the row as
    /// it stood (none of the event's changes) instead of throwing: one hostile transaction must not stop indexing. The outcome is the same whether the
    /// event is applied live or folded again after a reorganisation, so the summaries stay exact.
    /// </summary>
    public static RequestRow? ApplyOrKeep(RequestRow? row, ChainEvent e)
    {
        try
        {
            // On a copy: a rule that fails half-way must not leave half its changes.
            return Apply(row?.Clone(), e);
        }
        catch (Exception x) when (x is OverflowException or InvalidDataException or FormatException or InvalidOperationException or ArgumentException)
        {
            Interlocked.Increment(ref _unprojectable);
            return row;
        }
    }

    /// <summary>Applies one event of the request to <paramref name="row"/> (null before its submission) and returns the row.</summary>
    /// <remarks>An event that precedes the submission in the stream (impossible on chain) is ignored rather than invented into a row.</remarks>
    public static RequestRow? Apply(RequestRow? row, ChainEvent e)
    {
        if (e.Name == "RequestSubmitted") row = Submitted(e);
        if (row is null) return null;
        CountGas(row, e);
        row.LastBlock = (long)e.Block;
        row.LastLog = e.LogIndex;
        var t = (long)e.Timestamp;
        switch (e.Name)
        {
            case "RequestCancelled":
                Close(row, RequestStatus.Cancelled, e, t);
                break;
            case "RequestExpired":
                Close(row, RequestStatus.Expired, e, t);
                break;
            case "RequestMatched":
                row.Status = RequestStatus.Matched;
                row.Prover = e.Address("prover");
                row.Fee = e.Big("fee");
                row.PromisedLatency = e.Long("latency");
                row.Deadline = e.Long("acceptBy");
                break;
            case "MatchDeclined":
                row.Prover = null;
                row.Fee = null;
                row.PromisedLatency = null;
                break;
            case "RequestAssigned":
                var prover = e.Address("prover");
                // A sealed auction's settlement (by `settle` or `slash`) follows its AuctionSettled record in the same
                // transaction: the winner's clock runs from the end of reveals, as AuctionSettled set it. Any other
                // assignment (Dutch lock, accepted match, runner-up takeover) starts the clock now.
                var settlementRecord = row.Mode == AllocationMode.SealedBid && row.AssignedBlock == (long)e.Block && row.Prover == prover && row.WinnerFee is not null;
                var settledHere = row.Mode == AllocationMode.SealedBid && row.Status == RequestStatus.Open;
                row.Status = RequestStatus.Assigned;
                row.Prover = prover;
                row.Fee = e.Big("fee");
                row.Deadline = e.Long("deadline");
                row.Collateral = e.Big("collateral");
                row.AssignedBlock = (long)e.Block;
                row.AssignedAt = t;
                if (!settlementRecord) row.ClockStart = settledHere ? Math.Min(row.RevealDeadline, t) : t;
                row.PromisedLatency = row.Mode switch
                {
                    AllocationMode.StandingAsk when row.PromisedLatency is not null => row.PromisedLatency,
                    AllocationMode.SealedBid when (settlementRecord || settledHere) && prover == row.BestBidder => row.BestBidLatency,
                    _ => Math.Max(0, row.Deadline.Value - row.ClockStart!.Value),
                };
                break;
            case "AuctionSettled":
                var winner = e.Address("winner");
                row.Status = RequestStatus.Assigned;
                row.Prover = winner;
                row.WinnerFee = e.Big("winnerFee");
                row.Fee = e.Big("payment");
                row.Deadline = e.Long("deadline");
                row.SecondScore = e.Big("secondScore");
                row.AssignedBlock = (long)e.Block;
                row.AssignedAt = t;
                row.ClockStart = Math.Min(row.RevealDeadline, t);
                row.Collateral = row.MinCollateral;
                row.SettledPayment = row.Fee;
                if (winner == row.BestBidder)
                {
                    row.PromisedLatency = row.BestBidLatency;
                    row.WinnerScore = row.BestScore;
                }
                // Did the lowest revealed score win? The market ranks by score, then latency, then a hash (AuctionLib.beats),
                // so a tie lost to that rule still counts as won by the best score.
                row.BestScoreWon = row.LowestScore is null || row.WinnerScore is { } ws && ws <= row.LowestScore;
                break;
            case "RequestFulfilled":
                row.Status = RequestStatus.Fulfilled;
                row.Prover = e.Address("prover");
                row.Payment = e.Big("proverPayment");
                row.ProtocolFee = e.Big("protocolFee");
                row.Refund = e.Big("requesterRefund");
                row.FulfilledBlock = (long)e.Block;
                row.FulfilledAt = t;
                // An open race (and a secondary delivery without an assignment) runs from submission.
                var start = row.ClockStart ?? row.SubmittedAt;
                row.DeliveredLatency = Math.Max(0, t - start);
                if (row.Mode == AllocationMode.OpenRace && row.PromisedLatency is null) row.PromisedLatency = row.ProvingWindow;
                break;
            case "ProverSlashed":
                row.Slashes.Add(new SlashRecord(e.Address("prover"), e.Big("amount")));
                var next = (RequestStatus)(int)e.Long("nextStatus");
                if (Enum.IsDefined(next) && next != RequestStatus.None) row.Status = next;
                if (next != RequestStatus.Assigned) row.Prover = null;
                break;
            case "SecondaryOpened":
                row.Status = RequestStatus.Secondary;
                row.Prover = null;
                row.Deadline = e.Long("deadline");
                row.Fee = e.Big("fee");
                row.ClockStart = t;
                row.PromisedLatency = row.ProvingWindow;
                break;
            case "BidCommitted":
                row.BidsCommitted++;
                break;
            case "BidRevealed":
                row.BidsRevealed++;
                var fee = e.Big("fee");
                var latency = e.Long("latency");
                var score = fee + row.LatencyWeight * latency;
                if (row.LowestScore is null || score < row.LowestScore) row.LowestScore = score;
                // The market's own ranking decides the leader (rank 1: now best), ties and the leader's re-reveals included.
                if (e.Long("rank") == 1)
                {
                    row.BestScore = score;
                    row.BestBidFee = fee;
                    row.BestBidLatency = latency;
                    row.BestBidder = e.Address("prover");
                }
                break;
        }
        return row;
    }

    private static RequestRow Submitted(ChainEvent e)
    {
        var mode = (AllocationMode)(int)e.Long("request.mode");
        return new RequestRow
        {
            RequestId = e.RequestId!,
            Requester = e.Address("requester"),
            CircuitId = e.Long("circuitId"),
            Mode = mode,
            OnMiss = (int)e.Long("request.onMiss"),
            AssetId = (int)e.Long("request.assetId"),
            Status = RequestStatus.Open,
            MaxFee = e.Big("request.maxFee"),
            MinFee = e.Big("request.minFee"),
            ReserveFee = e.Big("reserveFee"),
            MinCollateral = e.Big("request.minCollateral"),
            LatencyWeight = e.Big("request.latencyWeight"),
            ProvingUnits = e.Long("provingUnits"),
            ProvingWindow = e.Long("request.provingWindow"),
            BidDeadline = e.Long("request.bidDeadline"),
            RevealDeadline = e.Long("request.revealDeadline"),
            // An open race runs from its submission to submission + provingWindow (the market stores that deadline and
            // expires the race after it); no other mode has a deadline before an assignment.
            Deadline = mode == AllocationMode.OpenRace ? (long)e.Timestamp + e.Long("request.provingWindow") : null,
            SubmittedBlock = (long)e.Block,
            SubmittedLog = e.LogIndex,
            SubmittedAt = (long)e.Timestamp,
        };
    }

    private static void Close(RequestRow row, RequestStatus status, ChainEvent e, long t)
    {
        row.Status = status;
        row.Refund = e.Big("refund");
        row.ClosedBlock = (long)e.Block;
        row.ClosedAt = t;
        row.Prover = null;
    }

    private static void CountGas(RequestRow row, ChainEvent e)
    {
        if (row.LastGasTx == e.TxHash) return;
        row.LastGasTx = e.TxHash;
        row.GasUsed += e.GasShare;
    }

    /// <summary>The most <see cref="PaymentOverBidPpm"/> reports: 1,000× the bid. A lone bid is paid the maximum fee, which can be
    /// any multiple of a tiny bid (4 wei against 0.01 ETH); clamping keeps the figure and its sums in range.</summary>
    public const long MaxPaymentOverBidPpm = 1_000_000_000;

    /// <summary>The settlement's payment as a share of the winner's own bid, in parts per million (sealed, settled, bid above 0), at most <see cref="MaxPaymentOverBidPpm"/>.</summary>
    public static long? PaymentOverBidPpm(RequestRow row) =>
        row.WinnerFee is { } bid && bid > 0 && row.SettledPayment is { } pay ? (long)BigInteger.Min(pay * 1_000_000 / bid, MaxPaymentOverBidPpm) : null;

    internal static BigInteger OrZero(BigInteger? v) => v ?? BigInteger.Zero;
}
