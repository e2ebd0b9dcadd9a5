namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Keeps the soak's worker processes running: starts them, kills one with SIGKILL and restarts it on the same journal
/// when told to, and restarts one that exits by itself (counted, with its exit code in the progress lines).
/// </summary>
public sealed class WorkerSupervisor(IReadOnlyList<WorkerProcess> workers, Action<string> say) : IDisposable
{
    private readonly object _gate = new();
    private readonly List<(DateTimeOffset At, int Worker)> _kills = [];

    /// <summary>The workers.</summary>
    public IReadOnlyList<WorkerProcess> Workers => workers;

    /// <summary>Every kill so far: when, and which worker.</summary>
    public IReadOnlyList<(DateTimeOffset At, int Worker)> Kills
    {
        get
        {
            lock (_gate) return _kills.ToList();
        }
    }

    /// <summary>Starts every worker.</summary>
    public void StartAll()
    {
        foreach (var w in workers) w.Start();
    }

    /// <summary>Kills worker <paramref name="index"/> with SIGKILL, waits <paramref name="downtime"/>, and starts it again.</summary>
    public async Task KillAndRestartAsync(int index, TimeSpan downtime, CancellationToken ct)
    {
        var w = workers[index];
        int? pid;
        lock (_gate)
        {
            pid = w.Kill9();
            if (pid is not null) _kills.Add((DateTimeOffset.UtcNow, index));
        }
        if (pid is null) return;
        say($"kill -9 {w.Name} (pid {pid}); restarting it in {downtime.TotalSeconds:F1} s on the same journal");
        await Task.Delay(downtime, ct).ConfigureAwait(false);
        lock (_gate)
        {
            if (!w.Running) w.Start();
        }
    }

    /// <summary>Restarts, every second, any worker that exited by itself, until <paramref name="ct"/> is cancelled.</summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var w in workers)
            {
                lock (_gate)
                {
                    if (w.TakeUnexpectedExit() is { } code)
                    {
                        say($"{w.Name} exited by itself (code {code}); restarting it (log: {w.LogPath})");
                        w.Start();
                    }
                }
            }
            try { await Task.Delay(1000, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Starts every worker that is not running (one left down by a cancelled restart).</summary>
    public void EnsureRunning()
    {
        lock (_gate)
        {
            foreach (var w in workers)
                if (!w.Running) w.Start();
        }
    }

    /// <summary>Kills every worker (SIGKILL).</summary>
    public void StopAll()
    {
        lock (_gate)
        {
            foreach (var w in workers) w.Kill9();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var w in workers) w.Dispose();
    }
}
