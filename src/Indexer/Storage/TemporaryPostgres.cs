using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>
/// A throw-away PostgreSQL server: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a free loopback port,
/// stopped and deleted on dispose (and at process exit). For the tests (which must run against a real server, never a
/// mock) and <c>pmc bench-indexer</c>. Run as root (CI containers), the server runs as the <c>postgres</c> user, since
/// PostgreSQL refuses to run as root. Durability is off (fsync, synchronous commit): the data is thrown away anyway.
/// </summary>
public sealed class TemporaryPostgres : IDisposable
{
    private readonly string _dir;
    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private int _databases;
    private int _stopped;

    private TemporaryPostgres(string dir, string bin, int port, bool asPostgresUser)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
        _asPostgresUser = asPostgresUser;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The bin folder of the newest PostgreSQL installed from Debian, or null.</summary>
    public static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault()
            : null;

    /// <summary>Initialises and starts a server.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed (the message says to run <c>make setup</c>), or it failed to start (with its output).</exception>
    public static TemporaryPostgres Start()
    {
        var bin = FindBin() ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make setup`, which installs it from Debian");
        var asPostgres = Environment.UserName == "root";
        SweepStale();
        var dir = Directory.CreateTempSubdirectory("pmc-pg-").FullName;
        var data = Path.Combine(dir, "data");
        if (asPostgres) Run("chown", $"postgres {dir}", false);
        Run(Path.Combine(bin, "initdb"), $"-D {data} -U postgres --auth=trust -E UTF8 --no-sync", asPostgres);
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var settings = $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), $"-D {data} -l {Path.Combine(dir, "log")} -w -t 60 -o \"{settings}\" start", asPostgres);
                Watch(dir, bin, asPostgres);
                return new TemporaryPostgres(dir, bin, port, asPostgres);
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                // Another process took the port between the probe and the start: try another.
            }
        }
    }

    /// <summary>Creates a new, empty database and returns its <c>postgres://</c> URL.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var name = $"pmc_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var c = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false");
        await c.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return $"postgres://postgres@127.0.0.1:{Port}/{name}";
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try
        {
            NpgsqlConnection.ClearAllPools();
            Run(Path.Combine(_bin, "pg_ctl"), $"-D {Path.Combine(_dir, "data")} -m immediate -w stop", _asPostgresUser);
            Directory.Delete(_dir, recursive: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Best effort: the folder is under the temporary directory.
        }
    }

    // A process killed (SIGKILL, a test host torn down) runs no exit handler: a detached watchdog (its own session, so a
    // signal to this process group does not reach it) stops the server and deletes its folder once this process is gone.
    private static void Watch(string dir, string bin, bool asPostgres)
    {
        // The paths travel as arguments ($1..), never inside the script's text; the output goes to /dev/null, not to pipes
        // this process would close.
        const string Script = "while kill -0 \"$1\" 2>/dev/null; do sleep 2; done; if [ \"$4\" = 1 ]; then runuser -u postgres -- \"$2\" -D \"$3/data\" -m immediate -w stop; " +
                              "else \"$2\" -D \"$3/data\" -m immediate -w stop; fi >/dev/null 2>&1; rm -rf \"$3\"";
        var psi = new ProcessStartInfo("setsid", ["bash", "-c", Script + " </dev/null >/dev/null 2>&1", "watchdog",
            Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(bin, "pg_ctl"), dir, asPostgres ? "1" : "0"])
        {
            UseShellExecute = false,
        };
        using var watchdog = Process.Start(psi);
    }

    // A process killed before its exit handler ran leaves its folder behind: remove those whose server is not running.
    private static void SweepStale()
    {
        foreach (var old in Directory.GetDirectories(Path.GetTempPath(), "pmc-pg-*"))
        {
            try
            {
                if (!File.Exists(Path.Combine(old, "data", "postmaster.pid")) && Directory.GetLastWriteTimeUtc(old) < DateTime.UtcNow.AddMinutes(-1))
                    Directory.Delete(old, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process's, or going away: leave it.
            }
        }
    }

    private static void Run(string file, string arguments, bool asPostgres)
    {
        var psi = asPostgres ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}") : new ProcessStartInfo(file, arguments);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} {arguments} exited {p.ExitCode}: {stderr}{stdout.Result}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
