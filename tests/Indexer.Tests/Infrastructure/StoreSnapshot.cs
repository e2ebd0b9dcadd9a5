using System.Text;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Infrastructure;

/// <summary>Every projection table of a store as sorted text: two stores that hold the same projections give equal snapshots.</summary>
public static class StoreSnapshot
{
    private static readonly string[] Tables =
    [
        "SELECT request_id, requester, circuit_id, mode, status, prover, slash_count, max_fee, reserve_fee, payment, submitted_block, submitted_log, submitted_at, fulfilled_at, delivered_latency, state FROM requests",
        "SELECT * FROM aggregates",
        "SELECT * FROM latency_histogram",
        "SELECT * FROM accounts",
        "SELECT * FROM asks",
        "SELECT * FROM circuits",
        "SELECT * FROM reserve_prices",
        "SELECT block_number, log_index, block_hash, tx_hash, ts, contract, name, request_id, account_key, gas_share, data FROM events",
    ];

    /// <summary>The snapshot, one line per row, tables in a fixed order.</summary>
    public static async Task<string> TakeAsync(IndexerStore store)
    {
        await using var c = await store.Database.OpenAsync();
        var sb = new StringBuilder();
        foreach (var sql in Tables)
        {
            await using var q = c.CreateCommand();
            q.CommandText = sql;
            var rows = new List<string>();
            await using (var r = await q.ExecuteReaderAsync())
                while (await r.ReadAsync())
                    rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            rows.Sort(StringComparer.Ordinal);
            sb.AppendLine($"## {sql} ({rows.Count} rows)");
            foreach (var row in rows) sb.AppendLine(row);
        }
        return sb.ToString();
    }

    /// <summary>Row count of one table.</summary>
    public static async Task<long> CountAsync(IndexerStore store, string table)
    {
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(await q.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
