using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Tests.Engine;

/// <summary>The replay seam: a given population runs like a generated one, the action log changes no outcome, and each
/// paid outcome has the actions that the chain needs to reproduce it.</summary>
public sealed class ReplaySeamTests
{
    private static readonly Scenario Small = new() { Requests = 200, Provers = 6, Seed = 9 };

    [Fact]
    public void GivenPopulation_WithALog_GivesTheSameOutcomesAsTheGeneratedRun()
    {
        var generated = Simulator.Run(Small, TestGas.Table);
        var p = Population.Create(Small, ProvingCalibration.PmcBench, TestGas.Table);
        var log = new ActionLog();
        var given = Simulator.Run(Small, TestGas.Table, Population.Of(p.Provers, p.Requests, p.CircuitUnits), log);

        foreach (var m in Small.Mechanisms) Assert.Equal(generated.Outcomes[m], given.Outcomes[m]);
        Assert.NotEmpty(log.Actions);
    }

    [Fact]
    public void EveryPaidAssignedOutcome_HasADeliveryByItsWinner_AndEveryRaceWin_ARevealByIt()
    {
        var log = new ActionLog();
        var p = Population.Create(Small, ProvingCalibration.PmcBench, TestGas.Table);
        var r = Simulator.Run(Small, TestGas.Table, Population.Of(p.Provers, p.Requests, p.CircuitUnits), log);

        foreach (var o in r.Outcomes[Mechanism.Dutch].Where(o => o.Winner >= 0 && o.Slashed == -1))
        {
            Assert.Contains(log.Actions, a => a.Mechanism == Mechanism.Dutch && a.Request == o.Request && a.Kind == AgentActionKind.Lock && a.Prover == o.Winner);
            Assert.Contains(log.Actions, a => a.Mechanism == Mechanism.Dutch && a.Request == o.Request && a.Kind == AgentActionKind.Deliver && a.Prover == o.Winner && a.At == o.DeliveredAt);
        }
        foreach (var o in r.Outcomes[Mechanism.OpenRace].Where(o => o.Winner >= 0))
            Assert.Contains(log.Actions, a => a.Mechanism == Mechanism.OpenRace && a.Request == o.Request && a.Kind == AgentActionKind.RevealProof && a.Prover == o.Winner && a.At == o.DeliveredAt);
        var paidSealed = r.Outcomes[Mechanism.SealedBid].Where(o => o.Winner >= 0 && o.Slashed == -1).ToList();
        Assert.NotEmpty(paidSealed);
        foreach (var o in paidSealed)
            Assert.Contains(log.Actions, a => a.Mechanism == Mechanism.SealedBid && a.Request == o.Request && a.Kind == AgentActionKind.Bid && a.Prover == o.Winner && a.Fee <= o.Payment);
        // Every prover posts one ask per circuit that standing-ask requests reached.
        int asks = log.Actions.Count(a => a.Kind == AgentActionKind.PostAsk);
        Assert.True(asks > 0 && asks % Small.Provers == 0, $"{asks} asks for {Small.Provers} provers");
    }

    [Fact]
    public void PopulationOf_RefusesMismatchedProversOrRequests_NamingWhich()
    {
        var p = Population.Create(Small, ProvingCalibration.PmcBench, TestGas.Table);
        var e = Assert.Throws<ArgumentException>(() => Population.Of(p.Provers.Skip(1).ToList(), p.Requests, p.CircuitUnits));
        Assert.Contains("prover 0 has index 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => Population.Of(p.Provers, [p.Requests[0] with { Id = new byte[5] }], p.CircuitUnits));
        Assert.Contains("request 0's id is not 32 bytes", e.Message);
        e = Assert.Throws<ArgumentException>(() => Population.Of(p.Provers, [p.Requests[0] with { Units = p.Requests[0].Units + 1 }], p.CircuitUnits));
        Assert.Contains("is not among the circuits", e.Message);
    }
}
