using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Indexer.Api;
using ProverMarketChain.Indexer.Ingest;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Hosting;

/// <summary>
/// Builds the indexer: the follower loop, the HTTP API and the dashboard on one ASP.NET Core host. Start-up validates the
/// options, migrates the schema, checks the chain id against the deployment, and reads the ask book's address from the
/// market, so that a wrong setting fails at once with a message that names it.
/// </summary>
public static class IndexerApp
{
    /// <summary>Builds the host (not started): the follower loop, the API and the dashboard.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="configureLogging">Adds logging providers (the CLI's console format).</param>
    /// <param name="ct">Cancels start-up.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid: every problem is named.</exception>
    public static async Task<WebApplication> BuildAsync(IndexerOptions options, Action<ILoggingBuilder>? configureLogging = null, CancellationToken ct = default)
    {
        var problems = options.Validate().ToList();
        var annotations = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), annotations, validateAllProperties: true);
        problems.AddRange(annotations.Select(a => a.ErrorMessage ?? "invalid setting"));
        if (problems.Count > 0) throw new OptionsValidationException(nameof(IndexerOptions), typeof(IndexerOptions), problems);

        var db = IndexerDatabase.Parse(options.Db);
        var store = new IndexerStore(db);
        await store.MigrateAsync(ct).ConfigureAwait(false);
        var deployment = Deployment.Load(options.DeploymentFile);
        var rpc = new JsonRpcClient(new Uri(options.RpcUrl));
        var client = new EthClient(rpc);
        var chainId = await client.ChainIdAsync(ct).ConfigureAwait(false);
        if (chainId != deployment.ChainId)
            throw new OptionsValidationException(nameof(IndexerOptions), typeof(IndexerOptions), [$"the node at {options.RpcUrl} is chain {chainId}, the deployment file names chain {deployment.ChainId}"]);
        var market = new ProverMarketService(SignerWeb3.ReadOnly(client), deployment.ProverMarket.ToString());
        var askBook = Address.Parse(await market.AskBookQueryAsync(null, ct).ConfigureAwait(false));
        var contracts = new MarketContracts(deployment.ProverMarket, deployment.CollateralVault, deployment.CircuitRegistry, askBook);

        return Build(store, options, configureLogging, services =>
        {
            services.AddSingleton(_ => rpc); // a factory registration: the container disposes it with the host
            services.AddSingleton(sp => new ChainFollower(client, store, contracts, chainId, options.FromBlock ?? deployment.DeployBlock,
                options.Confirmations, options.MaxBlockRange, options.ReorgSearchDepth, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ChainFollower>()));
            services.AddHostedService<IndexerLoop>();
        });
    }

    /// <summary>
    /// Builds a host that serves an existing (migrated) database's API and dashboard without following a chain: for the
    /// benchmark, the browser tests, and browsing a copied database.
    /// </summary>
    /// <param name="store">The projections.</param>
    /// <param name="listen">Where to listen (port 0 picks a free one).</param>
    /// <param name="configureLogging">Adds logging providers.</param>
    public static WebApplication BuildServeOnly(IndexerStore store, string listen, Action<ILoggingBuilder>? configureLogging = null) =>
        Build(store, new IndexerOptions { Listen = listen, Confirmations = 0 }, configureLogging, _ => { });

    private static WebApplication Build(IndexerStore store, IndexerOptions options, Action<ILoggingBuilder>? configureLogging, Action<IServiceCollection> addIndexing)
    {
        var web = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, WebRootPath = Directory.Exists(web) ? web : null });
        builder.WebHost.UseUrls(options.Listen);
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(_ => store.Database); // disposed with the host (the connection pool or data source)
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(new IndexerQueries(store.Database));
        builder.Services.AddSingleton<IndexerStatus>();
        addIndexing(builder.Services);

        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        var app = builder.Build();
        // A query parameter that does not bind (limit=abc) answers like every other bad parameter: 400 with {"error": "…"}.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new Api.ApiError(e.Message)).ConfigureAwait(false);
            }
        });
        app.MapOpenApi();
        if (app.Environment.WebRootPath is { } root && Directory.Exists(root))
        {
            app.UseDefaultFiles();
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root) });
        }
        else
        {
            app.MapGet("/", () => Results.Text("the dashboard's files are missing from this build (wwwroot); the API is at /v1 and /openapi/v1.json", statusCode: 503));
        }
        ApiEndpoints.Map(app, options.Confirmations);
        return app;
    }

    /// <summary>The address the started host listens on (the real port when the options asked for port 0).</summary>
    public static Uri ListeningUri(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
