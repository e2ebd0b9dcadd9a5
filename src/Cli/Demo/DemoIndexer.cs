using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Indexer;
using ProverMarketChain.Indexer.Api;
using ProverMarketChain.Indexer.Hosting;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Cli.Demo;

/// <summary>The demo's indexer: follows the demo market from its deployment (no confirmations on a local chain) and serves the dashboard.</summary>
public sealed class DemoIndexer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoIndexer(WebApplication app, Uri dashboard)
    {
        _app = app;
        Dashboard = dashboard;
    }

    /// <summary>The dashboard's address.</summary>
    public Uri Dashboard { get; }

    /// <summary>Starts the indexer on <paramref name="listen"/>, or on a free port when that one is taken.</summary>
    public static async Task<DemoIndexer> StartAsync(Uri rpc, string deploymentFile, string db, string listen, ILoggerFactory loggers, CancellationToken ct)
    {
        foreach (var address in new[] { listen, new UriBuilder(listen) { Port = 0 }.Uri.ToString() }.Distinct())
        {
            var options = new IndexerOptions
            {
                RpcUrl = rpc.ToString(),
                Db = db,
                DeploymentFile = deploymentFile,
                Confirmations = 0,
                PollInterval = TimeSpan.FromMilliseconds(250),
                Listen = address,
            };
            var app = await IndexerApp.BuildAsync(options, b => b.AddProvider(new ForwardingProvider(loggers)), ct).ConfigureAwait(false);
            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
                return new DemoIndexer(app, IndexerApp.ListeningUri(app));
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
        throw new InvalidOperationException($"the dashboard could not listen on {listen} nor on a free port");
    }

    /// <summary>
    /// Waits until the indexer has reached <paramref name="head"/> (at most 60 s), then reads its all-time counts.
    /// </summary>
    /// <param name="head">The chain head after the demo's last transaction.</param>
    /// <param name="modeNames">The demo's names of the allocation modes, in their order.</param>
    /// <param name="ct">Cancels the wait.</param>
    /// <exception cref="TimeoutException">The indexer did not catch up.</exception>
    public async Task<DemoIndexerCounts> CountsAsync(ulong head, IReadOnlyList<string> modeNames, CancellationToken ct)
    {
        var store = _app.Services.GetRequiredService<IndexerStore>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await store.GetCursorAsync(ct).ConfigureAwait(false))?.Block is not { } indexed || indexed < (long)head)
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"the demo's indexer did not reach block {head} within 60 s: {_app.Services.GetRequiredService<IndexerStatus>().LastError}");
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        var (total, byMode) = await _app.Services.GetRequiredService<IndexerQueries>().AllTimeAsync(ct).ConfigureAwait(false);
        return new DemoIndexerCounts(Dashboard.ToString(), total.Requests, total.ByStatus[(int)RequestStatus.Fulfilled], total.Slashes,
            modeNames.Select((name, i) => (name, byMode.GetValueOrDefault((AllocationMode)i)?.ByStatus[(int)RequestStatus.Fulfilled] ?? 0)).ToDictionary(x => x.name, x => x.Item2),
            total.Requests > 0 ? total.GasUsed / total.Requests : null);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends the indexer's logs to the demo's logger factory (its level and format).</summary>
    private sealed class ForwardingProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
