using System.Text;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Engine;

/// <summary>The provers and the request stream of a scenario: generated once from the seed, shared by every mechanism, so
/// each mechanism allocates the same requests among the same provers.</summary>
public sealed class Population
{
    private Population(IReadOnlyList<Prover> provers, IReadOnlyList<Request> requests, IReadOnlyList<ulong> circuitUnits, double referenceUnitsPerSecond,
        double referenceWeiPerSecond)
    {
        Provers = provers;
        Requests = requests;
        CircuitUnits = circuitUnits;
        ReferenceUnitsPerSecond = referenceUnitsPerSecond;
        ReferenceWeiPerSecond = referenceWeiPerSecond;
    }

    /// <summary>The provers (index 0 is the sequencer-prover when the scenario has one).</summary>
    public IReadOnlyList<Prover> Provers { get; }

    /// <summary>The requests in arrival order.</summary>
    public IReadOnlyList<Request> Requests { get; }

    /// <summary>Proving units of each circuit.</summary>
    public IReadOnlyList<ulong> CircuitUnits { get; }

    /// <summary>Speed of the reference (benchmarked) machine.</summary>
    public double ReferenceUnitsPerSecond { get; }

    /// <summary>Running plus capital cost of the reference machine, wei per second.</summary>
    public double ReferenceWeiPerSecond { get; }

    /// <summary>Generates the population of <paramref name="s"/>.</summary>
    public static Population Create(Scenario s, ProvingCalibration calibration, GasTable gas)
    {
        var weiPerUsd = 1e18 / s.UsdPerEth;
        var opRef = s.OperatingUsdPerHour / 3600 * weiPerUsd;
        var capRef = s.CapitalUsd / (s.LifetimeYears * 365.25 * 86400) * weiPerUsd;
        var speedRef = calibration.UnitsPerSecond;
        var rng = new Random(s.Seed);
        var h = s.Heterogeneity;
        var provers = new List<Prover>(s.Provers);
        for (int i = 0; i < s.Provers; i++)
        {
            double speed = Math.Exp(h * Normal(rng));
            double op = Math.Exp(h * Normal(rng));
            // Faster machines cost more to buy (sub-linearly), with their own spread.
            double cap = Math.Pow(speed, 0.7) * Math.Exp(0.5 * h * Normal(rng));
            int machines = h == 0 ? 2 : 1 + rng.Next(4);
            double failure = Math.Min(0.2, 0.01 * Math.Exp(h * Normal(rng)));
            var strategy = rng.NextDouble() < s.ShadingShare && i != 0 ? Strategy.Shading : Strategy.Truthful;
            provers.Add(new Prover(i, AddressOf(s.Seed, i), speedRef * speed, opRef * op, capRef * cap, machines, failure, strategy));
        }
        if (s.RingSize > 0)
        {
            // The ring: the cheapest provers other than the sequencer-prover.
            foreach (var p in provers.Where(p => p.Index != 0).OrderBy(p => p.CostPerUnit).Take(s.RingSize).ToList())
                provers[p.Index] = p with { Strategy = Strategy.Colluding };
        }

        var circuits = Enumerable.Range(s.MinLog2Units, s.MaxLog2Units - s.MinLog2Units + 1).Select(k => 1UL << k).ToList();
        double meanUnits = circuits.Average(u => (double)u);
        double capacity = provers.Sum(p => p.Machines * p.UnitsPerSecond);
        double rate = s.Load * capacity / meanUnits; // requests per second
        var arrivals = new Random(unchecked(s.Seed * 7919 + 1));
        var requests = new List<Request>(s.Requests);
        double t = 0;
        double proverGas = (gas.SealedCommit + gas.SealedReveal + gas.SealedFulfill) * s.GasPriceWei;
        for (int i = 0; i < s.Requests; i++)
        {
            t += -Math.Log(1 - arrivals.NextDouble()) / rate;
            int c = arrivals.Next(circuits.Count);
            ulong units = circuits[c];
            double refSeconds = units / speedRef;
            double refCost = refSeconds * (opRef + capRef) + proverGas;
            bool urgent = arrivals.NextDouble() < s.UrgentShare;
            double markup = urgent ? 2.5 + 2.5 * arrivals.NextDouble() : 1.5 + 1.5 * arrivals.NextDouble();
            ulong maxFee = (ulong)Math.Ceiling(refCost * markup);
            uint window = (uint)Math.Ceiling(urgent ? 2 * refSeconds + 30 : 6 * refSeconds + 120);
            ulong weight = (ulong)Math.Ceiling(maxFee * (urgent ? 2e-3 : 2e-4));
            bool shill = arrivals.NextDouble() < s.ShillShare;
            requests.Add(new Request(i, RequestIdOf(s.Seed, i), Math.Round(t, 3), c, units, maxFee, window, weight, urgent, shill));
        }
        return new Population(provers, requests, circuits, speedRef, opRef + capRef);
    }

    /// <summary>
    /// The replay seam: a population of given provers and requests (the replay gives them the funded accounts'
    /// addresses and the on-chain request ids, so tie-breaks agree with the contracts). Prover <c>Index</c> must be its
    /// position; each request's <c>Circuit</c> indexes <paramref name="circuitUnits"/> and its <c>Units</c> equal that entry.
    /// </summary>
    /// <exception cref="ArgumentException">The provers, requests or circuits do not fit together (the message says which).</exception>
    public static Population Of(IReadOnlyList<Prover> provers, IReadOnlyList<Request> requests, IReadOnlyList<ulong> circuitUnits)
    {
        if (provers.Count == 0) throw new ArgumentException("no provers", nameof(provers));
        if (requests.Count == 0) throw new ArgumentException("no requests", nameof(requests));
        for (int i = 0; i < provers.Count; i++)
        {
            if (provers[i].Index != i) throw new ArgumentException($"prover {i} has index {provers[i].Index}", nameof(provers));
            if (provers[i].Address.Length != 20) throw new ArgumentException($"prover {i}'s address is not 20 bytes", nameof(provers));
        }
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (r.Index != i) throw new ArgumentException($"request {i} has index {r.Index}", nameof(requests));
            if (r.Id.Length != 32) throw new ArgumentException($"request {i}'s id is not 32 bytes", nameof(requests));
            if (r.Circuit < 0 || r.Circuit >= circuitUnits.Count || circuitUnits[r.Circuit] != r.Units)
                throw new ArgumentException($"request {i}: circuit {r.Circuit} with {r.Units} units is not among the circuits", nameof(requests));
            if (i > 0 && r.ArrivalSeconds < requests[i - 1].ArrivalSeconds) throw new ArgumentException($"request {i} arrives before request {i - 1}", nameof(requests));
        }
        var p0 = provers[0];
        return new Population(provers, requests, circuitUnits, p0.UnitsPerSecond, p0.OperatingWeiPerSecond + p0.CapitalWeiPerSecond);
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>The deterministic address of prover <paramref name="index"/>.</summary>
    public static byte[] AddressOf(int seed, int index) => Keccak.Hash(Encoding.ASCII.GetBytes($"pmc-sim-prover/{seed}/{index}"))[12..];

    private static byte[] RequestIdOf(int seed, int index) => Keccak.Hash(Encoding.ASCII.GetBytes($"pmc-sim-request/{seed}/{index}"));
}
