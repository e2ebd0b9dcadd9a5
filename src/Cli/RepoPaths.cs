namespace ProverMarketChain.Cli;

/// <summary>Locates the repository (for its node_modules tools and circuits) from the working directory or the binary.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding <c>ProverMarketChain.sln</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">Neither the working directory nor the binary is inside the repository.</exception>
    public static string Root()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = start; d is not null; d = Path.GetDirectoryName(d))
                if (File.Exists(Path.Combine(d, "ProverMarketChain.sln"))) return d;
        }
        throw new DirectoryNotFoundException("repository root (ProverMarketChain.sln) not found; run pmc from the repository");
    }
}
