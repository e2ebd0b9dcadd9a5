using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;

namespace ProverMarketChain.Proving.Witness;

/// <summary>
/// Computes a circom 2 witness by running the circuit's WebAssembly witness generator under node with the project's own
/// runner (<c>circom-witness.js</c>, embedded in this assembly), then reads back and validates the produced <c>.wtns</c>.
/// Only the <c>.wasm</c> is needed: the JavaScript circom emits next to it is never run, so a worker that fetched a
/// circuit's (hash-checked) wasm executes no code that came with it outside the WebAssembly sandbox.
/// </summary>
public sealed class WitnessCalculator
{
    private static readonly Lazy<string> Runner = new(ExtractRunner);
    private readonly string _node;
    private readonly ILogger _logger;

    /// <summary>Creates a calculator using the given node executable (default: <c>node</c> on PATH).</summary>
    public WitnessCalculator(string node = "node", ILogger? logger = null)
    {
        _node = node;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The runner script, written once per content to the temp folder (content-addressed, so versions never clash).</summary>
    private static string ExtractRunner()
    {
        using var res = typeof(WitnessCalculator).Assembly.GetManifestResourceStream("circom-witness.js")
            ?? throw new InvalidOperationException("the embedded circom-witness.js is missing from the assembly");
        using var ms = new MemoryStream();
        res.CopyTo(ms);
        var bytes = ms.ToArray();
        var name = $"pmc-circom-witness-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}.js";
        var path = Path.Combine(Path.GetTempPath(), name);
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            var tmp = path + "." + Guid.NewGuid().ToString("n");
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
        }
        return path;
    }

    /// <summary>Computes the witness of <paramref name="inputJsonPath"/> into <paramref name="witnessPath"/>.</summary>
    /// <returns>The witness values.</returns>
    /// <exception cref="ProvingFormatException">A file is missing, node fails (bad input, unsatisfied assert), or the output is invalid.</exception>
    public Fr[] Calculate(string wasmPath, string inputJsonPath, string witnessPath, TimeSpan? timeout = null)
    {
        if (!File.Exists(wasmPath)) throw new ProvingFormatException(wasmPath, "file not found");
        if (!File.Exists(inputJsonPath)) throw new ProvingFormatException(inputJsonPath, "file not found");
        string script = Runner.Value;

        var psi = new ProcessStartInfo(_node)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(Path.GetFullPath(wasmPath));
        psi.ArgumentList.Add(Path.GetFullPath(inputJsonPath));
        psi.ArgumentList.Add(Path.GetFullPath(witnessPath));
        _logger.LogDebug("Running {Node} {Script}", _node, script);
        Process proc;
        try
        {
            proc = Process.Start(psi) ?? throw new ProvingFormatException(script, $"could not start {_node}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ProvingFormatException(script, $"could not start {_node}: {e.Message}", e);
        }

        using (proc)
        {
            var stderr = proc.StandardError.ReadToEndAsync();
            var stdout = proc.StandardOutput.ReadToEndAsync();
            if (!proc.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
            {
                proc.Kill(entireProcessTree: true);
                throw new ProvingFormatException(inputJsonPath, "witness calculation timed out");
            }

            if (proc.ExitCode != 0)
            {
                string msg = FirstMeaningfulLine(stderr.Result + "\n" + stdout.Result);
                throw new ProvingFormatException(inputJsonPath, $"witness calculation failed (node exit {proc.ExitCode}): {msg}");
            }
        }

        return WtnsFile.Read(witnessPath);
    }

    private static string FirstMeaningfulLine(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^\w*Error\b") || line.Contains("Assert", StringComparison.OrdinalIgnoreCase) ||
                line.Contains("Not enough values", StringComparison.Ordinal) || line.Contains("Too many values", StringComparison.Ordinal) ||
                line.Contains("not found", StringComparison.Ordinal))
                return line;
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
    }
}
