namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// A request's input is refused for good: asking again cannot change the answer. A hash mismatch, an input over the
/// size limit, a malformed URI, a scheme or address the worker's input URI policy refuses (<see cref="InputUriPolicy"/>),
/// a file that is not a regular file, or an HTTP 4xx answer other than 408 and 429. The message names the URI and the
/// problem. Compare <see cref="InputUnavailableException"/>, for faults that may pass.
/// </summary>
public sealed class InputRejectedException(string message) : Exception(message);
