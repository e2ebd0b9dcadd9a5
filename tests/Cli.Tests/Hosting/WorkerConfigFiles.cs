namespace ProverMarketChain.Cli.Tests.Hosting;

/// <summary>A temporary folder with a valid worker configuration (README format) and the files it names.</summary>
internal sealed class WorkerConfigFiles : IDisposable
{
    /// <summary>A valid 32-byte hex key (not a funded one).</summary>
    public const string Key = "0xabababababababababababababababababababababababababababababababab";

    public WorkerConfigFiles(string? json = null)
    {
        Dir = Directory.CreateTempSubdirectory("pmc-cli-tests-").FullName;
        File.WriteAllText(System.IO.Path.Combine(Dir, "deployment.json"), """
            {"chainId": 31337, "circuitRegistry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
             "collateralVault": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
             "proverMarket": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "deployBlock": 0}
            """);
        Path = System.IO.Path.Combine(Dir, "worker.json");
        File.WriteAllText(Path, json ?? Valid);
    }

    /// <summary>The README's example, with comments, trailing commas, nulls and empty lists as the file format allows.</summary>
    public const string Valid = """
        {
          // The chain
          "rpcUrl": "http://127.0.0.1:8545",
          "deploymentFile": "deployment.json",
          "journalPath": "state/worker.db",
          "artifactCacheDir": "artifacts",
          "keystorePath": null,
          "circuits": [ { "circuitId": 1 } ],
          "costModel": { "costPerUnitWei": "150000000000", "fixedCostWei": "0", "marginBps": 1000, "unitsPerSecond": 1000 },
          "capacity": 2,
          "maxGasPriceWei": "100000000000",
          "obligationMaxGasPriceWei": "1000000000000",
          "maxCollateralPerJobWei": "1000000000000000000",
          "maxCollateralAtRiskWei": "5000000000000000000",
          "maxJobsPerCircuit": 0,
          "confirmations": 1,
          "metricsUrl": null,
          "collateralReserve": [ { "assetId": 0, "amountWei": "750000000000000000" } ],
          "askMaxCollateralWei": "100000000000000000",
          "askAssetId": 0,
          "askLifetime": "1.00:00:00",
          "inputFetchTimeout": "00:00:30",
          "allowFileInputs": false,
          "allowedInputHosts": [],
          "maxCallbackGas": 300000,
          "batching": { "enabled": false, "maxBatchSize": 16, "minBatchSize": 2, "maxWaitSeconds": 30 },
        }
        """;

    public string Dir { get; }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
