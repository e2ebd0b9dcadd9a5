using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Metrics;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Reporting;

/// <summary>One claim of the mission, its seed figure, what was measured in the base scenario, whether it holds there,
/// the rule that decides it, and in how many sweep points it holds.</summary>
/// <param name="Claim">The claim as the mission states it.</param>
/// <param name="SeedFigure">The figure the mission gives.</param>
/// <param name="Measured">The figure measured in the base scenario.</param>
/// <param name="Holds">Whether it holds in the base scenario.</param>
/// <param name="Metric">How <paramref name="Measured"/> is computed.</param>
/// <param name="HoldsWhen">The rule that decides <paramref name="Holds"/>.</param>
/// <param name="Conditions">The base scenario's conditions.</param>
/// <param name="SweepHolds">Sweep points where it holds, of <paramref name="SweepPoints"/>.</param>
/// <param name="SweepPoints">Sweep points.</param>
/// <param name="WhereItFails">The sweep points (and variants) where it fails.</param>
public sealed record ClaimResult(string Claim, string SeedFigure, string Measured, bool Holds, string Metric, string HoldsWhen, string Conditions,
    int SweepHolds, int SweepPoints, IReadOnlyList<string> WhereItFails);

/// <summary>The claim figures of one scenario point (a sweep point or the base case).</summary>
/// <param name="Dimension">The swept dimension (base: none).</param>
/// <param name="Value">Its value.</param>
/// <param name="RaceOverAllocation">Open race resources per proof over the sealed-bid auction's.</param>
/// <param name="RaceCostOverAllocation">Open race cost per proof to the requester over the sealed-bid auction's.</param>
/// <param name="MevCut">1 - sealed-bid MEV / one-step open race MEV of the sequencer-prover (ordering power).</param>
/// <param name="MevCutTwoStep">1 - sealed-bid MEV / two-step open race MEV (ordering power).</param>
/// <param name="MevCutCensoring">The cut when the sequencer also censors a whole reveal phase (6 blocks).</param>
/// <param name="DecentralizationGain">Effective number of winners, sealed bid over open race, minus one.</param>
/// <param name="EfficientCoverage">Sealed bid: revenue over hardware, capital and gas cost of the efficient half.</param>
/// <param name="Mechanisms">The four mechanisms' metrics (sequencer honest).</param>
public sealed record PointResult(string Dimension, double Value, double RaceOverAllocation, double RaceCostOverAllocation, double MevCut,
    double MevCutTwoStep, double MevCutCensoring, double DecentralizationGain, double EfficientCoverage, IReadOnlyList<MechanismMetrics> Mechanisms);

/// <summary>An adversarial study: the same scenario with and without the behaviour, and who gains at whose cost.</summary>
/// <param name="Name">The behaviour.</param>
/// <param name="Mechanism">The mechanism it was run in.</param>
/// <param name="Finding">What happened, in words with the figures.</param>
/// <param name="Figures">The figures (name, value).</param>
public sealed record AdversarialResult(string Name, Mechanism Mechanism, string Finding, IReadOnlyDictionary<string, double> Figures);

/// <summary>The whole report: calibration, base case, claims, sweeps and adversarial studies.</summary>
public sealed record EconomicsReportData(
    int Seed, Scenario BaseScenario, string GasSource, GasTable Gas, ProvingCalibration Proving, IReadOnlyList<ClaimResult> Claims, PointResult Base,
    IReadOnlyList<PointResult> Sweeps, IReadOnlyList<AdversarialResult> Adversarial, string Window);

/// <summary>Builds the economics report: the base scenario, sweeps over provers, heterogeneity and load, the MEV variants
/// and the adversarial studies, and decides each claim.</summary>
public static class EconomicsReport
{
    /// <summary>Swept numbers of provers.</summary>
    public static readonly int[] ProverCounts = [5, 10, 20, 50, 100];

    /// <summary>Swept heterogeneity.</summary>
    public static readonly double[] Heterogeneities = [0, 0.25, 0.5, 1.0, 1.5];

    /// <summary>Swept loads.</summary>
    public static readonly double[] Loads = [0.1, 0.3, 0.5, 0.7, 0.9];

    /// <summary>Swept gas prices, gwei.</summary>
    public static readonly double[] GasPricesGwei = [0.001, 0.01, 0.1, 1];

    /// <summary>Builds the report for <paramref name="baseScenario"/> (its seed is the report's).</summary>
    public static EconomicsReportData Build(Scenario baseScenario, GasSnapshot snapshot, ProvingCalibration proving)
    {
        var gas = snapshot.ToTable();
        var basePoint = Point(baseScenario, gas, proving, "base", 0);
        var sweeps = new List<PointResult>();
        foreach (var n in ProverCounts) sweeps.Add(Point(baseScenario with { Provers = n }, gas, proving, "provers", n));
        foreach (var h in Heterogeneities) sweeps.Add(Point(baseScenario with { Heterogeneity = h }, gas, proving, "heterogeneity", h));
        foreach (var l in Loads) sweeps.Add(Point(baseScenario with { Load = l }, gas, proving, "load", l));
        foreach (var g in GasPricesGwei) sweeps.Add(Point(baseScenario with { GasPriceWei = g * 1e9 }, gas, proving, "gasGwei", g));
        var adversarial = Adversarial(baseScenario, gas, proving);
        var claims = Claims(baseScenario, basePoint, sweeps);
        return new EconomicsReportData(baseScenario.Seed, baseScenario, GasSnapshot.RelativePath, gas, proving, claims, basePoint, sweeps, adversarial,
            "every request of the run: from the first submission to the last delivery (HorizonSeconds of each mechanism)");
    }

    /// <summary>The claim figures of one scenario.</summary>
    public static PointResult Point(Scenario s, GasTable gas, ProvingCalibration proving, string dimension, double value)
    {
        var honest = Simulator.Run(s, gas, proving);
        var sealedBid = honest.Of(Mechanism.SealedBid);
        var race = honest.Of(Mechanism.OpenRace);
        var racing = new[] { Mechanism.OpenRace };
        double Mev(SequencerPower power, bool twoStep, Mechanism m)
        {
            var h = twoStep ? honest.Of(m) : Simulator.Run(s with { TwoStepRace = false, Mechanisms = [m] }, gas, proving).Of(m);
            var a = Simulator.Run(s with { Sequencer = power, TwoStepRace = twoStep, Mechanisms = [m], CensorBlocks = power == SequencerPower.Censoring ? 6 : s.CensorBlocks }, gas, proving).Of(m);
            return Math.Max(0, a.SequencerProfit - h.SequencerProfit);
        }
        double raceOneStep = Mev(SequencerPower.Ordering, false, Mechanism.OpenRace);
        double raceTwoStep = Mev(SequencerPower.Ordering, true, Mechanism.OpenRace);
        double sealedOrdering = Mev(SequencerPower.Ordering, true, Mechanism.SealedBid);
        double sealedCensoring = Mev(SequencerPower.Censoring, true, Mechanism.SealedBid);
        double raceCensoring = Math.Max(raceOneStep, Mev(SequencerPower.Censoring, true, Mechanism.OpenRace));
        static double Cut(double mev, double baseline) => baseline > 0 ? 1 - mev / baseline : double.NaN;
        return new PointResult(dimension, value,
            RaceOverAllocation: race.ResourcesPerProof / sealedBid.ResourcesPerProof,
            RaceCostOverAllocation: race.CostPerProof / sealedBid.CostPerProof,
            MevCut: Cut(sealedOrdering, raceOneStep),
            MevCutTwoStep: Cut(sealedOrdering, raceTwoStep),
            MevCutCensoring: Cut(sealedCensoring, raceCensoring),
            DecentralizationGain: race.EffectiveWinners > 0 ? sealedBid.EffectiveWinners / race.EffectiveWinners - 1 : double.NaN,
            EfficientCoverage: sealedBid.EfficientCoverage,
            Mechanisms: honest.Metrics);
    }

    private static List<ClaimResult> Claims(Scenario s, PointResult b, List<PointResult> sweeps)
    {
        string cond = $"base scenario: seed {s.Seed}, {s.Requests:N0} requests, {s.Provers} provers, heterogeneity {s.Heterogeneity}, load {s.Load}, " +
            $"gas {s.GasPriceWei / 1e9} gwei, circuits 2^{s.MinLog2Units}..2^{s.MaxLog2Units} constraints, {s.UrgentShare:P0} urgent, margin {s.Margin:P0}";
        ClaimResult Make(string claim, string seed, Func<PointResult, double> f, Func<double, bool> holds, string fmtName, Func<double, string> fmt, string metric, string rule)
        {
            var fails = sweeps.Where(p => !holds(f(p))).Select(p => $"{p.Dimension}={p.Value}: {fmt(f(p))}").ToList();
            return new ClaimResult(claim, seed, fmt(f(b)), holds(f(b)), metric, rule, cond, sweeps.Count - fails.Count, sweeps.Count, fails);
        }
        static string X(double v) => double.IsNaN(v) ? "n/a" : $"{v:0.0}x";
        static string P(double v) => double.IsNaN(v) ? "n/a" : $"{v * 100:0.0}%";
        static string Pp(double v) => double.IsNaN(v) ? "n/a" : $"{(v >= 0 ? "+" : "")}{v * 100:0}%";
        var claims = new List<ClaimResult>
        {
            Make("Allocating proof jobs by mechanism (sealed-bid auction) is an order of magnitude cheaper than proof racing, because racing pays for redundant work",
                "~10x", p => p.RaceOverAllocation, v => v >= 5, "x", X,
                "resources per delivered proof (machine time of every prover that worked on it, capital included, plus all gas), open race over sealed bid; the requester's own cost ratio at equal maxFee is reported beside it",
                "measured >= 5x (the same order of magnitude as ~10x)"),
            Make("A sealed-bid auction cuts the MEV a sequencer-prover can extract by about 95%",
                "~95%", p => p.MevCut, v => !double.IsNaN(v) && v >= 0.90, "%", P,
                "1 - (sequencer-prover's extra profit from ordering power under sealed bids) / (the same under an open race with one-step submission)",
                "measured cut >= 90%"),
            Make("A sealed-bid auction raises a decentralization index by about 40%",
                "+~40%", p => p.DecentralizationGain, v => !double.IsNaN(v) && v >= 0.20, "%", Pp,
                "effective number of winning provers (10,000 / HHI of delivered jobs over the run), sealed bid over open race, minus one",
                "measured gain >= +20% (at least half the seed figure)"),
            Make("The fee mechanism covers provers' hardware costs, capital included",
                "covers (>= 1x)", p => p.EfficientCoverage, v => v >= 1, "x", v => $"{v:0.00}x",
                "sealed bid: revenue of the more efficient half of the provers over their running cost, gas, lost collateral and the capital of all their machines over the whole run (owned whether busy or not)",
                "measured >= 1.00x"),
        };
        return claims;
    }

    private static List<AdversarialResult> Adversarial(Scenario s, GasTable gas, ProvingCalibration proving)
    {
        var list = new List<AdversarialResult>();
        var sealedOnly = s with { Mechanisms = [Mechanism.SealedBid, Mechanism.Dutch, Mechanism.StandingAsk] };
        var honest = Simulator.Run(sealedOnly, gas, proving);

        // Shading: 30% of provers bid with a 50% margin instead of 10%.
        var shading = Simulator.Run(sealedOnly with { ShadingShare = 0.3 }, gas, proving);
        foreach (var m in sealedOnly.Mechanisms)
        {
            var h = honest.Of(m);
            var a = shading.Of(m);
            int shaders = shading.Population.Provers.Count(p => p.Strategy == Strategy.Shading);
            var shaderIdx = shading.Population.Provers.Where(p => p.Strategy == Strategy.Shading).Select(p => p.Index).ToList();
            double shadersBefore = shaderIdx.Sum(i => h.ProverProfits[i]);
            double shadersAfter = shaderIdx.Sum(i => a.ProverProfits[i]);
            list.Add(new AdversarialResult("shading (30% of provers add a 50% margin instead of 10%)", m,
                $"{shaders} shaders' profit {Eth(shadersBefore)} -> {Eth(shadersAfter)} ETH; requester cost per proof {Eth(h.CostPerProof)} -> {Eth(a.CostPerProof)} ETH ({Pct(a.CostPerProof / h.CostPerProof - 1)})",
                new Dictionary<string, double>
                {
                    ["shadersProfitHonest"] = shadersBefore, ["shadersProfitShading"] = shadersAfter,
                    ["costPerProofHonest"] = h.CostPerProof, ["costPerProofShading"] = a.CostPerProof,
                    ["truthfulProfitShading"] = a.TruthfulProfit,
                }));
        }

        // Collusion: a ring of the 3 cheapest provers (sealed bid: only the ring's best bids).
        var ring = Simulator.Run(s with { RingSize = 3, Mechanisms = [Mechanism.SealedBid] }, gas, proving);
        {
            var h = honest.Of(Mechanism.SealedBid);
            var a = ring.Of(Mechanism.SealedBid);
            var members = ring.Population.Provers.Where(p => p.Strategy == Strategy.Colluding).Select(p => p.Index).ToList();
            double before = members.Sum(i => h.ProverProfits[i]);
            list.Add(new AdversarialResult("collusion (a ring of the 3 cheapest provers; only its best member bids)", Mechanism.SealedBid,
                $"ring profit {Eth(before)} -> {Eth(a.RingProfit)} ETH; requester cost per proof {Eth(h.CostPerProof)} -> {Eth(a.CostPerProof)} ETH ({Pct(a.CostPerProof / h.CostPerProof - 1)})",
                new Dictionary<string, double>
                {
                    ["ringProfitHonest"] = before, ["ringProfitColluding"] = a.RingProfit,
                    ["costPerProofHonest"] = h.CostPerProof, ["costPerProofColluding"] = a.CostPerProof,
                }));
        }

        // Shill bidding: 30% of requesters bid through a second address at the last clearing fee and latency.
        var shill = Simulator.Run(s with { ShillShare = 0.3, Mechanisms = [Mechanism.SealedBid] }, gas, proving);
        {
            var h = honest.Of(Mechanism.SealedBid);
            var a = shill.Of(Mechanism.SealedBid);
            list.Add(new AdversarialResult("shill bidding (30% of requesters add a bid at the last clearing fee; its bond = maxFee)", Mechanism.SealedBid,
                $"shilling requesters' net cost of shilling {Eth(a.ShillNetCost)} ETH (negative: it paid); provers' revenue {Eth(h.ProverRevenue)} -> {Eth(a.ProverRevenue)} ETH; slashes {h.Slashes} -> {a.Slashes}",
                new Dictionary<string, double>
                {
                    ["shillNetCost"] = a.ShillNetCost, ["proverRevenueHonest"] = h.ProverRevenue, ["proverRevenueShill"] = a.ProverRevenue,
                    ["slashesHonest"] = h.Slashes, ["slashesShill"] = a.Slashes, ["costPerProofHonest"] = h.CostPerProof, ["costPerProofShill"] = a.CostPerProof,
                }));
        }

        // The sequencer-prover per mechanism: ordering and censoring, and the front-running exposure of one-step racing.
        foreach (var m in s.Mechanisms)
        {
            var h = Simulator.Run(s with { Mechanisms = [m] }, gas, proving).Of(m);
            var o = Simulator.Run(s with { Mechanisms = [m], Sequencer = SequencerPower.Ordering }, gas, proving).Of(m);
            var c = Simulator.Run(s with { Mechanisms = [m], Sequencer = SequencerPower.Censoring, CensorBlocks = 6 }, gas, proving).Of(m);
            var figures = new Dictionary<string, double>
            {
                ["sequencerProfitHonest"] = h.SequencerProfit, ["mevOrdering"] = o.SequencerProfit - h.SequencerProfit,
                ["mevCensoring6Blocks"] = c.SequencerProfit - h.SequencerProfit, ["stolenOrdering"] = o.Stolen, ["stolenCensoring"] = c.Stolen,
            };
            string extra = "";
            if (m == Mechanism.OpenRace)
            {
                var one = Simulator.Run(s with { Mechanisms = [m], TwoStepRace = false }, gas, proving).Of(m);
                var oneSeq = Simulator.Run(s with { Mechanisms = [m], TwoStepRace = false, Sequencer = SequencerPower.Ordering }, gas, proving).Of(m);
                figures["mevOrderingOneStep"] = oneSeq.SequencerProfit - one.SequencerProfit;
                figures["frontRunExposureOneStep"] = one.FrontRunExposure;
                figures["frontRunExposureTwoStep"] = h.FrontRunExposure;
                extra = $"; one-step submission: MEV {Eth(figures["mevOrderingOneStep"])} ETH, proofs copyable by any front-runner worth {Eth(one.FrontRunExposure)} ETH (two-step: {Eth(h.FrontRunExposure)})";
            }
            list.Add(new AdversarialResult("sequencer-prover (prover 0 orders the chain)", m,
                $"extra profit with ordering {Eth(figures["mevOrdering"])} ETH, censoring 6 blocks {Eth(figures["mevCensoring6Blocks"])} ETH{extra}", figures));
        }
        return list;
    }

    internal static string Eth(double wei) => (wei / 1e18).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);

    private static string Pct(double v) => $"{(v >= 0 ? "+" : "")}{v * 100:0.0}%";
}
