using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>Options for <see cref="JsonRpcClient"/>.</summary>
public sealed record JsonRpcClientOptions
{
    /// <summary>Timeout of a single HTTP attempt. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a whole call including retries. Default 60 s.</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt, on transient faults only. Default 6.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Base delay of the exponential, jittered backoff. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

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
/// JSON-RPC 2.0 over HTTP POST with batching and a Polly resilience pipeline: an overall timeout, retries with
/// exponential jittered backoff on transient faults only (connection errors, attempt timeouts, HTTP 5xx/429, truncated
/// bodies), a circuit breaker and a per-attempt timeout. Errors returned by the node (reverts, invalid params) and
/// malformed responses are never retried and surface as <see cref="JsonRpcException"/>. Thread-safe.
/// </summary>
public sealed class JsonRpcClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly JsonRpcClientOptions _options;
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
        _options = options ?? new JsonRpcClientOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (handler is null)
        {
            _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = _options.AttemptTimeout });
            _ownsHttp = true;
        }
        else
        {
            _http = new HttpClient(handler, disposeHandler: false);
        }

        _http.Timeout = Timeout.InfiniteTimeSpan; // timeouts come from the pipeline
        _pipeline = BuildPipeline();
    }

    /// <summary>The endpoint URL.</summary>
    public Uri Endpoint => _endpoint;

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
        var results = await ExecuteAsync([(method, parameters)], batch: false, cancellationToken).ConfigureAwait(false);
        return results[0].GetResultOrThrow();
    }

    /// <summary>
    /// Sends several calls in one JSON-RPC batch and returns their outcomes in request order. A transport failure retries
    /// (or fails) the whole batch; node errors are reported per call.
    /// </summary>
    /// <exception cref="JsonRpcException">The batch response was malformed or every attempt failed.</exception>
    public async Task<IReadOnlyList<JsonRpcResult>> SendBatchAsync(IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            return [];
        }

        return await ExecuteAsync(calls, batch: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private ResiliencePipeline BuildPipeline()
    {
        var transient = new PredicateBuilder()
            .Handle<TransientJsonRpcException>()
            .Handle<TimeoutRejectedException>();
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
                OnRetry = args =>
                {
                    _logger.LogWarning(args.Outcome.Exception, "JSON-RPC attempt {Attempt} failed transiently; retrying in {Delay}", args.AttemptNumber + 1, args.RetryDelay);
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

    private async Task<JsonRpcResult[]> ExecuteAsync(IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, bool batch, CancellationToken cancellationToken)
    {
        long firstId = Interlocked.Add(ref _nextId, calls.Count) - calls.Count + 1;
        byte[] body = BuildRequest(calls, firstId, batch);
        string what = batch ? $"batch of {calls.Count} ({calls[0].Method}...)" : calls[0].Method;
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct => await AttemptAsync(body, calls, firstId, batch, what, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new TransientJsonRpcException($"JSON-RPC {what} to {_endpoint} timed out (attempt timeout {_options.AttemptTimeout}, overall {_options.OverallTimeout}).", calls[0].Method, e);
        }
        catch (BrokenCircuitException e)
        {
            throw new TransientJsonRpcException($"JSON-RPC {what} to {_endpoint} refused: the circuit breaker is open after repeated transient failures.", calls[0].Method, e);
        }
    }

    private async Task<JsonRpcResult[]> AttemptAsync(byte[] body, IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, long firstId, bool batch, string what, CancellationToken ct)
    {
        byte[] responseBytes;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonMediaType;
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || response.StatusCode == HttpStatusCode.RequestTimeout)
            {
                throw new TransientJsonRpcException($"JSON-RPC {what}: HTTP {status} {response.ReasonPhrase} from {_endpoint}.", calls[0].Method, httpStatus: status);
            }

            responseBytes = await ReadBodyAsync(response, what, calls[0].Method, ct).ConfigureAwait(false);
            if (responseBytes.Length == 0)
            {
                // An empty 200 is what a proxy or node that dropped the request mid-way typically produces.
                throw new TransientJsonRpcException($"JSON-RPC {what}: empty response body (HTTP {status}) from {_endpoint}.", calls[0].Method, httpStatus: status);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new JsonRpcException($"JSON-RPC {what}: HTTP {status} {response.ReasonPhrase} from {_endpoint}: {Preview(responseBytes)}", calls[0].Method);
            }
        }
        catch (HttpRequestException e)
        {
            throw new TransientJsonRpcException($"JSON-RPC {what}: connection to {_endpoint} failed: {e.Message}", calls[0].Method, e);
        }
        catch (IOException e)
        {
            throw new TransientJsonRpcException($"JSON-RPC {what}: the response from {_endpoint} was cut short: {e.Message}", calls[0].Method, e);
        }

        return ParseResponse(responseBytes, calls, firstId, batch, what);
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string what, string method, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is long declared && declared > _options.MaxResponseBytes)
        {
            throw new JsonRpcException($"JSON-RPC {what}: response of {declared} bytes exceeds the {_options.MaxResponseBytes}-byte limit.", method);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(16384);
            int n = await stream.ReadAsync(memory, ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            buffer.Advance(n);
            if (buffer.WrittenCount > _options.MaxResponseBytes)
            {
                throw new JsonRpcException($"JSON-RPC {what}: response exceeds the {_options.MaxResponseBytes}-byte limit.", method);
            }
        }

        if (response.Content.Headers.ContentLength is long expected && expected != buffer.WrittenCount)
        {
            throw new TransientJsonRpcException($"JSON-RPC {what}: response truncated ({buffer.WrittenCount} of {expected} bytes).", method);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private JsonRpcResult[] ParseResponse(byte[] bytes, IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, long firstId, bool batch, string what)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new JsonRpcException($"JSON-RPC {what}: the response is not valid JSON ({e.Message}): {Preview(bytes)}", calls[0].Method, inner: e);
        }

        using (doc)
        {
            var results = new JsonRpcResult[calls.Count];
            var filled = new bool[calls.Count];
            var root = doc.RootElement;
            if (batch)
            {
                if (root.ValueKind != JsonValueKind.Array)
                {
                    // A node may answer a whole batch with one error object (e.g. batch too large).
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var batchError))
                    {
                        throw ErrorFrom(batchError, calls[0].Method, what);
                    }

                    throw new JsonRpcException($"JSON-RPC {what}: expected a JSON array for a batch, got {root.ValueKind}: {Preview(bytes)}", calls[0].Method);
                }

                foreach (var item in root.EnumerateArray())
                {
                    int index = MatchId(item, firstId, calls.Count, what, calls[0].Method);
                    if (filled[index])
                    {
                        throw new JsonRpcException($"JSON-RPC {what}: duplicate response for id {firstId + index}.", calls[index].Method);
                    }

                    results[index] = ParseOne(item, calls[index].Method, what);
                    filled[index] = true;
                }

                int missing = Array.IndexOf(filled, false);
                if (missing >= 0)
                {
                    throw new JsonRpcException($"JSON-RPC {what}: the batch response has no answer for id {firstId + missing} ({calls[missing].Method}).", calls[missing].Method);
                }
            }
            else
            {
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonRpcException($"JSON-RPC {what}: expected a JSON object, got {root.ValueKind}: {Preview(bytes)}", calls[0].Method);
                }

                MatchId(root, firstId, 1, what, calls[0].Method);
                results[0] = ParseOne(root, calls[0].Method, what);
            }

            return results;
        }
    }

    private static int MatchId(JsonElement item, long firstId, int count, string what, string method)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new JsonRpcException($"JSON-RPC {what}: a response entry is a {item.ValueKind}, not an object.", method);
        }

        if (!item.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out long id))
        {
            // Per JSON-RPC 2.0 an error for an unparseable request has id null; report that error if present.
            if (item.TryGetProperty("error", out var err) && count == 1)
            {
                throw ErrorFrom(err, method, what);
            }

            throw new JsonRpcException($"JSON-RPC {what}: response has a missing or non-numeric id.", method);
        }

        if (id < firstId || id >= firstId + count)
        {
            throw new JsonRpcException($"JSON-RPC {what}: response id {id} does not match the request id{(count == 1 ? $" {firstId}" : $"s {firstId}..{firstId + count - 1}")}.", method);
        }

        return (int)(id - firstId);
    }

    private static JsonRpcResult ParseOne(JsonElement item, string method, string what)
    {
        if (item.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            return new JsonRpcResult(null, ErrorFrom(error, method, what));
        }

        if (!item.TryGetProperty("result", out var result))
        {
            return new JsonRpcResult(null, new JsonRpcException($"JSON-RPC {method}: the response has neither 'result' nor 'error'.", method));
        }

        return new JsonRpcResult(result.Clone(), null);
    }

    private static JsonRpcException ErrorFrom(JsonElement error, string method, string what)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return new JsonRpcException($"JSON-RPC {what}: malformed error member ({error.ValueKind}).", method);
        }

        int? code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int ci) ? ci : null;
        string message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        string? data = error.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? d.GetRawText() : null;
        return new JsonRpcException($"JSON-RPC {method} failed with code {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: {message}", method, code, data)
        {
            NodeMessage = message,
        };
    }

    private static string Preview(byte[] bytes)
    {
        const int max = 200;
        string text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, max));
        return bytes.Length > max ? text + "..." : text;
    }

    private static byte[] BuildRequest(IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, long firstId, bool batch)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (batch)
            {
                writer.WriteStartArray();
            }

            for (int i = 0; i < calls.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc", "2.0");
                writer.WriteNumber("id", firstId + i);
                writer.WriteString("method", calls[i].Method);
                writer.WritePropertyName("params");
                writer.WriteStartArray();
                foreach (var p in calls[i].Parameters)
                {
                    WriteValue(writer, p);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            if (batch)
            {
                writer.WriteEndArray();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case ulong ul:
                writer.WriteNumberValue(ul);
                break;
            case uint ui:
                writer.WriteNumberValue(ui);
                break;
            case double dbl:
                writer.WriteNumberValue(dbl);
                break;
            case BigInteger big:
                writer.WriteStringValue(Quantity.Encode(big));
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    writer.WritePropertyName(k);
                    WriteValue(writer, v);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Unsupported JSON-RPC parameter type {value.GetType().Name}.");
        }
    }
}
