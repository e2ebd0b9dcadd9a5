using System.Security.Cryptography;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Proving;

/// <summary>A request's input could not be fetched or does not match its hash.</summary>
public sealed class InputRejectedException(string message) : Exception(message);

/// <summary>Fetches a request's input (inline bytes, a <c>file://</c> path or an http(s) URL) and checks its Keccak-256 hash.</summary>
public sealed class InputFetcher(HttpClient http, long maxBytes = 64 << 20)
{
    /// <summary>Returns the input bytes once their hash equals <paramref name="expectedHash"/>.</summary>
    /// <exception cref="InputRejectedException">Unreachable, too large, unsupported scheme, or a hash mismatch.</exception>
    public async Task<byte[]> FetchAsync(byte[] inline, string uri, byte[] expectedHash, CancellationToken cancellationToken)
    {
        byte[] data;
        if (inline.Length > 0 || string.IsNullOrEmpty(uri))
        {
            data = inline;
        }
        else if (!Uri.TryCreate(uri, UriKind.Absolute, out var u))
        {
            throw new InputRejectedException($"input URI '{uri}' is not an absolute URI");
        }
        else
        {
            using var body = new MemoryStream();
            await BoundedFetch.CopyAsync(http, u, body, maxBytes, "input", m => new InputRejectedException(m), cancellationToken).ConfigureAwait(false);
            data = body.ToArray();
        }

        var actual = Keccak.Hash(data);
        if (!CryptographicOperations.FixedTimeEquals(actual, expectedHash))
            throw new InputRejectedException($"input hash mismatch: the request commits to {Hex.Encode(expectedHash)} but the input hashes to {Hex.Encode(actual)}");
        return data;
    }
}
