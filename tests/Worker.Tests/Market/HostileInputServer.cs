using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// An input server a hostile (or unlucky) requester points its request at, on a loopback port: either a slowloris that
/// answers headers announcing a body and then stalls forever, or a server that answers 503 a number of times before
/// it serves the input.
/// </summary>
public sealed class HostileInputServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _body;
    private readonly int _failuresFirst;
    private readonly bool _stall;
    private int _requests;

    private HostileInputServer(byte[] body, int failuresFirst, bool stall)
    {
        _body = body;
        _failuresFirst = failuresFirst;
        _stall = stall;
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>Answers headers (a 1000-byte body announced), sends one byte, then never another.</summary>
    public static HostileInputServer Slowloris() => new([], 0, stall: true);

    /// <summary>Answers 503 to the first <paramref name="failures"/> requests, then serves <paramref name="body"/>.</summary>
    public static HostileInputServer FailingFirst(int failures, byte[] body) => new(body, failures, stall: false);

    /// <summary>The URL requests point at.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/input.json";

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
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
                var buffer = new byte[4096];
                var seen = new StringBuilder();
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) return;
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                int nth = Interlocked.Increment(ref _requests);
                if (_stall)
                {
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"u8.ToArray(), _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
                if (nth <= _failuresFirst)
                {
                    await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"u8.ToArray(), _stop.Token);
                    return;
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                await stream.WriteAsync(_body, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
