namespace ProverMarketChain.Cli.Commands;

/// <summary>The process exit codes of <c>pmc</c>, as listed by <c>pmc --help</c> and the README.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked (a worker also exits with it after a clean stop on SIGINT or SIGTERM).</summary>
    public const int Success = 0;

    /// <summary>
    /// The command ran and failed: a proof that does not verify, a failed soak audit, a demo request left unfulfilled, a
    /// bad or missing file, an invalid worker configuration, an RPC or contract error.
    /// </summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown command or option, a missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>A demo or soak was interrupted (Ctrl+C, SIGINT or SIGTERM) before it finished.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit-code table printed at the end of <c>pmc --help</c>.</summary>
    public static string HelpText { get; } = string.Join(Environment.NewLine,
        "Exit codes:",
        $"  {Success,-5}success (and a worker's clean stop on SIGINT/SIGTERM)",
        $"  {Failure,-5}the command failed: invalid proof, failed audit, unfulfilled demo request, bad file,",
        "       invalid worker configuration, RPC or contract error",
        $"  {Usage,-5}usage error: unknown command or option, missing or malformed argument",
        $"  {Interrupted,-5}interrupted (Ctrl+C, SIGINT or SIGTERM) before a demo or soak finished");
}
