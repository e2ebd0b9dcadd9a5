using System.Diagnostics;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>The circuits `make circuits-test` builds (circuits/build/&lt;name&gt;), and snarkjs from node_modules.</summary>
internal static class BuiltCircuits
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>A file of a built circuit, e.g. <c>File("multiplier", "multiplier.zkey")</c>; fails naming the make target when missing.</summary>
    public static string File(string circuit, string name)
    {
        string path = Path.Combine(RepoRoot, "circuits", "build", circuit, name);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: build it with `make circuits-test` (circuits/build.sh {circuit})", path);
        return path;
    }

    /// <summary>Runs <c>snarkjs groth16 verify</c>; true when it prints OK and exits 0.</summary>
    public static bool SnarkjsVerifies(string vk, string publicJson, string proofJson)
    {
        var psi = new ProcessStartInfo(Path.Combine(RepoRoot, "node_modules", ".bin", "snarkjs"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "groth16", "verify", vk, publicJson, proofJson }) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("snarkjs groth16 verify timed out");
        }
        return p.ExitCode == 0 && (output.Result + error.Result).Contains("OK", StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(d.FullName, "ProverMarketChain.sln"))) return d.FullName;
        }
        throw new InvalidOperationException("repository root (ProverMarketChain.sln) not found above " + AppContext.BaseDirectory);
    }
}
