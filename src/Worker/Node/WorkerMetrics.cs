using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// The worker's instruments on its own <see cref="Meter"/>, named <see cref="MeterName"/> followed by a number unique in
/// the process (<see cref="InstanceMeterName"/>), exported through the OpenTelemetry
/// SDK: a Prometheus scrape endpoint at <c>&lt;metricsUrl&gt;/metrics</c> (OpenTelemetry's Prometheus exporter) and,
/// when configured, OTLP push to a collector. The worker's state is served as JSON at <c>&lt;metricsUrl&gt;/status/</c>.
/// </summary>
public sealed class WorkerMetrics : IDisposable
{
    /// <summary>The start of every worker meter's name.</summary>
    public const string MeterName = "ProverMarketChain.Worker";

    private static int s_instances;

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _values = new();
    private MeterProvider? _provider;
    private HttpListener? _http;
    private CancellationTokenSource? _cts;

    /// <summary>Creates the instruments.</summary>
    /// <param name="prover">The prover's address (a tag on every measurement's resource).</param>
    public WorkerMetrics(string prover)
    {
        Prover = prover;
        // One meter name per instance: OpenTelemetry subscribes by name, and when several workers in one process (the
        // demo, the tests) shared a name, each provider also took the others' instruments as its own streams, and one
        // worker stopping ended those streams for every other worker's exporter.
        InstanceMeterName = $"{MeterName}.{Interlocked.Increment(ref s_instances)}";
        _meter = new Meter(InstanceMeterName);
        BidsCommitted = _meter.CreateCounter<long>("pmc_bids_committed", description: "Sealed-bid commitments sent");
        BidsRevealed = _meter.CreateCounter<long>("pmc_bids_revealed", description: "Sealed-bid reveals sent");
        JobsSkipped = _meter.CreateCounter<long>("pmc_jobs_skipped", description: "Jobs skipped: unprofitable, infeasible or bad input");
        JobsWon = _meter.CreateCounter<long>("pmc_jobs_won", description: "Jobs assigned to this worker");
        ProofsGenerated = _meter.CreateCounter<long>("pmc_proofs_generated", description: "Proofs computed");
        ProofsSubmitted = _meter.CreateCounter<long>("pmc_proofs_submitted", description: "Proof submissions sent");
        JobsFulfilled = _meter.CreateCounter<long>("pmc_jobs_fulfilled", description: "Jobs the chain shows fulfilled by this worker");
        RpcErrors = _meter.CreateCounter<long>("pmc_rpc_errors", description: "Failed chain calls, each retried later");
        ProvingSeconds = _meter.CreateHistogram<double>("pmc_proving_duration", unit: "s", description: "Witness plus proving time");
        ProofPhases = _meter.CreateCounter<long>("pmc_proof_phases", description: "Proof phases completed (witness, msm..., by phase tag)");
        BatchesSent = _meter.CreateCounter<long>("pmc_batches_sent", description: "fulfillBatch transactions sent (two or more proofs each)");
        ProofsPerBatch = _meter.CreateHistogram<long>("pmc_batch_proofs", description: "Proofs per fulfillBatch transaction");
        BatchFailures = _meter.CreateCounter<long>("pmc_batch_failures", description: "Batches that would revert or reverted (their requests were delivered apart)");
        _listener.InstrumentPublished = (i, l) => { if (i.Meter == _meter) l.EnableMeasurementEvents(i); };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) =>
        {
            if (i is Histogram<long>)
            {
                _values.AddOrUpdate(i.Name + "_sum", v, (_, o) => o + v);
                _values.AddOrUpdate(i.Name + "_count", 1, (_, o) => o + 1);
            }
            else
            {
                _values.AddOrUpdate(i.Name, v, (_, o) => o + v);
            }
        });
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) =>
        {
            _values.AddOrUpdate(i.Name + "_sum", v, (_, o) => o + v);
            _values.AddOrUpdate(i.Name + "_count", 1, (_, o) => o + 1);
        });
        _listener.Start();
    }

    /// <summary>The prover's address.</summary>
    public string Prover { get; }

    /// <summary>This instance's meter name: <see cref="MeterName"/>, a dot and a number unique in the process.</summary>
    public string InstanceMeterName { get; }

    /// <summary>Publishes the number of jobs being proved now as the observable gauge <c>pmc_jobs_in_flight</c>.</summary>
    public void ObserveJobsInFlight(Func<int> read) =>
        _meter.CreateObservableGauge("pmc_jobs_in_flight", read, description: "Jobs being proved now");

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
    /// <summary>Proof phases completed, tagged with the phase: progress on long proofs.</summary>
    public Counter<long> ProofPhases { get; }

    /// <summary><c>fulfillBatch</c> transactions sent.</summary>
    public Counter<long> BatchesSent { get; }
    /// <summary>Proofs per <c>fulfillBatch</c> transaction.</summary>
    public Histogram<long> ProofsPerBatch { get; }
    /// <summary>Batches that would revert at estimation or reverted on chain.</summary>
    public Counter<long> BatchFailures { get; }

    /// <summary>Current totals of this process's instruments, by instrument name (histograms as <c>_sum</c> and <c>_count</c>).</summary>
    public IReadOnlyDictionary<string, double> Snapshot() => new Dictionary<string, double>(_values);

    /// <summary>
    /// Starts the exporters: a Prometheus scrape endpoint at <c>&lt;prefix&gt;metrics</c> (when <paramref name="prefix"/>
    /// is set, with <c>&lt;prefix&gt;status/</c> serving <paramref name="statusJson"/>), and OTLP export to
    /// <paramref name="otlpEndpoint"/> when set.
    /// </summary>
    /// <param name="prefix">Loopback URL such as <c>http://127.0.0.1:9464/</c>, or null.</param>
    /// <param name="otlpEndpoint">OTLP/HTTP collector endpoint, or null.</param>
    /// <param name="statusJson">The worker's state as JSON.</param>
    /// <param name="logger">Log.</param>
    public void Serve(string? prefix, Uri? otlpEndpoint, Func<string> statusJson, ILogger logger)
    {
        if (prefix is null && otlpEndpoint is null) return;
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("pmc-worker", serviceInstanceId: Prover))
            .AddMeter(InstanceMeterName);
        if (prefix is not null)
        {
            var root = prefix.EndsWith('/') ? prefix : prefix + "/";
            var uri = new Uri(root);
            builder.AddPrometheusHttpListener(o =>
            {
                o.Host = uri.Host;
                o.Port = uri.Port;
                o.ScrapeEndpointPath = "/metrics";
            });
            ServeStatus(root + "status/", statusJson, logger);
        }
        if (otlpEndpoint is not null)
        {
            builder.AddOtlpExporter((o, reader) =>
            {
                o.Endpoint = otlpEndpoint;
                o.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000;
            });
        }
        _provider = builder.Build();
        logger.LogInformation("Metrics: {Prometheus}{Otlp}", prefix is null ? "" : $"Prometheus at {prefix.TrimEnd('/')}/metrics, status at {prefix.TrimEnd('/')}/status/ ",
            otlpEndpoint is null ? "" : $"OTLP to {otlpEndpoint}");
    }

    private void ServeStatus(string prefix, Func<string> statusJson, ILogger logger)
    {
        _http = new HttpListener();
        _http.Prefixes.Add(prefix);
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
                    var bytes = Encoding.UTF8.GetBytes(statusJson());
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
                    ctx.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                    logger.LogDebug(e, "status request failed");
                }
            }
        }, ct);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cts?.Cancel();
        if (_http is { IsListening: true }) _http.Stop();
        _provider?.Dispose();
        _listener.Dispose();
        _meter.Dispose();
    }
}
