using System.Numerics;
using ProverMarketChain.Economics;
using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Mechanisms;
using ProverMarketChain.Simulation.Metrics;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Engine;

/// <summary>The result of one scenario: the metrics and every outcome per mechanism.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Population">Its provers and requests.</param>
/// <param name="Metrics">One entry per mechanism, in the scenario's order.</param>
/// <param name="Outcomes">Every request's outcome per mechanism.</param>
public sealed record SimulationResult(Scenario Scenario, Population Population, IReadOnlyList<MechanismMetrics> Metrics,
    IReadOnlyDictionary<Mechanism, IReadOnlyList<Outcome>> Outcomes)
{
    /// <summary>The metrics of <paramref name="mechanism"/>.</summary>
    public MechanismMetrics Of(Mechanism mechanism) => Metrics.First(m => m.Mechanism == mechanism);
}

/// <summary>Runs a scenario's requests through each mechanism (independently, on the same population) and measures them.</summary>
public static class Simulator
{
    /// <summary>Runs <paramref name="scenario"/>.</summary>
    /// <exception cref="ArgumentException">The scenario is invalid (the message lists why).</exception>
    public static SimulationResult Run(Scenario scenario, GasTable gas, ProvingCalibration? calibration = null)
    {
        var problems = scenario.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException("invalid scenario: " + string.Join("; ", problems), nameof(scenario));
        return Run(scenario, gas, Population.Create(scenario, calibration ?? ProvingCalibration.PmcBench, gas), null);
    }

    /// <summary>
    /// The replay seam: runs <paramref name="scenario"/>'s mechanisms on a given <paramref name="population"/> (provers
    /// with chosen addresses, requests with chosen ids: see <see cref="Population.Of"/>) instead of one generated from
    /// the seed, recording every agent action in <paramref name="log"/> when one is given. The scenario still supplies
    /// the market's parameters and the random streams (transaction order, failures).
    /// </summary>
    /// <exception cref="ArgumentException">The scenario is invalid (the message lists why).</exception>
    public static SimulationResult Run(Scenario scenario, GasTable gas, Population population, ActionLog? log)
    {
        var problems = scenario.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException("invalid scenario: " + string.Join("; ", problems), nameof(scenario));
        var metrics = new List<MechanismMetrics>();
        var outcomes = new Dictionary<Mechanism, IReadOnlyList<Outcome>>();
        foreach (var mechanism in scenario.Mechanisms)
        {
            var ctx = new MarketContext(scenario, population, gas, mechanism, log);
            var allocation = IAllocation.For(mechanism);
            var list = new List<Outcome>(population.Requests.Count);
            foreach (var r in population.Requests) list.Add(allocation.Allocate(ctx, r));
            outcomes[mechanism] = list;
            metrics.Add(Measure(ctx));
        }
        return new SimulationResult(scenario, population, metrics, outcomes);
    }

    private static MechanismMetrics Measure(MarketContext ctx)
    {
        var l = ctx.Ledger;
        var provers = ctx.Provers;
        double horizon = Math.Max(l.Horizon, ctx.Population.Requests[^1].ArrivalSeconds);
        var cost = provers.Select(p => l.WorkCost[p.Index] - l.BusySeconds[p.Index] * p.CapitalWeiPerSecond // running part of the work
            + p.CapitalWeiPerSecond * p.Machines * horizon + l.Gas[p.Index] + l.BondLost[p.Index]).ToArray();
        var profit = provers.Select(p => l.Revenue[p.Index] - cost[p.Index]).ToArray();
        var efficient = provers.OrderBy(p => p.CostPerUnit).Take(Math.Max(1, provers.Count / 2)).Select(p => p.Index).ToList();
        double served = Math.Max(1, l.Served);
        var lat = l.Latencies.OrderBy(x => x).ToList();
        double Sum(Func<Prover, bool> f) => provers.Where(f).Sum(p => profit[p.Index]);
        return new MechanismMetrics(
            ctx.Mechanism, l.Served, l.Unserved,
            CostPerProof: (l.RequesterPaid + l.RequesterGas + Math.Max(0, l.ShillLoss) - l.RequesterRecovered) / served,
            ResourcesPerProof: l.Resources / served,
            WorkMultiple: l.WinnerProvingSeconds > 0 ? l.AllProvingSeconds / l.WinnerProvingSeconds : 0,
            ParticipantsPerRequest: (double)l.Participants / ctx.Population.Requests.Count,
            LatencyMean: lat.Count > 0 ? lat.Average() : double.NaN,
            LatencyP95: lat.Count > 0 ? lat[(int)Math.Min(lat.Count - 1, Math.Ceiling(0.95 * lat.Count) - 1)] : double.NaN,
            ProverRevenue: l.Revenue.Sum(), ProverCost: cost.Sum(), CostCoverage: l.Revenue.Sum() / Math.Max(1, cost.Sum()),
            EfficientCoverage: efficient.Sum(i => l.Revenue[i]) / Math.Max(1, efficient.Sum(i => cost[i])),
            EfficientProfitable: efficient.Count(i => profit[i] >= 0) / (double)efficient.Count,
            Wins: Concentration.Of(l.Wins.Select(x => new BigInteger(x))),
            Fees: Concentration.Of(l.Revenue.Select(x => new BigInteger(Math.Max(0, x)))),
            SequencerProfit: profit[0], Stolen: l.Stolen, FrontRunExposure: l.FrontRunExposure, ShillNetCost: l.ShillLoss,
            RingProfit: Sum(p => p.Strategy == Strategy.Colluding), ShadingProfit: Sum(p => p.Strategy == Strategy.Shading),
            TruthfulProfit: Sum(p => p.Strategy == Strategy.Truthful && p.Index != 0), Slashes: l.Slashes, HorizonSeconds: horizon,
            ProverProfits: profit);
    }
}
