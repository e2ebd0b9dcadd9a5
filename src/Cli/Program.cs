using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli;

/// <summary>Entry point of the <c>pmc</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the command (see <see cref="PmcCli"/>); returns an <see cref="ExitCodes"/> value.</summary>
    public static int Main(string[] args) => PmcCli.Run(args, Console.Out, Console.Error);
}
