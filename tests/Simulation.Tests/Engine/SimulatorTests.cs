using System.Numerics;
using ProverMarketChain.Economics;
using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Simulation.Rules;

namespace ProverMarketChain.Simulation.Tests.Engine;

public sealed class SimulatorTests
{
    private static readonly Scenario Small = new() { Requests = 300, Provers = 8, Seed = 5 };

    [Fact]
    public void SameSeed_GivesTheSameOutcomesAndMetrics_AnotherSeedDoesNot()
    {
        var a = Simulator.Run(Small, TestGas.Table);
        var b = Simulator.Run(Small, TestGas.Table);
        var c = Simulator.Run(Small with { Seed = 6 }, TestGas.Table);
        foreach (var m in Small.Mechanisms)
        {
            Assert.Equal(a.Outcomes[m], b.Outcomes[m]);
            Assert.Equal(a.Of(m).CostPerProof, b.Of(m).CostPerProof);
            Assert.Equal(a.Of(m).ProverProfits, b.Of(m).ProverProfits);
        }
        Assert.NotEqual(a.Outcomes[Mechanism.SealedBid], c.Outcomes[Mechanism.SealedBid]);
    }

    [Fact]
    public void InvalidScenario_IsRefusedNamingTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => Simulator.Run(Small with { RingSize = 8 }, TestGas.Table));
        Assert.Contains("ring size", e.Message);
        e = Assert.Throws<ArgumentException>(() => Simulator.Run(Small with { RevealSeconds = 5 }, TestGas.Table));
        Assert.Contains("MIN_REVEAL_WINDOW", e.Message);
    }

    [Fact]
    public void OpenRace_PaysTheWholeMaxFee_AndSpendsRedundantWork()
    {
        var r = Simulator.Run(Small with { Mechanisms = [Mechanism.OpenRace], Load = 0.1 }, TestGas.Table);
        var requests = r.Population.Requests;
        foreach (var o in r.Outcomes[Mechanism.OpenRace].Where(o => o.Winner >= 0 && o.Slashed == -1))
            Assert.Equal(requests[o.Request].MaxFee, o.Payment);
        var m = r.Of(Mechanism.OpenRace);
        Assert.True(m.WorkMultiple > 2, $"work multiple {m.WorkMultiple}: every idle prover races");
        Assert.True(m.ParticipantsPerRequest > 2);
    }

    [Fact]
    public void SealedBid_PaysBetweenTheWinnersOwnFeeAndMaxFee_AndRecomputedBidsGiveTheSameWinner()
    {
        var r = Simulator.Run(Small with { Mechanisms = [Mechanism.SealedBid] }, TestGas.Table);
        var requests = r.Population.Requests;
        int checkedCount = 0;
        foreach (var o in r.Outcomes[Mechanism.SealedBid].Where(o => o.Winner >= 0 && o.Slashed == -1))
        {
            var req = requests[o.Request];
            Assert.InRange(o.Payment, 1UL, req.MaxFee);
            checkedCount++;
        }
        Assert.True(checkedCount > 250);
        // Fewer bidders than provers once the circuit has a clearing history (the entry rule), and never more.
        Assert.InRange(r.Of(Mechanism.SealedBid).ParticipantsPerRequest, 1, Small.Provers);
    }

    [Fact]
    public void Concentration_IsComputedFromTheWinsOfTheOutcomes()
    {
        var r = Simulator.Run(Small, TestGas.Table);
        foreach (var m in Small.Mechanisms)
        {
            var wins = new long[Small.Provers];
            foreach (var o in r.Outcomes[m]) if (o.Winner >= 0) wins[o.Winner]++;
            var expected = Concentration.Of(wins.Select(x => new BigInteger(x)));
            Assert.Equal(expected, r.Of(m).Wins);
            Assert.Equal(r.Outcomes[m].Count(o => o.Winner >= 0), r.Of(m).Served);
            Assert.Equal(10_000 / expected.Hhi, r.Of(m).EffectiveWinners, 9);
        }
    }

    [Fact]
    public void CostCoverage_IsRevenueOverCost_AndProfitsSumToTheirDifference()
    {
        var r = Simulator.Run(Small, TestGas.Table);
        foreach (var m in r.Metrics)
        {
            Assert.Equal(m.ProverRevenue / m.ProverCost, m.CostCoverage, 9);
            Assert.Equal(m.ProverRevenue - m.ProverCost, m.ProverProfits.Sum(), 1e-6 * Math.Abs(m.ProverCost));
        }
    }

    [Fact]
    public void DutchLockTime_IsTheFirstBlockWhoseRampPriceCoversTheThreshold()
    {
        const ulong start = 1000, end = 5000, from = 100, until = 130;
        foreach (var threshold in new double[] { 500, 1000, 1001, 2345, 4999, 5000 })
        {
            double t = Mechanisms.DutchAllocation.LockTime(threshold, start, end, from, until, 100, 2);
            Assert.True(ReserveRules.Ramp(start, end, from, until, (ulong)t) >= threshold);
            if (t > 100) Assert.True(ReserveRules.Ramp(start, end, from, until, (ulong)(t - 2)) < threshold);
        }
    }
}
