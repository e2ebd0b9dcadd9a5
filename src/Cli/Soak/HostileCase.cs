namespace ProverMarketChain.Cli.Soak;

/// <summary>What a hostile requester does to the provers (see <see cref="HostileRequester"/>).</summary>
public enum HostileCase
{
    /// <summary>An input URL serving bytes whose keccak256 is not the request's <c>inputHash</c> (inline input the market checks itself).</summary>
    InputHashMismatch,

    /// <summary>An input URL that sends its headers and then stalls (slowloris).</summary>
    Slowloris,

    /// <summary>An input URL that answers 503 for a while, then serves the input.</summary>
    Http503,

    /// <summary>Public inputs no proof of the input can match, with a <c>minCollateral</c> 200 times the fee.</summary>
    UnsatisfiableHugeCollateral,

    /// <summary>The input URI <c>file:///dev/stdin</c> (a FIFO that blocks a reader).</summary>
    FileDevStdin,

    /// <summary>The input URI <c>http://169.254.169.254/</c> (a cloud metadata address: SSRF).</summary>
    MetadataAddress,
}
