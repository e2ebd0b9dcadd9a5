using System.Globalization;
using ProverMarketChain.Proving.Security;

namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// Copies a <c>file</c>, <c>http</c> or <c>https</c> resource into a stream, refusing more than a byte limit whether or
/// not the source announces its length, and giving up once one total deadline (connect, headers and body together) has
/// passed, so that a server that sends its headers and then stalls (slowloris) cannot hold the caller. Failures become
/// the caller's exception types, with a message that names the resource and the problem: <c>permanent</c> for what
/// asking again cannot change (a 4xx answer, a refused address, a file that is not a regular file, too many bytes),
/// <c>transient</c> for what may pass (the deadline, a 5xx, 408 or 429 answer, a refused or reset connection, a name
/// that did not resolve).
/// </summary>
internal static class BoundedFetch
{
    /// <summary>Whether <paramref name="uri"/> has a scheme this fetcher reads.</summary>
    public static bool IsSupported(Uri uri) => uri.IsFile || uri.Scheme is "http" or "https";

    /// <param name="http">Client for http(s).</param>
    /// <param name="from">Source.</param>
    /// <param name="to">Destination.</param>
    /// <param name="limit">Most bytes accepted.</param>
    /// <param name="timeout">Total deadline of the whole copy: connecting, the headers and the body.</param>
    /// <param name="what">How messages name the resource, e.g. "input" or "circuit 3: zkey".</param>
    /// <param name="permanent">Turns a message about a permanent fault into the exception to throw.</param>
    /// <param name="transient">Turns a message about a fault that may pass into the exception to throw.</param>
    /// <param name="ct">Cancels the copy (an <see cref="OperationCanceledException"/>, not a fault).</param>
    public static async Task CopyAsync(HttpClient http, Uri from, Stream to, long limit, TimeSpan timeout, string what,
        Func<string, Exception> permanent, Func<string, Exception> transient, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            if (from.IsFile) await CopyFileAsync(from, to, limit, what, permanent, deadline.Token).ConfigureAwait(false);
            else if (IsSupported(from)) await CopyHttpAsync(http, from, to, limit, what, permanent, transient, deadline.Token).ConfigureAwait(false);
            else throw permanent($"{what} URI scheme '{from.Scheme}' is not supported (file, http, https)");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Not the caller's cancellation: the deadline (or the client's own timeout) ran out.
            throw transient($"{what} {(from.IsFile ? "file" : "URL")} '{from}' timed out: not read in full within {Describe(timeout)} (connect, headers and body together)");
        }
    }

    private static async Task CopyFileAsync(Uri from, Stream to, long limit, string what, Func<string, Exception> permanent, CancellationToken ct)
    {
        var path = from.LocalPath;
        // A FIFO (/dev/stdin), a terminal or a device blocks the open or the read, or never ends: only regular files
        // are read, and that is checked without opening the path.
        var status = UnixFileStatus.Get(path, followLinks: true);
        if (status is { Kind: not UnixFileKind.Regular } special)
            throw permanent($"{what} file '{path}' is {special.KindDescription}, not a regular file: refused (reading it could block or never end)");
        var info = new FileInfo(path);
        if (!info.Exists) throw permanent($"{what} file '{path}' does not exist");
        if (info.Length > limit) throw permanent($"{what} file '{path}' is {info.Length} bytes, over the {limit}-byte limit");
        await using var src = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await CopyLimitedAsync(src, to, limit, what, from, permanent, readFailure: null, ct).ConfigureAwait(false);
    }

    private static async Task CopyHttpAsync(HttpClient http, Uri from, Stream to, long limit, string what,
        Func<string, Exception> permanent, Func<string, Exception> transient, CancellationToken ct)
    {
        HttpResponseMessage resp;
        try
        {
            resp = await http.GetAsync(from, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            ct.ThrowIfCancellationRequested(); // the deadline, reported as such
            throw Classify(e, from, what, permanent, transient);
        }
        using (resp)
        {
            var code = (int)resp.StatusCode;
            if (code is 408 or 429 or >= 500)
                throw transient($"{what} URL '{from}' answered HTTP {code}, which may pass");
            if (code is >= 300 and < 400)
                throw permanent($"{what} URL '{from}' answered HTTP {code}, a redirect the worker does not follow (too many, or to another scheme)");
            if (!resp.IsSuccessStatusCode)
                throw permanent($"{what} URL '{from}' answered HTTP {code}");
            if (resp.Content.Headers.ContentLength > limit) throw permanent($"{what} URL '{from}' is over the {limit}-byte limit");
            Stream src;
            try
            {
                src = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                ct.ThrowIfCancellationRequested();
                throw transient($"{what} URL '{from}' broke off before its body: {e.Message}");
            }
            await using (src)
                await CopyLimitedAsync(src, to, limit, what, from, permanent,
                    e => transient($"{what} URL '{from}' broke off mid-body: {e.Message}"), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sorts a failed request: the input URI policy's refusals are permanent, network faults transient.</summary>
    private static Exception Classify(HttpRequestException e, Uri from, string what, Func<string, Exception> permanent, Func<string, Exception> transient)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is AddressRefusedException refused) return permanent(refused.Message + $" (fetching '{from}')");
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => transient($"{what} URL '{from}': the host name did not resolve: {e.Message}"),
            HttpRequestError.ConnectionError => transient($"{what} URL '{from}': could not connect: {e.Message}"),
            HttpRequestError.InvalidResponse or HttpRequestError.ConfigurationLimitExceeded
                => permanent($"{what} URL '{from}' answered in a way the worker does not accept: {e.Message}"),
            _ => transient($"{what} URL '{from}' is unreachable: {e.Message}"),
        };
    }

    private static async Task CopyLimitedAsync(Stream src, Stream dst, long limit, string what, Uri from,
        Func<string, Exception> permanent, Func<Exception, Exception>? readFailure, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        while (true)
        {
            int n;
            try
            {
                n = await src.ReadAsync(buffer, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (readFailure is not null && e is IOException or HttpRequestException)
            {
                ct.ThrowIfCancellationRequested();
                throw readFailure(e);
            }
            if (n == 0) return;
            total += n;
            if (total > limit) throw permanent($"{what} at '{from}' is over the {limit}-byte limit");
            await dst.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
        }
    }

    private static string Describe(TimeSpan t) =>
        t.TotalSeconds >= 1 ? $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
}
