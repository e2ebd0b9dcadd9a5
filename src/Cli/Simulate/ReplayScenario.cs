using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Cli.Simulate;

/// <summary>One request of a replay: its mode, arrival (seconds after the replay's start) and terms.</summary>
/// <param name="Index">Position in the replay (arrival order).</param>
/// <param name="Mechanism">Allocation mode.</param>
/// <param name="ArrivalSeconds">Arrival, whole seconds after the replay's start (a chain timestamp offset).</param>
/// <param name="MaxFee">Escrowed maximum fee, wei.</param>
/// <param name="ProvingWindow">Proving window (an open race's duration), seconds.</param>
/// <param name="LatencyWeight">Sealed-bid latency weight, wei per second.</param>
public sealed record ReplayRequest(int Index, Mechanism Mechanism, int ArrivalSeconds, ulong MaxFee, uint ProvingWindow, ulong LatencyWeight);

/// <summary>One prover of a replay (its chain account is <c>DevAccounts.Keys[AccountIndex]</c>).</summary>
/// <param name="AccountIndex">anvil account index.</param>
/// <param name="ProvingSeconds">Simulated seconds to prove one multiplier job (the real proof is instant).</param>
/// <param name="OperatingWeiPerSecond">Running cost while proving, wei per second.</param>
/// <param name="Machines">Jobs at once (an ask's capacity).</param>
public sealed record ReplayProver(int AccountIndex, double ProvingSeconds, double OperatingWeiPerSecond, int Machines);

/// <summary>
/// The small scenario <c>pmc simulate --replay</c> runs, derived from a seed: four truthful provers with distinct
/// proving times and costs and no failures, and <see cref="RequestsPerMode"/> requests in each of the four modes (modes
/// cycling), 200 s apart so one request's actions end before the next arrives and every request falls in the reserve's
/// first period (the chain shares one reserve among the modes; the simulator keeps one per mode).
/// </summary>
public sealed class ReplayScenario
{
    /// <summary>Requests per mode.</summary>
    public const int RequestsPerMode = 2;

    /// <summary>Seconds between arrivals.</summary>
    public const int Spacing = 200;

    /// <summary>The first anvil account used as a prover (0: owner, 1: requester).</summary>
    public const int FirstProverAccount = 2;

    private ReplayScenario(int seed, IReadOnlyList<ReplayProver> provers, IReadOnlyList<ReplayRequest> requests)
    {
        Seed = seed;
        Provers = provers;
        Requests = requests;
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The provers.</summary>
    public IReadOnlyList<ReplayProver> Provers { get; }

    /// <summary>The requests in arrival order.</summary>
    public IReadOnlyList<ReplayRequest> Requests { get; }

    /// <summary>The market parameters the simulator runs with (block time, phases, ramp, gas price, margin).</summary>
    public Scenario SimulatorScenario(Mechanism mechanism, int requests) => new()
    {
        Seed = Seed,
        Provers = Provers.Count,
        Requests = requests,
        Mechanisms = [mechanism],
        GasPriceWei = 1e7,
        BlockSeconds = 2,
        CommitSeconds = 12,
        RevealSeconds = 12,
        DutchRampSeconds = 30,
    };

    /// <summary>Derives the scenario of <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The seed is negative.</exception>
    public static ReplayScenario FromSeed(int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        var rng = new Random(seed);
        // Distinct proving times (3..30 s), so that speed, not a coin, decides races and latencies.
        var seconds = Enumerable.Range(0, 8).Select(k => 3.0 + 3 * k + rng.Next(3)).OrderBy(_ => rng.Next()).Take(4).ToList();
        // Faster machines cost more per job (as with the demo's fast-pricey and cheap-slow provers), so the modes disagree
        // on who should win: races go to speed, Dutch and asks to price, sealed bids to the score.
        var provers = seconds.Select((s, i) =>
        {
            double perJob = 1.8e14 * 10 / (s + 5) * (0.9 + 0.2 * rng.NextDouble());
            return new ReplayProver(FirstProverAccount + i, s, Math.Round(perJob / s), 1 + rng.Next(2));
        }).ToList();
        var modes = new[] { Mechanism.SealedBid, Mechanism.Dutch, Mechanism.StandingAsk, Mechanism.OpenRace };
        var requests = new List<ReplayRequest>();
        for (int i = 0; i < RequestsPerMode * modes.Length; i++)
        {
            ulong maxFee = (ulong)(6e14 + rng.Next(0, 600) * 1e12);
            uint window = (uint)(70 + rng.Next(0, 50));
            ulong weight = (ulong)(5e11 + rng.Next(0, 120) * 1e11); // from price-led to latency-led scoring
            requests.Add(new ReplayRequest(i, modes[i % modes.Length], 10 + Spacing * i, maxFee, window, weight));
        }
        return new ReplayScenario(seed, provers, requests);
    }
}
