namespace ProverMarketChain.Cli;

/// <summary>Entry point of the <c>pmc</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Dispatches the command line.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("pmc: no command given");
        return 2;
    }
}
