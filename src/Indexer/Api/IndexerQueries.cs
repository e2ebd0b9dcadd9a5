using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProverMarketChain.Economics;
using ProverMarketChain.Indexer.Analytics;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Projection;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Api;

/// <summary>A query parameter the API refuses, with what is wrong.</summary>
public sealed class BadQueryException(string message) : Exception(message);

/// <summary>
/// The API's reads. Everything served comes from the projections (indexed columns and pre-added summaries), so a query
/// reads a bounded number of rows whatever the history's size; the only scans are over summary rows of the window asked.
/// </summary>
public sealed class IndexerQueries(IndexerDatabase db)
{
    /// <summary>The latest time a query may name (2^40 - 1 seconds: the width of the market's timestamps).</summary>
    public const long MaxTime = (1L << 40) - 1;

    /// <summary>Largest page of requests.</summary>
    public const int MaxPage = 200;

    private static readonly string[] ModeNames = Enum.GetNames<AllocationMode>();

    // ------------------------------------------------------------------ requests

    /// <summary>Requests, newest first, filtered; <paramref name="cursor"/> continues a previous page.</summary>
    public async Task<RequestPage> RequestsAsync(string? status, string? mode, string? prover, string? circuit, string? requester, int? limit, string? cursor, CancellationToken ct)
    {
        var take = limit ?? 50;
        if (take is < 1 or > MaxPage) throw new BadQueryException($"limit must be 1 to {MaxPage}, got {take}");
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        await using var q = c.CreateCommand();
        var where = new List<string>();
        if (status is not null) { where.Add("status = @status"); Db.Add(q, "@status", (int)ParseEnum<RequestStatus>(status, "status")); }
        if (mode is not null) { where.Add("mode = @mode"); Db.Add(q, "@mode", (int)ParseEnum<AllocationMode>(mode, "mode")); }
        if (prover is not null) { where.Add("prover = @prover"); Db.Add(q, "@prover", ParseAddress(prover, "prover")); }
        if (requester is not null) { where.Add("requester = @requester"); Db.Add(q, "@requester", ParseAddress(requester, "requester")); }
        if (circuit is not null)
        {
            if (!long.TryParse(circuit, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw new BadQueryException($"circuit must be a circuit id (an unsigned integer), got '{circuit}'");
            where.Add("circuit_id = @circuit");
            Db.Add(q, "@circuit", id);
        }
        if (cursor is not null)
        {
            var (b, l) = ParseCursor(cursor);
            // A row-value comparison, not the equivalent OR: both engines seek the (…, submitted_block, submitted_log) index
            // to the cursor with it, where the OR made them walk the index from the newest request down to the cursor.
            where.Add("(submitted_block, submitted_log) < (@cb, @cl)");
            Db.Add(q, "@cb", b);
            Db.Add(q, "@cl", l);
        }
        q.CommandText = "SELECT state FROM requests" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY submitted_block DESC, submitted_log DESC LIMIT @take";
        Db.Add(q, "@take", take + 1);
        var rows = new List<RequestRow>();
        await using (var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false)) rows.Add(JsonSerializer.Deserialize<RequestRow>(r.GetString(0), RowJson.Options)!);
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            next = EncodeCursor(rows[^1].SubmittedBlock, rows[^1].SubmittedLog);
        }
        return new RequestPage(rows.Select(ToDto).ToList(), next);
    }

    /// <summary>One request with its history; null when unknown.</summary>
    public async Task<RequestDetail?> RequestAsync(string id, CancellationToken ct)
    {
        var key = ParseRequestId(id);
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        RequestRow? row;
        await using (var q = Db.Command(c, null, "SELECT state FROM requests WHERE request_id = @id"))
        {
            Db.Add(q, "@id", key);
            row = await q.ExecuteScalarAsync(ct).ConfigureAwait(false) is string s ? JsonSerializer.Deserialize<RequestRow>(s, RowJson.Options) : null;
        }
        if (row is null) return null;
        var history = new List<HistoryEntry>();
        await using (var q = Db.Command(c, null, "SELECT block_number, log_index, tx_hash, ts, contract, name, data FROM events WHERE request_id = @id ORDER BY block_number, log_index"))
        {
            Db.Add(q, "@id", key);
            await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                history.Add(new HistoryEntry(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), (JsonObject)JsonNode.Parse(r.GetString(6))!));
        }
        return new RequestDetail(ToDto(row), history);
    }

    /// <summary>The API form of a request row.</summary>
    public static RequestDto ToDto(RequestRow r) => new(
        r.RequestId, r.Mode.ToString(), r.CircuitId, r.Requester, r.Prover, r.Status.ToString(), r.Slashes.Count,
        Dec(r.MaxFee), Dec(r.MinFee), Dec(r.ReserveFee), Dec(r.Fee), Dec(r.Payment), Dec(r.ProtocolFee), Dec(r.Refund),
        Dec(r.MinCollateral), Dec(r.Collateral), r.AssetId, r.PromisedLatency, r.DeliveredLatency, r.Deadline,
        r.SubmittedAt, r.SubmittedBlock, r.AssignedAt, r.AssignedBlock, r.FulfilledAt, r.FulfilledBlock, r.ClosedAt, r.GasUsed,
        r.BidsCommitted, r.BidsRevealed, Dec(r.WinnerFee), Dec(r.SecondScore), r.BestScoreWon,
        r.Slashes.Select(s => new SlashDto(s.Prover, Dec(s.Amount))).ToList());

    // ------------------------------------------------------------------ participants

    /// <summary>All-time summaries of a dimension (prover, requester or circuit), most fulfilments first.</summary>
    public async Task<IReadOnlyList<ParticipantSummary>> ParticipantsAsync(string dim, string? key, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        await using var q = Db.Command(c, null, $"SELECT {ProjectionWriter.AggregateColumns} FROM aggregates WHERE dim = @d" + (key is null ? "" : " AND agg_key = @k"));
        Db.Add(q, "@d", dim);
        if (key is not null) Db.Add(q, "@k", key);
        var byKey = new Dictionary<string, List<(int Mode, AggregateValues V)>>();
        await using (var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var k = r.GetString(1);
                if (!byKey.TryGetValue(k, out var list)) byKey[k] = list = [];
                list.Add((r.GetInt32(3), ProjectionWriter.ReadAggregate(r, 4)));
            }
        return byKey.Select(kv => Summarize(kv.Key, kv.Value))
            .OrderByDescending(s => s.Fulfilled).ThenByDescending(s => s.Requests).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
    }

    private static ParticipantSummary Summarize(string key, List<(int Mode, AggregateValues V)> rows)
    {
        var total = new AggregateValues();
        foreach (var (_, v) in rows) total.Add(v, +1);
        return new ParticipantSummary(key, total.Requests, total.ByStatus[(int)RequestStatus.Fulfilled], total.ByStatus[(int)RequestStatus.Assigned],
            total.ByStatus[(int)RequestStatus.Matched], total.Slashes, Dec(total.SlashedAmount), Dec(total.FeesPaid), Dec(total.MaxFees),
            total.LatencyCount > 0 ? Math.Round((double)total.LatencySum / total.LatencyCount, 3) : null, total.GasUsed,
            rows.GroupBy(x => x.Mode).ToDictionary(g => ModeNames[g.Key], g => g.Sum(x => x.V.Requests)),
            StatusCounts(total));
    }

    /// <summary>A prover's page; null when the prover never appeared.</summary>
    public async Task<ProverDetail?> ProverAsync(string address, CancellationToken ct)
    {
        var prover = ParseAddress(address, "address");
        var summary = (await ParticipantsAsync(Dims.Prover, prover, ct).ConfigureAwait(false)).FirstOrDefault();
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        var accounts = new List<AccountDto>();
        await using (var q = Db.Command(c, null, "SELECT asset_id, free, locked, pending FROM accounts WHERE account = @a ORDER BY asset_id"))
        {
            Db.Add(q, "@a", prover);
            await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                accounts.Add(new AccountDto(r.GetInt32(0), Dec(Uint256Text.Decode(r.GetString(1))), Dec(Uint256Text.Decode(r.GetString(2))), Dec(Uint256Text.Decode(r.GetString(3)))));
        }
        var asks = new List<JsonObject>();
        await using (var q = Db.Command(c, null, "SELECT circuit_id, state FROM asks WHERE prover = @a ORDER BY circuit_id"))
        {
            Db.Add(q, "@a", prover);
            await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var o = (JsonObject)JsonNode.Parse(r.GetString(1))!;
                o["circuitId"] = r.GetInt64(0);
                asks.Add(o);
            }
        }
        if (summary is null && accounts.Count == 0 && asks.Count == 0) return null;
        var recent = await RequestsAsync(null, null, prover, null, null, 20, null, ct).ConfigureAwait(false);
        summary ??= Summarize(prover, []);
        return new ProverDetail(summary, accounts, asks, recent.Items);
    }

    // ------------------------------------------------------------------ market

    /// <summary>The time of the newest indexed block (the "now" of windows), or null before any.</summary>
    public async Task<long?> IndexedTimeAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        await using var q = Db.Command(c, null, "SELECT b.ts FROM cursor k JOIN blocks b ON b.number = k.block_number WHERE k.id = 1");
        return await q.ExecuteScalarAsync(ct).ConfigureAwait(false) is { } v and not DBNull ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// The market by <paramref name="interval"/> (hour or day) over [<paramref name="from"/>, <paramref name="to"/>)
    /// (default: the last 24 hours or 30 days up to the newest indexed block), by submission time.
    /// </summary>
    public async Task<MarketSummary> MarketSummaryAsync(string? interval, long? from, long? to, CancellationToken ct)
    {
        var (dim, width) = (interval ?? "hour") switch
        {
            "hour" => (Dims.Hour, Contributions.Hour),
            "day" => (Dims.Day, Contributions.Day),
            var other => throw new BadQueryException($"interval must be 'hour' or 'day', got '{other}'"),
        };
        // Block times fit 40 bits: anything outside is refused before any arithmetic on it can wrap.
        if (from is < 0 or > MaxTime || to is < 0 or > MaxTime) throw new BadQueryException($"from and to must be unix seconds from 0 to {MaxTime}");
        var now = await IndexedTimeAsync(ct).ConfigureAwait(false) ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var end = to ?? Contributions.Floor(now, width) + width;
        var start = from ?? end - (dim == Dims.Hour ? 24 * Contributions.Hour : 30 * Contributions.Day);
        if (start >= end) throw new BadQueryException($"from ({start}) must be before to ({end})");
        if ((end - start) / width > 10_000) throw new BadQueryException($"from..to spans more than 10,000 {interval ?? "hour"}s");
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);

        var buckets = new SortedDictionary<long, (AggregateValues Total, Dictionary<int, long> ByMode)>();
        await using (var q = Db.Command(c, null, $"SELECT {ProjectionWriter.AggregateColumns} FROM aggregates WHERE dim = @d AND agg_key = '' AND bucket >= @f AND bucket < @t"))
        {
            Db.Add(q, "@d", dim);
            Db.Add(q, "@f", Contributions.Floor(start, width));
            Db.Add(q, "@t", end);
            await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var b = r.GetInt64(2);
                if (!buckets.TryGetValue(b, out var e)) buckets[b] = e = (new AggregateValues(), new Dictionary<int, long>());
                var v = ProjectionWriter.ReadAggregate(r, 4);
                e.Total.Add(v, +1);
                e.ByMode[r.GetInt32(3)] = e.ByMode.GetValueOrDefault(r.GetInt32(3)) + v.Requests;
            }
        }
        // Latency histograms (hour rows, folded into the interval's buckets) and unique participants.
        var histograms = new Dictionary<long, Dictionary<long, long>>();
        await using (var q = Db.Command(c, null, "SELECT bucket, latency, SUM(n) FROM latency_histogram WHERE bucket >= @f AND bucket < @t GROUP BY bucket, latency"))
        {
            Db.Add(q, "@f", Contributions.Floor(start, width));
            Db.Add(q, "@t", end);
            await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var b = Contributions.Floor(r.GetInt64(0), width);
                if (!histograms.TryGetValue(b, out var h)) histograms[b] = h = new();
                h[r.GetInt64(1)] = h.GetValueOrDefault(r.GetInt64(1)) + r.GetInt64(2);
            }
        }
        var provers = await UniqueAsync(c, Dims.ProverHour, start, end, width, ct).ConfigureAwait(false);
        var requesters = await UniqueAsync(c, Dims.RequesterHour, start, end, width, ct).ConfigureAwait(false);

        var list = buckets.Select(kv => Bucket(kv.Key, kv.Value.Total, kv.Value.ByMode, histograms.GetValueOrDefault(kv.Key),
            provers.PerBucket.GetValueOrDefault(kv.Key)?.Count ?? 0, requesters.PerBucket.GetValueOrDefault(kv.Key)?.Count ?? 0)).ToList();
        var totals = new AggregateValues();
        var totalModes = new Dictionary<int, long>();
        var totalHistogram = new Dictionary<long, long>();
        foreach (var (_, (t, m)) in buckets)
        {
            totals.Add(t, +1);
            foreach (var (k, n) in m) totalModes[k] = totalModes.GetValueOrDefault(k) + n;
        }
        foreach (var h in histograms.Values)
            foreach (var (l, n) in h) totalHistogram[l] = totalHistogram.GetValueOrDefault(l) + n;
        return new MarketSummary(interval ?? "hour", start, end, list, Bucket(start, totals, totalModes, totalHistogram, provers.All.Count, requesters.All.Count));
    }

    private static async Task<(Dictionary<long, HashSet<string>> PerBucket, HashSet<string> All)> UniqueAsync(DbConnection c, string dim, long start, long end, long width, CancellationToken ct)
    {
        var per = new Dictionary<long, HashSet<string>>();
        var all = new HashSet<string>();
        await using var q = Db.Command(c, null, "SELECT DISTINCT bucket, agg_key FROM aggregates WHERE dim = @d AND bucket >= @f AND bucket < @t AND requests > 0");
        Db.Add(q, "@d", dim);
        Db.Add(q, "@f", Contributions.Floor(start, width));
        Db.Add(q, "@t", end);
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var b = Contributions.Floor(r.GetInt64(0), width);
            if (!per.TryGetValue(b, out var set)) per[b] = set = [];
            set.Add(r.GetString(1));
            all.Add(r.GetString(1));
        }
        return (per, all);
    }

    private static MarketBucket Bucket(long start, AggregateValues v, Dictionary<int, long> byMode, Dictionary<long, long>? histogram, long provers, long requesters)
    {
        var h = (histogram ?? []).OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)).ToList();
        return new MarketBucket(start, v.Requests, StatusCounts(v),
            byMode.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key).ToDictionary(kv => ModeNames[kv.Key], kv => kv.Value),
            v.ByStatus[(int)RequestStatus.Fulfilled], v.Slashes, Dec(v.FeesPaid), Dec(v.MaxFees), Dec(v.ReserveFees), Dec(v.ProtocolFees),
            v.Requests > 0 ? v.GasUsed / v.Requests : null,
            Percentiles.Of(h, 50), Percentiles.Of(h, 90), Percentiles.Of(h, 99),
            h.Select(x => new LatencyCount(x.Key, x.Value)).ToList(), provers, requesters);
    }

    /// <summary>
    /// Shares of fulfilments and fees per prover, with HHI, Nakamoto coefficient and Gini, over <paramref name="window"/>
    /// (1h, 24h, 7d, 30d, or all; by submission hour, ending at the newest indexed block), for all modes and each mode.
    /// </summary>
    public async Task<DecentralizationReport> DecentralizationAsync(string? window, string? mode, CancellationToken ct)
    {
        var w = window ?? "all";
        long? span = w switch
        {
            "all" => null,
            "1h" => Contributions.Hour,
            "24h" or "1d" => Contributions.Day,
            "7d" => 7 * Contributions.Day,
            "30d" => 30 * Contributions.Day,
            _ => throw new BadQueryException($"window must be one of 1h, 24h, 7d, 30d, all; got '{w}'"),
        };
        int? onlyMode = mode is null or "All" ? null : (int)ParseEnum<AllocationMode>(mode, "mode");
        var now = await IndexedTimeAsync(ct).ConfigureAwait(false) ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var end = Contributions.Floor(now, Contributions.Hour) + Contributions.Hour;
        var start = span is null ? 0 : end - span.Value;
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        // One row per prover and mode (the hours summed by the database; the 256-bit fees, which SQL cannot add, listed).
        await using var q = Db.Command(c, null, $"SELECT agg_key, mode, CAST(SUM(n_fulfilled) AS BIGINT), {db.Sql.ListAgg}(fees_paid, ',') FROM aggregates " +
            "WHERE dim = @d AND bucket >= @f AND bucket < @t AND n_fulfilled > 0 GROUP BY agg_key, mode");
        Db.Add(q, "@d", Dims.ProverHour);
        Db.Add(q, "@f", start);
        Db.Add(q, "@t", end);
        var perMode = new Dictionary<int, Dictionary<string, (long N, BigInteger Fees)>>();
        await using (var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var m = r.GetInt32(1);
                if (!perMode.TryGetValue(m, out var d)) perMode[m] = d = new();
                var fees = BigInteger.Zero;
                foreach (var part in r.GetString(3).Split(',')) fees += Uint256Text.Decode(part);
                d[r.GetString(0)] = (r.GetInt64(2), fees);
            }
        var modes = new List<ModeConcentration>();
        if (onlyMode is null)
        {
            var all = new Dictionary<string, (long N, BigInteger Fees)>();
            foreach (var d in perMode.Values)
                foreach (var (p, x) in d)
                {
                    var prev = all.GetValueOrDefault(p);
                    all[p] = (prev.N + x.N, prev.Fees + x.Fees);
                }
            modes.Add(Concentrate("All", all));
        }
        for (var m = 0; m < ModeNames.Length; m++)
            if (onlyMode is null || onlyMode == m) modes.Add(Concentrate(ModeNames[m], perMode.GetValueOrDefault(m) ?? []));
        return new DecentralizationReport(w, start, end, modes);
    }

    private static ModeConcentration Concentrate(string mode, Dictionary<string, (long N, BigInteger Fees)> provers)
    {
        var n = provers.Values.Sum(x => x.N);
        var fees = provers.Values.Aggregate(BigInteger.Zero, (a, x) => a + x.Fees);
        var byWins = Concentration.Of(provers.Values.Select(x => new BigInteger(x.N)));
        var byFees = Concentration.Of(provers.Values.Select(x => x.Fees));
        var shares = provers.OrderByDescending(kv => kv.Value.N).ThenByDescending(kv => kv.Value.Fees).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ProverShare(kv.Key, kv.Value.N, Concentration.Share(kv.Value.N, n), Dec(kv.Value.Fees), Concentration.Share(kv.Value.Fees, fees)))
            .ToList();
        return new ModeConcentration(mode, n, Dec(fees), byWins.Hhi, byFees.Hhi, byWins.Nakamoto, byFees.Nakamoto, byWins.Gini, byFees.Gini, shares);
    }

    /// <summary>All-time figures of the whole market, in total and per allocation mode (the sum of the per-circuit rows).</summary>
    public async Task<(AggregateValues Total, IReadOnlyDictionary<AllocationMode, AggregateValues> ByMode)> AllTimeAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        await using var q = Db.Command(c, null, $"SELECT {ProjectionWriter.AggregateColumns} FROM aggregates WHERE dim = @d");
        Db.Add(q, "@d", Dims.Circuit);
        var total = new AggregateValues();
        var byMode = new Dictionary<AllocationMode, AggregateValues>();
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var v = ProjectionWriter.ReadAggregate(r, 4);
            total.Add(v, +1);
            var mode = (AllocationMode)r.GetInt32(3);
            if (!byMode.TryGetValue(mode, out var m)) byMode[mode] = m = new AggregateValues();
            m.Add(v, +1);
        }
        return (total, byMode);
    }

    /// <summary>How often the best revealed score won the sealed auctions, and the payment against the winner's own bid.</summary>
    public async Task<EfficiencyReport> EfficiencyAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        await using var q = Db.Command(c, null, "SELECT COALESCE(SUM(auctions), 0), COALESCE(SUM(best_score_won), 0), COALESCE(SUM(payment_over_bid_ppm), 0) FROM aggregates WHERE dim = @d");
        Db.Add(q, "@d", Dims.Circuit);
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        var (auctions, won, ppm) = (Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture));
        return new EfficiencyReport(auctions, won, auctions > 0 ? (double)won / auctions : null, auctions > 0 ? Math.Round(ppm / 1e6 / auctions, 6) : null);
    }

    /// <summary>Indexing health: the head seen, the block indexed, and the lag.</summary>
    public async Task<HealthReport> HealthAsync(int confirmations, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        int version;
        await using (var v = Db.Command(c, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))
            version = Convert.ToInt32(await v.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await using var q = Db.Command(c, null, "SELECT k.head_block, k.block_number, k.head_seen_at, b.ts FROM cursor k LEFT JOIN blocks b ON b.number = k.block_number WHERE k.id = 1");
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return new HealthReport("starting", null, null, null, null, null, db.Kind.ToString(), version);
        var (head, indexed, seenAt, ts) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), Db.Long(r, 3));
        var lag = Math.Max(0, head - indexed);
        var lagSeconds = ts is { } t ? Math.Max(0, seenAt - t) : (long?)null;
        return new HealthReport(lag <= confirmations + 2 ? "ok" : "lagging", head, indexed, lag, lagSeconds, ts, db.Kind.ToString(), version);
    }

    // ------------------------------------------------------------------ parsing

    private static Dictionary<string, long> StatusCounts(AggregateValues v)
    {
        var d = new Dictionary<string, long>();
        for (var i = 1; i < v.ByStatus.Length; i++)
            if (v.ByStatus[i] != 0) d[((RequestStatus)i).ToString()] = v.ByStatus[i];
        return d;
    }

    private static T ParseEnum<T>(string value, string name) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var e) && Enum.IsDefined(e) && !char.IsAsciiDigit(value[0])
            ? e
            : throw new BadQueryException($"{name} must be one of {string.Join(", ", Enum.GetNames<T>().Where(n => n != "None"))}; got '{value}'");

    /// <summary>A 20-byte address, lowercased.</summary>
    public static string ParseAddress(string value, string name) =>
        value.Length == 42 && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && value.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF") == false
            ? value.ToLowerInvariant()
            : throw new BadQueryException($"{name} must be a 0x-prefixed 20-byte hex address; got '{value}'");

    private static string ParseRequestId(string value) =>
        value.Length == 66 && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !value.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF")
            ? value.ToLowerInvariant()
            : throw new BadQueryException($"a request id must be 0x and 64 hex digits; got '{value}'");

    /// <summary>The page cursor that continues below (<paramref name="block"/>, <paramref name="log"/>).</summary>
    internal static string EncodeCursor(long block, int log) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"{block}:{log}"));

    private static (long Block, int Log) ParseCursor(string cursor)
    {
        try
        {
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var b) &&
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var l)) return (b, l);
        }
        catch (FormatException) { }
        throw new BadQueryException($"cursor '{cursor}' is not one this API issued (pass nextCursor back unchanged)");
    }

    private static string Dec(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static string? Dec(BigInteger? v) => v?.ToString(CultureInfo.InvariantCulture);
}
