using System.Diagnostics;
using System.Reflection;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// One worker run as its own OS process (<c>pmc worker --config &lt;file&gt;</c>, the same binary as the soak), with its
/// output appended to a log file across restarts. Its standard input is a pipe nobody writes to, so a worker that reads
/// <c>file:///dev/stdin</c> blocks as it would under a service manager.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private static readonly string[] InheritedSecrets =
        [Worker.Configuration.WorkerOptions.PrivateKeyVariable, Worker.Configuration.WorkerOptions.KeystorePasswordVariable, Worker.Configuration.WorkerOptions.RpcUrlVariable];

    private readonly string _config;
    private readonly string _privateKey;
    private readonly string _repoRoot;
    private readonly StreamWriter _log;
    private readonly object _gate = new();
    private Process? _process;
    private bool _killedByUs;
    private bool _closed;

    /// <summary>A worker, not started yet.</summary>
    /// <param name="name">Its name in logs.</param>
    /// <param name="config">Its configuration file.</param>
    /// <param name="privateKey">Its key (passed in the environment, never on the command line).</param>
    /// <param name="logPath">Where its output is appended.</param>
    /// <param name="repoRoot">The repository (for node_modules/.bin on its PATH).</param>
    public WorkerProcess(string name, string config, string privateKey, string logPath, string repoRoot)
    {
        Name = name;
        _config = config;
        _privateKey = privateKey;
        _repoRoot = repoRoot;
        LogPath = logPath;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    /// <summary>The worker's name.</summary>
    public string Name { get; }

    /// <summary>Its log file.</summary>
    public string LogPath { get; }

    /// <summary>Times it was started.</summary>
    public int Starts { get; private set; }

    /// <summary>Times it exited on its own (not killed by the soak).</summary>
    public int UnexpectedExits { get; private set; }

    /// <summary>Whether the process is running.</summary>
    public bool Running
    {
        get
        {
            lock (_gate) return _process is { HasExited: false };
        }
    }

    /// <summary>
    /// When the process has exited without the soak killing it: its exit code (once; the exit is counted in
    /// <see cref="UnexpectedExits"/>). Null while it runs or after a kill.
    /// </summary>
    public int? TakeUnexpectedExit()
    {
        lock (_gate)
        {
            if (_process is not { HasExited: true } p || _killedByUs) return null;
            int code = p.ExitCode;
            p.Dispose();
            _process = null;
            UnexpectedExits++;
            Write($"=== exited by itself with code {code}");
            return code;
        }
    }

    /// <summary>Starts the process (on the same configuration, so the same journal).</summary>
    /// <exception cref="InvalidOperationException">It is already running, or could not start.</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false }) throw new InvalidOperationException($"{Name} is already running");
            _process?.Dispose();
            var (file, prefix) = PmcCommand();
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var a in prefix.Concat(["worker", "--config", _config])) psi.ArgumentList.Add(a);
            foreach (var secret in InheritedSecrets) psi.Environment.Remove(secret);
            psi.Environment[Worker.Configuration.WorkerOptions.PrivateKeyVariable] = _privateKey;
            psi.Environment["PATH"] = Path.Combine(_repoRoot, "node_modules", ".bin") + ":" + Environment.GetEnvironmentVariable("PATH");
            var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Name}");
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) Write(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Write(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            _process = p;
            _killedByUs = false;
            Starts++;
            Write($"=== start #{Starts}, pid {p.Id}");
        }
    }

    /// <summary>Kills the process and its children with SIGKILL (no shutdown code runs) and waits for it to be gone.</summary>
    /// <returns>The pid killed, or null when it was not running.</returns>
    public int? Kill9()
    {
        lock (_gate)
        {
            if (_process is not { HasExited: false } p) return null;
            _killedByUs = true;
            int pid = p.Id;
            try
            {
                p.Kill(entireProcessTree: true); // SIGKILL on Unix
            }
            catch (InvalidOperationException)
            {
                // It exited in between.
            }
            p.WaitForExit(10_000);
            Write($"=== kill -9 (pid {pid})");
            return pid;
        }
    }

    /// <summary>
    /// The command that runs this same pmc: the dotnet host with pmc.dll, or the apphost itself.
    /// </summary>
    private static (string File, string[] Prefix) PmcCommand()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable runs pmc");
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var dll = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(dll)) throw new InvalidOperationException("cannot locate pmc.dll to start the workers");
            return (host, [dll]);
        }
        return (host, []);
    }

    private void Write(string line)
    {
        lock (_log)
        {
            if (!_closed) _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    /// <summary>Kills the process if it runs and closes the log.</summary>
    public void Dispose()
    {
        Kill9();
        lock (_gate) _process?.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }
    }
}
