using System.Diagnostics;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>A worker run as its own process (<c>pmc worker</c>), so a test can <c>kill -9</c> it.</summary>
public sealed class WorkerProcess(Process process, System.Text.StringBuilder output) : IDisposable
{
    /// <summary>The process.</summary>
    public Process Process { get; } = process;

    /// <summary>What it printed so far.</summary>
    public string Output() { lock (output) return output.ToString(); }

    /// <summary>Kills it (SIGKILL) if it still runs.</summary>
    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }

    /// <summary>Starts <c>pmc worker --config</c> (the Release build) with <paramref name="env"/>; <paramref name="pathFirst"/>
    /// is put first on its PATH (a test's shim for <c>node</c>, say).</summary>
    public static WorkerProcess Start(string config, Dictionary<string, string?> env, string? pathFirst = null)
    {
        var pmc = Path.Combine(RepoPaths.Root, "src", "Cli", "bin", "Release", "net10.0", "pmc.dll");
        Assert.True(File.Exists(pmc), $"{pmc} is missing: build the solution in Release first (make test does)");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { pmc, "worker", "--config", config }) psi.ArgumentList.Add(arg);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["PATH"] = (pathFirst is null ? "" : pathFirst + ":") + Path.Combine(RepoPaths.Root, "node_modules", ".bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        var sb = new System.Text.StringBuilder();
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { lock (sb) sb.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (sb) sb.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new WorkerProcess(p, sb);
    }
}
