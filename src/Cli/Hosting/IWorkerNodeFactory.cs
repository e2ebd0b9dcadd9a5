using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>Builds the node that <see cref="ProverNodeService"/> runs, from validated options.</summary>
public interface IWorkerNodeFactory
{
    /// <summary>Wires a node (key, RPC client, journal, proof engine); the caller disposes it.</summary>
    IWorkerNode Create(WorkerOptions options);
}
