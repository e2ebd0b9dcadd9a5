namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Kills a random worker with SIGKILL at random times, one every <c>minInterval</c>..<c>maxInterval</c> (seeded), and
/// has it restarted after a short random downtime (0.5 to 3 s) on the same journal.
/// </summary>
public sealed class ChaosMonkey(WorkerSupervisor supervisor, Random random, TimeSpan minInterval, TimeSpan maxInterval)
{
    /// <summary>Kills until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait, downtime;
            int victim;
            lock (random)
            {
                wait = minInterval + (maxInterval - minInterval) * random.NextDouble();
                downtime = TimeSpan.FromSeconds(0.5 + 2.5 * random.NextDouble());
                victim = random.Next(supervisor.Workers.Count);
            }
            try
            {
                await Task.Delay(wait, ct).ConfigureAwait(false);
                await supervisor.KillAndRestartAsync(victim, downtime, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
