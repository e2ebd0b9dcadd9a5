using System.Numerics;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Pricing;

namespace ProverMarketChain.Worker.Tests;

public sealed class PlannerTests
{
    private static readonly GasProfile Gas = new(SealedBidGas: 100_000, DutchGas: 50_000, OpenSubmitGas: 80_000, VerifyGas: 250_000);

    private static JobPlanner Planner(string perUnit = "1000", string fixedCost = "0", int marginBps = 1000, double unitsPerSecond = 10_000,
        ulong maxCallbackGas = 300_000) =>
        new(new CostModelOptions { CostPerUnitWei = perUnit, FixedCostWei = fixedCost, MarginBps = marginBps, TimeSafetyFactor = 2 },
            Gas, unitsPerSecond, submissionOverheadSeconds: 4, maxCallbackGas: maxCallbackGas);

    /// <summary>
    /// A hostile requester sets a large callback gas limit that the deliverer pays: the planner prices it in full (as
    /// if the callback burned all of it, plus the call's overhead) into the bid and the profit, so the worker bids more
    /// for it and skips it when the fee cannot cover it.
    /// </summary>
    [Fact]
    public void Plan_pricesTheRequestersCallbackGasInFull()
    {
        var plain = new JobTerms(AllocationMode.SealedBid, 20_000, MaxFee: 100_000_000, ReserveFee: 0, ProvingWindowSeconds: 60);
        var withCallback = plain with { CallbackGas = 250_000 };
        var a = Assert.IsType<JobDecision.Take>(Planner().Plan(plain, 1, 10));
        var b = Assert.IsType<JobDecision.Take>(Planner().Plan(withCallback, 1, 10));
        // Cost rises by (250000 + 10000 overhead) gas at 1 wei/gas; the bid by that plus the 10% margin.
        Assert.Equal(new BigInteger(260_000 * 11 / 10), b.Fee - a.Fee);
        Assert.Equal(a.ExpectedProfit + 26_000, b.ExpectedProfit);
        Assert.Equal(Gas.For(AllocationMode.Dutch) + 260_000, Gas.For(AllocationMode.Dutch, 250_000));
        Assert.Equal(Gas.For(AllocationMode.Dutch), Gas.For(AllocationMode.Dutch, 0));

        // A fee that covers the job without the callback does not cover it with one: skipped, and the reason says why.
        var tight = plain with { MaxFee = a.Fee + 100_000 };
        Assert.IsType<JobDecision.Take>(Planner().Plan(tight, 1, 10));
        var skip = Assert.IsType<JobDecision.Skip>(Planner().Plan(tight with { CallbackGas = 250_000 }, 1, 10));
        Assert.Contains("unprofitable", skip.Reason);
        Assert.Contains("callback of 250000", skip.Reason);

        // The standing-ask match: a fee that covered the ask does not cover a callback-heavy match.
        Assert.IsType<JobDecision.Take>(Planner().PlanMatch(20_000, 20_300_000, 8, 1, 10));
        Assert.Contains("callback", Assert.IsType<JobDecision.Skip>(Planner().PlanMatch(20_000, 20_300_000, 8, 1, 10, callbackGas: 100_000)).Reason);
    }

    [Fact]
    public void Plan_skipsACallbackAboveMaxCallbackGas_inEveryMode_withAClearReason()
    {
        foreach (var mode in Enum.GetValues<AllocationMode>())
        {
            var terms = new JobTerms(mode, 1_000, MaxFee: BigInteger.Pow(10, 18), ReserveFee: 0, ProvingWindowSeconds: 600, CallbackGas: 300_001);
            var skip = Assert.IsType<JobDecision.Skip>(Planner().Plan(terms, 1, 10));
            Assert.Equal("callback gas limit 300001 exceeds maxCallbackGas 300000 (the deliverer pays the requester's callback in full)", skip.Reason);
            Assert.IsType<JobDecision.Take>(Planner().Plan(terms with { CallbackGas = 300_000 }, 1, 10));
        }
        Assert.Contains("exceeds maxCallbackGas 0", Assert.IsType<JobDecision.Skip>(Planner(maxCallbackGas: 0).PlanMatch(1_000, BigInteger.Pow(10, 18), 600, 1, 10, callbackGas: 1)).Reason);
        Assert.IsType<JobDecision.Take>(Planner(maxCallbackGas: 0).PlanMatch(1_000, BigInteger.Pow(10, 18), 600, 1, 10));
    }

    [Fact]
    public void Plan_sealedBid_bidsCostPlusMarginTruthfully()
    {
        // cost = 1000 wei/unit * 20000 units + 1 wei/gas * 350000 gas = 20_350_000; margin 10% => 22_385_000.
        var d = Planner().Plan(new JobTerms(AllocationMode.SealedBid, 20_000, MaxFee: 100_000_000, ReserveFee: 0, ProvingWindowSeconds: 60), 1, 10);
        var take = Assert.IsType<JobDecision.Take>(d);
        Assert.Equal(new BigInteger(22_385_000), take.Fee);
        Assert.Equal(8u, take.PromisedLatencySeconds); // 20000/10000 * 2 + 4
        Assert.Equal(new BigInteger(22_385_000 - 20_350_000), take.ExpectedProfit);
    }

    [Fact]
    public void PlanMatch_takesAProfitableMatchAtAThinnerMarginThanTheAsk_andDeclinesALoss()
    {
        // StandingAsk gas = 250000 + 50000/2 = 275000; cost = 1000 * 20000 + 275000 = 20_275_000 at 1 wei/gas.
        var take = Assert.IsType<JobDecision.Take>(Planner().PlanMatch(20_000, 20_300_000, 8, 1, 10));
        Assert.Equal(new BigInteger(20_300_000), take.Fee);
        Assert.Equal(new BigInteger(25_000), take.ExpectedProfit);
        // Gas went up since the ask was posted: the same fee now loses money.
        Assert.Contains("unprofitable", Assert.IsType<JobDecision.Skip>(Planner().PlanMatch(20_000, 20_300_000, 8, 2, 10)).Reason);
        Assert.Contains("exceeds the cap", Assert.IsType<JobDecision.Skip>(Planner().PlanMatch(20_000, 20_300_000, 8, 11, 10)).Reason);
        // Estimated latency 8 s (20000/10000 * 2 + 4) does not fit a 7-second match.
        Assert.Contains("does not fit the matched latency", Assert.IsType<JobDecision.Skip>(Planner().PlanMatch(20_000, 20_300_000, 7, 1, 10)).Reason);
    }

    [Fact]
    public void Plan_bidsAtLeastTheReserve()
    {
        var d = Planner().Plan(new JobTerms(AllocationMode.SealedBid, 1_000, MaxFee: 100_000_000, ReserveFee: 50_000_000, ProvingWindowSeconds: 60), 1, 10);
        Assert.Equal(new BigInteger(50_000_000), Assert.IsType<JobDecision.Take>(d).Fee);
    }

    [Fact]
    public void Plan_skipsWhenTheWindowIsTooShort()
    {
        var d = Planner().Plan(new JobTerms(AllocationMode.Dutch, 1_000_000, MaxFee: BigInteger.Pow(10, 18), ReserveFee: 0, ProvingWindowSeconds: 60), 1, 10);
        Assert.Contains("does not fit the proving window", Assert.IsType<JobDecision.Skip>(d).Reason);
    }

    [Fact]
    public void Plan_skipsWhenTheFeeDoesNotCoverCost()
    {
        var d = Planner().Plan(new JobTerms(AllocationMode.SealedBid, 20_000, MaxFee: 1_000_000, ReserveFee: 0, ProvingWindowSeconds: 60), 1, 10);
        Assert.Contains("unprofitable", Assert.IsType<JobDecision.Skip>(d).Reason);
    }

    [Fact]
    public void Plan_skipsAboveTheGasPriceCap()
    {
        var d = Planner().Plan(new JobTerms(AllocationMode.SealedBid, 20_000, MaxFee: 100_000_000, ReserveFee: 0, ProvingWindowSeconds: 60), 11, 10);
        Assert.Contains("exceeds the cap", Assert.IsType<JobDecision.Skip>(d).Reason);
    }

    [Fact]
    public void Plan_gasSpikeTurnsAProfitableJobUnprofitable()
    {
        var terms = new JobTerms(AllocationMode.Dutch, 20_000, MaxFee: 30_000_000, ReserveFee: 0, ProvingWindowSeconds: 60);
        Assert.IsType<JobDecision.Take>(Planner().Plan(terms, 1, 1_000));
        Assert.IsType<JobDecision.Skip>(Planner().Plan(terms, 100, 1_000));
    }

    [Fact]
    public void Plan_secondaryJobCountsTheBountyAndTheDeadline()
    {
        var terms = new JobTerms(AllocationMode.SealedBid, 20_000, MaxFee: 10_000_000, ReserveFee: 0, ProvingWindowSeconds: 60, SecondsUntilDeadline: 30, Bounty: 50_000_000);
        Assert.IsType<JobDecision.Take>(Planner().Plan(terms, 1, 10));
        Assert.IsType<JobDecision.Skip>(Planner().Plan(terms with { SecondsUntilDeadline = 5 }, 1, 10));
    }

    [Fact]
    public void Plan_neverBidsAboveTheMaximumFee()
    {
        var rng = new Random(7);
        for (int i = 0; i < 2_000; i++)
        {
            var terms = new JobTerms((AllocationMode)rng.Next(4), (ulong)rng.Next(1, 200_000), rng.NextInt64(1, 1L << 40), rng.NextInt64(0, 1L << 36), (uint)rng.Next(1, 600));
            if (Planner().Plan(terms, rng.Next(1, 50), 40) is JobDecision.Take t)
            {
                Assert.True(t.Fee <= terms.MaxFee);
                Assert.True(t.Fee >= terms.ReserveFee);
                Assert.True(t.ExpectedProfit > 0);
                Assert.True(t.PromisedLatencySeconds <= terms.ProvingWindowSeconds);
            }
        }
    }

    [Fact]
    public void EstimateLatency_refusesAnUncalibratedSpeed()
    {
        Assert.Throws<InvalidOperationException>(() => Planner(unitsPerSecond: 0).EstimateLatencySeconds(10));
    }
}
