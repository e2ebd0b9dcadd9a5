using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Worker.Tests;

public sealed class OptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-options-").FullName;
    private const string Key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        File.WriteAllText(Path.Combine(_dir, "deployment.json"), "{}");
        File.WriteAllText(Path.Combine(_dir, "c.zkey"), "");
        File.WriteAllText(Path.Combine(_dir, "c.wasm"), "");
        var p = Path.Combine(_dir, "worker.json");
        File.WriteAllText(p, json);
        return p;
    }

    private const string Valid = """
        {
          "rpcUrl": "http://127.0.0.1:8545",
          "deploymentFile": "deployment.json",
          "journalPath": "state/worker.db",
          "circuits": [ { "circuitId": 1, "zkey": "c.zkey", "witnessWasm": "c.wasm" } ],
          "costModel": { "costPerUnitWei": "1000", "fixedCostWei": "0", "marginBps": 500, "unitsPerSecond": 5000 },
          "capacity": 2,
          "maxGasPriceWei": "50000000000"
        }
        """;

    [Fact]
    public void Load_resolvesPathsRelativeToTheFileAndTakesTheKeyFromTheEnvironment()
    {
        var o = WorkerOptions.Load(Write(Valid), new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key });
        Assert.Equal(Path.Combine(_dir, "deployment.json"), o.DeploymentFile);
        Assert.Equal(Path.Combine(_dir, "state", "worker.db"), o.JournalPath);
        Assert.Equal(2, o.Capacity);
    }

    [Fact]
    public void Load_aCircuitWithoutLocalFiles_fetchesFromTheRegistryIntoTheCacheNextToTheFile()
    {
        var o = WorkerOptions.Load(Write(Valid.Replace(", \"zkey\": \"c.zkey\", \"witnessWasm\": \"c.wasm\"", "")),
            new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key });
        Assert.True(o.Circuits[0].FetchFromRegistry);
        Assert.Equal(Path.Combine(_dir, "artifacts"), o.ArtifactCacheDir);
    }

    [Fact]
    public void Load_environmentOverridesTheRpcUrl()
    {
        var o = WorkerOptions.Load(Write(Valid), new Dictionary<string, string?>
        {
            [WorkerOptions.PrivateKeyVariable] = Key,
            [WorkerOptions.RpcUrlVariable] = "http://127.0.0.1:9999",
        });
        Assert.Equal("http://127.0.0.1:9999", o.RpcUrl);
    }

    [Theory]
    [InlineData("\"capacity\": 2", "\"capacity\": 0", "capacity: 0 is outside")]
    [InlineData("\"rpcUrl\": \"http://127.0.0.1:8545\"", "\"rpcUrl\": \"ftp://x\"", "rpcUrl: 'ftp://x' is not an http(s) URL")]
    [InlineData("\"c.zkey\"", "\"missing.zkey\"", "circuits[0].zkey:")]
    [InlineData("\"zkey\": \"c.zkey\", ", "", "circuits[0].zkey: required when witnessWasm is set")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"otlpEndpoint\": \"grpc:x\"", "otlpEndpoint: 'grpc:x' is not an http(s) URL")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"metricsUrl\": \"http://10.0.0.1:9464/\"", "metricsUrl: 'http://10.0.0.1:9464/' must be an http URL on a loopback address")]
    [InlineData("\"marginBps\": 500", "\"marginBps\": -1", "costModel.marginBps: -1")]
    [InlineData("\"50000000000\"", "\"-5\"", "maxGasPriceWei: '-5'")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"bogus\": 1", "not valid configuration JSON")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"collateralReserve\": [ { \"assetId\": 0, \"amountWei\": \"1e18\" } ]", "collateralReserve[0].amountWei: '1e18' is not a positive integer")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"collateralReserve\": [ { \"assetId\": 1, \"amountWei\": \"5\" }, { \"assetId\": 1, \"amountWei\": \"6\" } ]", "collateralReserve[1].assetId: 1 appears twice")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"collateralReserve\": [ { \"assetId\": 256, \"amountWei\": \"5\" } ]", "not valid configuration JSON")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"askMaxCollateralWei\": \"9999999999999999\"", "askMaxCollateralWei: 9999999999999999 is outside 10000000000000000..")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"askMaxCollateralWei\": \"0.1\"", "askMaxCollateralWei: '0.1' is not a non-negative integer")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"askLifetime\": \"31.00:00:00\"", "askLifetime: 31.00:00:00 is outside 1 min..30 days")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"askLifetime\": \"00:00:30\"", "askLifetime: 00:00:30 is outside")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"inputFetchTimeout\": \"00:00:00\"", "inputFetchTimeout: 00:00:00 must be more than 0")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"inputFetchTimeout\": \"-00:00:05\"", "inputFetchTimeout: -00:00:05 must be more than 0")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"inputFetchTimeout\": \"02:00:00\"", "inputFetchTimeout: 02:00:00 must be more than 0 and at most 1 hour")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"allowedInputHosts\": [\"10.0.0.0/8\", \"not a host!\"]", "allowedInputHosts[1]: 'not a host!' is neither a host name")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"allowedInputHosts\": [\"10.0.0.1/8\"]", "allowedInputHosts[0]: '10.0.0.1/8' is not a valid CIDR range")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"allowedInputHosts\": [\"\"]", "allowedInputHosts[0]: '' is empty")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"minPriorityFeeWei\": \"-1\"", "minPriorityFeeWei: '-1' is not a non-negative integer")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"minPriorityFeeWei\": \"5\", \"maxPriorityFeeWei\": \"4\"", "maxPriorityFeeWei: 4 is below minPriorityFeeWei 5")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"maxPriorityFeeWei\": \"2000000000000\"", "maxPriorityFeeWei: 2000000000000 exceeds obligationMaxGasPriceWei 1000000000000")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"revealMaxGasShareOfBondBps\": 5001", "revealMaxGasShareOfBondBps: 5001 is outside 0..5000")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"revealMaxGasShareOfBondBps\": -1", "revealMaxGasShareOfBondBps: -1 is outside 0..5000")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"maxCallbackGas\": 30000001", "maxCallbackGas: 30000001 is outside 0..30000000")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"maxCallbackGas\": -1", "not valid configuration JSON")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"enabled\": true, \"maxBatchSize\": 1 }", "batching.maxBatchSize: 1 is outside 2..64")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"maxBatchSize\": 65 }", "batching.maxBatchSize: 65 is outside 2..64")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"maxBatchSize\": 8, \"minBatchSize\": 9 }", "batching.minBatchSize: 9 is outside 2..maxBatchSize (8)")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"minBatchSize\": 1 }", "batching.minBatchSize: 1 is outside 2..maxBatchSize")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"maxWaitSeconds\": 3601 }", "batching.maxWaitSeconds: 3601 is outside 0..3600")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"maxWaitSeconds\": -1 }", "batching.maxWaitSeconds: -1 is outside 0..3600")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": { \"enabled\": true, \"size\": 4 }", "not valid configuration JSON")]
    [InlineData("\"capacity\": 2", "\"capacity\": 2, \"batching\": null", "batching: must be an object")]
    public void Load_rejectsBadValuesNamingTheField(string from, string to, string expected)
    {
        var e = Assert.Throws<WorkerConfigurationException>(() =>
            WorkerOptions.Load(Write(Valid.Replace(from, to)), new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_standingAskDefaults_coverTheBooksMinimumAndLiveADay()
    {
        var o = WorkerOptions.Load(Write(Valid), new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key });
        Assert.True(o.PostStandingAsks);
        Assert.Equal(System.Numerics.BigInteger.Pow(10, 17), o.AskMaxCollateral);
        Assert.True(o.AskMaxCollateral >= WorkerOptions.MinAskCollateral);
        Assert.Equal(TimeSpan.FromDays(1), o.AskLifetime);
        // Without standing asks the collateral cap is not used, so a value below the book's minimum is accepted.
        var off = WorkerOptions.Load(Write(Valid.Replace("\"capacity\": 2", "\"capacity\": 2, \"postStandingAsks\": false, \"askMaxCollateralWei\": \"0\"")),
            new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key });
        Assert.False(off.PostStandingAsks);
    }

    [Fact]
    public void Load_inputPolicyDefaults_areStrict_andTheFileCanWidenThem()
    {
        var o = WorkerOptions.Load(Write(Valid), new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key });
        Assert.Equal(TimeSpan.FromSeconds(30), o.InputFetchTimeout);
        Assert.False(o.AllowFileInputs);
        Assert.Empty(o.AllowedInputHosts);

        var wide = WorkerOptions.Load(Write(Valid.Replace("\"capacity\": 2", """
            "capacity": 2, "inputFetchTimeout": "00:00:05", "allowFileInputs": true,
            "allowedInputHosts": ["inputs.internal", "127.0.0.1", "10.20.0.0/16", "fd00::/8"]
            """)), new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key });
        Assert.Equal(TimeSpan.FromSeconds(5), wide.InputFetchTimeout);
        Assert.True(wide.AllowFileInputs);
        Assert.Equal(["inputs.internal", "127.0.0.1", "10.20.0.0/16", "fd00::/8"], wide.AllowedInputHosts);
        var policy = ProverMarketChain.Worker.Proving.InputUriPolicy.FromOptions(wide);
        Assert.True(policy.IsAllowListed("inputs.internal"));
        Assert.True(policy.IsAllowListed(System.Net.IPAddress.Parse("10.20.3.4")));
        Assert.False(policy.IsAllowListed(System.Net.IPAddress.Parse("10.21.0.1")));
    }

    [Fact]
    public void Load_tipBoundsAndTheRevealBondShare_defaultSensibly_allowSubGweiTips_andReachTheSigner()
    {
        var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key };
        var o = WorkerOptions.Load(Write(Valid), env);
        Assert.Equal(System.Numerics.BigInteger.Pow(10, 9), o.MinPriorityFee);
        Assert.Equal(50 * System.Numerics.BigInteger.Pow(10, 9), o.MaxPriorityFee);
        Assert.Equal(1000, o.RevealMaxGasShareOfBondBps);

        // An L2: no minimum tip, at most 0.001 gwei; no bond share for reveals.
        var l2 = WorkerOptions.Load(Write(Valid.Replace("\"capacity\": 2", "\"capacity\": 2, \"minPriorityFeeWei\": \"0\", \"maxPriorityFeeWei\": \"1000000\", \"revealMaxGasShareOfBondBps\": 0")), env);
        var (signer, rpc) = ProverMarketChain.Worker.Node.WorkerHost.CreateSigner(l2, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, env);
        using (rpc)
        {
            Assert.Equal(System.Numerics.BigInteger.Zero, signer.Options.MinPriorityFeePerGas);
            Assert.Equal(new System.Numerics.BigInteger(1_000_000), signer.Options.MaxPriorityFeePerGas);
            Assert.Equal(l2.ObligationMaxGasPrice, signer.Options.MaxFeePerGasCap);
        }
        Assert.Equal(0, l2.RevealMaxGasShareOfBondBps);
    }

    [Fact]
    public void Load_callbackAndBatchingDefaults_areBoundedAndOff_andTheFileCanSetThem()
    {
        var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key };
        var o = WorkerOptions.Load(Write(Valid), env);
        Assert.Equal(300_000UL, o.MaxCallbackGas);
        Assert.False(o.Batching.Enabled);
        Assert.Equal((16, 2, 30), (o.Batching.MaxBatchSize, o.Batching.MinBatchSize, o.Batching.MaxWaitSeconds));

        var set = WorkerOptions.Load(Write(Valid.Replace("\"capacity\": 2", """
            "capacity": 2, "maxCallbackGas": 0,
            "batching": { "enabled": true, "maxBatchSize": 32, "minBatchSize": 3, "maxWaitSeconds": 0 }
            """)), env);
        Assert.Equal(0UL, set.MaxCallbackGas);
        Assert.True(set.Batching.Enabled);
        Assert.Equal((32, 3, 0), (set.Batching.MaxBatchSize, set.Batching.MinBatchSize, set.Batching.MaxWaitSeconds));
    }

    [Fact]
    public void Load_requiresASigningKey()
    {
        var e = Assert.Throws<WorkerConfigurationException>(() => WorkerOptions.Load(Write(Valid), new Dictionary<string, string?>()));
        Assert.Contains("no signing key", e.Message);
        e = Assert.Throws<WorkerConfigurationException>(() =>
            WorkerOptions.Load(Write(Valid), new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = "0x1234" }));
        Assert.Contains("not a 32-byte hex private key", e.Message);
    }

    [Fact]
    public void Load_reportsAMissingFile()
    {
        var e = Assert.Throws<WorkerConfigurationException>(() => WorkerOptions.Load(Path.Combine(_dir, "nope.json")));
        Assert.Contains("file not found", e.Message);
    }

    /// <summary>
    /// The deployment file says which contracts the worker bonds collateral to: whoever hands an operator a broken or
    /// hostile one (an address that is not one, fields missing, not JSON) gets a configuration error naming the file and
    /// the field at start-up, before the worker signs anything.
    /// </summary>
    [Theory]
    [InlineData("{}", "'chainId' is missing")]
    [InlineData("""{"chainId":1,"circuitRegistry":"0xnot-an-address","collateralVault":"0x0000000000000000000000000000000000000001","proverMarket":"0x0000000000000000000000000000000000000002","deployBlock":1}""", "'circuitRegistry': An address has 40 hex digits")]
    [InlineData("""{"chainId":1,"circuitRegistry":"0x0000000000000000000000000000000000000001","collateralVault":"0x0000000000000000000000000000000000000001","proverMarket":7,"deployBlock":1}""", "'proverMarket' is missing or not a string")]
    [InlineData("not json at all", "bad deployment file")]
    public void Create_aBrokenOrHostileDeploymentFile_isAConfigurationErrorNamingTheFileAndField(string deployment, string message)
    {
        var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key };
        var o = WorkerOptions.Load(Write(Valid), env);
        File.WriteAllText(o.DeploymentFile, deployment);
        var e = Assert.Throws<WorkerConfigurationException>(() => ProverMarketChain.Worker.Node.WorkerHost.Create(o, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, env));
        Assert.Contains(o.DeploymentFile, e.Message);
        Assert.Contains(message, e.Message);
    }

    /// <summary>
    /// <c>device: gpu</c> on a machine without one stops the worker at start-up with a configuration error that names
    /// the setting and says there is no GPU, instead of bidding for work it would prove at CPU-accelerator speed.
    /// </summary>
    [SkippableFact]
    public void Create_deviceGpuWithoutAGpu_isAConfigurationErrorNamingTheSetting()
    {
        using (var gpu = ProverMarketChain.Proving.Gpu.Runtime.GpuContext.TryCreateGpu())
        {
            Skip.If(gpu is not null, "this machine has a GPU");
        }
        var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = Key };
        var o = WorkerOptions.Load(Write(Valid), env);
        o.Device = "gpu";
        File.WriteAllText(o.DeploymentFile, """{"chainId":1,"circuitRegistry":"0x0000000000000000000000000000000000000001","collateralVault":"0x0000000000000000000000000000000000000002","proverMarket":"0x0000000000000000000000000000000000000003","deployBlock":1}""");

        var e = Assert.Throws<WorkerConfigurationException>(() => ProverMarketChain.Worker.Node.WorkerHost.Create(o, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, env));

        Assert.Contains("device: gpu: A GPU was requested but ILGPU found no CUDA device", e.Message);
    }
}
