using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL server per test process (<see cref="TemporaryPostgres"/>, never a mock), started on first use;
/// each test gets its own database. Without PostgreSQL the tests fail with the fix (`make setup`) rather than pass.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<TemporaryPostgres> Server = new(TemporaryPostgres.Start);

    /// <summary>A new, empty database on the shared server, as a <c>postgres://</c> URL.</summary>
    public static Task<string> CreateDatabaseAsync() => Server.Value.CreateDatabaseAsync();
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
