using System.Globalization;
using System.Text.Json;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// A JSON-RPC call failed: the node returned an error object, or the response was malformed (not JSON, wrong id,
/// missing result, truncated), or the transport failed. <see cref="Code"/> and <see cref="ErrorData"/> are set when the
/// node returned an error object.
/// </summary>
public class JsonRpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="method">The JSON-RPC method that failed.</param>
    /// <param name="code">The error code from the node's error object, if any.</param>
    /// <param name="errorData">The raw JSON of the error object's <c>data</c> member, if any.</param>
    /// <param name="inner">The underlying cause.</param>
    public JsonRpcException(string message, string? method = null, int? code = null, string? errorData = null, Exception? inner = null)
        : base(message, inner)
    {
        Method = method;
        Code = code;
        ErrorData = errorData;
    }

    /// <summary>The JSON-RPC method, when known.</summary>
    public string? Method { get; }

    /// <summary>The node's error code, when the node returned an error object.</summary>
    public int? Code { get; }

    /// <summary>The node's error <c>data</c> as raw JSON (for reverts usually a quoted hex string).</summary>
    public string? ErrorData { get; }

    /// <summary>The node's error message without our prefix, when it returned an error object.</summary>
    public string? NodeMessage { get; init; }

    /// <summary>
    /// True when the node refused an <c>eth_getLogs</c> query as too large (too many blocks or too many results); the
    /// query should be split, not retried as is. Nodes word this differently ("block range is too large", "query
    /// returned more than 10000 results", "exceed maximum block range") under codes -32005, -32602 or -32000.
    /// </summary>
    public bool IsRangeTooLarge => this is not TransientJsonRpcException && NodeErrors.IsRangeTooLarge(NodeMessage);
}

/// <summary>
/// A transient failure: connection refused/reset, HTTP 5xx or 429, a timed-out attempt, a body cut short, or a node's
/// rate-limit answer (JSON-RPC error -32005). The client retries these with backoff; it surfaces when every attempt failed.
/// </summary>
public sealed class TransientJsonRpcException : JsonRpcException
{
    /// <summary>Creates the exception.</summary>
    public TransientJsonRpcException(string message, string? method, Exception? inner = null, int? httpStatus = null)
        : base(message, method, null, null, inner)
    {
        HttpStatus = httpStatus;
    }

    /// <summary>Creates the exception for a node error that is worth retrying (a rate limit).</summary>
    public TransientJsonRpcException(string message, string? method, int? code, string? errorData, Exception? inner = null)
        : base(message, method, code, errorData, inner)
    {
    }

    /// <summary>The HTTP status code when the failure was an HTTP error status.</summary>
    public int? HttpStatus { get; }

    /// <summary>
    /// How long the server asked us to wait before retrying: an HTTP <c>Retry-After</c> header, or a delay suggested in the
    /// data of a -32005 error. Null when it named none.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True when the server refused the call for exceeding a rate limit (HTTP 429 or JSON-RPC -32005).</summary>
    public bool IsRateLimit => HttpStatus == 429 || NodeErrors.IsRateLimit(Code, NodeMessage);
}

/// <summary>How nodes word the errors that the client and the log poller treat specially.</summary>
internal static class NodeErrors
{
    /// <summary>JSON-RPC "limit exceeded" (EIP-1474): rate limits, but some nodes also use it for oversized log queries.</summary>
    public const int LimitExceeded = -32005;

    private static readonly string[] RangeTooLargeFragments =
    [
        "block range", "range is too large", "range too large", "exceed maximum block range", "exceeds maximum block range",
        "more than 10000 results", "returned more than", "too many results", "response size", "max results", "log response size",
    ];

    // Keys under which providers put a suggested wait in a -32005 error's data (Infura: data.rate.backoff_seconds).
    private static readonly string[] SecondsKeys = ["backoff_seconds", "backoffSeconds", "retry_after", "retryAfter", "retry_after_seconds", "try_again_in"];
    private static readonly string[] MillisecondKeys = ["backoff_ms", "retry_after_ms", "retryAfterMs"];

    /// <summary>True when <paramref name="message"/> says a log query covered too many blocks or results.</summary>
    public static bool IsRangeTooLarge(string? message) =>
        message is not null && RangeTooLargeFragments.Any(f => message.Contains(f, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for -32005 unless the message says the query was too large (which a retry cannot fix).</summary>
    public static bool IsRateLimit(int? code, string? message) => code == LimitExceeded && !IsRangeTooLarge(message);

    /// <summary>A delay suggested in an error's raw JSON <c>data</c>, searched to any depth; null when there is none.</summary>
    public static TimeSpan? SuggestedDelay(string? rawData)
    {
        if (rawData is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(rawData);
            return Find(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? Find(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            return e.EnumerateArray().Select(Find).FirstOrDefault(d => d is not null);
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var p in e.EnumerateObject())
        {
            bool seconds = SecondsKeys.Contains(p.Name, StringComparer.OrdinalIgnoreCase);
            bool millis = MillisecondKeys.Contains(p.Name, StringComparer.OrdinalIgnoreCase);
            if ((seconds || millis) && Number(p.Value) is { } n && n >= 0)
            {
                return seconds ? TimeSpan.FromSeconds(n) : TimeSpan.FromMilliseconds(n);
            }

            if (Find(p.Value) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    private static double? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString()?.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => null,
    };
}
