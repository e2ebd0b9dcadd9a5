using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

/// <summary>The client's resilience layer over Nethereum's RpcClient, against an in-process fake transport.</summary>
public class ResilienceTests
{
    /// <summary>An HTTP handler that answers each request from its ordinal (1-based) and the request ids, and records when it came.</summary>
    private sealed class FakeNode(Func<int, IReadOnlyList<long>, HttpResponseMessage> respond) : HttpMessageHandler
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<TimeSpan> _arrivals = [];

        public IReadOnlyList<TimeSpan> Arrivals
        {
            get
            {
                lock (_arrivals)
                {
                    return _arrivals.ToList();
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var doc = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var root = doc.RootElement;
            var ids = root.ValueKind == JsonValueKind.Array
                ? root.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList()
                : [root.GetProperty("id").GetInt64()];
            int n;
            lock (_arrivals)
            {
                _arrivals.Add(_clock.Elapsed);
                n = _arrivals.Count;
            }

            return respond(n, ids);
        }
    }

    private static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Result(long id, string result = "\"0x2a\"") => Json($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{result}}}");

    private static HttpResponseMessage Error(long id, int code, string message, string? data = null) =>
        Json($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":{code},\"message\":\"{message}\"{(data is null ? "" : $",\"data\":{data}")}}}}}");

    private static JsonRpcClient Client(FakeNode node, JsonRpcClientOptions? options = null) => new(new Uri("http://fake.invalid/"), options ?? new JsonRpcClientOptions
    {
        AttemptTimeout = TimeSpan.FromSeconds(5),
        OverallTimeout = TimeSpan.FromSeconds(20),
        MaxRetries = 4,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RateLimitDelay = TimeSpan.FromMilliseconds(300),
    }, handler: node);

    [Fact]
    public async Task RetryAfterHeaderIsHonoured()
    {
        using var node = new FakeNode((n, ids) =>
        {
            if (n > 1)
            {
                return Result(ids[0]);
            }

            var busy = Json("slow down", HttpStatusCode.TooManyRequests);
            busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return busy;
        });
        using var client = Client(node);

        Assert.Equal("0x2a", (await client.SendAsync("eth_blockNumber", [])).GetString());

        var at = node.Arrivals;
        Assert.Equal(2, at.Count);
        // The regular backoff here is ~10 ms: only the header explains a wait of a second.
        Assert.True(at[1] - at[0] >= TimeSpan.FromSeconds(0.95), $"retried after {at[1] - at[0]}");
    }

    [Fact]
    public async Task LimitExceededIsBackedOffThenSucceeds()
    {
        using var node = new FakeNode((n, ids) => n switch
        {
            1 => Error(ids[0], -32005, "limit exceeded"),
            2 => Error(ids[0], -32005, "daily request count exceeded, request rate limited", "{\"rate\":{\"allowed_rps\":1,\"backoff_seconds\":0.7}}"),
            _ => Result(ids[0]),
        });
        using var client = Client(node);

        Assert.Equal("0x2a", (await client.SendAsync("eth_blockNumber", [])).GetString());

        var at = node.Arrivals;
        Assert.Equal(3, at.Count);
        Assert.True(at[1] - at[0] >= TimeSpan.FromMilliseconds(290), $"first backoff {at[1] - at[0]} (RateLimitDelay is 300 ms)");
        Assert.True(at[2] - at[1] >= TimeSpan.FromMilliseconds(690), $"second backoff {at[2] - at[1]} (the node asked for 0.7 s)");
    }

    [Fact]
    public async Task RateLimitThatNeverLiftsSurfacesAsTransient()
    {
        using var node = new FakeNode((_, ids) => Error(ids[0], -32005, "limit exceeded"));
        using var client = Client(node, new JsonRpcClientOptions { MaxRetries = 1, RateLimitDelay = TimeSpan.FromMilliseconds(10) });

        var e = await Assert.ThrowsAsync<TransientJsonRpcException>(() => client.SendAsync("eth_blockNumber", []));
        Assert.Equal(-32005, e.Code);
        Assert.True(e.IsRateLimit);
        Assert.Equal(2, node.Arrivals.Count);
    }

    [Theory]
    [InlineData(3, "execution reverted")]
    [InlineData(-32602, "invalid params")]
    [InlineData(-32005, "query returned more than 10000 results")]
    public async Task NodeErrorIsNotRetried(int code, string message)
    {
        using var node = new FakeNode((_, ids) => Error(ids[0], code, message, "\"0xdeadbeef\""));
        using var client = Client(node);

        var e = await Assert.ThrowsAsync<JsonRpcException>(() => client.SendAsync("eth_call", []));
        Assert.Equal(code, e.Code);
        Assert.Equal(message, e.NodeMessage);
        Assert.Equal("\"0xdeadbeef\"", e.ErrorData);
        Assert.Single(node.Arrivals);
    }

    [Fact]
    public async Task CircuitOpensAfterRepeatedFailuresAndFailsFast()
    {
        using var node = new FakeNode((_, _) => Json("down", HttpStatusCode.ServiceUnavailable));
        using var client = Client(node, new JsonRpcClientOptions
        {
            MaxRetries = 0,
            CircuitMinimumThroughput = 3,
            CircuitFailureRatio = 0.5,
            CircuitBreakDuration = TimeSpan.FromSeconds(30),
        });

        for (int i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAsync<TransientJsonRpcException>(() => client.SendAsync("eth_blockNumber", []));
            Assert.Equal(503, e.HttpStatus);
        }

        var watch = Stopwatch.StartNew();
        var open = await Assert.ThrowsAsync<TransientJsonRpcException>(() => client.SendAsync("eth_blockNumber", []));
        Assert.Contains("circuit breaker is open", open.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(500), $"took {watch.Elapsed}");
        Assert.Equal(3, node.Arrivals.Count); // the open circuit did not reach the node
    }

    [Fact]
    public async Task BatchAnswersAreMatchedByIdNotByPosition()
    {
        using var node = new FakeNode((_, ids) => Json("[" + string.Join(",", ids.Reverse().Select(id =>
            $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"0x{id:x}\"}}")) + "]"));
        using var client = Client(node);

        var results = await client.SendBatchAsync([("eth_blockNumber", []), ("eth_chainId", []), ("eth_gasPrice", [])]);

        var values = results.Select(r => Convert.ToInt64(r.GetResultOrThrow().GetString(), 16)).ToList();
        Assert.Equal(3, values.Count);
        Assert.Equal(values.Order(), values); // request order, although the node answered in reverse
    }

    [Fact]
    public async Task BatchWithAMissingAnswerIsRejected()
    {
        using var node = new FakeNode((_, ids) => Json($"[{{\"jsonrpc\":\"2.0\",\"id\":{ids[0]},\"result\":\"0x1\"}}]"));
        using var client = Client(node);

        var e = await Assert.ThrowsAsync<JsonRpcException>(() => client.SendBatchAsync([("eth_blockNumber", []), ("eth_chainId", [])]));
        Assert.Contains("no answer for id", e.Message);
        Assert.Equal("eth_chainId", e.Method);
    }

    [Fact]
    public async Task NethereumServicesGetTheSamePipeline()
    {
        using var node = new FakeNode((n, ids) => n == 1 ? Json("busy", HttpStatusCode.BadGateway) : Result(ids[0], "\"0x10\""));
        using var client = Client(node);

        var web3 = new Nethereum.Web3.Web3(client.Client);
        var head = await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync();

        Assert.Equal(16, (int)head.Value);
        Assert.Equal(2, node.Arrivals.Count);
    }
}
