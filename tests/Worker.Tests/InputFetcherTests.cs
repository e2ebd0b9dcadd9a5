using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Tests;

/// <summary>Fetching a request's input (inline or by URI) and checking it against the hash the request commits to.</summary>
public sealed class InputFetcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-input-test-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Inline_andFileUri_returnTheBytesWhenTheHashMatches()
    {
        var data = "{\"a\": \"3\"}"u8.ToArray();
        var f = new InputFetcher(_http);
        Assert.Equal(data, await f.FetchAsync(data, "", Keccak.Hash(data), default));
        var path = Path.Combine(_dir, "in.json");
        File.WriteAllBytes(path, data);
        Assert.Equal(data, await f.FetchAsync([], new Uri(path).AbsoluteUri, Keccak.Hash(data), default));
    }

    [Theory]
    [InlineData("relative/in.json", "is not an absolute URI")]
    [InlineData("ftp://example.org/in.json", "input URI scheme 'ftp' is not supported")]
    [InlineData("file:///no/such/input.json", "input file '/no/such/input.json' does not exist")]
    public async Task BadUris_areRejectedNamingTheProblem(string uri, string expected)
    {
        var e = await Assert.ThrowsAsync<InputRejectedException>(() => new InputFetcher(_http).FetchAsync([], uri, Keccak.Hash([1]), default));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task OversizedOrMismatchedInputs_areRejected()
    {
        var path = Path.Combine(_dir, "big.json");
        File.WriteAllBytes(path, new byte[2000]);
        var big = await Assert.ThrowsAsync<InputRejectedException>(() =>
            new InputFetcher(_http, maxBytes: 1000).FetchAsync([], new Uri(path).AbsoluteUri, Keccak.Hash([1]), default));
        Assert.Contains("over the 1000-byte limit", big.Message);

        var wrong = await Assert.ThrowsAsync<InputRejectedException>(() =>
            new InputFetcher(_http).FetchAsync([1, 2, 3], "", Keccak.Hash([9]), default));
        Assert.Contains("input hash mismatch", wrong.Message);
    }
}
