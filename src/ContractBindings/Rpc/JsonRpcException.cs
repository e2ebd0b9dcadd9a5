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
}

/// <summary>
/// A transient failure: connection refused/reset, HTTP 5xx or 429, a timed-out attempt, or a body cut short.
/// The client retries these with backoff; it surfaces when every attempt failed.
/// </summary>
public sealed class TransientJsonRpcException : JsonRpcException
{
    /// <summary>Creates the exception.</summary>
    public TransientJsonRpcException(string message, string? method, Exception? inner = null, int? httpStatus = null)
        : base(message, method, null, null, inner)
    {
        HttpStatus = httpStatus;
    }

    /// <summary>The HTTP status code when the failure was an HTTP error status.</summary>
    public int? HttpStatus { get; }
}
