using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Proving;
using ProverMarketChain.Worker.Tests.Infrastructure;

namespace ProverMarketChain.Worker.Tests;

/// <summary>
/// The request input URI policy: no local files unless allowed (and never anything but a regular file), and no
/// loopback, private or link-local hosts unless allow-listed, checked when the connection opens.
/// </summary>
public sealed class InputUriPolicyTests : IDisposable
{
    private static readonly byte[] Data = "{\"a\": \"3\", \"b\": \"11\"}"u8.ToArray();
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-uri-policy-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static InputFetcher Fetcher(bool allowFiles = false, params string[] allowed) =>
        new(new InputUriPolicy(allowFiles, allowed), TimeSpan.FromSeconds(10));

    /// <summary>Runs the fetch off this thread and bounds it, so that a fetch that blocks fails the test instead of hanging it.</summary>
    private static Task<byte[]> Bounded(InputFetcher f, string uri, byte[]? expected = null) =>
        Task.Run(() => f.FetchAsync([], uri, Keccak.Hash(expected ?? Data), default)).WaitAsync(TimeSpan.FromSeconds(20));

    [Fact]
    public async Task FileInputs_areRefusedUnlessAllowed()
    {
        var path = Path.Combine(_dir, "in.json");
        File.WriteAllBytes(path, Data);
        var uri = new Uri(path).AbsoluteUri;
        using var strict = Fetcher();
        var e = await Assert.ThrowsAsync<InputRejectedException>(() => Bounded(strict, uri));
        Assert.Contains(uri, e.Message);
        Assert.Contains("allowFileInputs", e.Message);

        using var lax = Fetcher(allowFiles: true);
        Assert.Equal(Data, await Bounded(lax, uri));
    }

    /// <summary>
    /// <c>file:///dev/stdin</c> (a pipe or a terminal), a FIFO nobody writes to, and <c>/dev/zero</c> (which never
    /// ends): refused at once, and still refused, as not regular files, when file inputs are allowed. Opening the FIFO
    /// would block forever.
    /// </summary>
    [Theory]
    [InlineData("stdin")]
    [InlineData("fifo")]
    [InlineData("zero")]
    public async Task SpecialFiles_areRefusedPromptly_evenWhenFileInputsAreAllowed(string which)
    {
        var uri = which switch
        {
            "stdin" => "file:///dev/stdin",
            "zero" => "file:///dev/zero",
            _ => new Uri(MakeFifo(Path.Combine(_dir, "pipe"))).AbsoluteUri,
        };
        foreach (var allowFiles in new[] { false, true })
        {
            using var f = Fetcher(allowFiles);
            var sw = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<InputRejectedException>(() => Bounded(f, uri));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed}");
            Assert.Contains(allowFiles ? "not a regular file" : "allowFileInputs", e.Message);
        }
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254", "link-local")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data/", "169.254.169.254", "link-local")]
    [InlineData("http://10.0.0.5:8080/admin", "10.0.0.5", "private")]
    [InlineData("http://100.100.100.200/latest/meta-data/", "100.100.100.200", "carrier-grade NAT")]
    [InlineData("http://[fd00::1]/x", "fd00::1", "unique-local")]
    [InlineData("http://0.0.0.0:8545/", "0.0.0.0", "unspecified")]
    [InlineData("https://[::1]/x", "::1", "loopback")]
    public async Task InternalAddresses_areRefused_namingTheAddressAndTheOption(string uri, string address, string kind)
    {
        using var f = Fetcher();
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<InputRejectedException>(() => Bounded(f, uri));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed}");
        Assert.Contains(address, e.Message);
        Assert.Contains(kind, e.Message);
        Assert.Contains("allowedInputHosts", e.Message);
    }

    [Fact]
    public async Task Loopback_isRefusedByDefault_andServedWhenAllowListed()
    {
        await using var server = new ScriptedHttpServer((_, s, ct) => ScriptedHttpServer.WriteAsync(s, 200, Data, ct));
        var url = server.Url("/in.json");

        using var strict = Fetcher();
        var literal = await Assert.ThrowsAsync<InputRejectedException>(() => Bounded(strict, url));
        Assert.Contains("127.0.0.1", literal.Message);
        Assert.Contains("allowedInputHosts", literal.Message);
        // A name that resolves to loopback is refused when the connection opens, before anything is sent.
        var named = await Assert.ThrowsAsync<InputRejectedException>(() => Bounded(strict, $"http://localhost:{server.EndPoint.Port}/in.json"));
        Assert.Contains("'localhost' resolves to", named.Message);
        Assert.Contains("loopback", named.Message);
        Assert.Equal(0, server.Requests);

        foreach (var entry in new[] { "127.0.0.1", "127.0.0.0/8", "::ffff:127.0.0.1" })
        {
            using var allowed = Fetcher(false, entry);
            Assert.Equal(Data, await Bounded(allowed, url));
        }
        using var byName = Fetcher(false, "LOCALHOST");
        Assert.Equal(Data, await Bounded(byName, $"http://localhost:{server.EndPoint.Port}/in.json"));
    }

    /// <summary>
    /// An allowed host redirects to a loopback address that is not allowed (a second server, on 127.0.0.2, that would
    /// serve the input): refused when the redirect's connection opens, and nothing reaches that server. Allowing that
    /// address too makes the same redirect work, so the refusal is the policy's.
    /// </summary>
    [Fact]
    public async Task ARedirectToAnAddressThatIsNotAllowed_isRefusedAtConnectTime()
    {
        await using var target = new ScriptedHttpServer((_, s, ct) => ScriptedHttpServer.WriteAsync(s, 200, Data, ct), IPAddress.Parse("127.0.0.2"));
        var hidden = target.Url("/secret");
        await using var front = new ScriptedHttpServer((_, s, ct) => ScriptedHttpServer.WriteAsync(s, 302, [], ct, "Location: " + hidden));

        using var f = Fetcher(false, "127.0.0.1");
        var e = await Assert.ThrowsAsync<InputRejectedException>(() => Bounded(f, front.Url("/in.json")));
        Assert.Contains("127.0.0.2", e.Message);
        Assert.Contains("allowedInputHosts", e.Message);
        Assert.Equal(1, front.Requests);
        Assert.Equal(0, target.Requests);

        using var both = Fetcher(false, "127.0.0.1", "127.0.0.2");
        Assert.Equal(Data, await Bounded(both, front.Url("/in.json")));
        Assert.Equal(1, target.Requests);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::1")]
    public void IsRestricted_internalAddresses(string address) => Assert.True(InputUriPolicy.IsRestricted(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void IsRestricted_notPublicAddresses(string address) => Assert.False(InputUriPolicy.IsRestricted(IPAddress.Parse(address)));

    [Theory]
    [InlineData("inputs.example.org", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("", false)]
    [InlineData("10.0.0.1/8", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("http://inputs.example.org/", false)]
    [InlineData("two words", false)]
    public void AllowListEntries_areHostNamesAddressesOrRanges(string entry, bool valid)
    {
        Assert.Equal(valid, InputUriPolicy.EntryProblem(entry) is null);
        if (!valid) Assert.Throws<ArgumentException>(() => new InputUriPolicy(false, [entry]));
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo(string path, uint mode);

    private static string MakeFifo(string path)
    {
        if (Mkfifo(path, 0b110_000_000) != 0) throw new IOException($"mkfifo '{path}' failed: {Marshal.GetLastPInvokeError()}");
        return path;
    }
}
