using System.CommandLine;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// A <c>pmc</c> subcommand: a System.CommandLine <see cref="Command"/> whose action gets a <see cref="CommandContext"/>
/// (the streams, and loggers at the level <c>--verbose</c> asks for) and returns the exit code (see <see cref="ExitCodes"/>).
/// Implementations live one per file in this folder and are listed in <see cref="PmcCli.CreateRootCommand"/>.
/// </summary>
public abstract class PmcCommand : Command
{
    /// <summary>Creates the command and sets its action to <see cref="Run"/>.</summary>
    /// <param name="name">The subcommand's name.</param>
    /// <param name="description">One line for <c>pmc --help</c>; more lines for the command's own help.</param>
    /// <param name="io">The streams and global options shared by the commands.</param>
    protected PmcCommand(string name, string description, CliIo io)
        : base(name, description)
    {
        Io = io;
        SetAction(parseResult =>
        {
            using var loggers = CliLogging.CreateCommandFactory(parseResult.GetValue(io.Verbose));
            return Run(parseResult, new CommandContext(loggers, io.Out, io.Err));
        });
    }

    /// <summary>The streams and global options shared by the commands.</summary>
    protected CliIo Io { get; }

    /// <summary>Text printed after the generated help (<c>pmc NAME --help</c>); null for none.</summary>
    public virtual string? HelpEpilog => null;

    /// <summary>Runs the command on a parse result without errors; returns the process exit code.</summary>
    /// <exception cref="UsageException">The arguments parse but are not meaningful.</exception>
    protected abstract int Run(ParseResult parseResult, CommandContext context);
}
