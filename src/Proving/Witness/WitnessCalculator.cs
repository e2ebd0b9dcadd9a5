using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Security;

namespace ProverMarketChain.Proving.Witness;

/// <summary>
/// Computes a circom 2 witness by running the circuit's WebAssembly witness generator under node with the project's own
/// runner (<c>circom-witness.js</c>, embedded in this assembly), then reads back and validates the produced <c>.wtns</c>.
/// Only the <c>.wasm</c> is needed: the JavaScript circom emits next to it is never run, so a worker that fetched a
/// circuit's (hash-checked) wasm executes no code that came with it outside the WebAssembly sandbox.
/// </summary>
/// <remarks>
/// <para><b>Where the runner lives, and why it is checked before each use.</b> node runs whatever script it is handed
/// with the worker's privileges, so whoever can write that script can run code as the worker (read its keystore, its
/// journal of bid salts, its memory through <c>/proc</c>). The runner therefore never sits at a predictable path in a
/// shared folder (another local user could create it first, or swap it between the check and the run). Each calculator
/// writes it into a private directory of its own, created fresh with <see cref="Directory.CreateTempSubdirectory"/>
/// (<c>mkdtemp</c>: a random name, mode 0700, owned by this process's user), as a read-only file (0400). Before each
/// run the directory must still be a real directory (not a symbolic link), 0700 and ours, and the script a regular
/// file, 0400, ours and byte-identical to the embedded runner; otherwise the calculator logs what was wrong and writes
/// the runner again into a new private directory. The directories are removed when the process exits.</para>
/// <para>node also gets an environment without the worker's secrets (<see cref="ChildProcessEnvironment"/>).</para>
/// </remarks>
public sealed class WitnessCalculator
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ScriptMode = UnixFileMode.UserRead;
    private const string ScriptName = "circom-witness.js";

    private static readonly Lazy<byte[]> RunnerBytes = new(ReadEmbeddedRunner);
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> CreatedDirectories = [];
    private static int _exitHookRegistered;

    private readonly string _node;
    private readonly ILogger _logger;
    private readonly Lock _runnerGate = new();
    private string? _runnerDirectory;

    /// <summary>Creates a calculator using the given node executable (default: <c>node</c> on PATH).</summary>
    public WitnessCalculator(string node = "node", ILogger? logger = null)
    {
        _node = node;
        _logger = logger ?? NullLogger.Instance;
    }

    private static byte[] ReadEmbeddedRunner()
    {
        using var res = typeof(WitnessCalculator).Assembly.GetManifestResourceStream("circom-witness.js")
            ?? throw new InvalidOperationException("the embedded circom-witness.js is missing from the assembly");
        using var ms = new MemoryStream();
        res.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>
    /// The runner script's path, after checking that it and its private directory are as this calculator left them
    /// (written afresh into a new private directory when they are not, or on first use).
    /// </summary>
    private string CheckedRunner()
    {
        lock (_runnerGate)
        {
            if (_runnerDirectory is { } dir)
            {
                var problem = RunnerProblem(dir);
                if (problem is null) return Path.Combine(dir, ScriptName);
                _logger.LogWarning("The witness runner in {Dir} was tampered with ({Problem}); writing it again into a new private directory", dir, problem);
                _runnerDirectory = null;
            }
            var fresh = Directory.CreateTempSubdirectory("pmc-witness-").FullName;
            CreatedDirectories.Add(fresh);
            if (Interlocked.Exchange(ref _exitHookRegistered, 1) == 0)
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveCreatedDirectories();
            WriteRunner(Path.Combine(fresh, ScriptName));
            var check = RunnerProblem(fresh);
            if (check is not null)
                throw new ProvingFormatException(fresh, $"the witness runner's private directory fails its own check right after creation: {check}");
            _runnerDirectory = fresh;
            return Path.Combine(fresh, ScriptName);
        }
    }

    private static void WriteRunner(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var f = new FileStream(path, options)) f.Write(RunnerBytes.Value);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, ScriptMode);
    }

    /// <summary>What is wrong with the runner in <paramref name="dir"/>, or null when it is as written.</summary>
    private static string? RunnerProblem(string dir)
    {
        var script = Path.Combine(dir, ScriptName);
        if (UnixFileStatus.IsSupported)
        {
            var me = UnixFileStatus.CurrentUserId;
            if (UnixFileStatus.Get(dir, followLinks: false) is not { } d) return $"the directory '{dir}' is gone";
            if (d.Kind != UnixFileKind.Directory) return $"'{dir}' is now {d.KindDescription}, not a directory";
            if (d.OwnerId != me) return $"the directory '{dir}' is owned by uid {d.OwnerId}, not {me}";
            if (d.Permissions != DirectoryMode) return $"the directory '{dir}' has mode {Octal(d.Permissions)}, not 0700";
            if (UnixFileStatus.Get(script, followLinks: false) is not { } s) return $"the script '{script}' is gone";
            if (s.Kind != UnixFileKind.Regular) return $"'{script}' is now {s.KindDescription}, not a regular file";
            if (s.OwnerId != me) return $"the script '{script}' is owned by uid {s.OwnerId}, not {me}";
            if (s.Permissions != ScriptMode) return $"the script '{script}' has mode {Octal(s.Permissions)}, not 0400";
        }
        else if (!File.Exists(script))
        {
            return $"the script '{script}' is gone";
        }
        // Only now is it safe to read: a regular file in a directory no one else can write.
        if (!File.ReadAllBytes(script).AsSpan().SequenceEqual(RunnerBytes.Value)) return $"the script '{script}' has other content than the embedded runner";
        return null;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

    private static void RemoveCreatedDirectories()
    {
        foreach (var dir in CreatedDirectories)
        {
            try
            {
                // Only a directory that is still ours and still a directory (never a link someone put in its place).
                if (UnixFileStatus.IsSupported)
                {
                    var d = UnixFileStatus.Get(dir, followLinks: false);
                    if (d is not { Kind: UnixFileKind.Directory } || d.Value.OwnerId != UnixFileStatus.CurrentUserId) continue;
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort at exit: a leftover 0700 directory holds only the public runner script.
            }
        }
    }

    /// <summary>Computes the witness of <paramref name="inputJsonPath"/> into <paramref name="witnessPath"/>.</summary>
    /// <returns>The witness values.</returns>
    /// <exception cref="ProvingFormatException">A file is missing, node fails (bad input, unsatisfied assert), or the output is invalid.</exception>
    public Fr[] Calculate(string wasmPath, string inputJsonPath, string witnessPath, TimeSpan? timeout = null)
    {
        if (!File.Exists(wasmPath)) throw new ProvingFormatException(wasmPath, "file not found");
        if (!File.Exists(inputJsonPath)) throw new ProvingFormatException(inputJsonPath, "file not found");
        string script = CheckedRunner();

        var psi = new ProcessStartInfo(_node)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        ChildProcessEnvironment.Apply(psi);
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
