using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>
/// The .NET Generic Host of <c>pmc worker</c>: configuration from <see cref="WorkerConfiguration"/>'s sources,
/// <see cref="WorkerOptions"/> bound and validated at start, console logging through the host, the console lifetime
/// (SIGINT and SIGTERM stop the host) and <see cref="ProverNodeService"/>.
/// </summary>
public static class WorkerHostBuilder
{
    /// <summary>How long a stopping host waits for the node to finish its in-flight steps (it gives them 10 s itself).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates the host's builder; tests may replace <see cref="IWorkerNodeFactory"/> before building it.</summary>
    /// <param name="sources">The configuration file, overrides and environment.</param>
    /// <param name="verbose">Log at Debug instead of Information.</param>
    /// <exception cref="WorkerConfigurationException">The configuration file is missing or malformed.</exception>
    public static HostApplicationBuilder Create(WorkerSettingsSources sources, bool verbose)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Path.GetDirectoryName(Path.GetFullPath(sources.ConfigPath)),
        });
        builder.Configuration.AddWorkerSources(sources);

        builder.Logging.AddPmcConsole(verbose ? LogLevel.Debug : LogLevel.Information, timestamps: true);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection(WorkerConfiguration.LoggingSection));
        // A failed start (invalid options) is reported once, by pmc, without the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton<IConfigureOptions<WorkerOptions>>(new WorkerOptionsSetup(builder.Configuration, sources.ConfigPath));
        builder.Services.AddSingleton<IValidateOptions<WorkerOptions>>(new WorkerOptionsValidator(sources.Environment));
        builder.Services.AddOptions<WorkerOptions>().ValidateOnStart();
        builder.Services.AddSingleton<IWorkerNodeFactory>(sp => new ProverNodeFactory(sp.GetRequiredService<ILoggerFactory>(), sources.Environment));
        builder.Services.AddSingleton<ProverNodeService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProverNodeService>());
        return builder;
    }
}
