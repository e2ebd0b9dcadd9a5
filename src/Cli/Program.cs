using Microsoft.Extensions.Logging;
using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli;

/// <summary>Entry point of the <c>pmc</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Dispatches the command line to a registered <see cref="ICommand"/>.</summary>
    public static int Main(string[] args)
    {
        var registry = CommandRegistry.CreateDefault();
        bool verbose = args.Contains("-v") || args.Contains("--verbose");
        args = args.Where(a => a is not ("-v" or "--verbose")).ToArray();
        bool worker = args.Length > 0 && args[0] == "worker";
        // The worker runs unattended: its decisions are logged at Information.
        var minimum = verbose ? LogLevel.Debug : worker ? LogLevel.Information : LogLevel.Warning;
        using var loggerFactory = new LazyLoggerFactory(() => LoggerFactory.Create(b =>
        {
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = worker ? "yyyy-MM-ddTHH:mm:ss.fff " : null;
            });
            // Logs never mix with results on stdout (e.g. `pmc demo --json`).
            b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            b.SetMinimumLevel(minimum);
            b.AddFilter("Microsoft", LogLevel.Warning);
        }), minimum);
        return registry.Run(args, new CommandContext(loggerFactory, Console.Out, Console.Error));
    }
}
