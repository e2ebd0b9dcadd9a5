using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Cli.Commands;

/// <summary>What a command gets to run: logging and the two output streams.</summary>
/// <param name="Loggers">Logger factory configured from <c>-v/--verbose</c>.</param>
/// <param name="Out">Standard output (results).</param>
/// <param name="Err">Standard error (diagnostics).</param>
public sealed record CommandContext(ILoggerFactory Loggers, TextWriter Out, TextWriter Err);
