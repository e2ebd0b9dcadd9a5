using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProverMarketChain.Indexer;
using ProverMarketChain.Indexer.Hosting;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc indexer --deployment FILE [--db PATH|postgres://…] [--rpc URL] [--listen URL] [--confirmations N] [--from-block N]</c>:
/// follows the market into SQL and serves the API and the dashboard until interrupted.
/// </summary>
public sealed class IndexerCommand : PmcCommand
{
    private readonly Option<string> _deployment = new("--deployment")
    {
        Description = "The deployment file with the contract addresses (pmc demo writes one in its working folder)",
        Required = true,
        HelpName = "FILE",
    };

    private readonly Option<string> _db = new("--db")
    {
        Description = "An SQLite file (created if missing) or postgres://user:password@host:port/database",
        DefaultValueFactory = _ => "pmc-indexer.db",
        HelpName = "PATH|URL",
    };

    private readonly Option<string?> _rpc = new("--rpc") { Description = "The chain's JSON-RPC endpoint (default: $PMC_RPC_URL, else http://127.0.0.1:8545)", HelpName = "URL" };

    private readonly Option<string> _listen = new("--listen")
    {
        Description = "Where the API and dashboard listen (port 0 picks a free one)",
        DefaultValueFactory = _ => "http://127.0.0.1:5080",
        HelpName = "URL",
    };

    private readonly Option<int> _confirmations = new("--confirmations")
    {
        Description = "Blocks behind the head to stay (reorganisations are rolled back either way)",
        DefaultValueFactory = _ => 2,
        CustomParser = OptionParsers.WholeNumber("--confirmations", 0, 10_000),
        HelpName = "N",
    };

    private readonly Option<int?> _fromBlock = new("--from-block")
    {
        Description = "First block to index into an empty database (default: the deployment's block); a stored cursor wins",
        CustomParser = r => OptionParsers.WholeNumber("--from-block", 0, int.MaxValue)(r),
        HelpName = "N",
    };

    private readonly Option<int> _pollMs = new("--poll-ms")
    {
        Description = "Milliseconds between polls when caught up",
        DefaultValueFactory = _ => 1000,
        CustomParser = OptionParsers.WholeNumber("--poll-ms", 10, 600_000),
        HelpName = "MS",
    };

    /// <summary>Creates the command.</summary>
    public IndexerCommand(CliIo io)
        : base("indexer", "Index the market into SQL (SQLite or PostgreSQL) and serve the API and the live dashboard", io)
    {
        Options.Add(_deployment);
        Options.Add(_db);
        Options.Add(_rpc);
        Options.Add(_listen);
        Options.Add(_confirmations);
        Options.Add(_fromBlock);
        Options.Add(_pollMs);
    }

    /// <inheritdoc />
    public override string HelpEpilog =>
        "API: /v1/requests, /v1/requests/{id}, /v1/provers, /v1/provers/{address}, /v1/requesters, /v1/circuits, /v1/market/summary,\n" +
        "/v1/market/efficiency, /v1/decentralization, /health; OpenAPI at /openapi/v1.json; dashboard at /.\n" +
        "Runs until interrupted (exit 130); exits 1 when start-up fails (bad settings, node or database unreachable).";

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        var options = new IndexerOptions
        {
            DeploymentFile = parseResult.GetValue(_deployment)!,
            Db = parseResult.GetValue(_db)!,
            RpcUrl = parseResult.GetValue(_rpc) ?? Io.Environment.GetValueOrDefault("PMC_RPC_URL") ?? "http://127.0.0.1:8545",
            Listen = parseResult.GetValue(_listen)!,
            Confirmations = parseResult.GetValue(_confirmations),
            FromBlock = parseResult.GetValue(_fromBlock) is { } from ? (ulong)from : null,
            PollInterval = TimeSpan.FromMilliseconds(parseResult.GetValue(_pollMs)),
        };
        using var interrupt = new ConsoleInterrupt();
        var verbose = parseResult.GetValue(Io.Verbose);
        try
        {
            return RunAsync(options, verbose, context, interrupt).GetAwaiter().GetResult();
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures) context.Err.WriteLine($"pmc indexer: {failure}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or HttpRequestException
            or System.Data.Common.DbException or System.Net.Sockets.SocketException)
        {
            context.Err.WriteLine($"pmc indexer: error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> RunAsync(IndexerOptions options, bool verbose, CommandContext context, ConsoleInterrupt interrupt)
    {
        await using var app = await IndexerApp.BuildAsync(options, b => b.AddPmcConsole(verbose ? LogLevel.Debug : LogLevel.Information, timestamps: true), interrupt.Token).ConfigureAwait(false);
        await app.StartAsync(interrupt.Token).ConfigureAwait(false);
        var uri = IndexerApp.ListeningUri(app);
        context.Out.WriteLine($"dashboard: {uri}");
        context.Out.WriteLine($"api: {new Uri(uri, "/v1/requests")}  openapi: {new Uri(uri, "/openapi/v1.json")}");
        try { await Task.Delay(Timeout.Infinite, interrupt.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Interrupted;
    }
}
