using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Projection;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>
/// Applies events to the projections inside one transaction: forwards (<see cref="ApplyAsync"/>: the stored rows plus the
/// new events) or after removing events (<see cref="RefoldAsync"/>: the rows folded again from the events that remain).
/// Either way each changed request's old and new contributions go into one delta per summary row, written once at
/// <see cref="FlushAsync"/>. Rows are written as each engine writes them fastest (<see cref="WriteRowsAsync"/>): on
/// PostgreSQL many rows per statement, so that round trips do not dominate; on SQLite, which has no round trips, one
/// prepared statement per shape executed once per row.
/// </summary>
internal sealed class ProjectionWriter(DbConnection c, DbTransaction tx) : IAsyncDisposable
{
    private const int Chunk = 200;

    private readonly Dictionary<AggregateKey, AggregateValues> _delta = new();
    private readonly Dictionary<(long, int, long), long> _histogram = new();
    private readonly bool _sqlite = c is SqliteConnection;
    private readonly Dictionary<string, DbCommand> _prepared = new();
    private readonly Dictionary<string, RawStatement> _raw = new();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var cmd in _prepared.Values) await cmd.DisposeAsync().ConfigureAwait(false);
        _prepared.Clear();
        foreach (var stmt in _raw.Values) stmt.Dispose();
        _raw.Clear();
    }

    // ------------------------------------------------------------------ statements

    /// <summary>
    /// Writes <paramref name="rows"/> with <c>{head} VALUES (row){tail}</c>. On PostgreSQL <see cref="Chunk"/> rows go in
    /// one statement. On SQLite each row executes one prepared statement: SQLite pays no round trip per statement, and
    /// binding a statement of thousands of named parameters is quadratic (each name is looked up in a list), which made
    /// the multi-row form the bulk of an SQLite batch's time. The keys within one call are distinct, so both forms write
    /// the same rows. The SQLite statement is prepared on the connection's own handle and bound by position
    /// (<see cref="RawStatement"/>), since Microsoft.Data.Sqlite binds every parameter by name on every execution.
    /// </summary>
    private async Task WriteRowsAsync(string head, int columns, string tail, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        if (_sqlite)
        {
            var stmt = Raw($"{head} VALUES ({string.Join(",", Enumerable.Range(1, columns).Select(j => $"?{j}"))}){tail}");
            foreach (var row in rows)
            {
                for (var j = 0; j < columns; j++) stmt.Bind(j + 1, row[j]);
                stmt.Execute();
            }
            return;
        }
        foreach (var chunk in rows.Chunk(Chunk))
        {
            // Positional parameters ($1, $2, ...: unnamed DbParameters), which Npgsql sends as they are, where named ones
            // make it parse the statement and rewrite thousands of names into positions first.
            await using var cmd = Db.Command(c, tx, "");
            var sb = new StringBuilder(head).Append(" VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                sb.Append(i == 0 ? "(" : ",(");
                for (var j = 0; j < columns; j++)
                {
                    sb.Append(j == 0 ? "$" : ",$").Append(cmd.Parameters.Count + 1);
                    var p = cmd.CreateParameter();
                    p.Value = chunk[i][j] ?? DBNull.Value;
                    cmd.Parameters.Add(p);
                }
                sb.Append(')');
            }
            cmd.CommandText = sb.Append(tail).ToString();
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private RawStatement Raw(string sql)
    {
        if (!_raw.TryGetValue(sql, out var stmt)) _raw[sql] = stmt = new RawStatement(((SqliteConnection)c).Handle!, sql);
        return stmt;
    }

    /// <summary>
    /// An SQLite statement prepared once on the connection's handle (so inside its open transaction), executed many times
    /// with values bound by position: what Microsoft.Data.Sqlite does for a prepared command, less looking up each
    /// parameter's name and converting it to UTF-8 on every execution (a fifth of an ingest batch's time). Values are
    /// bound as Microsoft.Data.Sqlite binds them: integers as 64-bit, text as UTF-8, null as NULL.
    /// </summary>
    private sealed class RawStatement : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _stmt;

        public RawStatement(sqlite3 db, string sql)
        {
            _db = db;
            Check(raw.sqlite3_prepare_v2(db, sql, out _stmt));
        }

        public void Bind(int index, object? value) => Check(value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_stmt, index),
            long l => raw.sqlite3_bind_int64(_stmt, index, l),
            int i => raw.sqlite3_bind_int64(_stmt, index, i),
            string t => raw.sqlite3_bind_text(_stmt, index, t),
            _ => throw new ArgumentException($"no SQLite binding for a {value.GetType().Name}", nameof(value)),
        });

        public void Execute()
        {
            var rc = raw.sqlite3_step(_stmt);
            raw.sqlite3_reset(_stmt);
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
        }

        public void Dispose() => _stmt.Dispose();
    }

    /// <summary>An SQLite command prepared once per writer (parameters <c>@p0</c>..), reused with new values.</summary>
    private DbCommand Prepared(string sql, int parameters)
    {
        if (_prepared.TryGetValue(sql, out var cmd)) return cmd;
        cmd = Db.Command(c, tx, sql);
        for (var j = 0; j < parameters; j++) Db.Add(cmd, $"@p{j}", null);
        cmd.Prepare();
        _prepared[sql] = cmd;
        return cmd;
    }

    /// <summary>Inserts or updates blocks (number, hash, time).</summary>
    public Task UpsertBlocksAsync(IEnumerable<IndexedBlock> blocks, CancellationToken ct) =>
        WriteRowsAsync("INSERT INTO blocks (number, hash, ts)", 3, " ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, ts = excluded.ts",
            blocks.Select(b => new object?[] { b.Number, b.Hash, b.Timestamp }), ct);

    // ------------------------------------------------------------------ events

    /// <summary>Inserts events (an event already stored is left as it is).</summary>
    public Task InsertEventsAsync(IReadOnlyList<ChainEvent> events, CancellationToken ct) =>
        WriteRowsAsync("INSERT INTO events (block_number, log_index, block_hash, tx_hash, ts, contract, name, request_id, account_key, gas_share, data)", 11,
            " ON CONFLICT (block_number, log_index) DO NOTHING",
            events.Select(e => new object?[]
            {
                (long)e.Block, e.LogIndex, e.BlockHash, e.TxHash, (long)e.Timestamp, e.Contract, e.Name, e.RequestId, e.AccountKey, e.GasShare, e.Data.ToJsonString(),
            }), ct);

    /// <summary>Reads stored events back (oldest first) for the given requests or entity keys.</summary>
    public async Task<List<ChainEvent>> LoadEventsAsync(string column, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var result = new List<ChainEvent>();
        foreach (var chunk in keys.Chunk(Chunk))
        {
            await using var cmd = Db.Command(c, tx, "");
            cmd.CommandText = $"SELECT block_number, log_index, block_hash, tx_hash, ts, contract, name, request_id, account_key, gas_share, data FROM events WHERE {column} IN ({Params(cmd, "k", chunk)}) ORDER BY block_number, log_index";
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false)) result.Add(ReadEvent(r));
        }
        result.Sort((a, b) => a.Block != b.Block ? a.Block.CompareTo(b.Block) : a.LogIndex.CompareTo(b.LogIndex));
        return result;
    }

    /// <summary>Reads an event row (columns as in <see cref="LoadEventsAsync"/>).</summary>
    public static ChainEvent ReadEvent(DbDataReader r) => new(
        (ulong)r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3), (ulong)r.GetInt64(4), r.GetString(5), r.GetString(6),
        Db.Str(r, 7), Db.Str(r, 8), r.GetInt64(9), (JsonObject)JsonNode.Parse(r.GetString(10))!);

    // ------------------------------------------------------------------ forwards

    /// <summary>Applies new events (chain order) to the stored projections.</summary>
    public async Task ApplyAsync(IReadOnlyList<ChainEvent> events, CancellationToken ct)
    {
        var byRequest = events.Where(e => e.RequestId is not null).GroupBy(e => e.RequestId!).ToList();
        if (byRequest.Count > 0)
        {
            var stored = await LoadRequestsAsync(byRequest.Select(g => g.Key).ToList(), ct).ConfigureAwait(false);
            var changed = new List<RequestRow>();
            foreach (var g in byRequest)
            {
                stored.TryGetValue(g.Key, out var old);
                // ApplyOrKeep folds onto a copy, so the stored row (old) stays as it was for the delta.
                var row = old;
                foreach (var e in g) row = RequestFold.ApplyOrKeep(row, e);
                Delta(old, row);
                if (row is not null) changed.Add(row);
            }
            await UpsertRequestsAsync(changed, ct).ConfigureAwait(false);
        }
        var byEntity = events.Where(e => e.AccountKey is not null).GroupBy(e => e.AccountKey!).ToList();
        if (byEntity.Count > 0) await ApplyEntitiesAsync(byEntity.ToDictionary(g => g.Key, g => (IReadOnlyList<ChainEvent>)g.ToList()), fromScratch: false, ct).ConfigureAwait(false);
        await InsertReservePricesAsync(events.Where(e => e.Name == "ReservePriceUpdated").ToList(), ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ after removal

    /// <summary>Folds the given requests and entities again from the events that remain (after a reorganisation removed some).</summary>
    public async Task RefoldAsync(IReadOnlyCollection<string> requestIds, IReadOnlyCollection<string> entityKeys, CancellationToken ct)
    {
        if (requestIds.Count > 0)
        {
            var stored = await LoadRequestsAsync(requestIds, ct).ConfigureAwait(false);
            var events = (await LoadEventsAsync("request_id", requestIds, ct).ConfigureAwait(false)).GroupBy(e => e.RequestId!).ToDictionary(g => g.Key, g => g.ToList());
            var changed = new List<RequestRow>();
            var gone = new List<string>();
            foreach (var id in requestIds)
            {
                stored.TryGetValue(id, out var old);
                var row = events.TryGetValue(id, out var list) ? RequestFold.Fold(list) : null;
                Delta(old, row);
                if (row is null) gone.Add(id);
                else changed.Add(row);
            }
            await UpsertRequestsAsync(changed, ct).ConfigureAwait(false);
            await DeleteWhereInAsync("requests", "request_id", gone, ct).ConfigureAwait(false);
        }
        if (entityKeys.Count > 0)
        {
            var events = (await LoadEventsAsync("account_key", entityKeys, ct).ConfigureAwait(false)).GroupBy(e => e.AccountKey!).ToDictionary(g => g.Key, g => (IReadOnlyList<ChainEvent>)g.ToList());
            foreach (var key in entityKeys) events.TryAdd(key, []);
            await ApplyEntitiesAsync(events, fromScratch: true, ct).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ requests

    private async Task<Dictionary<string, RequestRow>> LoadRequestsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var rows = new Dictionary<string, RequestRow>(ids.Count);
        foreach (var chunk in ids.Chunk(Chunk))
        {
            await using var cmd = Db.Command(c, tx, "");
            cmd.CommandText = $"SELECT state FROM requests WHERE request_id IN ({Params(cmd, "k", chunk)})";
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var row = JsonSerializer.Deserialize<RequestRow>(r.GetString(0), RowJson.Options)!;
                rows[row.RequestId] = row;
            }
        }
        return rows;
    }

    private Task UpsertRequestsAsync(IReadOnlyList<RequestRow> rows, CancellationToken ct) =>
        WriteRowsAsync("INSERT INTO requests (request_id, requester, circuit_id, mode, status, prover, slash_count, max_fee, reserve_fee, payment, submitted_block, submitted_log, submitted_at, fulfilled_at, delivered_latency, state)", 16,
            """
             ON CONFLICT (request_id) DO UPDATE SET requester = excluded.requester, circuit_id = excluded.circuit_id, mode = excluded.mode,
             status = excluded.status, prover = excluded.prover, slash_count = excluded.slash_count, max_fee = excluded.max_fee,
             reserve_fee = excluded.reserve_fee, payment = excluded.payment, submitted_block = excluded.submitted_block,
             submitted_log = excluded.submitted_log, submitted_at = excluded.submitted_at, fulfilled_at = excluded.fulfilled_at,
             delivered_latency = excluded.delivered_latency, state = excluded.state
            """,
            rows.Select(r => new object?[]
            {
                r.RequestId, r.Requester, r.CircuitId, (int)r.Mode, (int)r.Status, r.Prover, r.Slashes.Count, Uint256Text.Encode(r.MaxFee),
                Uint256Text.Encode(r.ReserveFee), r.Payment is { } pay ? Uint256Text.Encode(pay) : null, r.SubmittedBlock, r.SubmittedLog,
                r.SubmittedAt, r.FulfilledAt, r.DeliveredLatency, JsonSerializer.Serialize(r, RowJson.Options),
            }), ct);

    private void Delta(RequestRow? old, RequestRow? now)
    {
        if (old is not null) AddContribution(old, -1);
        if (now is not null) AddContribution(now, +1);
    }

    private void AddContribution(RequestRow row, int sign)
    {
        foreach (var (key, values) in Contributions.Of(row))
        {
            if (!_delta.TryGetValue(key, out var d)) _delta[key] = d = new AggregateValues();
            d.Add(values, sign);
        }
        if (Contributions.Latency(row) is { } h) _histogram[h] = _histogram.GetValueOrDefault(h) + sign;
    }

    // ------------------------------------------------------------------ entities

    private async Task ApplyEntitiesAsync(Dictionary<string, IReadOnlyList<ChainEvent>> byKey, bool fromScratch, CancellationToken ct)
    {
        foreach (var (key, events) in byKey)
        {
            var parts = key.Split(':');
            switch (parts[0])
            {
                case "vault":
                {
                    var state = fromScratch ? null : await LoadAccountAsync(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
                    foreach (var e in events) state = EntityFold.ApplyAccount(state, e);
                    await SaveAccountAsync(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture), state, ct).ConfigureAwait(false);
                    break;
                }
                case "ask":
                case "circuit":
                {
                    var (table, where) = parts[0] == "ask" ? ("asks", "circuit_id = @c AND prover = @p") : ("circuits", "circuit_id = @c");
                    JsonObject? state = null;
                    if (!fromScratch)
                    {
                        await using var q = Db.Command(c, tx, $"SELECT state FROM {table} WHERE {where}");
                        Db.Add(q, "@c", long.Parse(parts[1], CultureInfo.InvariantCulture));
                        if (parts[0] == "ask") Db.Add(q, "@p", parts[2]);
                        if (await q.ExecuteScalarAsync(ct).ConfigureAwait(false) is string s) state = (JsonObject)JsonNode.Parse(s)!;
                    }
                    foreach (var e in events) state = EntityFold.ApplyEntity(state, e);
                    await using var cmd = Db.Command(c, tx, "");
                    Db.Add(cmd, "@c", long.Parse(parts[1], CultureInfo.InvariantCulture));
                    if (state is null || state.Count == 0)
                    {
                        if (parts[0] == "ask") Db.Add(cmd, "@p", parts[2]);
                        cmd.CommandText = $"DELETE FROM {table} WHERE {where}";
                    }
                    else if (parts[0] == "ask")
                    {
                        Db.Add(cmd, "@p", parts[2]);
                        Db.Add(cmd, "@a", state["active"]?.GetValue<bool>() == true ? 1 : 0);
                        Db.Add(cmd, "@s", state.ToJsonString());
                        cmd.CommandText = "INSERT INTO asks (circuit_id, prover, active, state) VALUES (@c, @p, @a, @s) ON CONFLICT (circuit_id, prover) DO UPDATE SET active = excluded.active, state = excluded.state";
                    }
                    else
                    {
                        Db.Add(cmd, "@s", state.ToJsonString());
                        cmd.CommandText = "INSERT INTO circuits (circuit_id, state) VALUES (@c, @s) ON CONFLICT (circuit_id) DO UPDATE SET state = excluded.state";
                    }
                    await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    break;
                }
            }
        }
    }

    private async Task<AccountState?> LoadAccountAsync(string account, int asset, CancellationToken ct)
    {
        await using var q = Db.Command(c, tx, "SELECT free, locked, pending FROM accounts WHERE account = @a AND asset_id = @s");
        Db.Add(q, "@a", account);
        Db.Add(q, "@s", asset);
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false)
            ? new AccountState { Free = Uint256Text.Decode(r.GetString(0)), Locked = Uint256Text.Decode(r.GetString(1)), Pending = Uint256Text.Decode(r.GetString(2)) }
            : null;
    }

    private async Task SaveAccountAsync(string account, int asset, AccountState? s, CancellationToken ct)
    {
        await using var cmd = Db.Command(c, tx, s is null
            ? "DELETE FROM accounts WHERE account = @a AND asset_id = @s"
            : "INSERT INTO accounts (account, asset_id, free, locked, pending) VALUES (@a, @s, @f, @l, @p) ON CONFLICT (account, asset_id) DO UPDATE SET free = excluded.free, locked = excluded.locked, pending = excluded.pending");
        Db.Add(cmd, "@a", account);
        Db.Add(cmd, "@s", asset);
        if (s is not null)
        {
            Db.Add(cmd, "@f", Uint256Text.Encode(s.Free));
            Db.Add(cmd, "@l", Uint256Text.Encode(s.Locked));
            Db.Add(cmd, "@p", Uint256Text.Encode(s.Pending));
        }
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task InsertReservePricesAsync(IReadOnlyList<ChainEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            await using var cmd = Db.Command(c, tx, "INSERT INTO reserve_prices (circuit_id, block_number, log_index, ts, per_unit) VALUES (@c, @b, @l, @t, @p) ON CONFLICT (circuit_id, block_number, log_index) DO NOTHING");
            Db.Add(cmd, "@c", e.Long("circuitId"));
            Db.Add(cmd, "@b", (long)e.Block);
            Db.Add(cmd, "@l", e.LogIndex);
            Db.Add(cmd, "@t", (long)e.Timestamp);
            Db.Add(cmd, "@p", Uint256Text.Encode(e.Big("newPerUnit")));
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ summaries

    /// <summary>Writes the accumulated summary deltas: each touched aggregate row read once, added to, and written once.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var keys = _delta.Where(kv => !kv.Value.IsZero).Select(kv => kv.Key).ToList();
        foreach (var chunk in keys.Chunk(Chunk))
        {
            var current = await LoadAggregatesAsync(chunk, ct).ConfigureAwait(false);
            var upserts = new List<(AggregateKey, AggregateValues)>();
            var deletes = new List<AggregateKey>();
            foreach (var key in chunk)
            {
                var v = current.GetValueOrDefault(key) ?? new AggregateValues();
                v.Add(_delta[key], +1);
                if (v.IsZero) deletes.Add(key);
                else upserts.Add((key, v));
            }
            await UpsertAggregatesAsync(upserts, ct).ConfigureAwait(false);
            foreach (var key in deletes)
            {
                if (_sqlite)
                {
                    var stmt = Raw("DELETE FROM aggregates WHERE dim = ?1 AND agg_key = ?2 AND bucket = ?3 AND mode = ?4");
                    stmt.Bind(1, key.Dim);
                    stmt.Bind(2, key.Key);
                    stmt.Bind(3, key.Bucket);
                    stmt.Bind(4, key.Mode);
                    stmt.Execute();
                    continue;
                }
                await using var d = Db.Command(c, tx, "DELETE FROM aggregates WHERE dim = @p0 AND agg_key = @p1 AND bucket = @p2 AND mode = @p3");
                for (var j = 0; j < 4; j++) Db.Add(d, $"@p{j}", null);
                SetKey(d, key);
                await d.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
        _delta.Clear();
        await WriteRowsAsync("INSERT INTO latency_histogram (bucket, mode, latency, n)", 4, " ON CONFLICT (bucket, mode, latency) DO UPDATE SET n = latency_histogram.n + excluded.n",
            _histogram.Where(kv => kv.Value != 0).Select(kv => new object?[] { kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value }), ct).ConfigureAwait(false);
        // Counts that reached zero go. Only a count this flush lowered can have (every flush removes its zeros, so no row
        // was zero before): those keys are checked, where a scan of the whole table per batch grew with the hours indexed.
        foreach (var chunk in _histogram.Where(kv => kv.Value < 0).Select(kv => kv.Key).Chunk(Chunk))
        {
            if (_sqlite)
            {
                var stmt = Raw("DELETE FROM latency_histogram WHERE bucket = ?1 AND mode = ?2 AND latency = ?3 AND n = 0");
                foreach (var (bucket, mode, latency) in chunk)
                {
                    stmt.Bind(1, bucket);
                    stmt.Bind(2, mode);
                    stmt.Bind(3, latency);
                    stmt.Execute();
                }
                continue;
            }
            await using var d = Db.Command(c, tx, "");
            var sb = new StringBuilder("DELETE FROM latency_histogram WHERE n = 0 AND (bucket, mode, latency) IN (");
            for (var i = 0; i < chunk.Length; i++)
            {
                sb.Append(i == 0 ? "(" : ",(").Append(CultureInfo.InvariantCulture, $"${3 * i + 1},${3 * i + 2},${3 * i + 3})");
                foreach (var v in new object[] { chunk[i].Item1, chunk[i].Item2, chunk[i].Item3 })
                {
                    var p = d.CreateParameter();
                    p.Value = v;
                    d.Parameters.Add(p);
                }
            }
            d.CommandText = sb.Append(')').ToString();
            await d.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        _histogram.Clear();
    }

    private static void SetKey(DbCommand cmd, AggregateKey key)
    {
        cmd.Parameters[0].Value = key.Dim;
        cmd.Parameters[1].Value = key.Key;
        cmd.Parameters[2].Value = key.Bucket;
        cmd.Parameters[3].Value = key.Mode;
    }

    /// <summary>The stored aggregate rows of <paramref name="keys"/> (absent keys are absent): on SQLite one prepared
    /// primary-key read per key, on PostgreSQL one statement for them all.</summary>
    private async Task<Dictionary<AggregateKey, AggregateValues>> LoadAggregatesAsync(AggregateKey[] keys, CancellationToken ct)
    {
        var current = new Dictionary<AggregateKey, AggregateValues>();
        if (_sqlite)
        {
            var q = Prepared($"SELECT {AggregateColumns} FROM aggregates WHERE dim = @p0 AND agg_key = @p1 AND bucket = @p2 AND mode = @p3", 4);
            foreach (var key in keys)
            {
                SetKey(q, key);
                using var r = q.ExecuteReader();
                if (r.Read()) current[key] = ReadAggregate(r, 4);
            }
            return current;
        }
        await using var cmd = Db.Command(c, tx, "");
        var sb = new StringBuilder($"SELECT {AggregateColumns} FROM aggregates WHERE ");
        for (var i = 0; i < keys.Length; i++)
        {
            sb.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(dim = @d{i} AND agg_key = @k{i} AND bucket = @b{i} AND mode = @m{i})");
            Db.Add(cmd, $"@d{i}", keys[i].Dim);
            Db.Add(cmd, $"@k{i}", keys[i].Key);
            Db.Add(cmd, $"@b{i}", keys[i].Bucket);
            Db.Add(cmd, $"@m{i}", keys[i].Mode);
        }
        cmd.CommandText = sb.ToString();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) current[ReadAggregateKey(reader)] = ReadAggregate(reader, 4);
        return current;
    }

    /// <summary>The aggregate columns, key first, in the order <see cref="ReadAggregate"/> reads them.</summary>
    public const string AggregateColumns =
        "dim, agg_key, bucket, mode, requests, n_open, n_assigned, n_secondary, n_fulfilled, n_cancelled, n_expired, n_matched, slashes, " +
        "slashed_amount, fees_paid, max_fees, reserve_fees, protocol_fees, gas_used, latency_sum, latency_count, auctions, best_score_won, payment_over_bid_ppm";

    private static AggregateKey ReadAggregateKey(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt32(3));

    /// <summary>Reads the figures of an aggregate row from column <paramref name="o"/> on (after the key columns).</summary>
    public static AggregateValues ReadAggregate(DbDataReader r, int o)
    {
        var v = new AggregateValues { Requests = r.GetInt64(o) };
        v.ByStatus[(int)RequestStatus.Open] = r.GetInt64(o + 1);
        v.ByStatus[(int)RequestStatus.Assigned] = r.GetInt64(o + 2);
        v.ByStatus[(int)RequestStatus.Secondary] = r.GetInt64(o + 3);
        v.ByStatus[(int)RequestStatus.Fulfilled] = r.GetInt64(o + 4);
        v.ByStatus[(int)RequestStatus.Cancelled] = r.GetInt64(o + 5);
        v.ByStatus[(int)RequestStatus.Expired] = r.GetInt64(o + 6);
        v.ByStatus[(int)RequestStatus.Matched] = r.GetInt64(o + 7);
        v.Slashes = r.GetInt64(o + 8);
        v.SlashedAmount = Uint256Text.Decode(r.GetString(o + 9));
        v.FeesPaid = Uint256Text.Decode(r.GetString(o + 10));
        v.MaxFees = Uint256Text.Decode(r.GetString(o + 11));
        v.ReserveFees = Uint256Text.Decode(r.GetString(o + 12));
        v.ProtocolFees = Uint256Text.Decode(r.GetString(o + 13));
        v.GasUsed = r.GetInt64(o + 14);
        v.LatencySum = r.GetInt64(o + 15);
        v.LatencyCount = r.GetInt64(o + 16);
        v.Auctions = r.GetInt64(o + 17);
        v.BestScoreWon = r.GetInt64(o + 18);
        v.PaymentOverBidPpm = r.GetInt64(o + 19);
        return v;
    }

    private static readonly string AggregateUpdate =
        " ON CONFLICT (dim, agg_key, bucket, mode) DO UPDATE SET " + string.Join(", ", AggregateColumns.Split(", ").Skip(4).Select(col => $"{col} = excluded.{col}"));

    private Task UpsertAggregatesAsync(List<(AggregateKey Key, AggregateValues V)> rows, CancellationToken ct) =>
        WriteRowsAsync($"INSERT INTO aggregates ({AggregateColumns})", 24, AggregateUpdate, rows.Select(x =>
        {
            var (k, v) = x;
            return new object?[]
            {
                k.Dim, k.Key, k.Bucket, k.Mode, v.Requests,
                v.ByStatus[(int)RequestStatus.Open], v.ByStatus[(int)RequestStatus.Assigned], v.ByStatus[(int)RequestStatus.Secondary],
                v.ByStatus[(int)RequestStatus.Fulfilled], v.ByStatus[(int)RequestStatus.Cancelled], v.ByStatus[(int)RequestStatus.Expired],
                v.ByStatus[(int)RequestStatus.Matched], v.Slashes, Uint256Text.Encode(v.SlashedAmount), Uint256Text.Encode(v.FeesPaid),
                Uint256Text.Encode(v.MaxFees), Uint256Text.Encode(v.ReserveFees), Uint256Text.Encode(v.ProtocolFees), v.GasUsed,
                v.LatencySum, v.LatencyCount, v.Auctions, v.BestScoreWon, v.PaymentOverBidPpm,
            };
        }), ct);

    // ------------------------------------------------------------------ helpers

    /// <summary>Deletes the rows of <paramref name="table"/> whose <paramref name="column"/> is one of <paramref name="keys"/>.</summary>
    public async Task DeleteWhereInAsync(string table, string column, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        foreach (var chunk in keys.Chunk(Chunk))
        {
            await using var cmd = Db.Command(c, tx, "");
            cmd.CommandText = $"DELETE FROM {table} WHERE {column} IN ({Params(cmd, "k", chunk)})";
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static string Params(DbCommand cmd, string prefix, IReadOnlyList<string> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{prefix}{i}";
            Db.Add(cmd, names[i], values[i]);
        }
        return string.Join(",", names);
    }
}
