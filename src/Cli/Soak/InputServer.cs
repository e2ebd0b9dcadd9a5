using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// A minimal HTTP/1.1 server on loopback for request inputs: it serves honest inputs, and two hostile kinds of URL, one
/// that sends its headers and then stalls (slowloris: one byte every few seconds of a body that never ends) and one that
/// answers 503 for a while before it serves the input. Written on raw sockets so that the stall is exactly what a
/// hostile server would do.
/// </summary>
public sealed class InputServer : IAsyncDisposable
{
    private static readonly TimeSpan DripInterval = TimeSpan.FromSeconds(5);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _accept;
    private int _served, _stalled, _refused;

    private sealed record Route(byte[] Body, RouteKind Kind, DateTime AvailableFromUtc, string Label);

    private enum RouteKind { Serve, Stall, UnavailableThenServe }

    private readonly Action<string> _say;

    /// <summary>Starts listening on a free loopback port; <paramref name="say"/> is told when a hostile URL is fetched.</summary>
    public InputServer(Action<string> say)
    {
        _say = say;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>Inputs served in full.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>Connections held open by a stalled body.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    /// <summary>503 answers given.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>A URL that serves <paramref name="body"/>.</summary>
    public Uri Publish(byte[] body) => Add("input", new Route(body, RouteKind.Serve, DateTime.MinValue, "an input"));

    /// <summary>A URL that sends 200 headers announcing a large body, then one byte every few seconds, forever.</summary>
    public Uri PublishStalling(byte[] body) => Add("slow", new Route(body, RouteKind.Stall, DateTime.MaxValue, "a stalling input"));

    /// <summary>A URL that answers 503 for <paramref name="unavailableFor"/>, then serves <paramref name="body"/>.</summary>
    public Uri PublishUnavailable(byte[] body, TimeSpan unavailableFor) =>
        Add("unavailable", new Route(body, RouteKind.UnavailableThenServe, DateTime.UtcNow + unavailableFor, "an unavailable input"));

    /// <summary>Names a published URL in the progress lines (e.g. after the request that uses it is posted).</summary>
    public void Name(Uri url, string label)
    {
        if (_routes.TryGetValue(url.AbsolutePath, out var route)) _routes[url.AbsolutePath] = route with { Label = label };
    }

    private Uri Add(string prefix, Route route)
    {
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var path = $"/{prefix}/{token}";
        _routes[path] = route;
        return new Uri($"http://127.0.0.1:{Port}{path}");
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var t = Task.Run(() => HandleAsync(client));
            _connections[t] = 0;
            _ = t.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                headerTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                var path = await ReadRequestPathAsync(stream, headerTimeout.Token).ConfigureAwait(false);
                if (path is null || !_routes.TryGetValue(path, out var route))
                {
                    await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", []).ConfigureAwait(false);
                    return;
                }
                switch (route.Kind)
                {
                    case RouteKind.Stall:
                        Interlocked.Increment(ref _stalled);
                        _say($"input server: a worker is fetching {route.Label}; stalling it");
                        await WriteAsync(stream, Headers(1 << 20), []).ConfigureAwait(false);
                        while (!_stop.IsCancellationRequested)
                        {
                            await Task.Delay(DripInterval, _stop.Token).ConfigureAwait(false);
                            await stream.WriteAsync(" "u8.ToArray(), _stop.Token).ConfigureAwait(false);
                        }
                        return;
                    case RouteKind.UnavailableThenServe when DateTime.UtcNow < route.AvailableFromUtc:
                        Interlocked.Increment(ref _refused);
                        _say($"input server: a worker is fetching {route.Label}; answering 503");
                        await WriteAsync(stream, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", []).ConfigureAwait(false);
                        return;
                    default:
                        Interlocked.Increment(ref _served);
                        await WriteAsync(stream, Headers(route.Body.Length), route.Body).ConfigureAwait(false);
                        return;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the server is stopping.
            }
        }
    }

    private static string Headers(long length) =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n";

    private static async Task WriteAsync(NetworkStream stream, string head, byte[] body)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).ConfigureAwait(false);
        if (body.Length > 0) await stream.WriteAsync(body).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the request head (at most 8 KiB) and returns the path of its request line; null when malformed.</summary>
    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[8192];
        int used = 0;
        while (used < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(used), ct).ConfigureAwait(false);
            if (n == 0) return null;
            used += n;
            var text = Encoding.ASCII.GetString(buffer, 0, used);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var parts = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                return parts.Length >= 2 && parts[0] == "GET" ? parts[1] : null;
            }
        }
        return null;
    }

    /// <summary>Stops listening and drops every connection, stalled ones included.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try { await _accept.ConfigureAwait(false); } catch (OperationCanceledException) { }
        try { await Task.WhenAll(_connections.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); } catch (TimeoutException) { }
        _stop.Dispose();
    }
}
