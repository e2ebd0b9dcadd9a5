using ProverMarketChain.Simulation.Rules;

namespace ProverMarketChain.Simulation.Tests.Rules;

public sealed class AuctionRulesTests
{
    private static readonly byte[] Id = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private static RevealedBid Bid(byte who, ulong fee, uint latency) => new(Enumerable.Repeat(who, 20).ToArray(), fee, latency);

    [Fact]
    public void Settle_PaysTheWinnerTheSecondScore_LessItsLatencyTerm()
    {
        // weight 10: scores 1000+10*5=1050, 900+10*20=1100, 2000+10*1=2010: the first wins, paid 1100 - 50 = 1050.
        var bids = new[] { Bid(1, 1000, 5), Bid(2, 900, 20), Bid(3, 2000, 1) };
        var (w, pay, second) = AuctionRules.Settle(Id, bids, 10, 5000);
        Assert.Equal(0, w);
        Assert.Equal(1, second);
        Assert.Equal(1050UL, pay);
    }

    [Fact]
    public void Settle_CapsThePaymentAtMaxFee_AndPaysAnOnlyBidderItsOwnFee()
    {
        var (_, capped, _) = AuctionRules.Settle(Id, [Bid(1, 100, 1), Bid(2, 10_000, 1)], 0, 500);
        Assert.Equal(500UL, capped);
        var (_, alone, second) = AuctionRules.Settle(Id, [Bid(1, 321, 7)], 3, 1000);
        Assert.Equal(321UL, alone);
        Assert.Equal(-1, second);
    }

    [Fact]
    public void Settle_DoesNotDependOnRevealOrder()
    {
        var rng = new Random(3);
        for (int round = 0; round < 50; round++)
        {
            var bids = Enumerable.Range(0, 6).Select(i => Bid((byte)(i + 1), (ulong)rng.Next(100, 110), (uint)rng.Next(1, 3))).ToList();
            var (w, pay, _) = AuctionRules.Settle(Id, bids, 5, 1000);
            var shuffled = bids.OrderBy(_ => rng.Next()).ToList();
            var (w2, pay2, _) = AuctionRules.Settle(Id, shuffled, 5, 1000);
            Assert.Equal(bids[w], shuffled[w2]);
            Assert.Equal(pay, pay2);
            Assert.True(pay >= bids[w].Fee);
        }
    }

    [Fact]
    public void ReserveStep_MovesAtMostOneEighth_AndGrowsATinyReserveByOneWei()
    {
        Assert.Equal(1000UL + 125, ReserveRules.Step(1000, 300, 100));
        Assert.Equal(1000UL - 125, ReserveRules.Step(1000, 0, 100));
        Assert.Equal(2UL, ReserveRules.Step(1, 101, 100));
        Assert.Equal(7UL, ReserveRules.Roll(1000, 0, 100, 64, 7, 10_000));
    }

    [Fact]
    public void ReserveState_RollsOnlyWhenAPeriodEnds_AndCountsOnlyBookedUnits()
    {
        var s = new ReserveState(new ReserveParams(PeriodSeconds: 60, MinPerUnit: 1000, MaxPerUnit: 1_000_000, TargetUnits: 100), 50);
        Assert.Equal(1000UL * 50, s.Fee(0));
        s.Book(10, 4); // 200 units: twice the target
        Assert.Equal(1000UL, s.PerUnit(59));
        Assert.Equal(1125UL, s.PerUnit(60));
        // Two idle periods and the empty one: three steps down of 1/8, clamped at the floor.
        Assert.Equal(1000UL, s.PerUnit(60 + 180));
    }
}
