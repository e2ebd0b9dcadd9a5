using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// The worker's instruments on a <see cref="Meter"/> named <see cref="MeterName"/> (the OpenTelemetry instrument API:
/// any OpenTelemetry SDK can subscribe to it), and a loopback HTTP endpoint serving them in the Prometheus text format
/// at <c>/metrics</c> and the worker's state as JSON at <c>/status</c>.
/// </summary>
public sealed class WorkerMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "ProverMarketChain.Worker";

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _values = new();
    private HttpListener? _http;
    private CancellationTokenSource? _cts;

    /// <summary>Creates the instruments.</summary>
    public WorkerMetrics(string prover)
    {
        _meter = new Meter(MeterName);
        BidsCommitted = _meter.CreateCounter<long>("pmc_bids_committed_total");
        BidsRevealed = _meter.CreateCounter<long>("pmc_bids_revealed_total");
        JobsSkipped = _meter.CreateCounter<long>("pmc_jobs_skipped_total");
        JobsWon = _meter.CreateCounter<long>("pmc_jobs_won_total");
        ProofsGenerated = _meter.CreateCounter<long>("pmc_proofs_generated_total");
        ProofsSubmitted = _meter.CreateCounter<long>("pmc_proofs_submitted_total");
        JobsFulfilled = _meter.CreateCounter<long>("pmc_jobs_fulfilled_total");
        RpcErrors = _meter.CreateCounter<long>("pmc_rpc_errors_total");
        ProvingSeconds = _meter.CreateHistogram<double>("pmc_proving_seconds");
        _listener.InstrumentPublished = (i, l) => { if (i.Meter == _meter) l.EnableMeasurementEvents(i); };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => _values.AddOrUpdate(i.Name, v, (_, o) => o + v));
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) =>
        {
            _values.AddOrUpdate(i.Name + "_sum", v, (_, o) => o + v);
            _values.AddOrUpdate(i.Name + "_count", 1, (_, o) => o + 1);
        });
        _listener.Start();
    }

    /// <summary>Sealed-bid commitments sent.</summary>
    public Counter<long> BidsCommitted { get; }
    /// <summary>Sealed-bid reveals sent.</summary>
    public Counter<long> BidsRevealed { get; }
    /// <summary>Jobs skipped (unprofitable, infeasible, bad input).</summary>
    public Counter<long> JobsSkipped { get; }
    /// <summary>Jobs assigned to this worker.</summary>
    public Counter<long> JobsWon { get; }
    /// <summary>Proofs computed.</summary>
    public Counter<long> ProofsGenerated { get; }
    /// <summary>Proof submissions sent.</summary>
    public Counter<long> ProofsSubmitted { get; }
    /// <summary>Jobs the chain shows fulfilled by this worker.</summary>
    public Counter<long> JobsFulfilled { get; }
    /// <summary>Failed chain calls (each retried on a later tick).</summary>
    public Counter<long> RpcErrors { get; }
    /// <summary>Witness plus proving time.</summary>
    public Histogram<double> ProvingSeconds { get; }

    /// <summary>Current values, by Prometheus name.</summary>
    public IReadOnlyDictionary<string, double> Snapshot() => new Dictionary<string, double>(_values);

    /// <summary>Serves <c>/metrics</c> and <c>/status</c> on <paramref name="prefix"/> (e.g. <c>http://127.0.0.1:9464/</c>).</summary>
    public void Serve(string prefix, Func<string> statusJson, ILogger logger)
    {
        _http = new HttpListener();
        _http.Prefixes.Add(prefix.EndsWith('/') ? prefix : prefix + "/");
        _http.Start();
        _cts = new CancellationTokenSource();
        var ct = _cts.Token;
        _ = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try { ctx = await _http.GetContextAsync().ConfigureAwait(false); }
                catch (Exception) when (ct.IsCancellationRequested || !_http.IsListening) { return; }
                try
                {
                    string body, type;
                    if (ctx.Request.Url?.AbsolutePath == "/status") { body = statusJson(); type = "application/json"; }
                    else if (ctx.Request.Url?.AbsolutePath == "/metrics") { body = Prometheus(); type = "text/plain; version=0.0.4"; }
                    else { ctx.Response.StatusCode = 404; body = "not found\n"; type = "text/plain"; }
                    var bytes = Encoding.UTF8.GetBytes(body);
                    ctx.Response.ContentType = type;
                    await ctx.Response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
                    ctx.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                    logger.LogDebug(e, "metrics request failed");
                }
            }
        }, ct);
    }

    private string Prometheus()
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in _values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cts?.Cancel();
        if (_http is { IsListening: true }) _http.Stop();
        _listener.Dispose();
        _meter.Dispose();
    }
}
