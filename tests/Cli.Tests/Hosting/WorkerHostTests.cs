using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using ProverMarketChain.Cli.Hosting;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Tests.Hosting;

/// <summary>The Generic Host of <c>pmc worker</c>: options validated at start, the node run as a hosted service and stopped cleanly.</summary>
public sealed class WorkerHostTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly WorkerConfigFiles _files = new();

    public void Dispose() => _files.Dispose();

    private IHost Build(FakeNode? node, Dictionary<string, string?>? env = null, params string[] overrides)
    {
        env ??= [];
        env.TryAdd(WorkerOptions.PrivateKeyVariable, WorkerConfigFiles.Key);
        var builder = WorkerHostBuilder.Create(new WorkerSettingsSources(_files.Path, overrides, env), verbose: false);
        if (node is not null) builder.Services.AddSingleton<IWorkerNodeFactory>(node);
        return builder.Build();
    }

    [Fact]
    public void TheRealWiring()
    {
        using var host = Build(null);

        Assert.IsType<ProverNodeFactory>(host.Services.GetRequiredService<IWorkerNodeFactory>());
        Assert.IsType<ConsoleLifetime>(host.Services.GetRequiredService<IHostLifetime>());
        Assert.Equal(WorkerHostBuilder.ShutdownTimeout, host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is ProverNodeService);
        Assert.IsType<WorkerOptionsValidator>(Assert.Single(host.Services.GetServices<IValidateOptions<WorkerOptions>>()));
    }

    [Fact]
    public async Task TheNodeStopsCleanlyWhenTheHostIsStopped()
    {
        var node = new FakeNode { DrainTime = TimeSpan.FromMilliseconds(300) };
        using var host = Build(node, new() { ["PMC_Worker__Capacity"] = "3" });
        var service = host.Services.GetRequiredService<ProverNodeService>();

        await host.StartAsync();
        await node.Running.WaitAsync(Patience);
        var sw = Stopwatch.StartNew();
        await host.StopAsync();

        Assert.True(node.SawCancellation, "the node's token was not cancelled");
        Assert.True(node.Disposed, "the node was not disposed");
        // Task.Delay runs on the coarse millisecond tick and may end a fraction of a millisecond before the Stopwatch's
        // 300 ms (seen: 299.76 ms); a host that did not wait would stop in a few milliseconds.
        Assert.True(sw.Elapsed >= node.DrainTime - TimeSpan.FromMilliseconds(5), $"the host did not wait for the node to drain ({sw.Elapsed})");
        Assert.Null(service.Failure);
        Assert.Equal(3, node.CreatedWith!.Capacity);
    }

    [Fact]
    public async Task StopApplicationEndsRunAsyncAfterTheNodeHasStopped()
    {
        var node = new FakeNode();
        using var host = Build(node);
        var service = host.Services.GetRequiredService<ProverNodeService>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var run = host.RunAsync();
        await node.Running.WaitAsync(Patience);

        lifetime.StopApplication();
        await run.WaitAsync(Patience);

        Assert.True(node.SawCancellation);
        Assert.True(node.Disposed);
        Assert.Null(service.Failure);
    }

    [Fact]
    public async Task AFailingNodeStopsTheHostAndIsKeptForTheCommand()
    {
        var node = new FakeNode { Fault = new JsonRpcException("no chain") };
        using var host = Build(node);
        var service = host.Services.GetRequiredService<ProverNodeService>();

        await host.RunAsync().WaitAsync(Patience);

        Assert.NotNull(service.Failure);
        Assert.Same(node.Fault, service.Failure.SourceException);
        Assert.True(node.Disposed);
    }

    [Fact]
    public async Task InvalidOptionsFailTheStartNamingTheSettingAndNoNodeIsBuilt()
    {
        var node = new FakeNode();
        using var host = Build(node, null, "capacity=0", "confirmations=99");

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("capacity: 0 is outside 1..256", e.Failures);
        Assert.Contains("confirmations: 99 is outside 0..64", e.Failures);
        Assert.Null(node.CreatedWith);
    }

    [Fact]
    public void PmcWorkerReportsInvalidOptionsAndExitsOne()
    {
        var r = Commands.PmcRun.Invoke(new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = WorkerConfigFiles.Key },
            "worker", "--config", _files.Path, "--set", "capacity=0");

        Assert.Equal(Cli.Commands.ExitCodes.Failure, r.ExitCode);
        Assert.Contains($"pmc worker: error: invalid worker configuration '{_files.Path}': capacity: 0 is outside 1..256", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void PmcWorkerStatusReadsTheSameSources()
    {
        var r = Commands.PmcRun.Invoke(new Dictionary<string, string?>
            {
                [WorkerOptions.PrivateKeyVariable] = WorkerConfigFiles.Key,
                ["PMC_Worker__JournalPath"] = "env.db",
            },
            "worker", "status", "--config", _files.Path);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains(System.Text.Json.JsonSerializer.Serialize(Path.Combine(_files.Dir, "env.db")), r.Out);
        Assert.True(File.Exists(Path.Combine(_files.Dir, "env.db")));
    }

    [Fact]
    public void PmcWorkerStatusListsTheJournalsBatches()
    {
        using (var journal = new ProverMarketChain.Worker.Journal.WorkerJournal(Path.Combine(_files.Dir, "state", "worker.db")))
            foreach (var id in new[] { "0xaa", "0xbb" }) journal.RecordSend(id, ProverMarketChain.Worker.Journal.WorkerJournal.DeliveryAction, [0x12, 0x34], 5);
        var r = Commands.PmcRun.Invoke(new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = WorkerConfigFiles.Key },
            "worker", "status", "--config", _files.Path);

        Assert.True(r.ExitCode == 0, r.Err);
        using var status = System.Text.Json.JsonDocument.Parse(r.Out);
        var batch = Assert.Single(status.RootElement.GetProperty("recentBatches").EnumerateArray());
        Assert.Equal("0x1234", batch.GetProperty("tx").GetString());
        Assert.Equal(["0xaa", "0xbb"], batch.GetProperty("requests").EnumerateArray().Select(e => e.GetString()).Order());
    }
}
