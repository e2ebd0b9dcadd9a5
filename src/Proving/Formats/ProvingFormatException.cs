namespace ProverMarketChain.Proving.Formats;

/// <summary>
/// Thrown when a proving artefact (zkey, wtns, r1cs, ptau, JSON) is missing, truncated, corrupt, or
/// inconsistent with another artefact. <see cref="Exception.Message"/> is a single line that names the file and the problem.
/// </summary>
public sealed class ProvingFormatException : Exception
{
    /// <summary>Creates the exception for a problem in <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The offending file (may be empty when the input did not come from a file).</param>
    /// <param name="problem">One-line description of what is wrong.</param>
    /// <param name="inner">Optional underlying exception.</param>
    public ProvingFormatException(string filePath, string problem, Exception? inner = null)
        : base(string.IsNullOrEmpty(filePath) ? problem : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file the problem was found in.</summary>
    public string FilePath { get; }

    /// <summary>The problem, without the file name.</summary>
    public string Problem { get; }
}
