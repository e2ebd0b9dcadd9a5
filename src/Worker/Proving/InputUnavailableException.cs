namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// A request's input could not be fetched this time, for a reason that may pass: the fetch ran past its total deadline
/// (<see cref="Configuration.WorkerOptions.InputFetchTimeout"/>), the server answered HTTP 5xx, 408 or 429, the
/// connection was refused or reset, or the host name did not resolve. The caller may try again later (with backoff,
/// within the request's own deadlines). It is not an <see cref="InputRejectedException"/>, and neither derives from the
/// other, so a catch of one never swallows the other. The message names the URI and the fault.
/// </summary>
public sealed class InputUnavailableException(string message) : Exception(message);
