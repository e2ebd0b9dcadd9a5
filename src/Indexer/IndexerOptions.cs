using System.ComponentModel.DataAnnotations;

namespace ProverMarketChain.Indexer;

/// <summary>Settings of <c>pmc indexer</c> (validated at start-up).</summary>
public sealed class IndexerOptions
{
    /// <summary>JSON-RPC endpoint of the chain.</summary>
    [Required] public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>An SQLite file (default <c>pmc-indexer.db</c>) or a <c>postgres://user:password@host:port/database</c> URL.</summary>
    [Required] public string Db { get; set; } = "pmc-indexer.db";

    /// <summary>The deployment file with the contract addresses (as written by <c>pmc demo</c> and the deploy script).</summary>
    [Required] public string DeploymentFile { get; set; } = "";

    /// <summary>First block to index into an empty database (default: the deployment's block). Ignored once a cursor is stored.</summary>
    public ulong? FromBlock { get; set; }

    /// <summary>How many blocks behind the head the indexer stays (0 follows the head; reorganisations are rolled back either way).</summary>
    [Range(0, 10_000)] public int Confirmations { get; set; } = 2;

    /// <summary>Delay between polls when caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest block range per <c>eth_getLogs</c> (halved when the node refuses a range as too large).</summary>
    [Range(1, 1_000_000)] public int MaxBlockRange { get; set; } = 2000;

    /// <summary>How many stored blocks back a reorganisation's fork point is looked for.</summary>
    [Range(1, 100_000)] public int ReorgSearchDepth { get; set; } = 256;

    /// <summary>Where the API and dashboard listen (<c>http://127.0.0.1:0</c> picks a free port).</summary>
    [Required] public string Listen { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Checks what attributes cannot: the poll interval and the URLs.</summary>
    public IEnumerable<string> Validate()
    {
        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromMinutes(10)) yield return $"PollInterval {PollInterval} must be in (0, 10 min]";
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var rpc) || rpc.Scheme is not ("http" or "https")) yield return $"RpcUrl '{RpcUrl}' must be an http(s) URL";
        if (!Uri.TryCreate(Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("http" or "https")) yield return $"Listen '{Listen}' must be an http(s) URL";
        if (string.IsNullOrWhiteSpace(DeploymentFile)) yield return "DeploymentFile is required (the deployment JSON with the contract addresses)";
        else if (!File.Exists(DeploymentFile)) yield return $"DeploymentFile '{DeploymentFile}' does not exist";
    }
}
