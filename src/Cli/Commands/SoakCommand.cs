using System.Globalization;
using System.Text.Json;
using ProverMarketChain.Cli.Soak;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc soak --minutes N [--seed S] [--hostile all|none|case,...] [--json]</c>: honest and hostile requesters against
/// three worker processes on an embedded anvil, with random <c>kill -9</c>s and 20% RPC faults, ending with a JSON audit.
/// Exits 0 only when no honest bond was forfeited, no worker was slashed on an honest request, no worker sent a
/// duplicate transaction and funds are conserved.
/// </summary>
public sealed class SoakCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "soak";

    /// <inheritdoc />
    public string Usage => "soak --minutes N [--seed S] [--hostile all|none|case,...] [--json]";

    /// <inheritdoc />
    public string Summary => "soak test: hostile and honest requesters vs three killed-and-restarted workers behind faulty RPC; JSON audit";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext context)
    {
        var a = new Args(args, ["--minutes", "--seed", "--hostile"], ["--json"]);
        a.ExpectPositional(0);
        var minutesText = a.Option("--minutes") ?? throw new UsageException("--minutes N is required");
        if (!double.TryParse(minutesText, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) || minutes is <= 0 or > 24 * 60)
            throw new UsageException($"--minutes: '{minutesText}' is not a number of minutes in (0, 1440]");
        int seed = Environment.TickCount;
        if (a.Option("--seed") is { } s && !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"--seed: '{s}' is not an integer");
        var cases = ParseCases(a.Option("--hostile") ?? "all");
        bool json = a.Flag("--json");

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var progress = json ? context.Err : context.Out;
            var audit = new SoakRunner(new SoakOptions(minutes, seed, cases), progress).RunAsync(cts.Token).GetAwaiter().GetResult();
            if (!json) context.Out.WriteLine("audit:");
            context.Out.WriteLine(JsonSerializer.Serialize(audit, SoakJson.Options(indented: !json)));
            if (!audit.Passed) context.Err.WriteLine("pmc soak: FAILED: " + string.Join("; ", audit.Failures));
            return audit.Passed ? 0 : 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static IReadOnlyList<HostileCase> ParseCases(string text)
    {
        if (text == "all") return Enum.GetValues<HostileCase>();
        if (text == "none") return [];
        var cases = new List<HostileCase>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!SoakNames.TryParse(name, out var c))
                throw new UsageException($"--hostile: unknown case '{name}' (known: {string.Join(", ", Enum.GetValues<HostileCase>().Select(SoakNames.Of))}, or all, none)");
            cases.Add(c);
        }
        return cases;
    }
}
