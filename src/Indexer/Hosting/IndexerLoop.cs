using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProverMarketChain.Indexer.Ingest;

namespace ProverMarketChain.Indexer.Hosting;

/// <summary>
/// The indexing loop as a hosted service: steps the <see cref="ChainFollower"/> as fast as there is work, then every
/// poll interval; an error (the node down, the database busy) is logged and retried with a growing delay, never fatal.
/// </summary>
public sealed class IndexerLoop(ChainFollower follower, IndexerStatus status, IOptions<IndexerOptions> options, ILogger<IndexerLoop> log) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var step = await follower.StepAsync(stoppingToken).ConfigureAwait(false);
                status.Events += step.Applied;
                status.Reorgs = follower.Reorgs;
                status.LastError = null;
                if (step.CaughtUp && !status.CaughtUp)
                {
                    status.CaughtUp = true;
                    log.LogInformation("caught up with the chain ({Events} events so far)", status.Events);
                }
                failures = 0;
                wait = step.CaughtUp || !step.Progress ? options.Value.PollInterval : TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                status.LastError = e.Message;
                wait = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                log.LogWarning("indexing step failed ({Failures} in a row; retrying in {Wait}): {Error}", failures, wait, e.Message);
            }
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}
