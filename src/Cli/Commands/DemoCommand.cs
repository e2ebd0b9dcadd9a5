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

    private readonly Option<bool> _json = new("--json") { Description = "Print the summary as one line of JSON (progress goes to stderr)" };

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
        : base("demo", "Deploy the market on an embedded anvil, start three workers, post rollup batches in every mode, summarise", io)
    {
        Options.Add(_requests);
        Options.Add(_json);
        Options.Add(_rpc);
        Options.Add(_timeout);
    }

    /// <inheritdoc />
    public override string HelpEpilog => "Exits 0 when every request was fulfilled, 1 otherwise, 130 when interrupted.";

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        bool json = parseResult.GetValue(_json);
        var options = new DemoOptions(parseResult.GetValue(_requests), parseResult.GetValue(_rpc)?.OriginalString, parseResult.GetValue(_timeout));
        using var interrupt = new ConsoleInterrupt();
        var progress = json ? context.Err : context.Out;
        DemoSummary summary;
        try
        {
            summary = new DemoRunner(options, context.Loggers, progress).RunAsync(interrupt.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interrupt.Requested)
        {
            context.Err.WriteLine("pmc demo: interrupted");
            return ExitCodes.Interrupted;
        }

        var text = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = !json, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        if (!json) context.Out.WriteLine("summary:");
        context.Out.WriteLine(text);
        if (interrupt.Requested) return ExitCodes.Interrupted;
        return summary.Fulfilled == summary.Requests ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static Uri Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--rpc: '{result.Tokens[^1].Value}' is not an absolute URL");
        return null!;
    }
}
