using ProverMarketChain.Cli.Hosting;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Tests.Hosting;

/// <summary>The worker's settings from the JSON file, <c>PMC_Worker__*</c> variables and <c>--set</c>, bound and validated.</summary>
public sealed class WorkerConfigurationTests : IDisposable
{
    private readonly WorkerConfigFiles _files = new();

    public void Dispose() => _files.Dispose();

    private WorkerOptions Load(Dictionary<string, string?>? env = null, params string[] overrides)
    {
        env ??= [];
        env.TryAdd(WorkerOptions.PrivateKeyVariable, WorkerConfigFiles.Key);
        return WorkerConfiguration.Load(new WorkerSettingsSources(_files.Path, overrides, env));
    }

    [Fact]
    public void TheReadmeFileFormatBinds()
    {
        var o = Load();

        Assert.Equal("http://127.0.0.1:8545", o.RpcUrl);
        Assert.Equal(2, o.Capacity);
        Assert.Equal(1u, Assert.Single(o.Circuits).CircuitId);
        Assert.True(Assert.Single(o.Circuits).FetchFromRegistry);
        Assert.Equal(1000, o.CostModel.MarginBps);
        Assert.Equal(1000, o.CostModel.UnitsPerSecond);
        Assert.Equal("750000000000000000", Assert.Single(o.CollateralReserve).AmountWei);
        Assert.Equal(TimeSpan.FromDays(1), o.AskLifetime);
        Assert.Equal(TimeSpan.FromSeconds(30), o.InputFetchTimeout);
        Assert.Null(o.MetricsUrl);
        Assert.Null(o.KeystorePath);
        Assert.Empty(o.AllowedInputHosts);
        Assert.True(o.PostStandingAsks); // a default the file leaves alone
        Assert.Equal(300_000UL, o.MaxCallbackGas);
        Assert.False(o.Batching.Enabled);
        Assert.Equal((16, 2, 30), (o.Batching.MaxBatchSize, o.Batching.MinBatchSize, o.Batching.MaxWaitSeconds));
    }

    [Fact]
    public void BatchingAndTheCallbackCapAreNestedSettingsLikeAnyOther()
    {
        var o = Load(new() { ["PMC_Worker__Batching__MaxWaitSeconds"] = "12" }, "batching:enabled=true", "batching:maxBatchSize=32", "maxCallbackGas=0");

        Assert.True(o.Batching.Enabled);
        Assert.Equal(32, o.Batching.MaxBatchSize);
        Assert.Equal(12, o.Batching.MaxWaitSeconds);
        Assert.Equal(0UL, o.MaxCallbackGas);
    }

    /// <summary>The soak (camelCase) and the worker tests' harness (PascalCase) write their files with System.Text.Json.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FilesWrittenBySerializingWorkerOptionsBindBack(bool camelCase)
    {
        var written = new WorkerOptions
        {
            RpcUrl = "http://127.0.0.1:9545",
            DeploymentFile = Path.Combine(_files.Dir, "deployment.json"),
            JournalPath = Path.Combine(_files.Dir, "w.db"),
            ArtifactCacheDir = Path.Combine(_files.Dir, "a"),
            Circuits = [new CircuitOptions { CircuitId = 3 }],
            CostModel = new CostModelOptions { UnitsPerSecond = 0.5, MarginBps = 10 },
            Capacity = 3,
            PollInterval = TimeSpan.FromMilliseconds(250),
            AskLifetime = TimeSpan.FromHours(2),
            AskAssetId = 1,
            AllowFileInputs = true,
            AllowedInputHosts = ["127.0.0.1"],
            CollateralReserve = [new CollateralReserveOptions { AssetId = 1, AmountWei = "5" }],
        };
        File.WriteAllText(_files.Path, System.Text.Json.JsonSerializer.Serialize(written, new System.Text.Json.JsonSerializerOptions
        {
            PropertyNamingPolicy = camelCase ? System.Text.Json.JsonNamingPolicy.CamelCase : null,
        }));

        var o = Load();

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(written), System.Text.Json.JsonSerializer.Serialize(o));
    }

    [Fact]
    public void RelativePathsAreRelativeToTheFileWhereverTheyWereSet()
    {
        var o = Load(new() { ["PMC_Worker__ArtifactCacheDir"] = "cache" }, "journalPath=j/worker.db");

        Assert.Equal(Path.Combine(_files.Dir, "deployment.json"), o.DeploymentFile);
        Assert.Equal(Path.Combine(_files.Dir, "j", "worker.db"), o.JournalPath);
        Assert.Equal(Path.Combine(_files.Dir, "cache"), o.ArtifactCacheDir);
    }

    [Fact]
    public void EnvironmentVariablesOverrideTheFile()
    {
        var o = Load(new()
        {
            ["PMC_Worker__Capacity"] = "4",
            ["PMC_WORKER__COSTMODEL__MARGINBPS"] = "500",
            ["PMC_Worker__Circuits__0__CircuitId"] = "9",
            ["PMC_Worker__AllowedInputHosts__0"] = "10.20.0.0/16",
            ["OTHER_Worker__Confirmations"] = "7",
        });

        Assert.Equal(4, o.Capacity);
        Assert.Equal(500, o.CostModel.MarginBps);
        Assert.Equal(9u, Assert.Single(o.Circuits).CircuitId);
        Assert.Equal("10.20.0.0/16", Assert.Single(o.AllowedInputHosts));
        Assert.Equal(1, o.Confirmations);
    }

    [Fact]
    public void CommandLineOverridesWinOverTheEnvironment()
    {
        var o = Load(new() { ["PMC_Worker__Capacity"] = "4", ["PMC_Worker__Confirmations"] = "3" },
            "capacity=7", "costModel:marginBps=250", "costModel__fixedCostWei=12");

        Assert.Equal(7, o.Capacity);
        Assert.Equal(3, o.Confirmations);
        Assert.Equal(250, o.CostModel.MarginBps);
        Assert.Equal("12", o.CostModel.FixedCostWei);
    }

    [Fact]
    public void PmcRpcUrlStillOverridesTheFileButYieldsToTheWorkerVariable()
    {
        Assert.Equal("http://10.0.0.1:8545", Load(new() { [WorkerOptions.RpcUrlVariable] = "http://10.0.0.1:8545" }).RpcUrl);
        Assert.Equal("http://10.0.0.2:8545", Load(new()
        {
            [WorkerOptions.RpcUrlVariable] = "http://10.0.0.1:8545",
            ["PMC_Worker__RpcUrl"] = "http://10.0.0.2:8545",
        }).RpcUrl);
    }

    [Fact]
    public void SecretsAreNotSettings()
    {
        // PMC_PRIVATE_KEY is not under PMC_Worker__, so an unknown-setting check never sees it; without it, validation
        // names the missing key.
        var e = Assert.Throws<WorkerConfigurationException>(() =>
            WorkerConfiguration.Load(new WorkerSettingsSources(_files.Path, [], new Dictionary<string, string?>())));

        Assert.Contains("no signing key", e.Message);
    }

    [Theory]
    [InlineData("capacity=0", "capacity: 0 is outside 1..256")]
    [InlineData("costModel:marginBps=-1", "costModel.marginBps: -1 is outside 0..100000")]
    [InlineData("rpcUrl=ftp://x", "rpcUrl: 'ftp://x' is not an http(s) URL")]
    [InlineData("capacity=many", "Worker:capacity")]
    [InlineData("capacityy=2", "'capacityy'")]
    [InlineData("batching:maxBatchSize=1", "batching.maxBatchSize: 1 is outside 2..64")]
    [InlineData("batching:minBatchSize=17", "batching.minBatchSize: 17 is outside 2..maxBatchSize (16)")]
    [InlineData("batching:maxWait=5", "'maxWait'")]
    [InlineData("maxCallbackGas=-1", "Worker:maxCallbackGas")]
    [InlineData("maxCallbackGas=40000000", "maxCallbackGas: 40000000 is outside 0..30000000")]
    [InlineData("device=cuda", "device: 'cuda' is not one of cpu, gpu, ilgpu-cpu, auto")]
    [InlineData("gpuKeyBudgetMiB=-1", "gpuKeyBudgetMiB: -1 is outside 0..1048576")]
    public void AnInvalidSettingIsNamed(string assignment, string expected)
    {
        var e = Assert.Throws<WorkerConfigurationException>(() => Load(null, assignment));

        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(_files.Path, e.Message);
    }

    [Fact]
    public void TheProverDeviceDefaultsToAuto_andIsASettingLikeAnyOther()
    {
        Assert.Equal("auto", Load().Device);
        Assert.Equal("ilgpu-cpu", Load(new() { ["PMC_Worker__Device"] = "gpu" }, "device=ilgpu-cpu").Device);
        Assert.Equal("gpu", Load(new() { ["PMC_Worker__Device"] = "gpu" }).Device);
    }

    [Fact]
    public void AMissingOrMalformedFileIsAConfigurationError()
    {
        var missing = Path.Combine(_files.Dir, "nope.json");
        Assert.Contains("file not found", Assert.Throws<WorkerConfigurationException>(() =>
            WorkerConfiguration.Load(new WorkerSettingsSources(missing, [], new Dictionary<string, string?>()))).Message);

        File.WriteAllText(_files.Path, "{ \"capacity\": ");
        Assert.Contains("not valid configuration JSON", Assert.Throws<WorkerConfigurationException>(() => Load()).Message);
    }

    [Theory]
    [InlineData("capacity=2", "Worker:capacity", "2")]
    [InlineData("costModel:marginBps=5", "Worker:costModel:marginBps", "5")]
    [InlineData("costModel__marginBps=5", "Worker:costModel:marginBps", "5")]
    [InlineData("metricsUrl=http://127.0.0.1:9464/?a=b", "Worker:metricsUrl", "http://127.0.0.1:9464/?a=b")]
    [InlineData("allowedInputHosts:0=", "Worker:allowedInputHosts:0", "")]
    public void OverridesParse(string assignment, string key, string value)
    {
        var kv = WorkerConfiguration.ParseOverride(assignment);

        Assert.Equal(key, kv.Key);
        Assert.Equal(value, kv.Value);
    }

    [Theory]
    [InlineData("capacity")]
    [InlineData("=2")]
    [InlineData(" =2")]
    public void MalformedOverridesAreRefused(string assignment) =>
        Assert.Throws<FormatException>(() => WorkerConfiguration.ParseOverride(assignment));
}
