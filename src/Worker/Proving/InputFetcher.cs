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
        else if (u.IsFile)
        {
            var info = new FileInfo(u.LocalPath);
            if (!info.Exists) throw new InputRejectedException($"input file '{u.LocalPath}' does not exist");
            if (info.Length > maxBytes) throw new InputRejectedException($"input file '{u.LocalPath}' is {info.Length} bytes, over the {maxBytes}-byte limit");
            data = await File.ReadAllBytesAsync(u.LocalPath, cancellationToken).ConfigureAwait(false);
        }
        else if (u.Scheme is "http" or "https")
        {
            try
            {
                using var resp = await http.GetAsync(u, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!resp.IsSuccessStatusCode) throw new InputRejectedException($"input URL '{uri}' answered HTTP {(int)resp.StatusCode}");
                if (resp.Content.Headers.ContentLength > maxBytes) throw new InputRejectedException($"input URL '{uri}' is over the {maxBytes}-byte limit");
                data = await resp.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new InputRejectedException($"input URL '{uri}' is unreachable: {e.Message}");
            }
        }
        else
        {
            throw new InputRejectedException($"input URI scheme '{u.Scheme}' is not supported (file, http, https)");
        }

        var actual = Keccak.Hash(data);
        if (!CryptographicOperations.FixedTimeEquals(actual, expectedHash))
            throw new InputRejectedException($"input hash mismatch: the request commits to {Hex.Encode(expectedHash)} but the input hashes to {Hex.Encode(actual)}");
        return data;
    }
}
