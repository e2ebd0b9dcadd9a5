using ProverMarketChain.Indexer.Benchmarks;
using ProverMarketChain.Indexer.Ingest;
using ProverMarketChain.Indexer.Storage;
using ProverMarketChain.Indexer.Synthetic;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Indexer.Tests.Benchmarks;

/// <summary>
/// <c>pmc bench-indexer</c>'s code at a tiny size (SQLite only, a few queries): it produces sane figures. No timing is
/// asserted; the figures only have to exist, be consistent and come from answered requests.
/// </summary>
public sealed class IndexerBenchmarkTests
{
    [Fact]
    public async Task test_run_tinyHistoryOnSqlite_measuresEveryEndpointWithoutErrors()
    {
        var options = new IndexerBenchmarkOptions { Requests = 2_000, Engines = [DatabaseKind.Sqlite], Queries = 10, DecodeLogs = 300, Seed = 4 };

        var report = await IndexerBenchmark.RunAsync(options);

        var expected = new SyntheticMarket(new SyntheticOptions(2_000, Provers: options.Provers, Seed: 4));
        var blocks = expected.Blocks().Count();
        var engine = Assert.Single(report.Engines);
        Assert.Equal("SQLite", engine.Engine);
        Assert.Equal(expected.Events, engine.Events);
        Assert.Equal(blocks, engine.Blocks);
        Assert.InRange(engine.Batches, (blocks + options.MaxBlocksPerBatch - 1) / options.MaxBlocksPerBatch, (blocks + options.MinBlocksPerBatch - 1) / options.MinBlocksPerBatch);
        Assert.True(engine.EventsPerSecond > 0 && engine.IngestSeconds > 0 && engine.IngestCpuSeconds > 0);
        Assert.True(engine.DatabaseBytes > 0);
        Assert.NotNull(engine.IngestPass);
        Assert.Equal(0, engine.HttpErrors);
        Assert.Equal(13, engine.Endpoints.Count);
        Assert.Equal(engine.Endpoints.Count, engine.Endpoints.Select(e => e.Endpoint).Distinct().Count());
        foreach (var e in engine.Endpoints)
        {
            Assert.Equal(0, e.Errors);
            Assert.Equal(options.Queries, e.Samples);
            Assert.True(e.P50Ms > 0 && e.P50Ms <= e.P99Ms && e.P99Ms <= e.MaxMs, $"{e.Endpoint}: p50 {e.P50Ms}, p99 {e.P99Ms}, max {e.MaxMs}");
            Assert.StartsWith(e.Endpoint.Split('?', ' ', '{')[0], e.Example);
        }
        Assert.True(engine.OverallP99Ms <= engine.Endpoints.Max(e => e.MaxMs));
        Assert.True(report.DecodeRoundTrips);
        Assert.Equal([.. IndexerBenchmark.DecodedEvents, "mix"], report.Decode.Select(d => d.Event));
        Assert.All(report.Decode, d => Assert.True(d.EventsPerSecond > 0 && d.Logs == options.DecodeLogs));
        Assert.Equal(Environment.ProcessorCount, report.Cores);
        Assert.Equal(engine.IngestPass == true && engine.QueryPass, report.Pass);
    }

    [Fact]
    public async Task test_run_noEngine_isRefusedRatherThanAnEmptyPass()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => IndexerBenchmark.RunAsync(new IndexerBenchmarkOptions { Engines = [] }));
        Assert.Contains("engine", e.Message);
    }

    [Fact]
    public void test_encodeLog_decodesBackToTheSameEvent()
    {
        var market = Address.Parse("0x00000000000000000000000000000000000000aa");
        var decoder = new EventDecoder(new MarketContracts(market, Address.Parse("0x00000000000000000000000000000000000000bb"),
            Address.Parse("0x00000000000000000000000000000000000000cc"), Address.Parse("0x00000000000000000000000000000000000000dd")));
        var events = new SyntheticMarket(new SyntheticOptions(40, Seed: 2)).Blocks().SelectMany(b => b.Events)
            .Where(e => IndexerBenchmark.DecodedEvents.Contains(e.Name)).ToList();
        Assert.Equal(IndexerBenchmark.DecodedEvents.Order(), events.Select(e => e.Name).Distinct().Order());

        foreach (var e in events)
        {
            var log = IndexerBenchmark.EncodeLog(decoder, "ProverMarket", e);
            var decoded = decoder.Decode(log, e.Timestamp, e.GasShare);

            Assert.NotNull(decoded);
            Assert.Equal(e.ToString(), (decoded with { Data = e.Data }).ToString());
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(e.Data, decoded.Data), $"{e.Name}: {decoded.Data.ToJsonString()} != {e.Data.ToJsonString()}");
        }
    }
}
