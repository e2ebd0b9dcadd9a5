using System.Diagnostics;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.Sequencer.Tests;

/// <summary>Runs node (the project's JS tooling) from the repository root.</summary>
internal static class Node
{
    /// <summary>Runs <c>node args...</c>; returns its stdout, or throws with its stderr when it exits non-zero.</summary>
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"node {string.Join(' ', args)} ran over 120 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"node {string.Join(' ', args)} exited {p.ExitCode}: {err.Result}");
        return output;
    }
}
