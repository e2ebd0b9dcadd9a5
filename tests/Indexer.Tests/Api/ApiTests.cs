using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using ProverMarketChain.Indexer.Hosting;
using ProverMarketChain.Indexer.Storage;
using ProverMarketChain.Indexer.Synthetic;
using ProverMarketChain.Indexer.Tests.Infrastructure;

namespace ProverMarketChain.Indexer.Tests.Api;

/// <summary>The HTTP API over a synthetic history, on both engines: shapes, pagination, filters, and 400/404 that name the problem.</summary>
public sealed class ApiTests
{
    public static TheoryData<DatabaseKind> Engines => new() { DatabaseKind.Sqlite, DatabaseKind.Postgres };

    private static async Task<(WebApplication App, HttpClient Http, SyntheticMarket Market)> ServeAsync(DatabaseKind engine, int requests = 200)
    {
        var store = await TestDatabases.CreateAsync(engine);
        var market = new SyntheticMarket(new SyntheticOptions(requests, Provers: 10, Seed: 21));
        foreach (var chunk in market.Blocks().Chunk(10))
            await store.ApplyBatchAsync(chunk.Select(b => b.Block).ToList(), chunk.SelectMany(b => b.Events).ToList(),
                new IndexCursor(31337, "0x00000000000000000000000000000000000000aa", chunk[^1].Block.Number, chunk[^1].Block.Hash, chunk[^1].Block.Number, chunk[^1].Block.Timestamp));
        var app = IndexerApp.BuildServeOnly(store, "http://127.0.0.1:0");
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = IndexerApp.ListeningUri(app) }, market);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_api_servesEveryEndpointConsistently(DatabaseKind engine)
    {
        var (app, http, market) = await ServeAsync(engine);
        await using var host = app;

        var page = await http.GetFromJsonAsync<JsonElement>("/v1/requests?limit=5&status=Fulfilled&mode=Dutch");
        Assert.Equal(5, page.GetProperty("items").GetArrayLength());
        foreach (var r in page.GetProperty("items").EnumerateArray())
        {
            Assert.Equal("Fulfilled", r.GetProperty("status").GetString());
            Assert.Equal("Dutch", r.GetProperty("mode").GetString());
            // 256-bit numbers are strings.
            Assert.Equal(JsonValueKind.String, r.GetProperty("maxFee").ValueKind);
        }
        var next = await http.GetFromJsonAsync<JsonElement>($"/v1/requests?limit=5&status=Fulfilled&mode=Dutch&cursor={Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!)}");
        Assert.DoesNotContain(next.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("requestId").GetString()),
            id => page.GetProperty("items").EnumerateArray().Any(p => p.GetProperty("requestId").GetString() == id));

        var id = page.GetProperty("items")[0].GetProperty("requestId").GetString();
        var detail = await http.GetFromJsonAsync<JsonElement>($"/v1/requests/{id}");
        var events = detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()).ToList();
        Assert.Equal("RequestSubmitted", events[0]);
        Assert.Contains("RequestFulfilled", events);

        var provers = await http.GetFromJsonAsync<JsonElement>("/v1/provers");
        var top = provers.GetProperty("items")[0].GetProperty("key").GetString();
        var prover = await http.GetFromJsonAsync<JsonElement>($"/v1/provers/{top}");
        Assert.Equal(top, prover.GetProperty("summary").GetProperty("key").GetString());
        Assert.True(prover.GetProperty("recent").GetArrayLength() > 0);
        var byProver = await http.GetFromJsonAsync<JsonElement>($"/v1/requests?prover={top}&limit=200");
        Assert.All(byProver.GetProperty("items").EnumerateArray(), r => Assert.Equal(top, r.GetProperty("prover").GetString()));

        var summary = await http.GetFromJsonAsync<JsonElement>("/v1/market/summary?interval=hour");
        Assert.Equal(200, summary.GetProperty("totals").GetProperty("requests").GetInt64());
        Assert.Equal(market.Fulfilled, summary.GetProperty("totals").GetProperty("fulfilled").GetInt64());
        var day = await http.GetFromJsonAsync<JsonElement>("/v1/market/summary?interval=day");
        Assert.Equal(200, day.GetProperty("totals").GetProperty("requests").GetInt64());

        var d = await http.GetFromJsonAsync<JsonElement>("/v1/decentralization?window=24h");
        var all = d.GetProperty("modes").EnumerateArray().Single(m => m.GetProperty("mode").GetString() == "All");
        Assert.Equal(market.Fulfilled, all.GetProperty("fulfilments").GetInt64());
        Assert.InRange(all.GetProperty("hhi").GetDouble(), 1, 10_000);
        Assert.Equal(1.0, all.GetProperty("provers").EnumerateArray().Sum(p => p.GetProperty("fulfilmentShare").GetDouble()), 6);
        var sealedOnly = await http.GetFromJsonAsync<JsonElement>("/v1/decentralization?window=all&mode=SealedBid");
        Assert.Single(sealedOnly.GetProperty("modes").EnumerateArray());

        var eff = await http.GetFromJsonAsync<JsonElement>("/v1/market/efficiency");
        Assert.True(eff.GetProperty("auctions").GetInt64() > 0);
        Assert.Equal(eff.GetProperty("auctions").GetInt64(), eff.GetProperty("bestScoreWon").GetInt64());

        var health = await http.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(0, health.GetProperty("lagBlocks").GetInt64());

        var openapi = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        foreach (var path in new[] { "/v1/requests", "/v1/requests/{id}", "/v1/provers", "/v1/provers/{address}", "/v1/market/summary", "/v1/decentralization", "/health" })
            Assert.True(openapi.GetProperty("paths").TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");

        var chart = await http.GetAsync("/lib/chart.umd.min.js");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Contains("text/html", (await http.GetAsync("/")).Content.Headers.ContentType!.ToString());
    }

    [Theory]
    [InlineData("/v1/requests?status=Done", "status must be one of")]
    [InlineData("/v1/requests?mode=2", "mode must be one of")]
    [InlineData("/v1/requests?prover=0x12", "prover must be a 0x-prefixed 20-byte hex address")]
    [InlineData("/v1/requests?circuit=-1", "circuit must be a circuit id")]
    [InlineData("/v1/requests?limit=0", "limit must be 1 to 200")]
    [InlineData("/v1/requests?cursor=bm9wZQ", "is not one this API issued")]
    [InlineData("/v1/requests/0x1234", "a request id must be 0x and 64 hex digits")]
    [InlineData("/v1/market/summary?interval=week", "interval must be 'hour' or 'day'")]
    [InlineData("/v1/market/summary?interval=hour&from=10&to=5", "must be before to")]
    [InlineData("/v1/market/summary?interval=hour&from=0&to=100000000", "spans more than 10,000")]
    [InlineData("/v1/decentralization?window=2w", "window must be one of")]
    [InlineData("/v1/requests?limit=abc", "limit")]
    [InlineData("/v1/market/summary?interval=hour&from=-4611686018427387904&to=4611686018427387904", "from and to must be unix seconds")]
    [InlineData("/v1/provers/0xZZ", "address must be a 0x-prefixed")]
    public async Task test_api_badParametersAnswer400NamingThem(string url, string message)
    {
        var (app, http, _) = await ServeAsync(DatabaseKind.Sqlite, requests: 8);
        await using var _app = app;
        var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task test_api_unknownIdsAnswer404()
    {
        var (app, http, _) = await ServeAsync(DatabaseKind.Sqlite, requests: 8);
        await using var _app = app;
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/requests/0x" + new string('f', 64))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/provers/0x" + new string('e', 40))).StatusCode);
    }
}
