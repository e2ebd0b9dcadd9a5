namespace ProverMarketChain.Cli.Soak;

/// <summary>The worker processes over a soak run.</summary>
/// <param name="Kills">SIGKILLs sent by the soak.</param>
/// <param name="Starts">Process starts (first starts and restarts).</param>
/// <param name="UnexpectedExits">Exits the soak did not cause (each restarted; see the logs).</param>
/// <param name="QuietSecondsAtEnd">Per worker, seconds since its last RPC call when the run stopped it (it polls twice a
/// second: a long silence means it was stuck).</param>
/// <param name="Logs">Each worker's log file.</param>
public sealed record WorkerFleetStats(int Kills, int Starts, int UnexpectedExits, IReadOnlyDictionary<string, double> QuietSecondsAtEnd,
    IReadOnlyDictionary<string, string> Logs);
