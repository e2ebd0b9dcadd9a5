using System.CommandLine;
using System.Text.Json;
using ProverMarketChain.Cli.Soak;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc soak --minutes N [--seed S] [--hostile all|none|case,...] [--json]</c>: honest and hostile requesters against
/// three worker processes on an embedded anvil, with random <c>kill -9</c>s and 20% RPC faults, ending with a JSON audit.
/// Exits 0 only when no honest bond was forfeited, no worker was slashed on an honest request, no worker sent a
/// duplicate transaction and funds are conserved.
/// </summary>
public sealed class SoakCommand : PmcCommand
{
    private readonly Option<double> _minutes = new("--minutes")
    {
        Description = "How long to run, in minutes (more than 0, at most 1440)",
        HelpName = "N",
        Required = true,
        CustomParser = OptionParsers.Number("--minutes", 0, 24 * 60),
    };

    private readonly Option<int?> _seed = new("--seed")
    {
        Description = "Seed of the random schedule (kills, faults, requests); default: the clock",
        HelpName = "S",
    };

    private readonly Option<IReadOnlyList<HostileCase>?> _hostile = new("--hostile")
    {
        Description = "The hostile requester's cases: all (default), none, or a comma-separated list of: "
            + string.Join(", ", Enum.GetValues<HostileCase>().Select(SoakNames.Of)),
        HelpName = "all|none|case,...",
        CustomParser = r => ParseCases(r),
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the audit as one line of JSON (progress goes to stderr)" };

    /// <summary>Creates the command.</summary>
    public SoakCommand(CliIo io)
        : base("soak", "Soak test: hostile and honest requesters vs three killed-and-restarted workers behind faulty RPC; JSON audit", io)
    {
        Options.Add(_minutes);
        Options.Add(_seed);
        Options.Add(_hostile);
        Options.Add(_json);
    }

    /// <inheritdoc />
    public override string HelpEpilog =>
        "Exits 0 when the audit passes (no honest bond forfeited, no worker slashed on an honest request, no duplicate "
        + "transaction, funds conserved), 1 when it fails, 130 when interrupted.";

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        var options = new SoakOptions(parseResult.GetRequiredValue(_minutes), parseResult.GetValue(_seed) ?? Environment.TickCount,
            parseResult.GetValue(_hostile) ?? Enum.GetValues<HostileCase>());
        bool json = parseResult.GetValue(_json);
        using var interrupt = new ConsoleInterrupt();
        var progress = json ? context.Err : context.Out;
        SoakAudit audit;
        try
        {
            audit = new SoakRunner(options, progress).RunAsync(interrupt.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interrupt.Requested)
        {
            context.Err.WriteLine("pmc soak: interrupted");
            return ExitCodes.Interrupted;
        }

        if (!json) context.Out.WriteLine("audit:");
        context.Out.WriteLine(JsonSerializer.Serialize(audit, SoakJson.Options(indented: !json)));
        if (interrupt.Requested)
        {
            context.Err.WriteLine("pmc soak: interrupted; the audit covers the run so far");
            return ExitCodes.Interrupted;
        }

        if (!audit.Passed) context.Err.WriteLine("pmc soak: FAILED: " + string.Join("; ", audit.Failures));
        return audit.Passed ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static IReadOnlyList<HostileCase>? ParseCases(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens[^1].Value;
        if (text == "all") return Enum.GetValues<HostileCase>();
        if (text == "none") return [];
        var cases = new List<HostileCase>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!SoakNames.TryParse(name, out var c))
            {
                result.AddError($"--hostile: unknown case '{name}' (known: {string.Join(", ", Enum.GetValues<HostileCase>().Select(SoakNames.Of))}, or all, none)");
                return [];
            }
            cases.Add(c);
        }
        return cases;
    }
}
