using System.CommandLine;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc help [command...]</c>: the same as <c>pmc [command...] --help</c>.</summary>
internal sealed class HelpCommand : Command
{
    private readonly Argument<string[]> _command = new("command")
    {
        Description = "The command (and subcommand) to show help for; none for the list of commands",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>Creates the command for <paramref name="root"/>.</summary>
    public HelpCommand(RootCommand root, CliIo io)
        : base("help", "Show help for pmc or for a command (the same as --help)")
    {
        Arguments.Add(_command);
        SetAction(parseResult => root.Parse([.. parseResult.GetValue(_command) ?? [], "--help"]).Invoke(new InvocationConfiguration
        {
            Output = io.Out,
            Error = io.Err,
        }));
    }
}
