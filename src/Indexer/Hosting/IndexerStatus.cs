namespace ProverMarketChain.Indexer.Hosting;

/// <summary>What the running indexer loop reports to <c>/health</c> and to the CLI.</summary>
public sealed class IndexerStatus
{
    private volatile string? _lastError;

    /// <summary>The last error of the loop (cleared by the next successful step).</summary>
    public string? LastError { get => _lastError; set => _lastError = value; }

    /// <summary>Reorganisations rolled back since start.</summary>
    public int Reorgs { get; set; }

    /// <summary>Events projected since start.</summary>
    public long Events { get; set; }

    /// <summary>True once the loop has reached the confirmed head at least once.</summary>
    public bool CaughtUp { get; set; }
}
