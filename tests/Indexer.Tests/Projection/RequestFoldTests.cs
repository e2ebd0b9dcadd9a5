using System.Numerics;
using System.Text.Json.Nodes;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Projection;

namespace ProverMarketChain.Indexer.Tests.Projection;

/// <summary>Fold rules on hand-written events, including the values a hostile participant can choose.</summary>
public sealed class RequestFoldTests
{
    private const string Id = "0x00000000000000000000000000000000000000000000000000000000000000aa";
    private const string P1 = "0x0000000000000000000000000000000000000001";
    private const string P2 = "0x0000000000000000000000000000000000000002";
    private int _log;

    private ChainEvent E(string name, JsonObject data, ulong t = 1000) =>
        new(10 + (ulong)_log, _log++, "0xbb", "0xt" + _log, t, "ProverMarket", name, Id, null, 0, data);

    private ChainEvent Submitted(int mode, string maxFee = "10000000000000000", string provingUnits = "4") => E("RequestSubmitted", new JsonObject
    {
        ["requestId"] = Id, ["requester"] = P2, ["circuitId"] = "1", ["provingUnits"] = provingUnits, ["reserveFee"] = "4",
        ["request"] = new JsonObject
        {
            ["mode"] = mode.ToString(System.Globalization.CultureInfo.InvariantCulture), ["onMiss"] = "1", ["assetId"] = "0", ["maxFee"] = maxFee, ["minFee"] = "0",
            ["minCollateral"] = maxFee, ["latencyWeight"] = "10", ["provingWindow"] = "60", ["bidDeadline"] = "1010", ["revealDeadline"] = "1020",
        },
    });

    private ChainEvent Revealed(string prover, string fee, string latency, int rank) =>
        E("BidRevealed", new JsonObject { ["requestId"] = Id, ["prover"] = prover, ["fee"] = fee, ["latency"] = latency, ["rank"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1015);

    private ChainEvent Settled(string winner, string winnerFee, string payment) =>
        E("AuctionSettled", new JsonObject { ["requestId"] = Id, ["winner"] = winner, ["winnerFee"] = winnerFee, ["payment"] = payment, ["deadline"] = "1100", ["secondScore"] = "0", ["runnerUp"] = P2 }, 1021);

    [Fact]
    public void test_fold_aLoneTinyBidPaidTheMaximumFeeDoesNotOverflow()
    {
        // One bid of 4 wei against a 0.01 ETH maximum: the settlement pays the maximum, 2.5e15 times the bid.
        var row = RequestFold.Fold([Submitted(0), Revealed(P1, "4", "5", 1), Settled(P1, "4", "10000000000000000")])!;
        Assert.Equal(RequestStatus.Assigned, row.Status);
        Assert.Equal(RequestFold.MaxPaymentOverBidPpm, RequestFold.PaymentOverBidPpm(row));
        var contribution = Contributions.Of(row).First().Values;
        Assert.Equal(RequestFold.MaxPaymentOverBidPpm, contribution.PaymentOverBidPpm);
    }

    [Fact]
    public void test_fold_provingUnitsAbove2To63Saturate()
    {
        var row = RequestFold.Fold([Submitted(1, provingUnits: ((BigInteger.One << 64) - 1).ToString())])!;
        Assert.Equal(long.MaxValue, row.ProvingUnits);
    }

    [Fact]
    public void test_fold_theMarketsRankDecidesTheLeaderOnATie()
    {
        // Equal scores (fee + 10 * latency): the market's tie-break ranked P2 first; the fold follows the market.
        var row = RequestFold.Fold([Submitted(0), Revealed(P1, "100", "5", 1), Revealed(P2, "100", "5", 1), Settled(P2, "100", "100")])!;
        Assert.Equal(P2, row.BestBidder);
        Assert.Equal(5, row.PromisedLatency);
        Assert.True(row.BestScoreWon);
    }

    [Fact]
    public void test_fold_runnerUpTakeoverKeepsTheSettlementsPaymentRatio()
    {
        var events = new List<ChainEvent>
        {
            Submitted(0), Revealed(P1, "100", "5", 1), Revealed(P2, "300", "5", 2), Settled(P1, "100", "300"),
            E("ProverSlashed", new JsonObject { ["requestId"] = Id, ["prover"] = P1, ["assetId"] = "0", ["amount"] = "5", ["burned"] = "1", ["toRequester"] = "2", ["toBounty"] = "2", ["nextStatus"] = "2" }, 1200),
            E("RequestAssigned", new JsonObject { ["requestId"] = Id, ["prover"] = P2, ["fee"] = "300", ["deadline"] = "1300", ["assetId"] = "0", ["collateral"] = "5" }, 1200),
        };
        var row = RequestFold.Fold(events)!;
        Assert.Equal(P2, row.Prover);
        Assert.Equal(new BigInteger(300), row.Fee);
        Assert.Equal(3_000_000, RequestFold.PaymentOverBidPpm(row));
        Assert.Equal(1200, row.ClockStart);
    }

    [Fact]
    public void test_fold_anUnfoldableEventLeavesTheRowAndIsCounted()
    {
        var before = RequestFold.Unprojectable;
        var bad = E("RequestAssigned", new JsonObject { ["requestId"] = Id, ["prover"] = P1, ["fee"] = "not a number", ["deadline"] = "1", ["assetId"] = "0", ["collateral"] = "1" });
        var row = RequestFold.Fold([Submitted(1), bad])!;
        Assert.Equal(RequestStatus.Open, row.Status);
        Assert.Null(row.Prover);
        Assert.True(RequestFold.Unprojectable > before);
    }
}
