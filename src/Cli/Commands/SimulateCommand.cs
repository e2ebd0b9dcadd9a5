using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ProverMarketChain.Cli.Simulate;
using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Metrics;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Simulation.Reporting;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc simulate [--seed S] [--requests N] [--provers N] [--heterogeneity H] [--load L] [--gas-price-gwei G]
/// [--sequencer honest|ordering|censoring] [--one-step] [--bench] [--report DIR] [--replay]</c>: the mechanism simulator
/// (<see cref="Simulator"/>), its benchmark, the economics report (<see cref="EconomicsReport"/>), and the replay on the real contracts (<see cref="ReplayRunner"/>).
/// </summary>
public sealed class SimulateCommand : PmcCommand
{
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1, CustomParser = OptionParsers.WholeNumber("--seed", 0, int.MaxValue), HelpName = "S" };
    private readonly Option<int> _requests = new("--requests") { Description = "Requests (1..10000000)", DefaultValueFactory = _ => 2_000, CustomParser = OptionParsers.WholeNumber("--requests", 1, 10_000_000), HelpName = "N" };
    private readonly Option<int> _provers = new("--provers") { Description = "Provers (1..10000)", DefaultValueFactory = _ => 20, CustomParser = OptionParsers.WholeNumber("--provers", 1, 10_000), HelpName = "N" };
    private readonly Option<double> _heterogeneity = new("--heterogeneity") { Description = "Spread of the provers' speed and costs (0..3)", DefaultValueFactory = _ => 0.5, CustomParser = OptionParsers.NumberBetween("--heterogeneity", 0, 3), HelpName = "H" };
    private readonly Option<double> _load = new("--load") { Description = "Demand as a fraction of the provers' capacity, in (0, 5]", DefaultValueFactory = _ => 0.5, CustomParser = OptionParsers.Number("--load", 0, 5), HelpName = "L" };
    private readonly Option<double> _gas = new("--gas-price-gwei") { Description = "Gas price in gwei, in (0, 10000]", DefaultValueFactory = _ => 0.01, CustomParser = OptionParsers.Number("--gas-price-gwei", 0, 10_000), HelpName = "G" };
    private readonly Option<string> _sequencer = new("--sequencer") { Description = "What the sequencer-prover (prover 0) does: honest, ordering, censoring", DefaultValueFactory = _ => "honest", HelpName = "MODE" };
    private readonly Option<bool> _oneStep = new("--one-step") { Description = "Open race with a one-step submission (the proof visible in the mempool) instead of the contract's commit-reveal" };
    private readonly Option<bool> _bench = new("--bench") { Description = "Benchmark: 10,000 requests x 50 provers x 4 mechanisms, against a 60 s budget" };
    private readonly Option<string?> _report = new("--report") { Description = "Write economics.json and economics.html into DIR (sweeps, claims, adversaries)", HelpName = "DIR" };
    private readonly Option<bool> _replay = new("--replay") { Description = "Replay a small scenario of the seed (4 provers, 2 requests per mode) on the real contracts on an embedded anvil and compare winners and payments with the simulator's; exit 1 on any difference" };
    private readonly Option<string?> _snapshot = new("--gas-snapshot") { Description = "Gas snapshot to calibrate from (default: snapshots/lifecycle.json of the repository)", HelpName = "FILE" };

    /// <summary>Creates the command.</summary>
    public SimulateCommand(CliIo io)
        : base("simulate", "Simulates the four allocation mechanisms (agent-based, deterministic per seed); --bench, --report DIR", io)
    {
        foreach (var o in new Option[] { _seed, _requests, _provers, _heterogeneity, _load, _gas, _sequencer, _oneStep, _bench, _report, _replay, _snapshot }) Options.Add(o);
    }

    /// <inheritdoc />
    public override string HelpEpilog =>
        "Proving speed is calibrated from `pmc bench` (README), gas from the committed gas snapshot. --bench exits 1 past the 60 s budget.";

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        var power = parseResult.GetValue(_sequencer) switch
        {
            "honest" => SequencerPower.Honest,
            "ordering" => SequencerPower.Ordering,
            "censoring" => SequencerPower.Censoring,
            var other => throw new UsageException($"--sequencer '{other}' is not one of honest, ordering, censoring"),
        };
        string snapshotPath = parseResult.GetValue(_snapshot) ?? Path.Combine(RepoPaths.Root(), GasSnapshot.RelativePath);
        GasSnapshot snapshot;
        try
        {
            snapshot = GasSnapshot.Load(snapshotPath);
            _ = snapshot.ToTable(); // every entry the simulator needs is there
        }
        catch (Exception e) when (e is IOException or InvalidDataException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            context.Err.WriteLine($"pmc simulate: error: {e.Message}");
            return ExitCodes.Failure;
        }
        if (parseResult.GetValue(_replay))
        {
            if (parseResult.GetValue(_bench) || parseResult.GetValue(_report) is not null)
                throw new UsageException("--replay cannot be combined with --bench or --report");
            return Replay(parseResult.GetValue(_seed), snapshot, context);
        }
        var scenario = new Scenario
        {
            Seed = parseResult.GetValue(_seed),
            Requests = parseResult.GetValue(_requests),
            Provers = parseResult.GetValue(_provers),
            Heterogeneity = parseResult.GetValue(_heterogeneity),
            Load = parseResult.GetValue(_load),
            GasPriceWei = parseResult.GetValue(_gas) * 1e9,
            Sequencer = power,
            TwoStepRace = !parseResult.GetValue(_oneStep),
        };
        if (parseResult.GetValue(_bench)) return Bench(scenario, snapshot, context.Out);
        if (parseResult.GetValue(_report) is { } folder) return Report(scenario, snapshot, folder, context);

        var result = Simulator.Run(scenario, snapshot.ToTable());
        Print(result, context.Out);
        return ExitCodes.Success;
    }

    private static int Replay(int seed, GasSnapshot snapshot, CommandContext context)
    {
        using var interrupt = new ConsoleInterrupt();
        ReplayResult result;
        try
        {
            result = new ReplayRunner(context.Loggers, context.Out).RunAsync(seed, snapshot.ToTable(), interrupt.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interrupt.Requested)
        {
            context.Err.WriteLine("pmc simulate: replay interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or TimeoutException)
        {
            context.Err.WriteLine($"pmc simulate: replay error: {e.Message}");
            return ExitCodes.Failure;
        }
        ReplayComparison.Print(result.Rows, context.Out);
        var bad = ReplayComparison.Mismatches(result.Rows);
        var modes = string.Join(", ", ReplayComparison.PerMode(result.Rows).Select(kv => $"{kv.Key} {kv.Value}"));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pmc simulate --replay: seed {seed}, {result.Rows.Count} requests ({modes}), {result.ChainActions} chain actions, {result.WallSeconds:0.0} s: {(bad.Count == 0 ? "the chain reproduced every allocation and payment" : $"{bad.Count} request(s) differ")}"));
        return bad.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static int Bench(Scenario s, GasSnapshot snapshot, TextWriter o)
    {
        var scenario = s with { Requests = 10_000, Provers = 50 };
        var gas = snapshot.ToTable();
        Simulator.Run(scenario with { Requests = 200 }, gas); // warm-up (JIT)
        var sw = Stopwatch.StartNew();
        var result = Simulator.Run(scenario, gas);
        sw.Stop();
        double budget = 60;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pmc simulate --bench: {scenario.Requests:N0} requests x {scenario.Provers} provers x {result.Metrics.Count} mechanisms in {sw.Elapsed.TotalSeconds:0.00} s on {Environment.ProcessorCount} cores: {sw.Elapsed.TotalSeconds / budget:0.000} of the {budget:0} s budget ({(sw.Elapsed.TotalSeconds <= budget ? "PASS" : "FAIL")})"));
        return sw.Elapsed.TotalSeconds <= budget ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static int Report(Scenario scenario, GasSnapshot snapshot, string folder, CommandContext context)
    {
        var sw = Stopwatch.StartNew();
        var data = EconomicsReport.Build(scenario, snapshot, ProvingCalibration.PmcBench);
        string chartJs = Path.Combine(RepoPaths.Root(), "node_modules", "chart.js", "dist", "chart.umd.min.js");
        try
        {
            ReportWriter.Write(data, folder, chartJs);
        }
        catch (FileNotFoundException e)
        {
            context.Err.WriteLine($"pmc simulate: error: {e.Message}");
            return ExitCodes.Failure;
        }
        context.Out.WriteLine($"pmc simulate: wrote {Path.Combine(folder, "economics.json")} and economics.html in {sw.Elapsed.TotalSeconds:0.0} s");
        context.Out.Write(ReportWriter.MarkdownTable(data));
        return ExitCodes.Success;
    }

    private static void Print(SimulationResult r, TextWriter o)
    {
        var s = r.Scenario;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pmc simulate: seed {s.Seed}, {s.Requests:N0} requests, {s.Provers} provers, heterogeneity {s.Heterogeneity}, load {s.Load}, gas {s.GasPriceWei / 1e9} gwei, sequencer {s.Sequencer}, {(s.TwoStepRace ? "two-step" : "one-step")} race"));
        o.WriteLine($"{"mechanism",-12}{"served",8}{"cost/proof uETH",17}{"resources uETH",16}{"work x",8}{"lat mean s",11}{"cover",7}{"eff win",8}{"Nakamoto",9}{"Gini",6}{"seq profit uETH",17}");
        foreach (MechanismMetrics m in r.Metrics)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Mechanism,-12}{m.Served,8}{m.CostPerProof / 1e12,17:0.00}{m.ResourcesPerProof / 1e12,16:0.00}{m.WorkMultiple,8:0.00}{m.LatencyMean,11:0}{m.CostCoverage,7:0.00}{m.EffectiveWinners,8:0.0}{m.Wins.Nakamoto,9}{m.Wins.Gini,6:0.00}{m.SequencerProfit / 1e12,17:0.0}"));
    }
}
