using System.CommandLine;
using System.Text.Json;
using ProverMarketChain.Cli.Demo;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc demo [--requests N] [--json] [--rpc URL] [--timeout S]</c>: a whole local market on one command.</summary>
public sealed class DemoCommand : PmcCommand
{
    private readonly Option<int> _requests = new("--requests")
    {
        Description = "Rollup batches to post, spread over every mode (1..1000)",
        DefaultValueFactory = _ => 8,
        CustomParser = OptionParsers.WholeNumber("--requests", 1, 1000),
        HelpName = "N",
    };

    private readonly Option<int> _burst = new("--burst")
    {
        Description = "Dutch batches committed back to back after the mode cycle, so a worker delivers several proofs in one fulfillBatch (0..32)",
        DefaultValueFactory = _ => 4,
        CustomParser = OptionParsers.WholeNumber("--burst", 0, 32),
        HelpName = "N",
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the summary as one line of JSON (progress goes to stderr) and exit" };

    private readonly Option<bool> _exit = new("--exit") { Description = "Exit after the summary instead of keeping the market and dashboard open until Ctrl-C" };

    private readonly Option<string?> _db = new("--db")
    {
        Description = "The indexer's database: an SQLite file or postgres://user:password@host:port/database (default: a file in the demo's working folder)",
        HelpName = "PATH|URL",
    };

    private readonly Option<string> _dashboard = new("--dashboard")
    {
        Description = "Where the indexer's dashboard and API listen (a busy port falls back to a free one)",
        DefaultValueFactory = _ => "http://127.0.0.1:5080",
        HelpName = "URL",
    };

    // For tests of the market machinery: a 4-constraint circuit proves in milliseconds and needs no demo circuit build.
    private readonly Option<string> _circuit = new("--circuit")
    {
        Description = "The circuit the batches are proven with (rollup_batch or multiplier)",
        DefaultValueFactory = _ => "rollup_batch",
        Hidden = true,
    };

    private readonly Option<Uri> _rpc = new("--rpc")
    {
        Description = "Use this chain's JSON-RPC endpoint instead of starting an embedded anvil",
        HelpName = "URL",
        CustomParser = r => Uri.TryCreate(r.Tokens[^1].Value, UriKind.Absolute, out var uri) ? uri : Fail(r),
    };

    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "Seconds to wait for every request to be fulfilled",
        DefaultValueFactory = _ => 300,
        CustomParser = OptionParsers.WholeNumber("--timeout", 1, int.MaxValue),
        HelpName = "S",
    };

    /// <summary>Creates the command.</summary>
    public DemoCommand(CliIo io)
        : base("demo", "Deploy the market and a rollup on an embedded anvil, start three workers, prove and finalize the rollup's batches in every mode, summarise", io)
    {
        Options.Add(_requests);
        Options.Add(_burst);
        Options.Add(_json);
        Options.Add(_rpc);
        Options.Add(_timeout);
        Options.Add(_exit);
        Options.Add(_db);
        Options.Add(_dashboard);
        Options.Add(_circuit);
        _circuit.AcceptOnlyFromAmong("rollup_batch", "multiplier");
    }

    /// <inheritdoc />
    public override string HelpEpilog =>
        "Prints 'dashboard: URL' once the indexer runs. Without --exit or --json the market and the dashboard stay open after\n" +
        "the summary until Ctrl-C. Exits 0 when the rollup finalized every batch (with --circuit multiplier: every request was\n" +
        "fulfilled), 1 otherwise, 130 when interrupted before the summary.";

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        bool json = parseResult.GetValue(_json);
        var options = new DemoOptions(parseResult.GetValue(_requests), parseResult.GetValue(_rpc)?.OriginalString, parseResult.GetValue(_timeout),
            parseResult.GetValue(_circuit)!, parseResult.GetValue(_db), parseResult.GetValue(_dashboard)!, KeepOpen: !json && !parseResult.GetValue(_exit),
            Burst: parseResult.GetValue(_burst));
        using var interrupt = new ConsoleInterrupt();
        var progress = json ? context.Err : context.Out;
        DemoSummary? summary = null;
        void Print(DemoSummary s)
        {
            summary = s;
            var text = JsonSerializer.Serialize(s, new JsonSerializerOptions { WriteIndented = !json, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
            if (!json) context.Out.WriteLine("summary:");
            context.Out.WriteLine(text);
            context.Out.Flush();
        }
        try
        {
            new DemoRunner(options, context.Loggers, progress).RunAsync(interrupt.Token, Print).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interrupt.Requested && summary is null)
        {
            context.Err.WriteLine("pmc demo: interrupted");
            return ExitCodes.Interrupted;
        }

        // Ctrl-C after the summary only ends the browsing: the outcome stands.
        if (summary is null) return interrupt.Requested ? ExitCodes.Interrupted : ExitCodes.Failure;
        bool succeeded = summary.Rollup is { } rollup
            ? summary.FinalizedBatches == rollup.CommittedBatches && rollup.CommittedBatches == options.Requests
            : summary.Fulfilled == summary.Requests;
        return succeeded ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static Uri Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--rpc: '{result.Tokens[^1].Value}' is not an absolute URL");
        return null!;
    }
}
