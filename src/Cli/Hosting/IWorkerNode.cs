namespace ProverMarketChain.Cli.Hosting;

/// <summary>A prover node as <see cref="ProverNodeService"/> runs it (the real one is <see cref="ProverNodeFactory"/>'s).</summary>
public interface IWorkerNode : IAsyncDisposable
{
    /// <summary>Runs the node until <paramref name="cancellationToken"/> is cancelled (then returns) or it fails (then throws).</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
