using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests, never a mock: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a
/// free loopback port, once per test process, stopped when the process exits. Each test gets its own database
/// (<see cref="CreateDatabaseAsync"/>). Run as root (CI containers), the server runs as the <c>postgres</c> user, since
/// PostgreSQL refuses to run as root. When PostgreSQL is not installed the tests fail with the fix (`make setup`)
/// rather than pass without it.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<Instance>> Server = new(StartAsync);
    private static int _databases;

    private sealed record Instance(string Dir, string Bin, int Port, bool AsPostgresUser);

    /// <summary>A new, empty database on the shared server, as a <c>postgres://</c> URL.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var s = await Server.Value.ConfigureAwait(false);
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var c = new NpgsqlConnection($"Host=127.0.0.1;Port={s.Port};Username=postgres;Database=postgres;Pooling=false");
        await c.OpenAsync().ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        return $"postgres://postgres@127.0.0.1:{s.Port}/{name}";
    }

    /// <summary>The bin folder of the newest installed PostgreSQL, or null.</summary>
    public static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault()
            : null;

    private static async Task<Instance> StartAsync()
    {
        var bin = FindBin() ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make setup`, which installs it from Debian");
        var asPostgres = Environment.UserName == "root";
        var dir = Directory.CreateTempSubdirectory("pmc-pg-").FullName;
        var data = Path.Combine(dir, "data");
        if (asPostgres) Run("chown", $"postgres {dir}", null);
        Run(Path.Combine(bin, "initdb"), $"-D {data} -U postgres --auth=trust -E UTF8 --no-sync", asPostgres);
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var settings = $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), $"-D {data} -l {Path.Combine(dir, "log")} -w -t 60 -o \"{settings}\" start", asPostgres);
                var instance = new Instance(dir, bin, port, asPostgres);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(instance);
                return instance;
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                // Another process took the port between the probe and the start: try another.
            }
        }
    }

    private static void Stop(Instance s)
    {
        try
        {
            Run(Path.Combine(s.Bin, "pg_ctl"), $"-D {Path.Combine(s.Dir, "data")} -m immediate -w stop", s.AsPostgresUser);
            Directory.Delete(s.Dir, recursive: true);
        }
        catch (Exception)
        {
            // Process exit: nothing more to do.
        }
    }

    private static void Run(string file, string arguments, bool? asPostgres)
    {
        var psi = asPostgres == true
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
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

/// <summary>Fresh databases of either engine for a test.</summary>
public static class TestDatabases
{
    /// <summary>A new, empty, migrated store on <paramref name="kind"/> (an SQLite file in a temporary folder, or a new PostgreSQL database).</summary>
    public static async Task<IndexerStore> CreateAsync(DatabaseKind kind)
    {
        var store = new IndexerStore(await CreateDatabaseAsync(kind).ConfigureAwait(false));
        await store.MigrateAsync().ConfigureAwait(false);
        return store;
    }

    /// <summary>A new, empty database (not migrated).</summary>
    public static async Task<IndexerDatabase> CreateDatabaseAsync(DatabaseKind kind) =>
        IndexerDatabase.Parse(await UrlAsync(kind).ConfigureAwait(false));

    /// <summary>The <c>--db</c> value of a new, empty database.</summary>
    public static async Task<string> UrlAsync(DatabaseKind kind) => kind == DatabaseKind.Postgres
        ? await PostgresServer.CreateDatabaseAsync().ConfigureAwait(false)
        : Path.Combine(Directory.CreateTempSubdirectory("pmc-idx-").FullName, "index.db");
}
