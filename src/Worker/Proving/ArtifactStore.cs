using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Proving;

/// <summary>A circuit's registered artifacts could not be fetched, or they do not match the registered hash.</summary>
public sealed class ArtifactRejectedException(string message) : Exception(message);

/// <summary>
/// Fetches the artifacts (proving key and witness generator) a circuit is registered with, checks them against the
/// registered <c>artifactsHash</c> and keeps them in a content-addressed cache, so that a restart reuses them and a
/// changed registration fetches anew.
/// </summary>
/// <remarks>
/// <para>The registered <c>artifactsURI</c> names an <b>artifact manifest</b>: a JSON object
/// <c>{"zkey": "...", "wasm": "..."}</c> whose two references are URIs or paths relative to the manifest
/// (<see cref="ManifestFileName"/> by convention). A URI that names a directory (<c>file:///x/</c>, or a path ending in
/// <c>/</c>) means <c>&lt;dir&gt;/artifacts.json</c>. Schemes: <c>file</c>, <c>http</c>, <c>https</c>; a manifest fetched
/// over http(s) may not name a <c>file://</c> reference. Each download has one total deadline (connect, headers and
/// body); a file reference must be a regular file.</para>
/// <para>The cache lives at <c>&lt;cacheDir&gt;/&lt;artifactsHash&gt;/</c>. A download goes to a temporary folder, is
/// hashed (<c>keccak256(keccak256(zkey) ‖ keccak256(wasm))</c>, streamed) and is only then moved into place, so a crash
/// mid-download never leaves a half-written entry that looks valid; an entry that fails its hash is deleted and fetched
/// again.</para>
/// </remarks>
public sealed class ArtifactStore
{
    /// <summary>The manifest's file name when the artifacts URI names a directory.</summary>
    public const string ManifestFileName = "artifacts.json";

    private const string ZkeyName = "circuit.zkey";
    private const string WasmName = "circuit.wasm";

    private readonly string _cacheDir;
    private readonly HttpClient _http;
    private readonly ILogger _log;
    private readonly long _maxBytes;
    private readonly TimeSpan _fetchTimeout;

    /// <summary>The default total deadline of one artifact download (proving keys run to gigabytes).</summary>
    public static readonly TimeSpan DefaultFetchTimeout = TimeSpan.FromMinutes(30);

    /// <param name="cacheDir">Cache folder (created when missing).</param>
    /// <param name="http">Client for http(s) artifacts.</param>
    /// <param name="logger">Log.</param>
    /// <param name="maxBytes">Largest artifact file accepted.</param>
    /// <param name="fetchTimeout">Total deadline of each download (the manifest, the zkey, the wasm): connect, headers
    ///     and body together (default <see cref="DefaultFetchTimeout"/>).</param>
    public ArtifactStore(string cacheDir, HttpClient http, ILogger logger, long maxBytes = 16L << 30, TimeSpan? fetchTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDir);
        _cacheDir = Path.GetFullPath(cacheDir);
        _http = http;
        _log = logger;
        _maxBytes = maxBytes;
        _fetchTimeout = fetchTimeout ?? DefaultFetchTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_fetchTimeout, TimeSpan.Zero, nameof(fetchTimeout));
    }

    /// <summary>
    /// The artifacts hash a circuit is registered with: <c>keccak256(keccak256(zkey) ‖ keccak256(wasm))</c>, each file
    /// streamed.
    /// </summary>
    public static async Task<byte[]> ComputeHashAsync(string zkeyPath, string wasmPath, CancellationToken cancellationToken = default)
    {
        var both = new byte[64];
        (await Keccak.HashFileAsync(zkeyPath, cancellationToken).ConfigureAwait(false)).CopyTo(both, 0);
        (await Keccak.HashFileAsync(wasmPath, cancellationToken).ConfigureAwait(false)).CopyTo(both, 32);
        return Keccak.Hash(both);
    }

    /// <summary>
    /// Writes an artifact manifest for a circuit's owner to publish (its URI is what the registry records).
    /// </summary>
    /// <param name="manifestPath">Where to write it (conventionally <c>&lt;dir&gt;/artifacts.json</c>).</param>
    /// <param name="zkeyReference">The proving key: a URI, or a path relative to the manifest.</param>
    /// <param name="wasmReference">The witness generator: a URI, or a path relative to the manifest.</param>
    public static void WriteManifest(string manifestPath, string zkeyReference, string wasmReference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zkeyReference);
        ArgumentException.ThrowIfNullOrWhiteSpace(wasmReference);
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(new { zkey = zkeyReference, wasm = wasmReference }));
    }

    /// <summary>Returns the circuit's artifacts from the cache, fetching them from <paramref name="artifactsUri"/> first if needed.</summary>
    /// <param name="circuitId">Registry id (for the result and the messages).</param>
    /// <param name="artifactsUri">The registered artifacts URI (an artifact manifest).</param>
    /// <param name="expectedHash">The registered artifacts hash.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <exception cref="ArtifactRejectedException">The manifest or a file is unreachable, malformed, too large, or the
    /// fetched artifacts do not hash to <paramref name="expectedHash"/>.</exception>
    public async Task<CircuitArtifacts> ResolveAsync(uint circuitId, string artifactsUri, byte[] expectedHash, CancellationToken cancellationToken)
    {
        if (expectedHash.Length != 32 || expectedHash.All(b => b == 0))
            throw new ArtifactRejectedException($"circuit {circuitId}: the registered artifacts hash is empty");
        var key = Hex.Encode(expectedHash)[2..];
        var entry = Path.Combine(_cacheDir, key);
        var cached = new CircuitArtifacts(circuitId, Path.Combine(entry, ZkeyName), Path.Combine(entry, WasmName));
        if (File.Exists(cached.ZkeyPath) && File.Exists(cached.WasmPath))
        {
            var actual = await ComputeHashAsync(cached.ZkeyPath, cached.WasmPath, cancellationToken).ConfigureAwait(false);
            if (CryptographicOperations.FixedTimeEquals(actual, expectedHash))
            {
                _log.LogInformation("Circuit {Circuit}: artifacts {Hash} found in the cache {Dir}", circuitId, key, entry);
                return cached;
            }
            _log.LogWarning("Circuit {Circuit}: cached artifacts at {Dir} hash to {Actual}, not {Expected}; fetching them again",
                circuitId, entry, Hex.Encode(actual), Hex.Encode(expectedHash));
            Directory.Delete(entry, recursive: true);
        }

        var manifestUri = ManifestUri(circuitId, artifactsUri);
        var manifest = await ReadManifestAsync(circuitId, manifestUri, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(_cacheDir);
        var staging = Path.Combine(_cacheDir, $".{key}.{Guid.NewGuid():n}.partial");
        Directory.CreateDirectory(staging);
        try
        {
            var zkey = Path.Combine(staging, ZkeyName);
            var wasm = Path.Combine(staging, WasmName);
            await DownloadAsync(circuitId, "zkey", Reference(circuitId, manifestUri, manifest.Zkey, "zkey"), zkey, cancellationToken).ConfigureAwait(false);
            await DownloadAsync(circuitId, "wasm", Reference(circuitId, manifestUri, manifest.Wasm, "wasm"), wasm, cancellationToken).ConfigureAwait(false);
            var actual = await ComputeHashAsync(zkey, wasm, cancellationToken).ConfigureAwait(false);
            if (!CryptographicOperations.FixedTimeEquals(actual, expectedHash))
                throw new ArtifactRejectedException(
                    $"circuit {circuitId}: the artifacts at '{artifactsUri}' hash to {Hex.Encode(actual)} but the registry commits to {Hex.Encode(expectedHash)}");
            try
            {
                Directory.Move(staging, entry);
            }
            catch (IOException) when (File.Exists(cached.ZkeyPath) && File.Exists(cached.WasmPath))
            {
                // Another worker sharing the cache finished the same fetch first; its entry is identical by hash.
            }
            _log.LogInformation("Circuit {Circuit}: fetched artifacts {Hash} from {Uri} into {Dir}", circuitId, key, manifestUri, entry);
            return cached;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private sealed record Manifest(string Zkey, string Wasm);

    private static Uri ManifestUri(uint circuitId, string artifactsUri)
    {
        if (string.IsNullOrWhiteSpace(artifactsUri))
            throw new ArtifactRejectedException($"circuit {circuitId}: no artifacts URI is registered");
        if (!Uri.TryCreate(artifactsUri, UriKind.Absolute, out var u))
            throw new ArtifactRejectedException($"circuit {circuitId}: artifacts URI '{artifactsUri}' is not an absolute URI");
        if (!BoundedFetch.IsSupported(u))
            throw new ArtifactRejectedException($"circuit {circuitId}: artifacts URI scheme '{u.Scheme}' is not supported (file, http, https)");
        if (u.IsFile && Directory.Exists(u.LocalPath)) return new Uri(Path.Combine(u.LocalPath, ManifestFileName));
        if (u.AbsolutePath.EndsWith('/')) return new Uri(u, ManifestFileName);
        return u;
    }

    private async Task<Manifest> ReadManifestAsync(uint circuitId, Uri uri, CancellationToken ct)
    {
        byte[] bytes;
        using (var body = new MemoryStream())
        {
            await CopyAsync(circuitId, "manifest", uri, body, 1 << 20, ct).ConfigureAwait(false);
            bytes = body.ToArray();
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ArtifactRejectedException($"circuit {circuitId}: artifact manifest '{uri}' is not a JSON object");
            return new Manifest(Field(root, "zkey"), Field(root, "wasm"));
        }
        catch (JsonException e)
        {
            throw new ArtifactRejectedException($"circuit {circuitId}: artifact manifest '{uri}' is not valid JSON: {e.Message}");
        }

        string Field(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                ? s
                : throw new ArtifactRejectedException($"circuit {circuitId}: artifact manifest '{uri}' has no \"{name}\" string");
    }

    private static Uri Reference(uint circuitId, Uri manifest, string reference, string what)
    {
        if (!Uri.TryCreate(manifest, reference, out var u))
            throw new ArtifactRejectedException($"circuit {circuitId}: the manifest's {what} reference '{reference}' is not a URI");
        if (!BoundedFetch.IsSupported(u))
            throw new ArtifactRejectedException($"circuit {circuitId}: the manifest's {what} URI scheme '{u.Scheme}' is not supported (file, http, https)");
        // A manifest someone serves over the network does not get to name files on this machine: that would read
        // (and hash, and cache) whatever local file it chose.
        if (!manifest.IsFile && u.IsFile)
            throw new ArtifactRejectedException(
                $"circuit {circuitId}: the artifact manifest '{manifest}' was fetched over {manifest.Scheme} but its {what} reference '{reference}' names a local file (file://), which only a local manifest may do");
        return u;
    }

    private async Task DownloadAsync(uint circuitId, string what, Uri from, string to, CancellationToken ct)
    {
        await using var file = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await CopyAsync(circuitId, what, from, file, _maxBytes, ct).ConfigureAwait(false);
    }

    /// <summary>Copies one resource into <paramref name="to"/>, refusing more than <paramref name="limit"/> bytes.</summary>
    private Task CopyAsync(uint circuitId, string what, Uri from, Stream to, long limit, CancellationToken ct) =>
        BoundedFetch.CopyAsync(_http, from, to, limit, _fetchTimeout, $"circuit {circuitId}: {what}",
            m => new ArtifactRejectedException(m), m => new ArtifactRejectedException(m), ct);
}
