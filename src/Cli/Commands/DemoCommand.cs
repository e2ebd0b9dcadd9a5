using System.Text.Json;
using ProverMarketChain.Cli.Demo;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc demo [--requests N] [--json] [--rpc URL]</c>: a whole local market on one command.</summary>
public sealed class DemoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "demo";

    /// <inheritdoc />
    public string Usage => "demo [--requests N] [--json] [--rpc URL] [--timeout S]";

    /// <inheritdoc />
    public string Summary => "deploy the market on an embedded anvil, start three workers, post rollup batches in every mode, summarise";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext context)
    {
        int requests = 8, timeout = 300;
        bool json = false;
        string? rpc = null;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--requests" when i + 1 < args.Count && int.TryParse(args[i + 1], out requests) && requests is >= 1 and <= 1000: i++; break;
                case "--timeout" when i + 1 < args.Count && int.TryParse(args[i + 1], out timeout) && timeout > 0: i++; break;
                case "--rpc" when i + 1 < args.Count && Uri.TryCreate(args[i + 1], UriKind.Absolute, out _): rpc = args[++i]; break;
                default: throw new UsageException($"bad argument '{args[i]}'");
            }
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var progress = json ? context.Err : context.Out;
        var summary = new DemoRunner(new DemoOptions(requests, rpc, timeout), context.Loggers, progress).RunAsync(cts.Token).GetAwaiter().GetResult();
        var text = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = !json, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        if (!json) context.Out.WriteLine("summary:");
        context.Out.WriteLine(text);
        return summary.Fulfilled == summary.Requests ? 0 : 1;
    }
}
