using System.CommandLine;
using System.Text.Json;
using ProverMarketChain.Indexer.Benchmarks;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc bench-indexer [--requests N] [--engines sqlite,postgres] [--postgres URL] [--queries N] [--seed S] [--json]</c>:
/// ingest rate of a synthetic market history on SQLite and PostgreSQL, API latency at that size, and the event decoder's
/// rate (see <see cref="IndexerBenchmark"/>), against the targets.
/// </summary>
public sealed class BenchIndexerCommand : PmcCommand
{
    private readonly Option<int> _requests = new("--requests")
    {
        Description = "Requests in the synthetic history (1000..10000000)",
        DefaultValueFactory = _ => 100_000,
        CustomParser = OptionParsers.WholeNumber("--requests", 1000, 10_000_000),
        HelpName = "N",
    };

    private readonly Option<DatabaseKind[]?> _engines = new("--engines")
    {
        Description = "Engines to measure, comma-separated: sqlite, postgres (default: both)",
        CustomParser = ParseEngines,
        HelpName = "LIST",
    };

    private readonly Option<string?> _postgres = new("--postgres")
    {
        Description = "An empty PostgreSQL database to use (postgres://user:password@host:port/database) instead of a temporary server",
        HelpName = "URL",
    };

    private readonly Option<int> _queries = new("--queries")
    {
        Description = "Timed requests per endpoint, after a warm-up of a tenth as many (10..100000)",
        DefaultValueFactory = _ => 200,
        CustomParser = OptionParsers.WholeNumber("--queries", 10, 100_000),
        HelpName = "N",
    };

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seed of the history, the batch sizes and the query parameters",
        DefaultValueFactory = _ => 1,
        CustomParser = OptionParsers.WholeNumber("--seed", 0, int.MaxValue),
        HelpName = "S",
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the figures as one line of JSON (progress goes to stderr)" };

    /// <summary>Creates the command.</summary>
    public BenchIndexerCommand(CliIo io)
        : base("bench-indexer", "Indexer: events/s ingested on SQLite and PostgreSQL, API p99 latency, decoder rate, against the targets", io)
    {
        Options.Add(_requests);
        Options.Add(_engines);
        Options.Add(_postgres);
        Options.Add(_queries);
        Options.Add(_seed);
        Options.Add(_json);
    }

    /// <inheritdoc />
    public override string HelpEpilog =>
        "Targets: at least 5,000 events/s ingested on SQLite, and every endpoint at or under 50 ms p99. Exits 0 when every target is met, 1 otherwise.";

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        bool json = parseResult.GetValue(_json);
        var postgres = parseResult.GetValue(_postgres);
        if (postgres is not null && !postgres.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !postgres.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--postgres '{postgres}' is not a postgres:// URL");
        var options = new IndexerBenchmarkOptions
        {
            Requests = parseResult.GetValue(_requests),
            Engines = parseResult.GetValue(_engines) is { Length: > 0 } engines ? engines : [DatabaseKind.Sqlite, DatabaseKind.Postgres],
            PostgresUrl = postgres,
            Queries = parseResult.GetValue(_queries),
            Seed = parseResult.GetValue(_seed),
        };
        var progress = json ? context.Err : context.Out;
        using var interrupt = new ConsoleInterrupt();
        IndexerBenchmarkReport report;
        try
        {
            report = IndexerBenchmark.RunAsync(options, progress, interrupt.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interrupt.Requested)
        {
            context.Err.WriteLine("pmc bench-indexer: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (InvalidOperationException e)
        {
            context.Err.WriteLine($"pmc bench-indexer: error: {e.Message}");
            return ExitCodes.Failure;
        }

        if (json) context.Out.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        else Print(report, context.Out);
        return report.Pass ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static void Print(IndexerBenchmarkReport r, TextWriter o)
    {
        o.WriteLine();
        o.WriteLine($"pmc bench-indexer ({r.Cores} cores; {r.Machine}): {r.Requests:N0} requests, {r.Provers} provers, seed {r.Seed}, {r.QueriesPerEndpoint} timed queries per endpoint");
        o.WriteLine($"{"decode (EventDecoder, ABI-encoded logs)",-40}{"logs",10}{"data B",8}{"events/s",12}");
        foreach (var d in r.Decode)
            o.WriteLine($"{"  " + d.Event,-40}{d.Logs,10:N0}{(d.DataBytes > 0 ? d.DataBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : ""),8}{d.EventsPerSecond,12:N0}");
        o.WriteLine($"  decoded fields equal the encoded ones: {(r.DecodeRoundTrips ? "yes" : "NO")}");
        var mix = r.Decode.FirstOrDefault(d => d.Event == "mix")?.EventsPerSecond ?? 0;
        foreach (var e in r.Engines)
        {
            o.WriteLine();
            var size = e.DatabaseBytes is { } b ? $", {b / 1048576.0:N0} MiB" : "";
            o.WriteLine($"{e.Engine} ({e.Database}{size})");
            var target = e.IngestPass is { } pass ? $"   target >= {r.TargetEventsPerSecond:N0}: {(pass ? "PASS" : "FAIL")}" : "";
            o.WriteLine($"  ingest: {e.Events:N0} events ({e.Blocks:N0} blocks, {e.Batches:N0} batches) in {e.IngestSeconds:F2} s = {e.EventsPerSecond:N0} events/s{target}");
            o.WriteLine($"          CPU {e.IngestCpuSeconds:F2} s in this process = {e.Events / Math.Max(e.IngestCpuSeconds, 1e-3):N0} events per CPU second" +
                (e.Engine == "SQLite" ? "" : " (the server's CPU not included)"));
            o.WriteLine($"          (history generated in a further {e.GenerateSeconds:F2} s, not counted; decoding would bound real ingest at {mix:N0} events/s: " +
                $"{(mix < e.EventsPerSecond ? "decoding" : "storage")} is the limit)");
            o.WriteLine($"  {"endpoint",-38}{"p50 ms",9}{"p99 ms",9}{"max ms",9}{"errors",8}");
            foreach (var l in e.Endpoints)
                o.WriteLine($"  {l.Endpoint,-38}{l.P50Ms,9:F2}{l.P99Ms,9:F2}{l.MaxMs,9:F2}{l.Errors,8}");
            var worst = e.Endpoints.MaxBy(l => l.P99Ms);
            o.WriteLine($"  overall p99 {e.OverallP99Ms:F2} ms; worst endpoint p99 {worst?.P99Ms:F2} ms ({worst?.Endpoint}); HTTP errors {e.HttpErrors}" +
                $"   target p99 <= {r.TargetP99Ms:N0} ms: {(e.QueryPass ? "PASS" : "FAIL")}");
        }
        o.WriteLine();
        o.WriteLine($"result: {(r.Pass ? "PASS" : "FAIL")}");
    }

    private static DatabaseKind[] ParseEngines(System.CommandLine.Parsing.ArgumentResult result)
    {
        var list = new List<DatabaseKind>();
        foreach (var token in result.Tokens)
            foreach (var part in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                switch (part.ToLowerInvariant())
                {
                    case "sqlite": list.Add(DatabaseKind.Sqlite); break;
                    case "postgres" or "postgresql": list.Add(DatabaseKind.Postgres); break;
                    default:
                        result.AddError($"--engines: '{part}' is not an engine (sqlite, postgres)");
                        return [];
                }
            }
        if (list.Count == 0) result.AddError("--engines: name at least one engine (sqlite, postgres)");
        return [.. list.Distinct()];
    }
}
