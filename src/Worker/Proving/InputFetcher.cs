using System.Security.Cryptography;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// Fetches a request's input (inline bytes, a <c>file://</c> path or an http(s) URL) under the worker's
/// <see cref="InputUriPolicy"/> and one total deadline per fetch, and checks its Keccak-256 hash. It owns its HTTP
/// client, built on the policy's handler, so that no input is fetched around the policy.
/// </summary>
public sealed class InputFetcher : IDisposable
{
    /// <summary>The default total deadline of one fetch (<see cref="Configuration.WorkerOptions.InputFetchTimeout"/>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly InputUriPolicy _policy;
    private readonly TimeSpan _timeout;
    private readonly long _maxBytes;

    /// <param name="policy">Which URIs may be read.</param>
    /// <param name="timeout">Total deadline of one fetch: connect, headers and body (default <see cref="DefaultTimeout"/>).</param>
    /// <param name="maxBytes">Largest input accepted.</param>
    public InputFetcher(InputUriPolicy policy, TimeSpan? timeout = null, long maxBytes = 64 << 20)
    {
        _policy = policy;
        _timeout = timeout ?? DefaultTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_timeout, TimeSpan.Zero, nameof(timeout));
        _maxBytes = maxBytes;
        // The deadline is BoundedFetch's linked token; the client's own timeout would only cover the headers.
        _http = new HttpClient(policy.CreateHandler(_timeout)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Returns the input bytes once their hash equals <paramref name="expectedHash"/>.</summary>
    /// <exception cref="InputRejectedException">A permanent fault: a malformed URI, a scheme or address the policy
    /// refuses, a file that is not a regular file, too many bytes, an HTTP 4xx answer (but 408 and 429), or a hash
    /// mismatch.</exception>
    /// <exception cref="InputUnavailableException">A fault that may pass: the deadline, an HTTP 5xx, 408 or 429
    /// answer, a refused or reset connection, a name that did not resolve.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
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
            _policy.Check(u);
            using var body = new MemoryStream();
            await BoundedFetch.CopyAsync(_http, u, body, _maxBytes, _timeout, "input",
                m => new InputRejectedException(m), m => new InputUnavailableException(m), cancellationToken).ConfigureAwait(false);
            data = body.ToArray();
        }

        var actual = Keccak.Hash(data);
        if (!CryptographicOperations.FixedTimeEquals(actual, expectedHash))
            throw new InputRejectedException($"input hash mismatch: the request commits to {Hex.Encode(expectedHash)} but the input hashes to {Hex.Encode(actual)}");
        return data;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
