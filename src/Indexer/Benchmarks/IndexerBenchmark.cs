using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Indexer.Api;
using ProverMarketChain.Indexer.Hosting;
using ProverMarketChain.Indexer.Ingest;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Storage;
using ProverMarketChain.Indexer.Synthetic;

namespace ProverMarketChain.Indexer.Benchmarks;

/// <summary>What <see cref="IndexerBenchmark"/> measures.</summary>
public sealed record IndexerBenchmarkOptions
{
    /// <summary>Requests in the synthetic history.</summary>
    public int Requests { get; init; } = 100_000;

    /// <summary>The engines to ingest into and query.</summary>
    public IReadOnlyList<DatabaseKind> Engines { get; init; } = [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    /// <summary>An empty PostgreSQL database to use (<c>postgres://</c>); null starts a <see cref="TemporaryPostgres"/>.</summary>
    public string? PostgresUrl { get; init; }

    /// <summary>Timed requests per endpoint (after the warm-up).</summary>
    public int Queries { get; init; } = 200;

    /// <summary>Seed of the history and of the batch sizes and query parameters.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Provers in the history.</summary>
    public int Provers { get; init; } = 50;

    /// <summary>Fewest blocks per ingested batch.</summary>
    public int MinBlocksPerBatch { get; init; } = 10;

    /// <summary>Most blocks per ingested batch (each batch's size is drawn between the two, as a catching-up follower's ranges vary).</summary>
    public int MaxBlocksPerBatch { get; init; } = 50;

    /// <summary>Logs decoded per event type in the decoder's timed run.</summary>
    public int DecodeLogs { get; init; } = 20_000;

    /// <summary>The ingest target on SQLite (events per second).</summary>
    public double TargetEventsPerSecond { get; init; } = 5_000;

    /// <summary>The latency target of every endpoint (p99, milliseconds).</summary>
    public double TargetP99Milliseconds { get; init; } = 50;
}

/// <summary>One endpoint's latency over HTTP.</summary>
/// <param name="Endpoint">What was asked.</param>
/// <param name="Example">One of the paths asked.</param>
/// <param name="Samples">Timed requests.</param>
/// <param name="P50Ms">Median, milliseconds.</param>
/// <param name="P99Ms">99th percentile, milliseconds.</param>
/// <param name="MaxMs">Slowest, milliseconds.</param>
/// <param name="Errors">Answers other than 200 (or failed requests), warm-up included.</param>
public sealed record EndpointLatency(string Endpoint, string Example, int Samples, double P50Ms, double P99Ms, double MaxMs, int Errors);

/// <summary>One engine's figures.</summary>
/// <param name="Engine">SQLite or PostgreSQL.</param>
/// <param name="Database">Where (a file, or a URL without password).</param>
/// <param name="Events">Events ingested.</param>
/// <param name="Blocks">Blocks of the history.</param>
/// <param name="Batches">Batches (transactions) they were ingested in.</param>
/// <param name="IngestSeconds">Wall time inside <see cref="IndexerStore.ApplyBatchAsync"/> (generating the history excluded).</param>
/// <param name="EventsPerSecond">Events / ingest seconds.</param>
/// <param name="IngestCpuSeconds">This process's CPU time (all threads) during those calls: steadier than wall time on a
/// shared machine; it leaves out a PostgreSQL server's own work.</param>
/// <param name="GenerateSeconds">Wall time generating the history (not counted in the ingest).</param>
/// <param name="DatabaseBytes">The database's size after ingest, where known.</param>
/// <param name="Endpoints">Latency per endpoint.</param>
/// <param name="OverallP99Ms">99th percentile over every timed request.</param>
/// <param name="HttpErrors">Answers other than 200, all endpoints.</param>
/// <param name="IngestPass">Whether ingest met <see cref="IndexerBenchmarkOptions.TargetEventsPerSecond"/> (null: no target for this engine).</param>
/// <param name="QueryPass">Whether every endpoint's p99 met <see cref="IndexerBenchmarkOptions.TargetP99Milliseconds"/> without errors.</param>
public sealed record EngineFigures(string Engine, string Database, long Events, long Blocks, int Batches, double IngestSeconds, double EventsPerSecond,
    double IngestCpuSeconds, double GenerateSeconds, long? DatabaseBytes, IReadOnlyList<EndpointLatency> Endpoints, double OverallP99Ms, int HttpErrors, bool? IngestPass, bool QueryPass);

/// <summary>The decoder's rate on ABI-encoded logs of one event type (or the mix).</summary>
/// <param name="Event">The event, or "mix" (the types in turn).</param>
/// <param name="Logs">Logs decoded in the timed run.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="EventsPerSecond">Logs / seconds.</param>
/// <param name="DataBytes">The log's data length (0 for the mix).</param>
public sealed record DecodeRate(string Event, int Logs, double Seconds, double EventsPerSecond, int DataBytes);

/// <summary>Everything <see cref="IndexerBenchmark.RunAsync"/> measured.</summary>
/// <param name="Cores">Logical processors of the machine.</param>
/// <param name="Machine">OS and runtime.</param>
/// <param name="Requests">Requests in the history.</param>
/// <param name="Provers">Provers in the history.</param>
/// <param name="Seed">Seed.</param>
/// <param name="QueriesPerEndpoint">Timed requests per endpoint.</param>
/// <param name="Decode">Decoder rates.</param>
/// <param name="DecodeRoundTrips">Whether decoding each encoded log gave back the synthetic event's fields exactly.</param>
/// <param name="Engines">Per engine.</param>
/// <param name="TargetEventsPerSecond">The SQLite ingest target.</param>
/// <param name="TargetP99Ms">The latency target.</param>
/// <param name="Pass">Every target met, no HTTP error.</param>
public sealed record IndexerBenchmarkReport(int Cores, string Machine, int Requests, int Provers, int Seed, int QueriesPerEndpoint,
    IReadOnlyList<DecodeRate> Decode, bool DecodeRoundTrips, IReadOnlyList<EngineFigures> Engines, double TargetEventsPerSecond, double TargetP99Ms, bool Pass);

/// <summary>
/// <c>pmc bench-indexer</c>: ingests a deterministic synthetic market history (<see cref="SyntheticMarket"/>) through
/// <see cref="IndexerStore.ApplyBatchAsync"/> in batches of 10-50 blocks (as the follower does when catching up: every
/// block with events plus the range end, one transaction per batch), timing the store only; then serves that database
/// with <see cref="IndexerApp.BuildServeOnly"/> and times every API endpoint over HTTP (warm-up first, endpoints in turn
/// so a change in the shared machine's load reaches all alike). Separately, the rate at which <see cref="EventDecoder"/>
/// decodes ABI-encoded logs of the heaviest events, so the report shows whether decoding or storage bounds real ingest.
/// </summary>
public static class IndexerBenchmark
{
    private const long ChainId = 31337;
    private const string Market = "0x00000000000000000000000000000000000000aa";

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">What to measure.</param>
    /// <param name="progress">Progress lines (null: none).</param>
    /// <param name="ct">Cancels.</param>
    /// <exception cref="ArgumentException">No engine is named.</exception>
    /// <exception cref="InvalidOperationException">PostgreSQL is missing or the given database is not empty, or the store lost events.</exception>
    public static async Task<IndexerBenchmarkReport> RunAsync(IndexerBenchmarkOptions options, TextWriter? progress = null, CancellationToken ct = default)
    {
        if (options.Engines.Count == 0) throw new ArgumentException("name at least one engine to measure", nameof(options));
        progress ??= TextWriter.Null;
        progress.WriteLine($"decoding ABI-encoded logs ({options.DecodeLogs:N0} per event type)...");
        var (decode, roundTrips) = MeasureDecode(options);
        var engines = new List<EngineFigures>();
        foreach (var engine in options.Engines.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            if (engine == DatabaseKind.Sqlite)
            {
                var dir = Directory.CreateTempSubdirectory("pmc-bench-indexer-").FullName;
                try
                {
                    var file = Path.Combine(dir, "index.db");
                    await using var db = IndexerDatabase.Parse(file);
                    engines.Add(await RunEngineAsync(options, db, () => FileBytes(file), progress, ct).ConfigureAwait(false));
                }
                finally
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
                }
            }
            else
            {
                TemporaryPostgres? server = null;
                try
                {
                    string url;
                    if (options.PostgresUrl is { } given) url = given;
                    else
                    {
                        progress.WriteLine("starting a temporary PostgreSQL server...");
                        server = TemporaryPostgres.Start();
                        url = await server.CreateDatabaseAsync(ct).ConfigureAwait(false);
                    }
                    await using var db = IndexerDatabase.Parse(url);
                    engines.Add(await RunEngineAsync(options, db, null, progress, ct).ConfigureAwait(false));
                }
                finally
                {
                    server?.Dispose();
                }
            }
        }
        var pass = engines.All(e => e.IngestPass != false && e.QueryPass);
        return new IndexerBenchmarkReport(Environment.ProcessorCount, $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}",
            options.Requests, options.Provers, options.Seed, options.Queries, decode, roundTrips, engines, options.TargetEventsPerSecond, options.TargetP99Milliseconds, pass);
    }

    // ------------------------------------------------------------------ ingest

    private static async Task<EngineFigures> RunEngineAsync(IndexerBenchmarkOptions o, IndexerDatabase db, Func<long>? size, TextWriter progress, CancellationToken ct)
    {
        var name = db.Kind == DatabaseKind.Sqlite ? "SQLite" : "PostgreSQL";
        var store = new IndexerStore(db);
        await store.MigrateAsync(ct).ConfigureAwait(false);
        if (await store.GetCursorAsync(ct).ConfigureAwait(false) is not null)
            throw new InvalidOperationException($"{db.Display} already holds an index: the benchmark needs an empty database");

        progress.WriteLine($"{name}: ingesting {o.Requests:N0} requests in batches of {o.MinBlocksPerBatch}-{o.MaxBlocksPerBatch} blocks...");
        var market = new SyntheticMarket(new SyntheticOptions(o.Requests, Provers: o.Provers, Seed: o.Seed));
        var sizes = new Random(o.Seed);
        long generateTicks = 0, ingestTicks = 0, applied = 0, blockCount = 0;
        var cpu = TimeSpan.Zero;
        var batches = 0;
        IndexedBlock? first = null, last = null;
        using (var it = market.Blocks().GetEnumerator())
        {
            var t = Stopwatch.GetTimestamp();
            var more = it.MoveNext();
            generateTicks += Stopwatch.GetTimestamp() - t;
            var nextReport = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            while (more)
            {
                ct.ThrowIfCancellationRequested();
                t = Stopwatch.GetTimestamp();
                var want = sizes.Next(o.MinBlocksPerBatch, o.MaxBlocksPerBatch + 1);
                var blocks = new List<IndexedBlock>();
                var events = new List<ChainEvent>();
                IndexedBlock end = null!;
                for (var i = 0; i < want && more; i++)
                {
                    end = it.Current.Block;
                    first ??= end;
                    blockCount++;
                    if (it.Current.Events.Count > 0)
                    {
                        blocks.Add(end);
                        events.AddRange(it.Current.Events);
                    }
                    more = it.MoveNext();
                }
                if (blocks.Count == 0 || blocks[^1].Number != end.Number) blocks.Add(end);
                last = end;
                var cpu0 = Environment.CpuUsage.TotalTime;
                var s = Stopwatch.GetTimestamp();
                generateTicks += s - t;
                applied += await store.ApplyBatchAsync(blocks, events, new IndexCursor(ChainId, Market, end.Number, end.Hash, end.Number, end.Timestamp), ct).ConfigureAwait(false);
                ingestTicks += Stopwatch.GetTimestamp() - s;
                cpu += Environment.CpuUsage.TotalTime - cpu0;
                batches++;
                if (Stopwatch.GetTimestamp() > nextReport)
                {
                    progress.WriteLine($"  {applied:N0} events, {applied / Seconds(ingestTicks):N0} events/s so far");
                    nextReport = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
                }
            }
        }
        if (applied != market.Events)
            throw new InvalidOperationException($"{name}: the store applied {applied} events of the history's {market.Events}");
        var ingestSeconds = Seconds(ingestTicks);
        progress.WriteLine($"{name}: {applied:N0} events in {ingestSeconds:F2} s ({applied / ingestSeconds:N0} events/s, CPU {cpu.TotalSeconds:F2} s); timing the API...");

        var endpoints = await MeasureQueriesAsync(o, store, market, first!, last!, ct).ConfigureAwait(false);
        var all = endpoints.SelectMany(e => e.Samples).ToList();
        var latencies = endpoints.Select(e => e.Figures).ToList();
        var errors = latencies.Sum(l => l.Errors);
        var databaseBytes = size?.Invoke() ?? await PostgresBytesAsync(db, ct).ConfigureAwait(false);
        return new EngineFigures(name, db.Display, applied, blockCount, batches, ingestSeconds, applied / ingestSeconds, cpu.TotalSeconds, Seconds(generateTicks), databaseBytes,
            latencies, Percentile(all, 99), errors,
            db.Kind == DatabaseKind.Sqlite ? applied / ingestSeconds >= o.TargetEventsPerSecond : null,
            errors == 0 && latencies.All(l => l.Samples > 0 && l.P99Ms <= o.TargetP99Milliseconds));
    }

    private static double Seconds(long ticks) => Math.Max(ticks, 1) / (double)Stopwatch.Frequency;

    private static long FileBytes(string file) =>
        new[] { file, file + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private static async Task<long?> PostgresBytesAsync(IndexerDatabase db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct).ConfigureAwait(false);
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT pg_database_size(current_database())";
        return Convert.ToInt64(await q.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    // ------------------------------------------------------------------ queries

    private sealed record Endpoint(string Name, Func<Random, string> Path);

    private static IReadOnlyList<Endpoint> Endpoints(SyntheticMarket market, int requests, IndexedBlock first, IndexedBlock last)
    {
        string[] statuses = ["Fulfilled", "Cancelled", "Expired"];
        var provers = market.Provers;
        var range = $"from={first.Timestamp}&to={last.Timestamp + 1}";
        return
        [
            new("/v1/requests", _ => "/v1/requests"),
            new("/v1/requests?status", r => $"/v1/requests?status={statuses[r.Next(statuses.Length)]}"),
            new("/v1/requests?prover", r => $"/v1/requests?prover={provers[r.Next(provers.Count)]}"),
            // A page deep in the history: a cursor somewhere in its older half.
            new("/v1/requests?cursor (deep)", r => $"/v1/requests?cursor={Uri.EscapeDataString(IndexerQueries.EncodeCursor(first.Number + r.NextInt64(0, Math.Max(1, (last.Number - first.Number) / 2)), 0))}"),
            new("/v1/requests/{id}", r => $"/v1/requests/{SyntheticMarket.RequestId(r.Next(requests))}"),
            new("/v1/provers", _ => "/v1/provers"),
            new("/v1/provers/{address}", r => $"/v1/provers/{provers[r.Next(provers.Count)]}"),
            new("/v1/market/summary?interval=hour", _ => $"/v1/market/summary?interval=hour&{range}"),
            new("/v1/market/summary?interval=day", _ => $"/v1/market/summary?interval=day&{range}"),
            new("/v1/decentralization?window=all", _ => "/v1/decentralization?window=all"),
            new("/v1/decentralization?window=24h", _ => "/v1/decentralization?window=24h"),
            new("/v1/market/efficiency", _ => "/v1/market/efficiency"),
            new("/health", _ => "/health"),
        ];
    }

    private static async Task<List<(EndpointLatency Figures, List<double> Samples)>> MeasureQueriesAsync(IndexerBenchmarkOptions o, IndexerStore store,
        SyntheticMarket market, IndexedBlock first, IndexedBlock last, CancellationToken ct)
    {
        var endpoints = Endpoints(market, o.Requests, first, last);
        var app = IndexerApp.BuildServeOnly(store, "http://127.0.0.1:0");
        await app.StartAsync(ct).ConfigureAwait(false);
        try
        {
            using var http = new HttpClient { BaseAddress = IndexerApp.ListeningUri(app), Timeout = TimeSpan.FromSeconds(60) };
            var rng = new Random(o.Seed);
            var samples = endpoints.Select(_ => new List<double>(o.Queries)).ToArray();
            var errors = new int[endpoints.Count];
            var examples = new string[endpoints.Count];
            var warmUp = Math.Max(5, o.Queries / 10);
            // Endpoints in turn, so that a change in the machine's load reaches every endpoint alike.
            for (var round = 0; round < warmUp + o.Queries; round++)
                for (var i = 0; i < endpoints.Count; i++)
                {
                    var path = endpoints[i].Path(rng);
                    examples[i] ??= path;
                    var t = Stopwatch.GetTimestamp();
                    var ok = false;
                    try
                    {
                        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                        _ = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                        ok = response.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                    }
                    var ms = Seconds(Stopwatch.GetTimestamp() - t) * 1000;
                    if (!ok) errors[i]++;
                    if (round >= warmUp) samples[i].Add(ms);
                }
            return endpoints.Select((e, i) => (new EndpointLatency(e.Name, examples[i], samples[i].Count, Percentile(samples[i], 50), Percentile(samples[i], 99),
                samples[i].Count > 0 ? samples[i].Max() : 0, errors[i]), samples[i])).ToList();
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The nearest-rank percentile of <paramref name="values"/> (0 when empty).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    // ------------------------------------------------------------------ decoding

    /// <summary>The events whose logs the decoder is timed on: the heaviest (a tuple, bytes, a string and an array), a bid, a fulfilment.</summary>
    public static readonly IReadOnlyList<string> DecodedEvents = ["RequestSubmitted", "BidRevealed", "RequestFulfilled"];

    private static (List<DecodeRate> Rates, bool RoundTrips) MeasureDecode(IndexerBenchmarkOptions o)
    {
        var contracts = new MarketContracts(Address.Parse("0x00000000000000000000000000000000000000aa"), Address.Parse("0x00000000000000000000000000000000000000bb"),
            Address.Parse("0x00000000000000000000000000000000000000cc"), Address.Parse("0x00000000000000000000000000000000000000dd"));
        var decoder = new EventDecoder(contracts);
        // Real-shaped fields: the first events of each type in a small synthetic history, ABI-encoded as the contracts emit them.
        var samples = new SyntheticMarket(new SyntheticOptions(200, Provers: o.Provers, Seed: o.Seed)).Blocks().SelectMany(b => b.Events)
            .Where(e => DecodedEvents.Contains(e.Name)).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Take(16).ToList());
        var logs = new Dictionary<string, List<(LogEntry Log, ChainEvent Event)>>();
        var roundTrips = true;
        foreach (var name in DecodedEvents)
        {
            var list = samples[name].Select(e => (EncodeLog(decoder, "ProverMarket", e), e)).ToList();
            foreach (var (log, e) in list)
                roundTrips &= decoder.Decode(log, e.Timestamp) is { } d && d.Name == e.Name && d.RequestId == e.RequestId && JsonNode.DeepEquals(d.Data, e.Data);
            logs[name] = list;
        }
        var rates = new List<DecodeRate>();
        // Warm-up (the CLI jits fully optimised code at once; a test host tiers up).
        foreach (var list in logs.Values) Decode(decoder, list.Select(x => x.Log).ToList(), 500);
        foreach (var name in DecodedEvents)
        {
            var list = logs[name].Select(x => x.Log).ToList();
            var seconds = Decode(decoder, list, o.DecodeLogs);
            rates.Add(new DecodeRate(name, o.DecodeLogs, seconds, o.DecodeLogs / seconds, list[0].Data.Length));
        }
        var mix = DecodedEvents.SelectMany(n => logs[n].Select(x => x.Log)).ToList();
        var mixSeconds = Decode(decoder, mix, o.DecodeLogs);
        rates.Add(new DecodeRate("mix", o.DecodeLogs, mixSeconds, o.DecodeLogs / mixSeconds, 0));
        return (rates, roundTrips);
    }

    private static double Decode(EventDecoder decoder, List<LogEntry> logs, int count)
    {
        var t = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
            if (decoder.Decode(logs[i % logs.Count], 1_780_000_000) is null) throw new InvalidOperationException("the decoder did not recognise an encoded log");
        return Seconds(Stopwatch.GetTimestamp() - t);
    }

    /// <summary>
    /// The log a contract emits for <paramref name="e"/>: topics are the event signature and the indexed fields; data is the
    /// ABI encoding of the others (Nethereum's <see cref="ParametersEncoder"/> over the event's ABI).
    /// </summary>
    internal static LogEntry EncodeLog(EventDecoder decoder, string contract, ChainEvent e)
    {
        var (address, abi) = decoder.Find(contract, e.Name) ?? throw new ArgumentException($"{contract}.{e.Name} is not an event the decoder follows", nameof(e));
        var topics = new List<byte[]> { Hex.Decode(abi.Sha3Signature) };
        var dataParameters = new List<Parameter>();
        var dataValues = new List<object>();
        foreach (var p in abi.InputParameters.OrderBy(p => p.Order))
        {
            var value = ToAbi(e.Data[p.Name], p.ABIType);
            if (p.Indexed) topics.Add(p.ABIType.Encode(value));
            else
            {
                dataParameters.Add(p);
                dataValues.Add(value);
            }
        }
        var data = new ParametersEncoder().EncodeParameters([.. dataParameters], [.. dataValues]);
        var tx = Hex.Decode(e.TxHash);
        return new LogEntry(address, topics, data, e.Block, Hex.Decode(e.BlockHash), tx, (ulong)e.LogIndex, false);
    }

    private static object ToAbi(JsonNode? node, ABIType type) => type switch
    {
        _ when node is null => throw new ArgumentException($"no value for an ABI {type.Name}"),
        TupleType t => t.Components.OrderBy(c => c.Order).Select(c => ToAbi(node[c.Name], c.ABIType)).ToArray(),
        ArrayType a => node.AsArray().Select(x => ToAbi(x, a.ElementType)).ToList(),
        AddressType => node.GetValue<string>(),
        BoolType => node.GetValue<bool>(),
        IntType => BigInteger.Parse(node.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        StringType => node.GetValue<string>(),
        _ => Hex.Decode(node.GetValue<string>()), // bytes, bytesN
    };
}
