using System.Diagnostics;

namespace ProverMarketChain.Cli.Local;

/// <summary>Runs a helper program (a circuit build, an input generator) to completion.</summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="cwd"/>, discarding its output.</summary>
    /// <exception cref="InvalidOperationException">It could not start or exited non-zero (the message carries its stderr).</exception>
    public static async Task RunAsync(string file, IReadOnlyList<string> args, string cwd, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var err = p.StandardError.ReadToEndAsync(ct);
        _ = await p.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args.Select(Path.GetFileName))} failed: {(await err.ConfigureAwait(false)).Trim()}");
    }
}
