using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Worker.Node;
using Xunit;

namespace ProverMarketChain.Worker.Tests;

/// <summary>Several workers in one process (the demo, the tests) each export their own instruments.</summary>
public sealed class WorkerMetricsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnotherWorkerStoppingInTheSameProcess_doesNotEndThisWorkersMetrics(bool otherStartedFirst)
    {
        var port = FreePort();
        var earlier = otherStartedFirst ? new WorkerMetrics("0x1111111111111111111111111111111111111111") : null;
        using var served = new WorkerMetrics("0x2222222222222222222222222222222222222222");
        served.Serve($"http://127.0.0.1:{port}/", null, () => "{}", NullLogger.Instance);
        earlier ??= new WorkerMetrics("0x1111111111111111111111111111111111111111");
        earlier.JobsWon.Add(5);
        served.JobsWon.Add(1);
        using var http = new HttpClient();
        var before = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("pmc_jobs_won_total", before);

        earlier.Dispose();
        served.JobsWon.Add(1);
        served.JobsFulfilled.Add(1);
        await Task.Delay(1500); // past the exporter's scrape cache
        var after = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("pmc_jobs_won_total", after);
        Assert.Contains("pmc_jobs_fulfilled_total", after);
        // This worker's count only: the other worker's 5 are not in it.
        var won = after.Split('\n').Single(l => l.StartsWith("pmc_jobs_won_total", StringComparison.Ordinal));
        Assert.Equal("2", won.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
