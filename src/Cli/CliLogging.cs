using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Cli;

/// <summary>The console logging of <c>pmc</c>: one line per message, on standard error, framework categories at Warning.</summary>
internal static class CliLogging
{
    /// <summary>
    /// Adds the console provider: single-line messages on standard error (so logs never mix with results on stdout, e.g.
    /// <c>pmc demo --json</c>), with an ISO timestamp when <paramref name="timestamps"/> (the worker runs unattended),
    /// at <paramref name="minimum"/> and above, <c>Microsoft.*</c> categories at Warning and above.
    /// </summary>
    public static ILoggingBuilder AddPmcConsole(this ILoggingBuilder builder, LogLevel minimum, bool timestamps)
    {
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = timestamps ? "yyyy-MM-ddTHH:mm:ss.fff " : null;
        });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.SetMinimumLevel(minimum);
        builder.AddFilter("Microsoft", LogLevel.Warning);
        return builder;
    }

    /// <summary>
    /// The logger factory of a one-shot command: Warning and above (Debug with <c>--verbose</c>), built only when something
    /// is logged (see <see cref="LazyLoggerFactory"/>).
    /// </summary>
    public static ILoggerFactory CreateCommandFactory(bool verbose)
    {
        var minimum = verbose ? LogLevel.Debug : LogLevel.Warning;
        return new LazyLoggerFactory(() => LoggerFactory.Create(b => b.AddPmcConsole(minimum, timestamps: false)), minimum);
    }
}
