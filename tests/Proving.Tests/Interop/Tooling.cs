using System.Diagnostics;

namespace ProverMarketChain.Proving.Tests.Interop;

/// <summary>Result of a child process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public string All => StdOut + StdErr;
}

/// <summary>Locates the repository and runs its node tools (snarkjs, circom2) and the pmc CLI.</summary>
public static class Tooling
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Bin(string tool) => Path.Combine(RepoRoot, "node_modules", ".bin", tool);

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ProverMarketChain.sln"))) return d.FullName;
        }

        throw new InvalidOperationException("repository root (ProverMarketChain.sln) not found above " + AppContext.BaseDirectory);
    }

    public static ProcessResult Run(string exe, IEnumerable<string> args, string? cwd = null, int timeoutSeconds = 180)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? RepoRoot,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = Path.Combine(RepoRoot, "node_modules", ".bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} timed out");
        }

        return new ProcessResult(p.ExitCode, o.Result, e.Result);
    }

    public static ProcessResult Snarkjs(params string[] args) => Run(Bin("snarkjs"), args);

    /// <summary>Runs snarkjs and fails the test with its output when it exits non-zero.</summary>
    public static ProcessResult SnarkjsOk(params string[] args)
    {
        var r = Snarkjs(args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"snarkjs {string.Join(' ', args)} failed: {r.All}");
        return r;
    }

    /// <summary>True when snarkjs groth16 verify accepts (it prints OK and exits 0).</summary>
    public static bool SnarkjsVerify(string vk, string pub, string proof)
    {
        var r = Snarkjs("groth16", "verify", vk, pub, proof);
        return r.ExitCode == 0 && r.All.Contains("OK", StringComparison.Ordinal);
    }

    private static readonly Lazy<string> PmcDll = new(() =>
    {
        // ./pmc builds the CLI when any source under src/ is newer than pmc.dll; after one such run, call the dll directly
        // so every test invocation does not pay for an incremental build.
        var r = Run(Path.Combine(RepoRoot, "pmc"), ["help"], timeoutSeconds: 600);
        if (r.ExitCode != 0) throw new InvalidOperationException("./pmc help failed: " + r.All);
        return Path.Combine(RepoRoot, "src", "Cli", "bin", "Release", "net10.0", "pmc.dll");
    });

    /// <summary>Runs the pmc CLI (built through the repository's ./pmc script on first use).</summary>
    public static ProcessResult Pmc(params string[] args) => Run("dotnet", [PmcDll.Value, .. args], timeoutSeconds: 300);
}
