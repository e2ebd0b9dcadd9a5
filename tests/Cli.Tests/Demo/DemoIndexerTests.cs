using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Cli.Demo;

namespace ProverMarketChain.Cli.Tests.Demo;

/// <summary>
/// <c>pmc demo</c> runs an indexer beside the market: its dashboard answers, and the counts it indexed equal the demo's
/// own summary, which is read from the chain independently (the multiplier circuit keeps the run short).
/// </summary>
public sealed class DemoIndexerTests
{
    [Fact]
    public async Task test_demo_indexerCountsEqualTheSummary()
    {
        var progress = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        string? dashboardBody = null;
        var summary = await new DemoRunner(new DemoOptions(4, null, 240, Circuit: "multiplier", Dashboard: "http://127.0.0.1:0"), NullLoggerFactory.Instance, progress)
            .RunAsync(timeout.Token, s =>
            {
                // The market is still up when the summary is handed out: the dashboard answers.
                using var http = new HttpClient();
                dashboardBody = http.GetStringAsync(s.Indexer!.Dashboard).GetAwaiter().GetResult();
            });

        Assert.Matches(@"(?m)^dashboard: http://127\.0\.0\.1:\d+/\s*$", progress.ToString());
        Assert.Contains("<html", dashboardBody, StringComparison.OrdinalIgnoreCase);
        var indexed = Assert.IsType<DemoIndexerCounts>(summary.Indexer);
        Assert.Equal(4, summary.Requests);
        Assert.Equal(summary.Requests, indexed.Requests);
        Assert.Equal(summary.Fulfilled, indexed.Fulfilled);
        Assert.Equal(summary.Slashed, indexed.Slashed);
        Assert.Equal(summary.FulfilledByMode.ToDictionary(kv => kv.Key, kv => (long)kv.Value), indexed.FulfilledByMode);
        // Gas: the indexer divides each transaction among the requests it touched; the demo sums whole transactions.
        Assert.Equal((long)summary.GasPerRequest, indexed.GasPerRequest!.Value, tolerance: 1);
        // The multiplier circuit exercises the market alone: no rollup, so no rollup keys.
        Assert.Null(summary.Rollup);
        Assert.Null(summary.FinalizedBatches);
        Assert.Null(summary.FinalizedStateRoot);
    }
}
