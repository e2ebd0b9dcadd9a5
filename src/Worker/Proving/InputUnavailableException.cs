namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// A request's input could not be fetched for a reason that may pass (a timeout, an HTTP 5xx, 408 or 429, a refused or
/// reset connection, a failed name lookup): the worker retries with backoff until the request's own deadlines. Unlike
/// <see cref="InputRejectedException"/>, it says nothing against the request.
/// </summary>
public sealed class InputUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
