using System.Data.Common;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>One schema change, applied once, in version order.</summary>
/// <param name="Version">Its version: consecutive from 1.</param>
/// <param name="Name">What it does.</param>
/// <param name="Statements">Its statements, written for both engines (<see cref="Sql"/> fills the dialect words).</param>
public sealed record Migration(int Version, string Name, Func<Sql, IReadOnlyList<string>> Statements);

/// <summary>
/// The versioned schema. <see cref="ApplyAsync"/> runs the migrations a database lacks, each in its own transaction with
/// its row in <c>schema_migrations</c>, so a failed migration leaves the previous version intact. A database newer than
/// this build is refused rather than written with an older idea of the schema.
/// </summary>
public static class Migrations
{
    /// <summary>Every migration, oldest first.</summary>
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "market projections", V1),
        new(2, "window scans from a covering index; the latency histogram clustered by its key", V2),
        new(3, "requests by requester", V3),
    ];

    /// <summary>The version this build writes.</summary>
    public static int Latest => All[^1].Version;

    private static IReadOnlyList<string> V1(Sql s) =>
    [
        // Where indexing stands: the last block fully projected and its hash (checked against the chain on restart).
        """
        CREATE TABLE cursor (
            id INTEGER PRIMARY KEY,
            chain_id BIGINT NOT NULL,
            market TEXT NOT NULL,
            block_number BIGINT NOT NULL,
            block_hash TEXT NOT NULL,
            head_block BIGINT NOT NULL,
            head_seen_at BIGINT NOT NULL)
        """,
        // Every block that had events, and every range end: the hashes a reorganisation is resolved against.
        "CREATE TABLE blocks (number BIGINT PRIMARY KEY, hash TEXT NOT NULL, ts BIGINT NOT NULL)",
        // The raw events (decoded fields as JSON): the history pages read them and a rollback re-folds from them.
        """
        CREATE TABLE events (
            block_number BIGINT NOT NULL,
            log_index INTEGER NOT NULL,
            block_hash TEXT NOT NULL,
            tx_hash TEXT NOT NULL,
            ts BIGINT NOT NULL,
            contract TEXT NOT NULL,
            name TEXT NOT NULL,
            request_id TEXT,
            account_key TEXT,
            gas_share BIGINT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (block_number, log_index))
        """,
        "CREATE INDEX events_by_request ON events (request_id, block_number, log_index)",
        "CREATE INDEX events_by_account ON events (account_key, block_number, log_index)",
        // One row per request: the columns the API filters and sorts on, the amounts (sortable), and the whole fold.
        $"""
        CREATE TABLE requests (
            request_id TEXT PRIMARY KEY,
            requester TEXT NOT NULL,
            circuit_id BIGINT NOT NULL,
            mode INTEGER NOT NULL,
            status INTEGER NOT NULL,
            prover TEXT,
            slash_count INTEGER NOT NULL,
            max_fee {s.Amount} NOT NULL,
            reserve_fee {s.Amount} NOT NULL,
            payment {s.Amount},
            submitted_block BIGINT NOT NULL,
            submitted_log INTEGER NOT NULL,
            submitted_at BIGINT NOT NULL,
            fulfilled_at BIGINT,
            delivered_latency BIGINT,
            state TEXT NOT NULL)
        """,
        "CREATE INDEX requests_by_order ON requests (submitted_block, submitted_log)",
        "CREATE INDEX requests_by_status ON requests (status, submitted_block, submitted_log)",
        "CREATE INDEX requests_by_mode ON requests (mode, submitted_block, submitted_log)",
        "CREATE INDEX requests_by_prover ON requests (prover, submitted_block, submitted_log)",
        "CREATE INDEX requests_by_circuit ON requests (circuit_id, submitted_block, submitted_log)",
        // Additive summaries, kept by deltas: dim is prover, requester, circuit (bucket 0), hour or day (key ''),
        // prover_hour or requester_hour (key and hour). Per allocation mode.
        $"""
        CREATE TABLE aggregates (
            dim TEXT NOT NULL,
            agg_key TEXT NOT NULL,
            bucket BIGINT NOT NULL,
            mode INTEGER NOT NULL,
            requests BIGINT NOT NULL,
            n_open BIGINT NOT NULL,
            n_assigned BIGINT NOT NULL,
            n_secondary BIGINT NOT NULL,
            n_fulfilled BIGINT NOT NULL,
            n_cancelled BIGINT NOT NULL,
            n_expired BIGINT NOT NULL,
            n_matched BIGINT NOT NULL,
            slashes BIGINT NOT NULL,
            slashed_amount {s.Amount} NOT NULL,
            fees_paid {s.Amount} NOT NULL,
            max_fees {s.Amount} NOT NULL,
            reserve_fees {s.Amount} NOT NULL,
            protocol_fees {s.Amount} NOT NULL,
            gas_used BIGINT NOT NULL,
            latency_sum BIGINT NOT NULL,
            latency_count BIGINT NOT NULL,
            auctions BIGINT NOT NULL,
            best_score_won BIGINT NOT NULL,
            payment_over_bid_ppm BIGINT NOT NULL,
            PRIMARY KEY (dim, agg_key, bucket, mode))
        """,
        "CREATE INDEX aggregates_by_bucket ON aggregates (dim, bucket, agg_key)",
        // Delivered latency histogram per hour and mode (seconds, exact): percentiles without scanning requests.
        "CREATE TABLE latency_histogram (bucket BIGINT NOT NULL, mode INTEGER NOT NULL, latency BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (bucket, mode, latency))",
        // Other state folded from events: vault accounts, standing asks, circuits, reserve prices.
        $"""
        CREATE TABLE accounts (
            account TEXT NOT NULL,
            asset_id INTEGER NOT NULL,
            free {s.Amount} NOT NULL,
            locked {s.Amount} NOT NULL,
            pending {s.Amount} NOT NULL,
            PRIMARY KEY (account, asset_id))
        """,
        "CREATE TABLE asks (circuit_id BIGINT NOT NULL, prover TEXT NOT NULL, active INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (circuit_id, prover))",
        "CREATE TABLE circuits (circuit_id BIGINT PRIMARY KEY, state TEXT NOT NULL)",
        $"CREATE TABLE reserve_prices (circuit_id BIGINT NOT NULL, block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, ts BIGINT NOT NULL, per_unit {s.Amount} NOT NULL, PRIMARY KEY (circuit_id, block_number, log_index))",
    ];

    // /v1/requests?requester= seeks like the other filters instead of scanning every request.
    private static IReadOnlyList<string> V3(Sql s) =>
    [
        "CREATE INDEX requests_by_requester ON requests (requester, submitted_block, submitted_log)",
    ];

    private static IReadOnlyList<string> V2(Sql s) =>
    [
        // The decentralization and unique-participant reads scan a window of prover_hour/requester_hour rows for these
        // columns only: with them in the index the scan never visits the table (on SQLite a row visit cost as much as
        // reading the row's index entry; measured at 100,000 requests: decentralization 9.3 -> 7.2 ms).
        "DROP INDEX aggregates_by_bucket",
        "CREATE INDEX aggregates_by_window ON aggregates (dim, bucket, agg_key, mode, requests, n_fulfilled, fees_paid)",
        // SQLite: the histogram's rows are small and always read and written by key ranges, so the table is its key's
        // b-tree (no rowid table behind the key index). PostgreSQL has no such choice: nothing to do there.
        .. (s.WithoutRowid.Length == 0 ? [] : new[]
        {
            $"CREATE TABLE latency_histogram_v2 (bucket BIGINT NOT NULL, mode INTEGER NOT NULL, latency BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (bucket, mode, latency)){s.WithoutRowid}",
            "INSERT INTO latency_histogram_v2 (bucket, mode, latency, n) SELECT bucket, mode, latency, n FROM latency_histogram",
            "DROP TABLE latency_histogram",
            "ALTER TABLE latency_histogram_v2 RENAME TO latency_histogram",
        }),
    ];

    /// <summary>Applies the migrations <paramref name="db"/> lacks; returns the versions applied.</summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer build (its version is above <see cref="Latest"/>).</exception>
    public static async Task<IReadOnlyList<int>> ApplyAsync(IndexerDatabase db, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(c, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", cancellationToken).ConfigureAwait(false);
        int current;
        await using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
            current = Convert.ToInt32(await q.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (current > Latest)
            throw new InvalidOperationException($"{db.Display}: the schema is at version {current}, newer than this build's {Latest}; run a newer pmc or index into a new database");
        var applied = new List<int>();
        foreach (var m in All.Where(m => m.Version > current))
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var statement in m.Statements(db.Sql)) await ExecAsync(c, tx, statement, cancellationToken).ConfigureAwait(false);
            await using (var ins = c.CreateCommand())
            {
                ins.Transaction = tx;
                ins.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)";
                Db.Add(ins, "@v", m.Version);
                Db.Add(ins, "@n", m.Name);
                Db.Add(ins, "@t", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                await ins.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(m.Version);
        }
        return applied;
    }

    private static async Task ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
