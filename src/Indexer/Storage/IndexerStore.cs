using System.Data.Common;
using ProverMarketChain.Indexer.Model;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>Where indexing stands.</summary>
/// <param name="ChainId">The chain indexed (a database never mixes chains).</param>
/// <param name="Market">The market indexed (a database never mixes markets).</param>
/// <param name="Block">The last block fully projected.</param>
/// <param name="Hash">Its hash when it was projected (0x-hex).</param>
/// <param name="HeadBlock">The chain head last seen.</param>
/// <param name="HeadSeenAt">When it was seen (unix seconds).</param>
public sealed record IndexCursor(long ChainId, string Market, long Block, string Hash, long HeadBlock, long HeadSeenAt);

/// <summary>A block the indexer has projected: its number, hash and time.</summary>
/// <param name="Number">Block number.</param>
/// <param name="Hash">Block hash (0x-hex).</param>
/// <param name="Timestamp">Block time (unix seconds).</param>
public sealed record IndexedBlock(long Number, string Hash, long Timestamp);

/// <summary>
/// The indexer's writes: each batch of blocks is projected in one transaction together with the cursor, so a crash
/// leaves the database at a block boundary and the batch is simply indexed again. Replaying a batch at or below the
/// cursor changes nothing (events are keyed by block and log index, and events at or below the cursor are not applied
/// twice). A reorganisation is undone by <see cref="RollbackAsync"/>.
/// </summary>
public sealed class IndexerStore(IndexerDatabase db)
{
    /// <summary>The database.</summary>
    public IndexerDatabase Database { get; } = db;

    /// <summary>Creates or upgrades the schema.</summary>
    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct = default) => Migrations.ApplyAsync(Database, ct);

    /// <summary>The stored cursor, or null before the first batch.</summary>
    public async Task<IndexCursor?> GetCursorAsync(CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct).ConfigureAwait(false);
        return await ReadCursorAsync(c, null, ct).ConfigureAwait(false);
    }

    private static async Task<IndexCursor?> ReadCursorAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        await using var q = Db.Command(c, tx, "SELECT chain_id, market, block_number, block_hash, head_block, head_seen_at FROM cursor WHERE id = 1");
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false)
            ? new IndexCursor(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5))
            : null;
    }

    /// <summary>
    /// Projects one batch: <paramref name="blocks"/> (every block with events, plus the range end), their
    /// <paramref name="events"/> in chain order, and the new cursor, in one transaction.
    /// </summary>
    /// <returns>The number of events applied (events at or below the stored cursor are skipped).</returns>
    /// <exception cref="InvalidOperationException">The database indexes another chain or market.</exception>
    public async Task<int> ApplyBatchAsync(IReadOnlyList<IndexedBlock> blocks, IReadOnlyList<ChainEvent> events, IndexCursor cursor, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
        await LockWritersAsync(c, tx, ct).ConfigureAwait(false);
        var stored = await ReadCursorAsync(c, tx, ct).ConfigureAwait(false);
        if (stored is not null && (stored.ChainId != cursor.ChainId || !string.Equals(stored.Market, cursor.Market, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"{Database.Display} indexes market {stored.Market} on chain {stored.ChainId}, not {cursor.Market} on chain {cursor.ChainId}: use another database");
        var fresh = stored is null ? events : events.Where(e => (long)e.Block > stored.Block).ToList();
        await using var writer = new ProjectionWriter(c, tx);
        // A block listed twice is written once, as its last entry (one multi-row statement may not update a row twice).
        await writer.UpsertBlocksAsync(blocks.Where(b => stored is null || b.Number > stored.Block).GroupBy(b => b.Number).Select(g => g.Last()), ct).ConfigureAwait(false);
        await writer.InsertEventsAsync(fresh, ct).ConfigureAwait(false);
        await writer.ApplyAsync(fresh, ct).ConfigureAwait(false);
        await writer.FlushAsync(ct).ConfigureAwait(false);
        if (stored is null || cursor.Block >= stored.Block) await WriteCursorAsync(c, tx, cursor, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return fresh.Count;
    }

    // One writer at a time, whatever runs against the database: two indexers on one PostgreSQL database would otherwise both
    // read the same cursor and add the same batch to the summaries twice. The second waits, then sees the first's cursor and
    // skips the events at or below it. (SQLite's writing transactions begin IMMEDIATE and are serialised already.)
    private async Task LockWritersAsync(DbConnection c, DbTransaction tx, CancellationToken ct)
    {
        if (Database.Kind != DatabaseKind.Postgres) return;
        await using var cmd = Db.Command(c, tx, "SELECT pg_advisory_xact_lock(7273100)");
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Records the chain head (for <c>/health</c>) without moving the cursor.</summary>
    public async Task SetHeadAsync(long head, long seenAt, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Db.Command(c, null, "UPDATE cursor SET head_block = @h, head_seen_at = @t WHERE id = 1");
        Db.Add(cmd, "@h", head);
        Db.Add(cmd, "@t", seenAt);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task WriteCursorAsync(DbConnection c, DbTransaction tx, IndexCursor cursor, CancellationToken ct)
    {
        await using var cmd = Db.Command(c, tx, """
            INSERT INTO cursor (id, chain_id, market, block_number, block_hash, head_block, head_seen_at) VALUES (1, @c, @m, @b, @h, @hb, @ht)
            ON CONFLICT (id) DO UPDATE SET chain_id = excluded.chain_id, market = excluded.market, block_number = excluded.block_number,
            block_hash = excluded.block_hash, head_block = excluded.head_block, head_seen_at = excluded.head_seen_at
            """);
        Db.Add(cmd, "@c", cursor.ChainId);
        Db.Add(cmd, "@m", cursor.Market);
        Db.Add(cmd, "@b", cursor.Block);
        Db.Add(cmd, "@h", cursor.Hash);
        Db.Add(cmd, "@hb", cursor.HeadBlock);
        Db.Add(cmd, "@ht", cursor.HeadSeenAt);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The stored blocks at or below <paramref name="atOrBelow"/>, newest first: where a fork point is looked for.</summary>
    public async Task<IReadOnlyList<IndexedBlock>> RecentBlocksAsync(long atOrBelow, int limit, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct).ConfigureAwait(false);
        await using var q = Db.Command(c, null, "SELECT number, hash, ts FROM blocks WHERE number <= @n ORDER BY number DESC LIMIT @l");
        Db.Add(q, "@n", atOrBelow);
        Db.Add(q, "@l", limit);
        var list = new List<IndexedBlock>();
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(new IndexedBlock(r.GetInt64(0), r.GetString(1), r.GetInt64(2)));
        return list;
    }

    /// <summary>
    /// Undoes every block above <paramref name="fork"/> (reorganised away): deletes their events and blocks, folds the
    /// requests and entities they touched again from the events that remain, corrects the summaries by the difference,
    /// and moves the cursor to the fork block. One transaction.
    /// </summary>
    /// <returns>The number of events removed.</returns>
    public async Task<int> RollbackAsync(IndexedBlock fork, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
        await LockWritersAsync(c, tx, ct).ConfigureAwait(false);
        var stored = await ReadCursorAsync(c, tx, ct).ConfigureAwait(false) ?? throw new InvalidOperationException("nothing is indexed: no cursor to roll back");
        var requests = await DistinctAsync(c, tx, "request_id", fork.Number, ct).ConfigureAwait(false);
        var entities = await DistinctAsync(c, tx, "account_key", fork.Number, ct).ConfigureAwait(false);
        int removed;
        await using (var d = Db.Command(c, tx, "DELETE FROM events WHERE block_number > @b"))
        {
            Db.Add(d, "@b", fork.Number);
            removed = await d.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        foreach (var table in new[] { "blocks WHERE number > @b", "reserve_prices WHERE block_number > @b" })
        {
            await using var d = Db.Command(c, tx, $"DELETE FROM {table}");
            Db.Add(d, "@b", fork.Number);
            await d.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using (var keep = Db.Command(c, tx, "INSERT INTO blocks (number, hash, ts) VALUES (@n, @h, @t) ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, ts = excluded.ts"))
        {
            Db.Add(keep, "@n", fork.Number);
            Db.Add(keep, "@h", fork.Hash);
            Db.Add(keep, "@t", fork.Timestamp);
            await keep.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using var writer = new ProjectionWriter(c, tx);
        await writer.RefoldAsync(requests, entities, ct).ConfigureAwait(false);
        await writer.FlushAsync(ct).ConfigureAwait(false);
        await WriteCursorAsync(c, tx, stored with { Block = fork.Number, Hash = fork.Hash }, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return removed;
    }

    private static async Task<List<string>> DistinctAsync(DbConnection c, DbTransaction tx, string column, long above, CancellationToken ct)
    {
        await using var q = Db.Command(c, tx, $"SELECT DISTINCT {column} FROM events WHERE block_number > @b AND {column} IS NOT NULL");
        Db.Add(q, "@b", above);
        var list = new List<string>();
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(r.GetString(0));
        return list;
    }
}
