using System.Net;

namespace ProverMarketChain.ContractBindings.Diagnostics;

/// <summary>
/// A fault-injecting JSON-RPC proxy on loopback, for resilience tests and the soak run (<c>pmc soak</c>): it forwards
/// POSTs to an upstream node but, for a seeded random share of requests (<see cref="FaultRate"/>), drops the connection
/// (before or after forwarding), answers 500 (after forwarding), or delays past the client's attempt timeout (then
/// forwards). It counts what it did.
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
    private long _lastRequestTicks = DateTime.UtcNow.Ticks;

    /// <summary>Starts a proxy to <paramref name="target"/> on a free loopback port.</summary>
    /// <param name="target">The upstream JSON-RPC endpoint.</param>
    /// <param name="seed">Seed of the fault draws (the same seed draws the same faults for the same request order).</param>
    /// <param name="delay">How long a delayed request is held before it is forwarded; longer than the client's attempt timeout.</param>
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

    /// <summary>The loopback port the proxy listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The proxy's endpoint: give it to the client instead of the upstream node's.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>Share of requests that get a fault, 0..1.</summary>
    public double FaultRate { get; set; } = 0.35;

    /// <summary>What the proxy did, as one line.</summary>
    public string Stats => $"dropBefore={_dropBefore} dropAfter={_dropAfter} http500={_errors} delayed={_delays} passed={_passed}";

    /// <summary>Requests that got a fault.</summary>
    public int Faults => Volatile.Read(ref _dropBefore) + Volatile.Read(ref _dropAfter) + Volatile.Read(ref _errors) + Volatile.Read(ref _delays);

    /// <summary>Requests answered without a fault.</summary>
    public int Passed => Volatile.Read(ref _passed);

    /// <summary>When the client last sent a request (or when the proxy started): a client silent for long is stuck.</summary>
    public DateTime LastRequestUtc => new(Interlocked.Read(ref _lastRequestTicks), DateTimeKind.Utc);

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
        Interlocked.Exchange(ref _lastRequestTicks, DateTime.UtcNow.Ticks);
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

    /// <summary>Stops listening; requests in flight are dropped.</summary>
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
        _stop.Dispose();
    }
}
