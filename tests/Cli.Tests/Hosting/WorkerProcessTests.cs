using System.Diagnostics;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Tests.Hosting;

/// <summary>
/// <c>pmc worker</c> as its own process with the real node: SIGTERM reaches the host's console lifetime, the node's token
/// is cancelled while it is retrying an unreachable RPC endpoint, and the process exits 0.
/// </summary>
public sealed class WorkerProcessTests : IDisposable
{
    private readonly WorkerConfigFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task SigtermStopsTheWorkerCleanlyWithExitCodeZero()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var pmc = Path.Combine(AppContext.BaseDirectory, "pmc.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Port 1 on loopback refuses connections: the node keeps retrying its first RPC call until it is stopped.
        foreach (var a in new[] { pmc, "worker", "--config", _files.Path, "--set", "rpcUrl=http://127.0.0.1:1" }) psi.ArgumentList.Add(a);
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("PMC_", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        psi.Environment[WorkerOptions.PrivateKeyVariable] = WorkerConfigFiles.Key;
        psi.Environment["PMC_NO_HUGE_PAGES"] = "1";

        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.Contains("JSON-RPC attempt", StringComparison.Ordinal)) retrying.TrySetResult();
        };
        p.BeginErrorReadLine();
        var stdout = p.StandardOutput.ReadToEndAsync();
        try
        {
            await Task.WhenAny(retrying.Task, p.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(p.HasExited, "the worker exited before it was stopped: " + Text(stderr));

            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                await kill.WaitForExitAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }

        await stdout;
        Assert.True(p.ExitCode == 0, $"exit code {p.ExitCode}: {Text(stderr)}");
        Assert.Contains("Prover node stopped on request", Text(stderr));
    }

    private static string Text(System.Text.StringBuilder b)
    {
        lock (b) return b.ToString();
    }
}
