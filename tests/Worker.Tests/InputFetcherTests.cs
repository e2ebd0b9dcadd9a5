using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Proving;
using ProverMarketChain.Worker.Tests.Infrastructure;

namespace ProverMarketChain.Worker.Tests;

/// <summary>
/// Fetching a request's input (inline or by URI) and checking it against the hash the request commits to; one total
/// deadline per fetch; permanent faults (<see cref="InputRejectedException"/>) told apart from faults that may pass
/// (<see cref="InputUnavailableException"/>).
/// </summary>
public sealed class InputFetcherTests : IDisposable
{
    private static readonly byte[] Data = "{\"a\": \"3\"}"u8.ToArray();
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-input-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A fetcher that may read files and loopback servers (the servers below listen on 127.0.0.1).</summary>
    private static InputFetcher Fetcher(TimeSpan? timeout = null, long maxBytes = 64 << 20) =>
        new(new InputUriPolicy(allowFileInputs: true, allowedHosts: ["127.0.0.1"]), timeout, maxBytes);

    private static ScriptedHttpServer Answering(int status, byte[]? body = null) =>
        new((_, s, ct) => ScriptedHttpServer.WriteAsync(s, status, body ?? [], ct));

    [Fact]
    public async Task Inline_andFileUri_returnTheBytesWhenTheHashMatches()
    {
        using var f = Fetcher();
        Assert.Equal(Data, await f.FetchAsync(Data, "", Keccak.Hash(Data), default));
        var path = Path.Combine(_dir, "in.json");
        File.WriteAllBytes(path, Data);
        Assert.Equal(Data, await f.FetchAsync([], new Uri(path).AbsoluteUri, Keccak.Hash(Data), default));
    }

    [Fact]
    public async Task Http_returnsTheBytesWhenTheHashMatches()
    {
        await using var server = Answering(200, Data);
        using var f = Fetcher();
        Assert.Equal(Data, await f.FetchAsync([], server.Url("/in.json"), Keccak.Hash(Data), default));
    }

    [Theory]
    [InlineData("relative/in.json", "is not an absolute URI")]
    [InlineData("ftp://example.org/in.json", "input URI scheme 'ftp' is not supported")]
    [InlineData("file:///no/such/input.json", "input file '/no/such/input.json' does not exist")]
    public async Task BadUris_areRejectedNamingTheProblem(string uri, string expected)
    {
        using var f = Fetcher();
        var e = await Assert.ThrowsAsync<InputRejectedException>(() => f.FetchAsync([], uri, Keccak.Hash([1]), default));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task OversizedOrMismatchedInputs_areRejected()
    {
        var path = Path.Combine(_dir, "big.json");
        File.WriteAllBytes(path, new byte[2000]);
        using var small = Fetcher(maxBytes: 1000);
        var big = await Assert.ThrowsAsync<InputRejectedException>(() => small.FetchAsync([], new Uri(path).AbsoluteUri, Keccak.Hash([1]), default));
        Assert.Contains("over the 1000-byte limit", big.Message);

        // Over http too, whether the server announces the length or not.
        await using var announced = Answering(200, new byte[2000]);
        Assert.Contains("over the 1000-byte limit",
            (await Assert.ThrowsAsync<InputRejectedException>(() => small.FetchAsync([], announced.Url(), Keccak.Hash([1]), default))).Message);
        await using var unannounced = new ScriptedHttpServer(async (_, s, ct) =>
        {
            await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), ct);
            await s.WriteAsync(new byte[2000], ct);
        });
        Assert.Contains("over the 1000-byte limit",
            (await Assert.ThrowsAsync<InputRejectedException>(() => small.FetchAsync([], unannounced.Url(), Keccak.Hash([1]), default))).Message);

        using var f = Fetcher();
        var wrong = await Assert.ThrowsAsync<InputRejectedException>(() => f.FetchAsync([1, 2, 3], "", Keccak.Hash([9]), default));
        Assert.Contains("input hash mismatch", wrong.Message);
        await using var other = Answering(200, [1, 2, 3]);
        Assert.Contains("input hash mismatch",
            (await Assert.ThrowsAsync<InputRejectedException>(() => f.FetchAsync([], other.Url(), Keccak.Hash([9]), default))).Message);
    }

    /// <summary>
    /// A slowloris server: it accepts, and then either never answers or sends its headers (announcing 1000 bytes) and
    /// a few bytes of body, and stalls. The fetch gives up at its one total deadline, as a fault that may pass, naming
    /// the URL; before the deadline covered the body, this fetch never returned.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AServerThatStalls_timesOutAtTheTotalDeadline_asTransient(bool sendHeaders)
    {
        await using var server = new ScriptedHttpServer(async (_, s, ct) =>
        {
            if (sendHeaders)
            {
                await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"), ct);
                await s.FlushAsync(ct);
            }
            await Task.Delay(Timeout.Infinite, ct);
        });
        using var f = Fetcher(timeout: TimeSpan.FromSeconds(1));
        var url = server.Url("/slow.json");
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<InputUnavailableException>(() =>
            f.FetchAsync([], url, Keccak.Hash([1]), default).WaitAsync(TimeSpan.FromSeconds(30)));
        sw.Stop();
        Assert.Contains(url, e.Message);
        Assert.Contains("timed out", e.Message);
        Assert.InRange(sw.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task TheCallersCancellation_isACancellation_notAFault()
    {
        await using var server = new ScriptedHttpServer((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        using var f = Fetcher(timeout: TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            f.FetchAsync([], server.Url(), Keccak.Hash([1]), cts.Token).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task ServerErrorsAndThrottling_areTransient(int status)
    {
        await using var server = Answering(status);
        using var f = Fetcher();
        var e = await Assert.ThrowsAsync<InputUnavailableException>(() => f.FetchAsync([], server.Url("/in"), Keccak.Hash([1]), default));
        Assert.Contains($"answered HTTP {status}", e.Message);
        Assert.Contains(server.Url("/in"), e.Message);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(410)]
    public async Task ClientErrors_arePermanent(int status)
    {
        await using var server = Answering(status);
        using var f = Fetcher();
        var e = await Assert.ThrowsAsync<InputRejectedException>(() => f.FetchAsync([], server.Url("/in"), Keccak.Hash([1]), default));
        Assert.Contains($"answered HTTP {status}", e.Message);
    }

    [Fact]
    public async Task ARefusedConnection_isTransient()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var f = Fetcher();
        var e = await Assert.ThrowsAsync<InputUnavailableException>(() => f.FetchAsync([], $"http://127.0.0.1:{port}/in", Keccak.Hash([1]), default));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AConnectionResetBeforeOrDuringTheBody_isTransient(bool midBody)
    {
        await using var server = new ScriptedHttpServer(async (_, s, ct) =>
        {
            if (midBody)
            {
                await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"), ct);
                await s.FlushAsync(ct);
                await Task.Delay(100, ct);
            }
            // Abortive close: an RST, not a FIN.
            var socket = ((NetworkStream)s).Socket;
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        using var f = Fetcher();
        await Assert.ThrowsAsync<InputUnavailableException>(() => f.FetchAsync([], server.Url("/in"), Keccak.Hash([1]), default));
    }

    [Fact]
    public async Task AHostThatDoesNotResolve_isTransient()
    {
        // Allow-listed by name so that the policy lets it through to the resolver. Whether the resolver answers "no
        // such host" or cannot be reached in time, the fault may pass.
        using var f = new InputFetcher(new InputUriPolicy(allowedHosts: ["no-such-host.invalid"]), TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<InputUnavailableException>(() => f.FetchAsync([], "http://no-such-host.invalid/in", Keccak.Hash([1]), default));
        Assert.Contains("no-such-host.invalid", e.Message);
    }

    [Fact]
    public void TheTwoFaults_areUnrelatedTypes()
    {
        Assert.False(typeof(InputRejectedException).IsAssignableFrom(typeof(InputUnavailableException)));
        Assert.False(typeof(InputUnavailableException).IsAssignableFrom(typeof(InputRejectedException)));
    }
}
