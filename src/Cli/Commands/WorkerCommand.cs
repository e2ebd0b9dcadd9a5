using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProverMarketChain.Cli.Hosting;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc worker --config &lt;file&gt;</c> runs the prover node on the .NET Generic Host (<see cref="WorkerHostBuilder"/>)
/// until SIGINT or SIGTERM, then exits 0; <c>pmc worker status --config &lt;file&gt;</c> prints its journal.
/// </summary>
public sealed class WorkerCommand : PmcCommand
{
    private readonly WorkerSettingsOptions _settings;

    /// <summary>Creates the command and its <c>status</c> subcommand.</summary>
    public WorkerCommand(CliIo io)
        : base("worker", "Run the prover node until SIGINT/SIGTERM (secrets from PMC_PRIVATE_KEY or a keystore + PMC_KEYSTORE_PASSWORD)", io)
    {
        _settings = new WorkerSettingsOptions(this);
        Subcommands.Add(new WorkerStatusCommand(io));
    }

    /// <inheritdoc />
    public override string HelpEpilog => string.Join(Environment.NewLine,
        "Configuration, lowest precedence first (setting names are case-insensitive):",
        "  1. the JSON file given with --config",
        "  2. PMC_RPC_URL (the rpcUrl setting)",
        "  3. environment variables PMC_Worker__<Setting>, nested settings joined with '__'",
        "     (PMC_Worker__Capacity=4, PMC_Worker__CostModel__MarginBps=500); PMC_Logging__LogLevel__Default=Debug",
        "  4. --set <setting>=<value> (--set capacity=4 --set costModel:marginBps=500)",
        "Secrets come from the environment only: PMC_PRIVATE_KEY, or keystorePath with PMC_KEYSTORE_PASSWORD.",
        "The settings are validated at start; every problem is named and the worker exits 1.",
        "SIGINT or SIGTERM stop the worker: the node finishes its in-flight steps (up to 10 s; the host waits at most "
        + $"{WorkerHostBuilder.ShutdownTimeout.TotalSeconds:F0} s), closes its journal and exits 0.");

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context) =>
        RunAsync(_settings.Sources(parseResult, Io), parseResult.GetValue(Io.Verbose)).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(WorkerSettingsSources sources, bool verbose)
    {
        using var host = WorkerHostBuilder.Create(sources, verbose).Build();
        var node = host.Services.GetRequiredService<ProverNodeService>();
        // The worker proves in-process.
        ProvingHeap.AdviseHugePages(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("pmc.worker"));
        try
        {
            await host.RunAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException e) when (e.OptionsType == typeof(WorkerOptions))
        {
            throw new WorkerConfigurationException(sources.ConfigPath, [.. e.Failures]);
        }

        node.Failure?.Throw();
        return ExitCodes.Success;
    }
}
