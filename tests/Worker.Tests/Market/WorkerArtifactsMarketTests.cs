using ProverMarketChain.ContractBindings.Rpc;
using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// Circuit artifacts fetched from the registry and checked against its hashes, against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.
/// </summary>
public sealed class WorkerArtifactsMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ArtifactsThatDifferFromTheRegisteredHash_areNotServed()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "stale", "300000000000000");
        var staleWasm = Path.Combine(h.Work, "stale.wasm");
        File.Copy(h.Wasm, staleWasm);
        await File.AppendAllTextAsync(staleWasm, "\0");
        o.Circuits[0].WitnessWasm = staleWasm;
        var host = h.StartWorker(o, env);
        var e = await Assert.ThrowsAsync<ProverMarketChain.Worker.Configuration.WorkerConfigurationException>(
            () => h.WaitForWorkerAsync(host, TimeSpan.FromSeconds(60)));
        Assert.Contains("no configured circuit has usable artifacts", e.Message);
        Assert.Contains(h.Log.Lines, l => l.Contains("differs from the registered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkerWithoutLocalArtifacts_fetchesTheRegisteredOnes_provesAndExportsMetrics()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "fetcher", "300000000000000", fetchArtifacts: true);
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        o.MetricsUrl = $"http://127.0.0.1:{port}/";
        h.StartWorker(o, env);
        var (_, id) = await h.SubmitAsync(mode: 1, a: 9, b: 4, bidSeconds: 20);
        await h.WaitForStatusAsync(id, Fulfilled, Patience);

        var cached = Directory.GetFiles(o.ArtifactCacheDir, "*", SearchOption.AllDirectories);
        Assert.Contains(cached, f => f.EndsWith("circuit.zkey", StringComparison.Ordinal));
        Assert.Contains(cached, f => f.EndsWith("circuit.wasm", StringComparison.Ordinal));
        Assert.Contains(h.Log.Lines, l => l.Contains("fetched artifacts", StringComparison.Ordinal));

        // OpenTelemetry's Prometheus exporter serves the worker's instruments; the status endpoint its journal.
        using var http = new HttpClient();
        string metrics = "";
        var sw = Stopwatch.StartNew();
        while (!metrics.Contains("pmc_jobs_fulfilled_total", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            await Task.Delay(500);
        }
        Assert.Contains("pmc_jobs_won_total", metrics);
        Assert.Contains("pmc_jobs_fulfilled_total", metrics);
        Assert.Contains("pmc_proving_duration_seconds_bucket", metrics);
        Assert.Contains("phase=\"witness\"", metrics);
        Assert.Contains("pmc_jobs_in_flight", metrics);
        var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/status/"));
        Assert.Equal(key.Address.ToString(), status.RootElement.GetProperty("prover").GetString());
    }

    [Fact]
    public async Task RegisteredArtifactsThatDoNotMatchTheirHash_areNotServed()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        // The published wasm changes after registration: the fetched artifacts no longer hash to the registered value.
        var tampered = Path.Combine(h.Work, "tampered.wasm");
        File.Copy(h.Wasm, tampered);
        await File.AppendAllTextAsync(tampered, "\0");
        ProverMarketChain.Worker.Proving.ArtifactStore.WriteManifest(h.ArtifactsManifest, new Uri(h.Zkey).AbsoluteUri, new Uri(tampered).AbsoluteUri);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "fetchbad", "300000000000000", fetchArtifacts: true);
        var host = h.StartWorker(o, env);
        var e = await Assert.ThrowsAsync<ProverMarketChain.Worker.Configuration.WorkerConfigurationException>(
            () => h.WaitForWorkerAsync(host, TimeSpan.FromSeconds(60)));
        Assert.Contains("no configured circuit has usable artifacts", e.Message);
        Assert.Contains(h.Log.Lines, l => l.Contains("but the registry commits to", StringComparison.Ordinal));
        Assert.False(Directory.Exists(o.ArtifactCacheDir) && Directory.EnumerateFiles(o.ArtifactCacheDir, "*", SearchOption.AllDirectories).Any(),
            "a rejected download must not stay in the cache");
    }
}
