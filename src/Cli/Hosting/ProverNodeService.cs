using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>
/// The prover node as a hosted service: it is built from the validated <see cref="WorkerOptions"/> once the host has
/// started, runs until the host stops (SIGINT or SIGTERM through the console lifetime: the node's token is cancelled, it
/// finishes its in-flight steps and returns), and stops the host when it ends on its own or fails. A failure is kept in
/// <see cref="Failure"/> for the command to report after the host has stopped.
/// </summary>
/// <param name="options">The validated options.</param>
/// <param name="factory">Builds the node.</param>
/// <param name="lifetime">Stopped when the node ends.</param>
/// <param name="logger">The service's logger.</param>
public sealed class ProverNodeService(IOptions<WorkerOptions> options, IWorkerNodeFactory factory, IHostApplicationLifetime lifetime,
    ILogger<ProverNodeService> logger) : BackgroundService
{
    /// <summary>Why the node stopped, when it failed; null after a clean stop.</summary>
    public ExceptionDispatchInfo? Failure { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Building the node opens proving keys and may calibrate the prover (seconds): not on the host's start path.
        await Task.Yield();
        try
        {
            await using var node = factory.Create(options.Value);
            await node.RunAsync(stoppingToken).ConfigureAwait(false);
            logger.LogInformation(stoppingToken.IsCancellationRequested ? "Prover node stopped on request" : "Prover node ended");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Prover node stopped on request");
        }
        catch (Exception e)
        {
            Failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
