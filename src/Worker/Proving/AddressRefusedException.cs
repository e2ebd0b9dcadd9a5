namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// Thrown by <see cref="InputUriPolicy"/>'s connect callback when a host resolves to an address the policy refuses.
/// The HTTP handler wraps it in an <see cref="HttpRequestException"/>; <see cref="BoundedFetch"/> finds it there and
/// turns it into a permanent refusal with this message.
/// </summary>
internal sealed class AddressRefusedException(string message) : Exception(message);
