using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProverMarketChain.Worker.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP/1.1 server whose answers a test writes byte by byte, so that it can misbehave as a hostile server
/// would: send headers and stall, reset the connection mid-body, redirect elsewhere. One request per connection.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string, Stream, CancellationToken, Task> _respond;
    private readonly Task _loop;
    private int _requests;

    /// <param name="respond">Writes the answer to a request for the given path (it may also never return, until the
    ///     token is cancelled at disposal).</param>
    /// <param name="address">Address to listen on (default 127.0.0.1).</param>
    public ScriptedHttpServer(Func<string, Stream, CancellationToken, Task> respond, IPAddress? address = null)
    {
        _respond = respond;
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The listening endpoint.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Requests received so far (counted once their head is read).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary><c>http://address:port</c> followed by <paramref name="path"/>.</summary>
    public string Url(string path = "/") => $"http://{EndPoint.Address}:{EndPoint.Port}{path}";

    /// <summary>A complete answer: status line, Content-Length, the extra header lines, then the body.</summary>
    public static async Task WriteAsync(Stream s, int status, byte[] body, CancellationToken ct, params string[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} X\r\nContent-Length: {body.Length}\r\nConnection: close\r\n");
        foreach (var h in headers) head.Append(h).Append("\r\n");
        head.Append("\r\n");
        await s.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        await s.WriteAsync(body, ct);
        await s.FlushAsync(ct);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var one = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    if (await stream.ReadAsync(one, _stop.Token) == 0) return;
                    head.Append((char)one[0]);
                }
                Interlocked.Increment(ref _requests);
                var path = head.ToString().Split(' ', 3)[1];
                await _respond(path, stream, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
                // The test is over, or the client went away.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
