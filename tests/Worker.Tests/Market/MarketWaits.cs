using System.Diagnostics;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>Polling waits of the live market tests: each fails with its message (and the worker's output or the log's
/// tail) after <see cref="Patience"/>.</summary>
internal static class MarketWaits
{
    /// <summary>How long a live market test waits for one outcome.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>Mines a block every 400 ms (the chain's interval mining is off) until <paramref name="done"/>.</summary>
    public static async Task MineUntilAsync(MarketHarness h, Func<Task<bool>> done, string failure, WorkerProcess? worker = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(sw.Elapsed < Patience, failure + (worker is null ? "" : ": " + worker.Output()));
            if (worker is not null) Assert.False(worker.Process.HasExited, "the worker exited: " + worker.Output());
            await h.MineAsync();
            await Task.Delay(400);
        }
    }

    /// <summary>Polls every 200 ms until <paramref name="done"/>; fails when a worker of the harness died.</summary>
    public static async Task WaitForAsync(MarketHarness h, Func<Task<bool>> done, string failure, WorkerProcess? worker = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await done())
        {
            h.ThrowIfAWorkerDied();
            Assert.True(sw.Elapsed < Patience, failure + ": " + (worker?.Output() ?? h.Log.Tail()));
            await Task.Delay(200);
        }
    }
}
