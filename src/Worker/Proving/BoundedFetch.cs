namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// Copies a <c>file</c>, <c>http</c> or <c>https</c> resource into a stream, refusing more than a byte limit whether or
/// not the source announces its length. Failures become the caller's exception type through <c>fail</c>, with a message
/// that names the resource and the problem.
/// </summary>
internal static class BoundedFetch
{
    /// <summary>Whether <paramref name="uri"/> has a scheme this fetcher reads.</summary>
    public static bool IsSupported(Uri uri) => uri.IsFile || uri.Scheme is "http" or "https";

    /// <param name="http">Client for http(s).</param>
    /// <param name="from">Source.</param>
    /// <param name="to">Destination.</param>
    /// <param name="limit">Most bytes accepted.</param>
    /// <param name="what">How messages name the resource, e.g. "input" or "circuit 3: zkey".</param>
    /// <param name="fail">Turns a message into the exception to throw.</param>
    /// <param name="ct">Cancels the copy.</param>
    public static async Task CopyAsync(HttpClient http, Uri from, Stream to, long limit, string what, Func<string, Exception> fail, CancellationToken ct)
    {
        if (from.IsFile)
        {
            var info = new FileInfo(from.LocalPath);
            if (!info.Exists) throw fail($"{what} file '{from.LocalPath}' does not exist");
            if (info.Length > limit) throw fail($"{what} file '{from.LocalPath}' is {info.Length} bytes, over the {limit}-byte limit");
            await using var src = new FileStream(from.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
            await CopyLimitedAsync(src, to, limit, what, from, fail, ct).ConfigureAwait(false);
            return;
        }
        if (!IsSupported(from)) throw fail($"{what} URI scheme '{from.Scheme}' is not supported (file, http, https)");
        try
        {
            using var resp = await http.GetAsync(from, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode) throw fail($"{what} URL '{from}' answered HTTP {(int)resp.StatusCode}");
            if (resp.Content.Headers.ContentLength > limit) throw fail($"{what} URL '{from}' is over the {limit}-byte limit");
            await using var src = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await CopyLimitedAsync(src, to, limit, what, from, fail, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw fail($"{what} URL '{from}' is unreachable: {e.Message}");
        }
    }

    private static async Task CopyLimitedAsync(Stream src, Stream dst, long limit, string what, Uri from, Func<string, Exception> fail, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await src.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            total += n;
            if (total > limit) throw fail($"{what} at '{from}' is over the {limit}-byte limit");
            await dst.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
        }
    }
}
