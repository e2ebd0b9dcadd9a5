using System.Net;

namespace ProverMarketChain.ContractBindings.Tests.Infrastructure;

/// <summary>
/// An HTTP proxy on loopback that forwards JSON-RPC POSTs to an upstream node but, for a seeded random share of
/// requests, drops the connection (before or after forwarding), answers 500 (after forwarding), or delays past the
/// client's attempt timeout (then forwards). Counts what it did.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new();
    private readonly Uri _target;
    private readonly Random _random;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _dropBefore, _dropAfter, _errors, _delays, _passed;

    public FaultProxy(Uri target, int seed, TimeSpan delay)
    {
        _target = target;
        _random = new Random(seed);
        _delay = delay;
        for (int attempt = 0; ; attempt++)
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; private set; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>Share of requests that get a fault, 0..1.</summary>
    public double FaultRate { get; set; } = 0.35;

    public string Stats => $"dropBefore={_dropBefore} dropAfter={_dropAfter} http500={_errors} delayed={_delays} passed={_passed}";

    public int Faults => _dropBefore + _dropAfter + _errors + _delays;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        int fault;
        lock (_random)
        {
            fault = _random.NextDouble() < FaultRate ? _random.Next(4) : -1;
        }

        try
        {
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            var body = ms.ToArray();
            if (fault == 0)
            {
                Interlocked.Increment(ref _dropBefore);
                ctx.Response.Abort();
                return;
            }

            if (fault == 3)
            {
                Interlocked.Increment(ref _delays);
                await Task.Delay(_delay);
            }

            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var upstream = await _upstream.PostAsync(_target, content);
            var answer = await upstream.Content.ReadAsByteArrayAsync();
            if (fault == 1)
            {
                Interlocked.Increment(ref _dropAfter);
                ctx.Response.Abort();
                return;
            }

            if (fault == 2)
            {
                Interlocked.Increment(ref _errors);
                ctx.Response.StatusCode = 500;
                ctx.Response.Close();
                return;
            }

            if (fault == -1)
            {
                Interlocked.Increment(ref _passed);
            }

            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength64 = answer.Length;
            await ctx.Response.OutputStream.WriteAsync(answer);
            ctx.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException or HttpRequestException)
        {
            // The client went away (e.g. after its attempt timeout): nothing to answer.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _upstream.Dispose();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
    }
}
