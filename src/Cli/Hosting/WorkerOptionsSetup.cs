using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>
/// Binds <see cref="WorkerOptions"/> from the <see cref="WorkerConfiguration.Section"/> section (an unknown setting or a
/// value of the wrong type is an error naming the setting) and makes relative paths relative to the configuration file.
/// </summary>
/// <param name="configuration">The configuration built by <see cref="WorkerConfiguration.AddWorkerSources"/>.</param>
/// <param name="configPath">The JSON configuration file.</param>
public sealed class WorkerOptionsSetup(IConfiguration configuration, string configPath) : IConfigureOptions<WorkerOptions>
{
    /// <inheritdoc />
    /// <exception cref="WorkerConfigurationException">A setting is unknown or its value does not convert.</exception>
    public void Configure(WorkerOptions options)
    {
        try
        {
            configuration.GetSection(WorkerConfiguration.Section).Bind(options, b => b.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new WorkerConfigurationException(configPath, [e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message]);
        }

        options.ResolveRelativePaths(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
    }
}
