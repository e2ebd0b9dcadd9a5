using System.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>What the adversarial tests configure and check about the worker's input policy.</summary>
internal static class HostileSetup
{
    /// <summary>Lets the worker fetch inputs from the test's loopback servers (refused by default), with a short fetch deadline.</summary>
    public static void AllowLoopbackInputs(WorkerOptions o, TimeSpan fetchTimeout)
    {
        o.AllowedInputHosts = ["127.0.0.1"];
        o.AllowFileInputs = false; // the production default (the harness allows file inputs for its other tests)
        o.InputFetchTimeout = fetchTimeout;
    }

    /// <summary>
    /// The worker's reasons for the hostile requests: <c>file:///dev/stdin</c> and the metadata address are refused by
    /// the URI policy (and the requests closed), the slowloris input timed out (transient: retried until the bid
    /// deadline, never bid on).
    /// </summary>
    public static async Task AssertRefusedAsync(MarketHarness h, WorkerOptions o, IReadOnlyDictionary<string, byte[]> hostile, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        using var journal = new WorkerJournal(o.JournalPath);
        foreach (var name in new[] { "stdin", "metadata" })
        {
            string? reason;
            while ((reason = journal.ClosedReason(Hex.Encode(hostile[name]))) is null && sw.Elapsed < timeout) await Task.Delay(200);
            Assert.True(reason is not null, $"the {name} request was never closed: {h.Log.Tail()}");
            Assert.Contains(name == "stdin" ? "allowFileInputs" : "allowedInputHosts", reason, StringComparison.OrdinalIgnoreCase);
        }
        var slow = Hex.Encode(hostile["slowloris"]);
        Assert.Contains(h.Log.Lines, l => l.Contains(slow, StringComparison.Ordinal) && l.Contains("timed out", StringComparison.OrdinalIgnoreCase));
        Assert.Null(journal.ClosedReason(slow) is { } r && r.StartsWith("skipped", StringComparison.Ordinal) ? r : null); // transient, not a rejection
    }
}
