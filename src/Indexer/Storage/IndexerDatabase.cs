using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>
/// Where the projections live: an SQLite file (default) or a PostgreSQL database named by a <c>postgres://</c> URL.
/// The schema and every statement are the same on both, except for the few dialect words <see cref="Sql"/> names.
/// </summary>
public sealed class IndexerDatabase : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;

    private IndexerDatabase(DatabaseKind kind, string connectionString, string display)
    {
        Kind = kind;
        _connectionString = connectionString;
        Display = display;
        if (kind == DatabaseKind.Postgres) _postgres = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>The engine.</summary>
    public DatabaseKind Kind { get; }

    /// <summary>The database, without a password, for logs.</summary>
    public string Display { get; }

    /// <summary>
    /// Parses <c>--db</c>: <c>postgres://user:password@host:port/database</c> (or <c>postgresql://</c>, query parameters
    /// passed to Npgsql as keywords, e.g. <c>?sslmode=require</c>), or an SQLite file path (optionally
    /// <c>sqlite:path</c>); its folder is created.
    /// </summary>
    /// <exception cref="ArgumentException">An empty value or a malformed URL, naming what is wrong.</exception>
    public static IndexerDatabase Parse(string db)
    {
        if (string.IsNullOrWhiteSpace(db)) throw new ArgumentException("--db is empty: give an SQLite file path or a postgres:// URL", nameof(db));
        if (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return ParsePostgres(db);
        var path = db.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? db["sqlite:".Length..] : db;
        if (path.Contains("://", StringComparison.Ordinal)) throw new ArgumentException($"--db '{db}': unknown scheme (use postgres://… or a file path)", nameof(db));
        path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        return new IndexerDatabase(DatabaseKind.Sqlite, cs, path);
    }

    private static IndexerDatabase ParsePostgres(string db)
    {
        if (!Uri.TryCreate(db, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"--db: '{Redact(db)}' is not a valid postgres:// URL (postgres://user:password@host:port/database)", nameof(db));
        var database = uri.AbsolutePath.Trim('/');
        if (database.Length == 0) throw new ArgumentException($"--db: '{Redact(db)}' names no database (postgres://user:password@host:port/database)", nameof(db));
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(database),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            try { b[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true"; }
            catch (ArgumentException e) { throw new ArgumentException($"--db: unknown PostgreSQL parameter '{kv[0]}': {e.Message}", nameof(db)); }
        }
        return new IndexerDatabase(DatabaseKind.Postgres, b.ConnectionString, Redact(db));
    }

    private static string Redact(string url)
    {
        var at = url.IndexOf('@');
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0) return url;
        var colon = url.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? url[..(colon + 1)] + "***" + url[at..] : url;
    }

    /// <summary>The dialect words of this engine.</summary>
    public Sql Sql => Kind == DatabaseKind.Postgres ? Sql.Postgres : Sql.Sqlite;

    /// <summary>Opens a connection (pooled).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken).ConfigureAwait(false);
        // WAL: the API reads while the indexer writes. NORMAL sync: a crash may lose the last transaction, never corrupt
        // the file, and the cursor commits with the projections, so a lost transaction is simply indexed again.
        using var pragma = c.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return c;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync().ConfigureAwait(false);
        else SqliteConnection.ClearAllPools();
    }
}

/// <summary>The few words in which the two dialects differ.</summary>
/// <param name="Amount">The column type of a <see cref="Uint256Text"/> amount.</param>
/// <param name="BigSerial">An auto-numbered 64-bit key.</param>
/// <param name="ListAgg">The aggregate joining a group's texts with a separator: <c>ListAgg(text, ',')</c>.</param>
/// <param name="WithoutRowid">The table option that makes a table its primary key's b-tree (SQLite), or empty.</param>
public sealed record Sql(string Amount, string BigSerial, string ListAgg, string WithoutRowid)
{
    /// <summary>SQLite.</summary>
    public static readonly Sql Sqlite = new("TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT", "group_concat", " WITHOUT ROWID");

    /// <summary>PostgreSQL: amounts compare byte-wise (<c>COLLATE "C"</c>) so that text order is numeric order.</summary>
    public static readonly Sql Postgres = new("TEXT COLLATE \"C\"", "BIGSERIAL PRIMARY KEY", "string_agg", "");
}
