using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Cli.Commands;

/// <summary>What a command gets to run: logging and the two output streams.</summary>
/// <param name="Loggers">Logger factory configured from <c>-v/--verbose</c>.</param>
/// <param name="Out">Standard output (results).</param>
/// <param name="Err">Standard error (diagnostics).</param>
public sealed record CommandContext(ILoggerFactory Loggers, TextWriter Out, TextWriter Err);

/// <summary>A <c>pmc</c> subcommand. Implementations live one per file in this folder and are listed in <see cref="CommandRegistry"/>.</summary>
public interface ICommand
{
    /// <summary>Subcommand name (first argument).</summary>
    string Name { get; }

    /// <summary>One-line usage, e.g. <c>prove &lt;circuit.zkey&gt; &lt;witness.wtns&gt; ...</c>.</summary>
    string Usage { get; }

    /// <summary>One-line description.</summary>
    string Summary { get; }

    /// <summary>Runs the command with the arguments after its name; returns the process exit code.</summary>
    /// <exception cref="UsageException">The arguments are malformed.</exception>
    int Run(IReadOnlyList<string> args, CommandContext context);
}

/// <summary>Malformed command line; the dispatcher prints the message and the command's usage and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
