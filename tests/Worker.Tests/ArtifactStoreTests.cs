using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Proving;
using ProverMarketChain.Worker.Tests.Infrastructure;

namespace ProverMarketChain.Worker.Tests;

/// <summary>Fetching registered artifacts through a manifest, checking their hash and caching them.</summary>
public sealed class ArtifactStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-artifacts-test-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A published circuit: a zkey and a wasm (random bytes: the store only moves and hashes them) and a manifest.</summary>
    private (string Dir, byte[] Hash, byte[] Zkey, byte[] Wasm) Publish(string name, int seed)
    {
        var pub = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        var zkey = new byte[300_000 + seed];
        var wasm = new byte[70_000 + seed];
        new Random(seed).NextBytes(zkey);
        new Random(seed + 1).NextBytes(wasm);
        Directory.CreateDirectory(Path.Combine(pub, "c_js"));
        File.WriteAllBytes(Path.Combine(pub, "c.zkey"), zkey);
        File.WriteAllBytes(Path.Combine(pub, "c_js", "c.wasm"), wasm);
        ArtifactStore.WriteManifest(Path.Combine(pub, ArtifactStore.ManifestFileName), "c.zkey", "c_js/c.wasm");
        var both = Keccak.Hash(zkey).Concat(Keccak.Hash(wasm)).ToArray();
        return (pub, Keccak.Hash(both), zkey, wasm);
    }

    private ArtifactStore Store(string cache = "cache") => new(Path.Combine(_dir, cache), _http, NullLogger.Instance);

    [Fact]
    public async Task ComputeHashAsync_isKeccakOfTheTwoFileHashes()
    {
        var (pub, hash, _, _) = Publish("p", 1);
        Assert.Equal(hash, await ArtifactStore.ComputeHashAsync(Path.Combine(pub, "c.zkey"), Path.Combine(pub, "c_js", "c.wasm")));
    }

    [Fact]
    public async Task Resolve_fromAFileManifest_fetchesChecksAndCaches()
    {
        var (pub, hash, zkey, wasm) = Publish("p", 2);
        var store = Store();
        var a = await store.ResolveAsync(7, new Uri(Path.Combine(pub, ArtifactStore.ManifestFileName)).AbsoluteUri, hash, default);
        Assert.Equal(7u, a.CircuitId);
        Assert.Equal(zkey, File.ReadAllBytes(a.ZkeyPath));
        Assert.Equal(wasm, File.ReadAllBytes(a.WasmPath));
        Assert.StartsWith(Path.Combine(_dir, "cache"), a.ZkeyPath, StringComparison.Ordinal);

        // A restart finds the cached copy without the source.
        Directory.Delete(pub, recursive: true);
        var again = await store.ResolveAsync(7, "file:///nowhere/artifacts.json", hash, default);
        Assert.Equal(a, again);
    }

    [Fact]
    public async Task Resolve_aDirectoryUri_readsItsArtifactsJson()
    {
        var (pub, hash, zkey, _) = Publish("p", 3);
        var a = await Store().ResolveAsync(1, new Uri(pub + "/").AbsoluteUri, hash, default);
        Assert.Equal(zkey, File.ReadAllBytes(a.ZkeyPath));
    }

    [Fact]
    public async Task Resolve_artifactsThatHashDifferently_areRejectedAndNotCached()
    {
        var (pub, hash, _, _) = Publish("p", 4);
        File.AppendAllText(Path.Combine(pub, "c_js", "c.wasm"), "tampered");
        var store = Store();
        var e = await Assert.ThrowsAsync<ArtifactRejectedException>(() =>
            store.ResolveAsync(3, new Uri(Path.Combine(pub, ArtifactStore.ManifestFileName)).AbsoluteUri, hash, default));
        Assert.Contains("circuit 3", e.Message);
        Assert.Contains("but the registry commits to " + Hex.Encode(hash), e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "cache")));
    }

    [Fact]
    public async Task Resolve_aCorruptedCacheEntry_isFetchedAgain()
    {
        var (pub, hash, zkey, _) = Publish("p", 5);
        var store = Store();
        var uri = new Uri(Path.Combine(pub, ArtifactStore.ManifestFileName)).AbsoluteUri;
        var a = await store.ResolveAsync(1, uri, hash, default);
        File.WriteAllText(a.ZkeyPath, "bit rot");
        var b = await store.ResolveAsync(1, uri, hash, default);
        Assert.Equal(zkey, File.ReadAllBytes(b.ZkeyPath));
    }

    [Theory]
    [InlineData("", "no artifacts URI is registered")]
    [InlineData("not a uri", "is not an absolute URI")]
    [InlineData("ftp://example.org/a.json", "scheme 'ftp' is not supported")]
    [InlineData("file:///definitely/missing/artifacts.json", "does not exist")]
    public async Task Resolve_aBadUri_namesTheProblem(string uri, string expected)
    {
        var e = await Assert.ThrowsAsync<ArtifactRejectedException>(() => Store().ResolveAsync(9, uri, Keccak.Hash([1]), default));
        Assert.Contains(expected, e.Message);
        Assert.Contains("circuit 9", e.Message);
    }

    [Theory]
    [InlineData("[1,2]", "is not a JSON object")]
    [InlineData("{\"zkey\": \"c.zkey\"}", "has no \"wasm\" string")]
    [InlineData("{not json", "is not valid JSON")]
    [InlineData("{\"zkey\": \"c.zkey\", \"wasm\": \"gopher://x/y\"}", "wasm URI scheme 'gopher' is not supported")]
    [InlineData("{\"zkey\": \"missing.zkey\", \"wasm\": \"c_js/c.wasm\"}", "zkey file")]
    public async Task Resolve_aBadManifest_namesTheProblem(string manifest, string expected)
    {
        var (pub, hash, _, _) = Publish("p", 6);
        var path = Path.Combine(pub, ArtifactStore.ManifestFileName);
        File.WriteAllText(path, manifest);
        var e = await Assert.ThrowsAsync<ArtifactRejectedException>(() => Store().ResolveAsync(2, new Uri(path).AbsoluteUri, hash, default));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Resolve_anEmptyRegisteredHash_isRefused()
    {
        var e = await Assert.ThrowsAsync<ArtifactRejectedException>(() => Store().ResolveAsync(4, "file:///x/artifacts.json", new byte[32], default));
        Assert.Contains("registered artifacts hash is empty", e.Message);
    }

    [Fact]
    public async Task Resolve_overHttp_fetchesChecksAndEnforcesTheSizeLimit()
    {
        var (pub, hash, zkey, wasm) = Publish("p", 8);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var prefix = $"http://127.0.0.1:{port}/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var served = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                var file = Path.Combine(pub, ctx.Request.Url!.AbsolutePath.TrimStart('/'));
                if (File.Exists(file))
                {
                    var bytes = File.ReadAllBytes(file);
                    ctx.Response.ContentLength64 = bytes.Length;
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                }
                else
                {
                    ctx.Response.StatusCode = 404;
                }
                ctx.Response.Close();
            }
        });

        var a = await Store("http-cache").ResolveAsync(5, prefix + ArtifactStore.ManifestFileName, hash, default);
        Assert.Equal(zkey, File.ReadAllBytes(a.ZkeyPath));
        Assert.Equal(wasm, File.ReadAllBytes(a.WasmPath));

        var missing = await Assert.ThrowsAsync<ArtifactRejectedException>(() => Store("c2").ResolveAsync(5, prefix + "nope.json", hash, default));
        Assert.Contains("answered HTTP 404", missing.Message);

        var small = new ArtifactStore(Path.Combine(_dir, "c3"), _http, NullLogger.Instance, maxBytes: 100_000);
        var big = await Assert.ThrowsAsync<ArtifactRejectedException>(() => small.ResolveAsync(5, prefix + ArtifactStore.ManifestFileName, hash, default));
        Assert.Contains("over the 100000-byte limit", big.Message);

        stop.Cancel();
        listener.Stop();
        await served;
    }

    /// <summary>
    /// A manifest served over http may not name a file on the worker's machine (it would have the worker read, hash
    /// and cache any local file): refused, naming the reference. A relative reference resolves against the manifest's
    /// http URL and is fetched as usual.
    /// </summary>
    [Theory]
    [InlineData("zkey", "file:///etc/passwd")]
    [InlineData("wasm", "file:///dev/zero")]
    public async Task Resolve_anHttpManifestNamingAFileUri_isRefused(string field, string reference)
    {
        var (pub, hash, _, _) = Publish("p", 9);
        var manifest = field == "zkey"
            ? $"{{\"zkey\": \"{reference}\", \"wasm\": \"c_js/c.wasm\"}}"
            : $"{{\"zkey\": \"c.zkey\", \"wasm\": \"{reference}\"}}";
        await using var server = new ScriptedHttpServer((path, s, ct) => path == "/artifacts.json"
            ? ScriptedHttpServer.WriteAsync(s, 200, System.Text.Encoding.UTF8.GetBytes(manifest), ct)
            : File.Exists(Path.Combine(pub, path.TrimStart('/')))
                ? ScriptedHttpServer.WriteAsync(s, 200, File.ReadAllBytes(Path.Combine(pub, path.TrimStart('/'))), ct)
                : ScriptedHttpServer.WriteAsync(s, 404, [], ct));
        var e = await Assert.ThrowsAsync<ArtifactRejectedException>(() => Store("http-file").ResolveAsync(6, server.Url("/artifacts.json"), hash, default));
        Assert.Contains("circuit 6", e.Message);
        Assert.Contains($"its {field} reference '{reference}' names a local file (file://)", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "http-file")));

        // The same files named relative to the manifest are fetched over http and accepted.
        manifest = "{\"zkey\": \"c.zkey\", \"wasm\": \"c_js/c.wasm\"}";
        var a = await Store("http-relative").ResolveAsync(6, server.Url("/artifacts.json"), hash, default);
        Assert.True(File.Exists(a.ZkeyPath));
    }

    /// <summary>An artifact server that sends headers and stalls is given up at the store's total deadline.</summary>
    [Fact]
    public async Task Resolve_aStallingServer_timesOutAtTheTotalDeadline()
    {
        await using var server = new ScriptedHttpServer(async (_, s, ct) =>
        {
            await s.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"u8.ToArray(), ct);
            await s.FlushAsync(ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var store = new ArtifactStore(Path.Combine(_dir, "slow"), _http, NullLogger.Instance, fetchTimeout: TimeSpan.FromSeconds(1));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ArtifactRejectedException>(() =>
            store.ResolveAsync(8, server.Url("/artifacts.json"), Keccak.Hash([1]), default).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("timed out", e.Message);
        Assert.Contains(server.Url("/artifacts.json"), e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }
}
