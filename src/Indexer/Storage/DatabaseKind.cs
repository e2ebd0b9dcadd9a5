namespace ProverMarketChain.Indexer.Storage;

/// <summary>The SQL engines the indexer stores its projections in.</summary>
public enum DatabaseKind
{
    /// <summary>An embedded SQLite file: no set-up (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server, for scale and for many readers.</summary>
    Postgres,
}
