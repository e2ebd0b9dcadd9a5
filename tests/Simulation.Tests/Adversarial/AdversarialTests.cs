using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Tests.Adversarial;

/// <summary>Who gains from each adversarial behaviour, and at whose cost.</summary>
public sealed class AdversarialTests
{
    private static readonly Scenario Base = new() { Requests = 600, Provers = 12, Seed = 9 };

    [Fact]
    public void OneStepRace_LetsTheSequencerProverStealProofs_TwoStepDoesNot()
    {
        var race = Base with { Mechanisms = [Mechanism.OpenRace], Load = 0.2 };
        var oneStep = Simulator.Run(race with { TwoStepRace = false, Sequencer = SequencerPower.Ordering }, TestGas.Table).Of(Mechanism.OpenRace);
        var oneStepHonest = Simulator.Run(race with { TwoStepRace = false }, TestGas.Table).Of(Mechanism.OpenRace);
        var twoStep = Simulator.Run(race with { Sequencer = SequencerPower.Ordering }, TestGas.Table).Of(Mechanism.OpenRace);
        Assert.True(oneStep.Stolen > 0);
        Assert.True(oneStep.SequencerProfit > oneStepHonest.SequencerProfit + oneStep.Stolen / 2);
        Assert.True(oneStepHonest.FrontRunExposure > 0, "a one-step race exposes every proof to any front-runner");
        Assert.Equal(0, twoStep.Stolen);
        Assert.Equal(0, twoStep.FrontRunExposure);
    }

    [Fact]
    public void SealedBid_GivesTheOrderingSequencerNothing_ButCensoringTheWholeRevealPhaseDoes()
    {
        var s = Base with { Mechanisms = [Mechanism.SealedBid] };
        var honest = Simulator.Run(s, TestGas.Table);
        var ordering = Simulator.Run(s with { Sequencer = SequencerPower.Ordering }, TestGas.Table);
        Assert.Equal(honest.Outcomes[Mechanism.SealedBid], ordering.Outcomes[Mechanism.SealedBid]);
        Assert.Equal(honest.Of(Mechanism.SealedBid).SequencerProfit, ordering.Of(Mechanism.SealedBid).SequencerProfit);

        // 5 blocks < the 6-block reveal phase: the auctions go as without censorship (only secondary deliveries after a
        // slash, which are open races, can change).
        var short5 = Simulator.Run(s with { Sequencer = SequencerPower.Censoring, CensorBlocks = 5 }, TestGas.Table);
        Assert.Equal(0, short5.Of(Mechanism.SealedBid).Stolen);
        var firstSlash = honest.Outcomes[Mechanism.SealedBid].FirstOrDefault(o => o.Slashed != -1).Request;
        Assert.Equal(honest.Outcomes[Mechanism.SealedBid].TakeWhile(o => o.Request < firstSlash),
            short5.Outcomes[Mechanism.SealedBid].TakeWhile(o => o.Request < firstSlash));
        var whole = Simulator.Run(s with { Sequencer = SequencerPower.Censoring, CensorBlocks = 6 }, TestGas.Table).Of(Mechanism.SealedBid);
        Assert.True(whole.SequencerProfit > honest.Of(Mechanism.SealedBid).SequencerProfit);
        Assert.True(whole.TruthfulProfit < honest.Of(Mechanism.SealedBid).TruthfulProfit, "censored bidders lose their bonds");
    }

    [Fact]
    public void Collusion_RaisesTheRingsProfit_AtTheRequestersCost()
    {
        var s = Base with { Mechanisms = [Mechanism.SealedBid] };
        var honest = Simulator.Run(s, TestGas.Table);
        var ring = Simulator.Run(s with { RingSize = 3 }, TestGas.Table);
        var members = ring.Population.Provers.Where(p => p.Strategy == Strategy.Colluding).Select(p => p.Index).ToList();
        Assert.Equal(3, members.Count);
        double before = members.Sum(i => honest.Of(Mechanism.SealedBid).ProverProfits[i]);
        Assert.True(ring.Of(Mechanism.SealedBid).RingProfit > before);
        Assert.True(ring.Of(Mechanism.SealedBid).CostPerProof > honest.Of(Mechanism.SealedBid).CostPerProof);
    }

    [Fact]
    public void Shading_WinsLessThanTruthfulBidding_InTheSecondScoreAuction()
    {
        var s = Base with { Mechanisms = [Mechanism.SealedBid], ShadingShare = 0.4 };
        var r = Simulator.Run(s, TestGas.Table);
        var shaders = r.Population.Provers.Where(p => p.Strategy == Strategy.Shading).Select(p => p.Index).ToHashSet();
        Assert.NotEmpty(shaders);
        var honest = Simulator.Run(s with { ShadingShare = 0 }, TestGas.Table);
        long winsShading = r.Outcomes[Mechanism.SealedBid].Count(o => shaders.Contains(o.Winner));
        long winsTruthful = honest.Outcomes[Mechanism.SealedBid].Count(o => shaders.Contains(o.Winner));
        Assert.True(winsShading < winsTruthful, $"shaders won {winsShading} jobs shading, {winsTruthful} bidding truthfully");
    }

    [Fact]
    public void ShillBids_CostTheShillingRequestersBurntBonds_WhenTheShillWins()
    {
        var s = Base with { Mechanisms = [Mechanism.SealedBid], ShillShare = 0.5 };
        var r = Simulator.Run(s, TestGas.Table);
        var outcomes = r.Outcomes[Mechanism.SealedBid];
        var m = r.Of(Mechanism.SealedBid);
        int shillWins = outcomes.Count(o => o.Slashed == -2);
        Assert.True(r.Population.Requests.Count(q => q.Shill) > 100);
        Assert.All(outcomes.Where(o => o.Slashed == -2), o => Assert.True(r.Population.Requests[o.Request].Shill));
        // A winning shill forfeits three quarters of a bond worth maxFee (half burnt, a quarter as bounty).
        var forfeited = outcomes.Where(o => o.Slashed == -2).Sum(o => 0.75 * r.Population.Requests[o.Request].MaxFee);
        // Net cost = forfeits less savings, each saving between 0 and the request's maxFee.
        Assert.True(m.ShillNetCost <= forfeited + 1, $"net cost {m.ShillNetCost} above the forfeits {forfeited}");
        Assert.True(m.ShillNetCost >= forfeited - r.Population.Requests.Where(q => q.Shill).Sum(q => (double)q.MaxFee));
        if (shillWins > 0) Assert.True(m.Slashes >= shillWins);
        Assert.Equal(0, Simulator.Run(s with { ShillShare = 0 }, TestGas.Table).Of(Mechanism.SealedBid).ShillNetCost);
    }
}
