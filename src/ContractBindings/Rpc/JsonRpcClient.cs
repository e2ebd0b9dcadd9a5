using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.JsonRpc.Client;
using Nethereum.JsonRpc.Client.RpcMessages;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using JsonSerializer = Newtonsoft.Json.JsonSerializer;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using NodeError = Nethereum.JsonRpc.Client.RpcMessages.RpcError;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>Options for <see cref="JsonRpcClient"/>.</summary>
public sealed record JsonRpcClientOptions
{
    /// <summary>
    /// Timeout of a single HTTP attempt. Default 10 s. Nethereum's own process-wide
    /// <see cref="ClientBase.ConnectionTimeout"/> (20 s) still bounds an attempt from above.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a whole call including retries. Default 60 s.</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt, on transient faults only. Default 6.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Base delay of the exponential, jittered backoff. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// First wait after a rate-limit answer (HTTP 429, JSON-RPC -32005) that names no delay; doubled on each further
    /// rate-limit answer up to <see cref="MaxRateLimitDelay"/>. Default 1 s.
    /// </summary>
    public TimeSpan RateLimitDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait honoured from a <c>Retry-After</c> header or a node's suggested delay. Default 30 s.</summary>
    public TimeSpan MaxRateLimitDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failure ratio over <see cref="CircuitSamplingDuration"/> that opens the circuit. Default 0.8.</summary>
    public double CircuitFailureRatio { get; init; } = 0.8;

    /// <summary>Minimum calls in the sampling window before the circuit may open. Default 20.</summary>
    public int CircuitMinimumThroughput { get; init; } = 20;

    /// <summary>Sampling window of the circuit breaker. Default 30 s.</summary>
    public TimeSpan CircuitSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open. Default 5 s.</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response body accepted. Default 64 MiB.</summary>
    public int MaxResponseBytes { get; init; } = 64 * 1024 * 1024;
}

/// <summary>The outcome of one call inside a batch: a result or an error.</summary>
public readonly struct JsonRpcResult
{
    internal JsonRpcResult(JsonElement? result, JsonRpcException? error)
    {
        Result = result;
        Error = error;
    }

    /// <summary>The result, when the call succeeded.</summary>
    public JsonElement? Result { get; }

    /// <summary>The error, when the call failed.</summary>
    public JsonRpcException? Error { get; }

    /// <summary>Returns the result or throws the error.</summary>
    /// <exception cref="JsonRpcException">The call failed.</exception>
    public JsonElement GetResultOrThrow() => Error is not null ? throw Error : Result!.Value;
}

/// <summary>
/// JSON-RPC 2.0 over HTTP, carried by Nethereum's <see cref="RpcClient"/> (request/response envelopes, batching via
/// <see cref="IClient.SendBatchRequestAsync"/>), with what Nethereum lacks layered on top: a Polly resilience pipeline
/// (<see cref="ResilientRpcClient"/>: overall and per-attempt timeouts, retries with jittered backoff on transient faults
/// only, rate-limit backoff honouring <c>Retry-After</c> and -32005 hints, a circuit breaker), strict response checks
/// (<see cref="StrictResponseConverter"/>, id matching) and results as <see cref="JsonElement"/>. Errors returned by the
/// node (reverts, invalid params) and malformed responses are never retried and surface as <see cref="JsonRpcException"/>.
/// Thread-safe. <see cref="Client"/> exposes the same pipeline as a Nethereum <see cref="IClient"/> for Nethereum services.
/// </summary>
public sealed class JsonRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResilientRpcClient _client;
    private readonly Uri _endpoint;
    private long _nextId;

    /// <summary>Creates a client for <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The node's HTTP URL.</param>
    /// <param name="options">Timeouts, retry and circuit-breaker settings.</param>
    /// <param name="logger">Logger for retries and failures.</param>
    /// <param name="handler">Optional HTTP handler (for tests or custom transports); the client does not dispose it.</param>
    public JsonRpcClient(Uri endpoint, JsonRpcClientOptions? options = null, ILogger<JsonRpcClient>? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        var settings = options ?? new JsonRpcClientOptions();
        var guard = new TransportGuardHandler(endpoint, settings.MaxResponseBytes)
        {
            InnerHandler = handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = settings.AttemptTimeout },
        };

        // A caller's handler stays the caller's: the guard (which would dispose it) is then never disposed.
        _http = new HttpClient(guard, disposeHandler: handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        var nethereum = new RpcClient(endpoint, _http, null, StrictResponseConverter.Settings, null);
        _client = new ResilientRpcClient(nethereum, endpoint, settings, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>The endpoint URL.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>
    /// This client's transport as a Nethereum <see cref="IClient"/> (for <c>Web3</c> and Nethereum's RPC services), with
    /// the same retries, timeouts and circuit breaker; Nethereum's own exception types pass through it.
    /// </summary>
    public IClient Client => _client;

    /// <summary>Calls <paramref name="method"/> and returns its <c>result</c> (a detached copy).</summary>
    /// <param name="method">JSON-RPC method, e.g. <c>eth_blockNumber</c>.</param>
    /// <param name="parameters">Positional parameters: string, bool, integral numbers, <see cref="BigInteger"/> (as
    /// 0x-quantities), <see cref="JsonElement"/>, arrays/lists and <c>IReadOnlyDictionary&lt;string, object?&gt;</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="JsonRpcException">The node returned an error, the response was malformed, or every attempt failed.</exception>
    public async Task<JsonElement> SendAsync(string method, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(parameters);
        long id = Interlocked.Increment(ref _nextId);
        var request = new RpcRequestMessage(id, method, parameters.Select(ToWire).ToArray<object>());
        var result = await _client.ExecuteAsync(method, method, async inner =>
        {
            var response = await inner.SendAsync(request, null).ConfigureAwait(false)
                ?? throw new TransientJsonRpcException($"JSON-RPC {method}: empty response body from {_endpoint}.", method);
            CheckId(response, id, method);
            var outcome = Interpret(response, method);
            return outcome.Error is TransientJsonRpcException limited ? throw limited : outcome; // a rate limit: back off and retry
        }, cancellationToken).ConfigureAwait(false);
        return result.GetResultOrThrow();
    }

    /// <summary>
    /// Sends several calls in one JSON-RPC batch and returns their outcomes in request order. A transport failure (or a
    /// rate-limit answer to any call) retries or fails the whole batch; other node errors are reported per call. A
    /// malformed entry fails the whole batch.
    /// </summary>
    /// <exception cref="JsonRpcException">The batch response was malformed or every attempt failed.</exception>
    public async Task<IReadOnlyList<JsonRpcResult>> SendBatchAsync(IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            return [];
        }

        long firstId = Interlocked.Add(ref _nextId, calls.Count) - calls.Count + 1;
        var requests = calls.Select((c, i) => new RpcRequestMessage(firstId + i, c.Method, c.Parameters.Select(ToWire).ToArray<object>())).ToArray();
        string what = $"batch of {calls.Count} ({calls[0].Method}...)";
        return await _client.ExecuteAsync(what, calls[0].Method, async inner =>
        {
            var batch = new CheckedBatch(requests);
            await inner.SendBatchRequestAsync(batch).ConfigureAwait(false);
            var results = new JsonRpcResult[requests.Length];
            for (int i = 0; i < requests.Length; i++)
            {
                var response = batch.Responses[i]
                    ?? throw new JsonRpcException($"JSON-RPC {what}: the batch response has no answer for id {firstId + i} ({calls[i].Method}).", calls[i].Method);
                results[i] = Interpret(response, calls[i].Method);
            }

            if (results.FirstOrDefault(r => r.Error is TransientJsonRpcException).Error is { } limited)
            {
                throw limited; // a rate limit applies to the request as a whole: back off and resend the batch
            }

            return (IReadOnlyList<JsonRpcResult>)results;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static void CheckId(RpcResponseMessage response, long id, string method)
    {
        if (response.Id is long got)
        {
            if (got != id)
            {
                throw new JsonRpcException($"JSON-RPC {method}: response id {got} does not match the request id {id}.", method);
            }

            return;
        }

        // Per JSON-RPC 2.0 an error for an unparseable request has id null: report that error if present.
        if (response.Id is null && response.HasError)
        {
            return;
        }

        throw new JsonRpcException($"JSON-RPC {method}: response has a missing or non-numeric id.", method);
    }

    private static JsonRpcResult Interpret(RpcResponseMessage response, string method)
    {
        if (response.HasError)
        {
            return new JsonRpcResult(null, ErrorFrom(response.Error, method));
        }

        return new JsonRpcResult(ToElement(response.Result), null);
    }

    private static JsonRpcException ErrorFrom(NodeError error, string method)
    {
        string message = error.Message ?? string.Empty;
        string? data = error.Data switch
        {
            null => null,
            JToken { Type: JTokenType.Null } => null,
            JToken token => token.ToString(Formatting.None),
            JsonElement element => element.GetRawText(),
            var other => JsonConvert.SerializeObject(other),
        };
        string text = $"JSON-RPC {method} failed with code {error.Code.ToString(CultureInfo.InvariantCulture)}: {message}";
        if (NodeErrors.IsRateLimit(error.Code, message))
        {
            return new TransientJsonRpcException(text, method, error.Code, data) { NodeMessage = message, RetryAfter = NodeErrors.SuggestedDelay(data) };
        }

        return new JsonRpcException(text, method, error.Code, data) { NodeMessage = message };
    }

    private static JsonElement ToElement(object? result)
    {
        string json = result switch
        {
            null => "null",
            JToken token => token.ToString(Formatting.None),
            JsonElement element => element.GetRawText(),
            var other => JsonConvert.SerializeObject(other),
        };
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        return doc.RootElement.Clone();
    }

    /// <summary>Parameters as Newtonsoft tokens, which Nethereum's serializer writes verbatim.</summary>
    private static JToken ToWire(object? value) => value switch
    {
        null => JValue.CreateNull(),
        string s => new JValue(s),
        bool b => new JValue(b),
        int i => new JValue(i),
        long l => new JValue(l),
        ulong ul => new JValue(ul),
        uint ui => new JValue(ui),
        double d => new JValue(d),
        BigInteger big => new JValue(Quantity.Encode(big)),
        JsonElement element => JToken.Parse(element.GetRawText()),
        IReadOnlyDictionary<string, object?> map => new JObject(map.Select(kv => new JProperty(kv.Key, ToWire(kv.Value)))),
        System.Collections.IEnumerable list => new JArray(list.Cast<object?>().Select(ToWire)),
        _ => throw new ArgumentException($"Unsupported JSON-RPC parameter type {value.GetType().Name}."),
    };

    /// <summary>
    /// A batch that records each answer by request id. Exists because Nethereum's <see cref="RpcRequestResponseBatch"/>
    /// matches answers with <c>First()</c> (an unknown id throws a bare <see cref="InvalidOperationException"/>, a
    /// missing answer goes unnoticed) and wants a typed handler per item.
    /// </summary>
    private sealed class CheckedBatch : RpcRequestResponseBatch
    {
        private readonly RpcRequestMessage[] _requests;

        public CheckedBatch(RpcRequestMessage[] requests)
        {
            _requests = requests;
            Responses = new RpcResponseMessage?[requests.Length];
            AcceptPartiallySuccessful = true;
            BatchItems.AddRange(requests.Select(r => (IRpcRequestResponseBatchItem)new Item(r)));
        }

        public RpcResponseMessage?[] Responses { get; }

        public override void UpdateBatchItemResponses(IEnumerable<RpcResponseMessage> responses)
        {
            string method = _requests[0].Method;
            foreach (var response in responses)
            {
                if (response?.Id is not long id)
                {
                    if (response is { Id: null, HasError: true })
                    {
                        throw ErrorFrom(response.Error, method); // the node rejected the batch as a whole
                    }

                    throw new JsonRpcException($"JSON-RPC batch ({method}...): a response has a missing or non-numeric id.", method);
                }

                int index = Array.FindIndex(_requests, r => r.Id is long rid && rid == id);
                if (index < 0)
                {
                    throw new JsonRpcException($"JSON-RPC batch ({method}...): response id {id} does not match any request id.", method);
                }

                if (Responses[index] is not null)
                {
                    throw new JsonRpcException($"JSON-RPC batch ({method}...): duplicate response for id {id}.", _requests[index].Method);
                }

                Responses[index] = response;
            }
        }

        private sealed class Item(RpcRequestMessage request) : IRpcRequestResponseBatchItem
        {
            public RpcRequestMessage RpcRequestMessage => request;

            public object? RawResponse { get; private set; }

            public Nethereum.JsonRpc.Client.RpcError? RpcError { get; private set; }

            public bool HasError => RpcError is not null;

            public void DecodeResponse(RpcResponseMessage rpcResponse)
            {
                RawResponse = rpcResponse.Result;
                RpcError = rpcResponse.Error is { } e ? new Nethereum.JsonRpc.Client.RpcError(e.Code, e.Message, e.Data) : null;
            }
        }
    }
}

/// <summary>
/// Nethereum <see cref="IClient"/> decorator that runs every call through a Polly pipeline. Exists because Nethereum's
/// <see cref="RpcClient"/> has no retries, no circuit breaker, no cancellation (only a process-wide timeout) and folds
/// every transport fault into <see cref="RpcClientUnknownException"/>. Pipeline, outermost first: overall timeout →
/// retry (transient faults only, jittered exponential backoff; rate limits wait for <c>Retry-After</c> or the node's
/// suggested delay, else back off from <see cref="JsonRpcClientOptions.RateLimitDelay"/>) → circuit breaker (transient
/// faults) → attempt timeout. The attempt's token reaches the HTTP request through <see cref="TransportGuardHandler"/>.
/// </summary>
internal sealed class ResilientRpcClient : IClient
{
    private readonly IClient _inner;
    private readonly Uri _endpoint;
    private readonly JsonRpcClientOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    public ResilientRpcClient(IClient inner, Uri endpoint, JsonRpcClientOptions options, ILogger logger)
    {
        _inner = inner;
        _endpoint = endpoint;
        _options = options;
        _logger = logger;
        _pipeline = BuildPipeline();
    }

    public RequestInterceptor OverridingRequestInterceptor
    {
        get => _inner.OverridingRequestInterceptor;
        set => _inner.OverridingRequestInterceptor = value;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> through the pipeline; failures come out as <see cref="JsonRpcException"/>
    /// (<see cref="TransientJsonRpcException"/> when every attempt failed transiently or the circuit is open).
    /// </summary>
    public async Task<T> ExecuteAsync<T>(string what, string method, Func<IClient, Task<T>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Translate(e, what, method);
        }
    }

    public Task<RpcRequestResponseBatch> SendBatchRequestAsync(RpcRequestResponseBatch rpcRequestResponseBatch) =>
        RunNativeAsync(c => c.SendBatchRequestAsync(rpcRequestResponseBatch));

    public Task<T> SendRequestAsync<T>(RpcRequest request, string? route = null) => RunNativeAsync(c => c.SendRequestAsync<T>(request, route));

    public Task<RpcResponseMessage> SendAsync(RpcRequestMessage rpcRequestMessage, string? route = null) =>
        RunNativeAsync(c => c.SendAsync(rpcRequestMessage, route));

    public Task<T> SendRequestAsync<T>(string method, string? route = null, params object[] paramList) =>
        RunNativeAsync(c => c.SendRequestAsync<T>(method, route, paramList));

    public T DecodeResult<T>(RpcResponseMessage rpcResponseMessage) => _inner.DecodeResult<T>(rpcResponseMessage);

    public Task SendRequestAsync(RpcRequest request, string? route = null) =>
        RunNativeAsync(async c =>
        {
            await c.SendRequestAsync(request, route).ConfigureAwait(false);
            return true;
        });

    public Task SendRequestAsync(string method, string? route = null, params object[] paramList) =>
        RunNativeAsync(async c =>
        {
            await c.SendRequestAsync(method, route, paramList).ConfigureAwait(false);
            return true;
        });

    /// <summary>How a failure is treated: retried or not, whether it is a rate limit, and the wait the server asked for.</summary>
    internal static (bool Transient, bool RateLimited, TimeSpan? RetryAfter) Classify(Exception e)
    {
        switch (e)
        {
            case TransientJsonRpcException t:
                return (true, t.IsRateLimit, t.RetryAfter);
            case JsonRpcException:
                return (false, false, null);
            case TimeoutRejectedException or RpcClientTimeoutException:
                return (true, false, null);
            case RpcResponseException { RpcError: { } error }:
                bool limited = NodeErrors.IsRateLimit(error.Code, error.Message);
                return (limited, limited, limited ? NodeErrors.SuggestedDelay(error.GetDataAsString()) : null);
        }

        for (var x = e.InnerException; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case TransportFault f:
                    return (f.Transient, f.HttpStatus == 429, f.RetryAfter);
                case Newtonsoft.Json.JsonException or MalformedResponseException:
                    return (false, false, null);
                case HttpRequestException h:
                    return (h.StatusCode is null, false, null); // no status: the connection failed
                case IOException:
                    return (true, false, null);
            }
        }

        return (false, false, null);
    }

    private async Task<T> RunAsync<T>(Func<IClient, Task<T>> attempt, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(
            async ct =>
            {
                TransportGuardHandler.AttemptToken.Value = ct;
                try
                {
                    return await attempt(_inner).ConfigureAwait(false);
                }
                catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
                {
                    // Nethereum reports a cancelled request as its own timeout; Polly's timeout needs the cancellation.
                    throw new OperationCanceledException("The JSON-RPC attempt was cancelled.", e, ct);
                }
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>The <see cref="IClient"/> face: Nethereum's exceptions pass through; pipeline refusals become Nethereum's.</summary>
    private async Task<T> RunNativeAsync<T>(Func<IClient, Task<T>> attempt)
    {
        try
        {
            return await RunAsync(attempt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new RpcClientTimeoutException($"JSON-RPC to {_endpoint} timed out (attempt timeout {_options.AttemptTimeout}, overall {_options.OverallTimeout}).", e);
        }
        catch (BrokenCircuitException e)
        {
            throw new RpcClientUnknownException($"JSON-RPC to {_endpoint} refused: the circuit breaker is open after repeated transient failures.", e);
        }
    }

    private JsonRpcException Translate(Exception e, string what, string method)
    {
        switch (e)
        {
            case JsonRpcException j:
                return j;
            case TimeoutRejectedException or RpcClientTimeoutException:
                return new TransientJsonRpcException($"JSON-RPC {what} to {_endpoint} timed out (attempt timeout {_options.AttemptTimeout}, overall {_options.OverallTimeout}).", method, e);
            case BrokenCircuitException:
                return new TransientJsonRpcException($"JSON-RPC {what} to {_endpoint} refused: the circuit breaker is open after repeated transient failures.", method, e);
        }

        for (var x = e.InnerException; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case TransportFault f when f.Transient:
                    return new TransientJsonRpcException($"JSON-RPC {what}: {f.Message}", method, e, f.HttpStatus) { RetryAfter = f.RetryAfter };
                case TransportFault f:
                    return new JsonRpcException($"JSON-RPC {what}: {f.Message}", method, inner: e);
                case MalformedResponseException m:
                    return new JsonRpcException($"JSON-RPC {what}: {m.Message}", method, inner: e);
                case Newtonsoft.Json.JsonException j:
                    return new JsonRpcException($"JSON-RPC {what}: the response from {_endpoint} is not valid JSON ({j.Message}).", method, inner: e);
                case HttpRequestException h when h.StatusCode is { } status:
                    return new JsonRpcException($"JSON-RPC {what}: HTTP {(int)status} from {_endpoint}.", method, inner: e);
                case HttpRequestException h:
                    return new TransientJsonRpcException($"JSON-RPC {what}: connection to {_endpoint} failed: {h.Message}", method, e);
                case IOException io:
                    return new TransientJsonRpcException($"JSON-RPC {what}: the response from {_endpoint} was cut short: {io.Message}", method, e);
            }
        }

        return new JsonRpcException($"JSON-RPC {what} to {_endpoint} failed: {e.Message}", method, inner: e);
    }

    private ResiliencePipeline BuildPipeline()
    {
        var transient = new PredicateBuilder().Handle<Exception>(e => Classify(e).Transient);
        var builder = new ResiliencePipelineBuilder().AddTimeout(_options.OverallTimeout);
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(5),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RateLimitDelay(args.Outcome.Exception, args.AttemptNumber)),
                OnRetry = args =>
                {
                    _logger.LogWarning("JSON-RPC attempt {Attempt} to {Endpoint} failed transiently ({Error}); retrying in {Delay}",
                        args.AttemptNumber + 1, _endpoint, args.Outcome.Exception?.Message, args.RetryDelay);
                    return default;
                },
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = _options.CircuitFailureRatio,
                MinimumThroughput = Math.Max(2, _options.CircuitMinimumThroughput),
                SamplingDuration = _options.CircuitSamplingDuration,
                BreakDuration = _options.CircuitBreakDuration,
                OnOpened = args =>
                {
                    _logger.LogError("JSON-RPC circuit to {Endpoint} opened for {Duration}", _endpoint, args.BreakDuration);
                    return default;
                },
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
    }

    /// <summary>The wait before retrying a rate-limited call; null (the regular backoff) for other faults.</summary>
    private TimeSpan? RateLimitDelay(Exception? e, int attempt)
    {
        if (e is null)
        {
            return null;
        }

        var fault = Classify(e);
        if (fault.RetryAfter is { } asked)
        {
            return Min(asked, _options.MaxRateLimitDelay);
        }

        return fault.RateLimited ? Min(_options.RateLimitDelay * Math.Pow(2, Math.Min(attempt, 16)), _options.MaxRateLimitDelay) : null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>
/// The HTTP handler under Nethereum's <see cref="RpcClient"/>. Exists because Nethereum reads the response itself and
/// reduces every HTTP failure to <c>EnsureSuccessStatusCode</c>, losing the <c>Retry-After</c> header, the status and
/// the difference between a cut-short body and a malformed one; it also takes no cancellation token. This handler links
/// the current attempt's token (<see cref="AttemptToken"/>), classifies the status (5xx, 408 and 429 transient, with
/// <c>Retry-After</c>; other non-2xx not), and buffers the body up to a size limit, reporting an empty or truncated
/// body as transient. Everything it finds is thrown as a <see cref="TransportFault"/>, which Nethereum wraps.
/// </summary>
internal sealed class TransportGuardHandler(Uri endpoint, int maxResponseBytes) : DelegatingHandler
{
    /// <summary>The token of the attempt in progress on this async flow, set by <see cref="ResilientRpcClient"/>.</summary>
    public static readonly AsyncLocal<CancellationToken> AttemptToken = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, AttemptToken.Value);
        var ct = linked.Token;
        var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        try
        {
            int status = (int)response.StatusCode;
            if (status >= 500 || status is 408 or 429)
            {
                throw new TransportFault($"HTTP {status} {response.ReasonPhrase} from {endpoint}.", transient: true, status, RetryAfter(response));
            }

            byte[] body = await ReadBodyAsync(response, ct).ConfigureAwait(false);
            if (body.Length == 0)
            {
                // An empty answer is what a proxy or node that dropped the request mid-way typically produces.
                throw new TransportFault($"empty response body (HTTP {status}) from {endpoint}.", transient: true, status, null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new TransportFault($"HTTP {status} {response.ReasonPhrase} from {endpoint}: {Preview(body)}", transient: false, status, null);
            }

            var buffered = new ByteArrayContent(body);
            foreach (var header in response.Content.Headers)
            {
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = buffered;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        long? declared = response.Content.Headers.ContentLength;
        if (declared > maxResponseBytes)
        {
            throw new TransportFault($"response of {declared} bytes exceeds the {maxResponseBytes}-byte limit.", transient: false, null, null);
        }

        using var buffer = new MemoryStream();
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var chunk = new byte[16384];
            int n;
            while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > maxResponseBytes)
                {
                    throw new TransportFault($"response exceeds the {maxResponseBytes}-byte limit.", transient: false, null, null);
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
        {
            throw new TransportFault($"the response from {endpoint} was cut short: {e.Message}", transient: true, null, null, e);
        }

        if (declared is { } expected && expected != buffer.Length)
        {
            throw new TransportFault($"response truncated ({buffer.Length} of {expected} bytes).", transient: true, null, null);
        }

        return buffer.ToArray();
    }

    private static string Preview(byte[] bytes)
    {
        const int max = 200;
        string text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, max));
        return bytes.Length > max ? text + "..." : text;
    }
}

/// <summary>A transport-level finding of <see cref="TransportGuardHandler"/>; Nethereum wraps it, the client unwraps it.</summary>
internal sealed class TransportFault(string message, bool transient, int? httpStatus, TimeSpan? retryAfter, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Transient { get; } = transient;

    public int? HttpStatus { get; } = httpStatus;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A JSON response that parsed but is not a valid JSON-RPC answer.</summary>
internal sealed class MalformedResponseException(string message) : Exception(message);

/// <summary>
/// Reads Nethereum's <see cref="RpcResponseMessage"/> strictly. Exists because Nethereum's own deserialisation accepts an
/// answer with neither <c>result</c> nor <c>error</c> as a null result (a broken proxy would read as "not found") and
/// parses date-like strings into dates. Registered in the <see cref="RpcClient"/>'s serializer settings.
/// </summary>
internal sealed class StrictResponseConverter : JsonConverter
{
    /// <summary>Nethereum's default settings plus this converter, with date parsing off.</summary>
    public static readonly JsonSerializerSettings Settings = CreateSettings();

    public override bool CanWrite => false;

    public override bool CanConvert(Type objectType) => objectType == typeof(RpcResponseMessage) || objectType == typeof(RpcResponseMessage[]);

    public override object ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        var token = JToken.ReadFrom(reader);
        if (objectType == typeof(RpcResponseMessage))
        {
            return ToMessage(token);
        }

        return token switch
        {
            JArray array => array.Select(ToMessage).ToArray(),
            JObject single when single["error"] is JObject => new[] { ToMessage(single) }, // the node rejected the whole batch
            _ => throw new MalformedResponseException($"expected a JSON array for a batch, got {token.Type}."),
        };
    }

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();

    private static RpcResponseMessage ToMessage(JToken token)
    {
        if (token is not JObject o)
        {
            throw new MalformedResponseException($"expected a JSON object, got {token.Type}.");
        }

        object? id = o["id"] is JValue { Value: var v } ? v : null;
        if (o.TryGetValue("error", out var error) && error.Type != JTokenType.Null)
        {
            if (error is not JObject)
            {
                throw new MalformedResponseException($"malformed error member ({error.Type}).");
            }

            return new RpcResponseMessage(id, error.ToObject<NodeError>()!);
        }

        if (!o.TryGetValue("result", out var result))
        {
            throw new MalformedResponseException("the response has neither 'result' nor 'error'.");
        }

        return new RpcResponseMessage(id, result);
    }

    private static JsonSerializerSettings CreateSettings()
    {
        var settings = DefaultJsonSerializerSettingsFactory.BuildDefaultJsonSerializerSettings();
        settings.DateParseHandling = DateParseHandling.None;
        settings.Converters.Add(new StrictResponseConverter());
        return settings;
    }
}
