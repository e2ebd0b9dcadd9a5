using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Indexer.Ingest;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Live;

/// <summary>What a catch-up did: events projected, events rolled back, and the reorganisations the follower resolved.</summary>
/// <param name="Applied">Events projected.</param>
/// <param name="Removed">Events rolled back.</param>
/// <param name="Reorgs">Reorganisations resolved during this catch-up.</param>
public sealed record CatchUp(int Applied, int Removed, int Reorgs);

/// <summary>
/// An indexer process as the tests see it: a database opened from its <c>--db</c> value, the store (migrated on open, as
/// at start-up) and a follower with no confirmations (so every staged reorganisation reaches projected blocks). Disposing
/// it is a stop; opening another on the same value is a restart.
/// </summary>
public sealed class LiveIndexer : IAsyncDisposable
{
    private LiveIndexer(IndexerDatabase db, IndexerStore store, ChainFollower follower)
    {
        Database = db;
        Store = store;
        Follower = follower;
    }

    /// <summary>The database.</summary>
    public IndexerDatabase Database { get; }

    /// <summary>The store.</summary>
    public IndexerStore Store { get; }

    /// <summary>The follower.</summary>
    public ChainFollower Follower { get; }

    /// <summary>Opens (and migrates) the database <paramref name="db"/> and starts following <paramref name="market"/>.</summary>
    /// <param name="db">The <c>--db</c> value.</param>
    /// <param name="market">The deployed market.</param>
    /// <param name="maxBlockRange">Blocks per <c>eth_getLogs</c>: small, so that a catch-up is several batches.</param>
    public static async Task<LiveIndexer> OpenAsync(string db, ScriptedMarket market, int maxBlockRange)
    {
        var database = IndexerDatabase.Parse(db);
        var store = new IndexerStore(database);
        await store.MigrateAsync();
        var follower = new ChainFollower(market.Chain.Client, store, market.Contracts, market.Deployment.ChainId, market.Deployment.DeployBlock,
            confirmations: 0, maxBlockRange: maxBlockRange, reorgSearchDepth: 256, NullLogger.Instance);
        return new LiveIndexer(database, store, follower);
    }

    /// <summary>Steps until the follower has projected the head (reorganisations are resolved on the way).</summary>
    public async Task<CatchUp> CatchUpAsync()
    {
        var (applied, removed, reorgs) = (0, 0, Follower.Reorgs);
        for (var step = 0; ; step++)
        {
            if (step > 10_000) throw new InvalidOperationException("the follower did not catch up in 10,000 steps");
            var s = await Follower.StepAsync(CancellationToken.None);
            applied += s.Applied;
            removed += s.Removed;
            if (s.CaughtUp) break;
        }
        return new CatchUp(applied, removed, Follower.Reorgs - reorgs);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
