using Microsoft.Extensions.Logging;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>The real node: <see cref="WorkerHost.Create"/>'s <see cref="ProverNode"/>, logging through the host's loggers.</summary>
/// <param name="loggers">The host's logger factory.</param>
/// <param name="environment">Where the secrets are read from.</param>
public sealed class ProverNodeFactory(ILoggerFactory loggers, IReadOnlyDictionary<string, string?> environment) : IWorkerNodeFactory
{
    /// <inheritdoc />
    public IWorkerNode Create(WorkerOptions options) => new Node(WorkerHost.Create(options, loggers, environment));

    private sealed class Node(WorkerHost host) : IWorkerNode
    {
        public Task RunAsync(CancellationToken cancellationToken) => host.Node.RunAsync(cancellationToken);

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }
}
