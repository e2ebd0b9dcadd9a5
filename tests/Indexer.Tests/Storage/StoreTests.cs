using System.Text.Json.Nodes;
using ProverMarketChain.Indexer.Api;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Storage;
using ProverMarketChain.Indexer.Synthetic;
using ProverMarketChain.Indexer.Tests.Infrastructure;

namespace ProverMarketChain.Indexer.Tests.Storage;

/// <summary>
/// The store on both engines, on synthetic histories: projections agree with the history's known totals, a replayed
/// batch changes nothing, and a rolled-back reorganisation leaves exactly what indexing the surviving chain gives.
/// </summary>
public sealed class StoreTests
{
    private const string Market = "0x00000000000000000000000000000000000000aa";

    public static TheoryData<DatabaseKind> Engines => new() { DatabaseKind.Sqlite, DatabaseKind.Postgres };

    private static IndexCursor Cursor(IndexedBlock b) => new(31337, Market, b.Number, b.Hash, b.Number, b.Timestamp);

    private static async Task IndexAsync(IndexerStore store, IEnumerable<SyntheticBlock> blocks, int batch = 7)
    {
        foreach (var chunk in blocks.Chunk(batch))
            await store.ApplyBatchAsync(chunk.Select(b => b.Block).ToList(), chunk.SelectMany(b => b.Events).ToList(), Cursor(chunk[^1].Block));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_apply_projectionsMatchTheHistorysTotals(DatabaseKind engine)
    {
        var store = await TestDatabases.CreateAsync(engine);
        var market = new SyntheticMarket(new SyntheticOptions(Requests: 400, Provers: 12, Seed: 3));
        var blocks = market.Blocks().ToList();
        await IndexAsync(store, blocks);

        var q = new IndexerQueries(store.Database);
        var summary = await q.MarketSummaryAsync("day", null, null, default);
        Assert.Equal(400, summary.Totals.Requests);
        Assert.Equal(market.Fulfilled, summary.Totals.Fulfilled);
        Assert.Equal(market.Fulfilled, summary.Totals.ByStatus["Fulfilled"]);
        Assert.Equal(400, summary.Totals.ByMode.Values.Sum());
        Assert.Equal(100, summary.Totals.ByMode["Dutch"]);
        Assert.Equal(market.Events, await StoreSnapshot.CountAsync(store, "events"));
        var decentral = await q.DecentralizationAsync("all", null, default);
        Assert.Equal(market.Fulfilled, decentral.Modes.Single(m => m.Mode == "All").Fulfilments);
        Assert.Equal(market.Fulfilled, decentral.Modes.Where(m => m.Mode != "All").Sum(m => m.Fulfilments));
        var provers = await q.ParticipantsAsync("prover", null, default);
        Assert.Equal(market.Fulfilled, provers.Sum(p => p.Fulfilled));
        // Every fulfilled request has a delivered latency, so the histogram counts them all.
        Assert.Equal(market.Fulfilled, summary.Totals.LatencyHistogram.Sum(h => h.Count));
        // The pages walk every request exactly once.
        var seen = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await q.RequestsAsync(null, null, null, null, null, 37, cursor, default);
            foreach (var r in page.Items) Assert.True(seen.Add(r.RequestId), $"{r.RequestId} served twice");
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(400, seen.Count);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_apply_replayedBatchChangesNothing(DatabaseKind engine)
    {
        var store = await TestDatabases.CreateAsync(engine);
        var blocks = new SyntheticMarket(new SyntheticOptions(Requests: 120, Provers: 6, Seed: 5)).Blocks().ToList();
        await IndexAsync(store, blocks);
        var before = await StoreSnapshot.TakeAsync(store);
        // The same batches again (a crash after commit, or a restart that re-reads): nothing moves.
        await IndexAsync(store, blocks[^40..], batch: 5);
        await IndexAsync(store, blocks, batch: 11);
        Assert.Equal(before, await StoreSnapshot.TakeAsync(store));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_rollback_leavesWhatIndexingTheSurvivingChainGives(DatabaseKind engine)
    {
        var canonical = new SyntheticMarket(new SyntheticOptions(Requests: 160, Provers: 8, Seed: 7)).Blocks().ToList();
        var fork = canonical.Count / 2;
        // An abandoned branch from the fork on: other requests and outcomes, other hashes (another seed), same numbers.
        var abandoned = new SyntheticMarket(new SyntheticOptions(Requests: 160, Provers: 8, Seed: 8)).Blocks().Skip(fork).Take(25)
            .Select(b => b with { Block = b.Block with { Hash = b.Block.Hash.Replace('a', 'b') }, Events = b.Events.Select(e => e with { BlockHash = e.BlockHash.Replace('a', 'b') }).ToList() })
            .ToList();

        var reference = await TestDatabases.CreateAsync(engine);
        await IndexAsync(reference, canonical);

        var store = await TestDatabases.CreateAsync(engine);
        await IndexAsync(store, canonical.Take(fork));
        await IndexAsync(store, abandoned);
        var removed = await store.RollbackAsync(canonical[fork - 1].Block);
        Assert.Equal(abandoned.Sum(b => b.Events.Count), removed);
        Assert.Equal(canonical[fork - 1].Block.Number, (await store.GetCursorAsync())!.Block);
        await IndexAsync(store, canonical.Skip(fork));

        Assert.Equal(await StoreSnapshot.TakeAsync(reference), await StoreSnapshot.TakeAsync(store));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_rollback_ofEverythingLeavesNoSummaryRows(DatabaseKind engine)
    {
        var store = await TestDatabases.CreateAsync(engine);
        var blocks = new SyntheticMarket(new SyntheticOptions(Requests: 60, Provers: 4, Seed: 9)).Blocks().ToList();
        await IndexAsync(store, blocks);
        await store.RollbackAsync(new IndexedBlock(0, "0x00", 0));
        foreach (var table in new[] { "requests", "aggregates", "latency_histogram", "accounts", "events", "reserve_prices" })
            Assert.Equal(0, await StoreSnapshot.CountAsync(store, table));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_apply_refusesAnotherMarketsDatabase(DatabaseKind engine)
    {
        var store = await TestDatabases.CreateAsync(engine);
        var blocks = new SyntheticMarket(new SyntheticOptions(Requests: 4, Provers: 2, Seed: 1)).Blocks().Take(3).ToList();
        await IndexAsync(store, blocks);
        var other = new IndexCursor(31337, "0x00000000000000000000000000000000000000bb", 99, "0x01", 99, 0);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ApplyBatchAsync([], [], other));
        Assert.Contains("indexes market " + Market, e.Message);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_amounts_storedLosslesslyAndInNumericOrder(DatabaseKind engine)
    {
        var store = await TestDatabases.CreateAsync(engine);
        var values = new[] { System.Numerics.BigInteger.Zero, 9, 10, 255, 256, System.Numerics.BigInteger.Pow(10, 30), (System.Numerics.BigInteger.One << 255) + 1, (System.Numerics.BigInteger.One << 256) - 1 };
        await using var c = await store.Database.OpenAsync();
        foreach (var (v, i) in values.Select((v, i) => (v, i)))
        {
            await using var ins = c.CreateCommand();
            ins.CommandText = "INSERT INTO accounts (account, asset_id, free, locked, pending) VALUES (@a, 0, @f, @f, @f)";
            var pa = ins.CreateParameter(); pa.ParameterName = "@a"; pa.Value = $"acct{values.Length - i}"; ins.Parameters.Add(pa);
            var pf = ins.CreateParameter(); pf.ParameterName = "@f"; pf.Value = Uint256Text.Encode(v); ins.Parameters.Add(pf);
            await ins.ExecuteNonQueryAsync();
        }
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT free FROM accounts ORDER BY free DESC";
        var back = new List<System.Numerics.BigInteger>();
        await using (var r = await q.ExecuteReaderAsync())
            while (await r.ReadAsync()) back.Add(Uint256Text.Decode(r.GetString(0)));
        Assert.Equal(values.Reverse(), back);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_migrate_isIdempotentAndRefusesANewerSchema(DatabaseKind engine)
    {
        var store = await TestDatabases.CreateAsync(engine);
        Assert.Empty(await store.MigrateAsync());
        await using (var c = await store.Database.OpenAsync())
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)";
            await cmd.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync());
        Assert.Contains("version 99", e.Message);
    }
}
