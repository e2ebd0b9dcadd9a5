using System.Text;
using Microsoft.Extensions.Configuration;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>
/// The worker's configuration sources, lowest precedence first:
/// <list type="number">
/// <item>the JSON file given with <c>--config</c> (its keys are the worker's settings, e.g. <c>capacity</c>);</item>
/// <item><c>PMC_RPC_URL</c> (the RPC URL, kept from before the other variables);</item>
/// <item>environment variables <c>PMC_Worker__&lt;Setting&gt;</c>, nested settings joined with <c>__</c>
/// (<c>PMC_Worker__Capacity=4</c>, <c>PMC_Worker__CostModel__MarginBps=500</c>, <c>PMC_Worker__Circuits__0__CircuitId=1</c>),
/// and <c>PMC_Logging__LogLevel__&lt;Category&gt;</c> for the worker's log levels;</item>
/// <item>command-line overrides <c>--set &lt;Setting&gt;=&lt;value&gt;</c>, nested settings joined with <c>:</c>
/// (<c>--set capacity=4 --set costModel:marginBps=500</c>).</item>
/// </list>
/// Setting names are case-insensitive. The secrets (<c>PMC_PRIVATE_KEY</c>, <c>PMC_KEYSTORE_PASSWORD</c>) are read from the
/// environment only, never from configuration. Relative paths are relative to the JSON file's folder, wherever they were set.
/// </summary>
public static class WorkerConfiguration
{
    /// <summary>The configuration section holding the worker's settings.</summary>
    public const string Section = "Worker";

    /// <summary>The prefix of the environment variables read as configuration.</summary>
    public const string EnvironmentPrefix = "PMC_";

    /// <summary>The configuration section of the worker's log levels (<c>PMC_Logging__LogLevel__Default=Debug</c>).</summary>
    public const string LoggingSection = "Logging";

    /// <summary>Adds the worker's configuration sources to <paramref name="builder"/>, lowest precedence first.</summary>
    /// <exception cref="WorkerConfigurationException">The file is missing or is not a JSON object.</exception>
    /// <exception cref="FormatException">An override is not <c>KEY=VALUE</c>.</exception>
    public static IConfigurationBuilder AddWorkerSources(this IConfigurationBuilder builder, WorkerSettingsSources sources)
    {
        builder.AddInMemoryCollection(ReadFile(sources.ConfigPath));
        if (sources.Environment.TryGetValue(WorkerOptions.RpcUrlVariable, out var rpc) && !string.IsNullOrWhiteSpace(rpc))
            builder.AddInMemoryCollection([new($"{Section}:{nameof(WorkerOptions.RpcUrl)}", rpc)]);
        builder.AddInMemoryCollection(FromEnvironment(sources.Environment));
        builder.AddInMemoryCollection(sources.Overrides.Select(ParseOverride));
        return builder;
    }

    /// <summary>
    /// The configuration keys of the <c>PMC_</c> variables that configure the worker or its logging: the prefix dropped,
    /// <c>__</c> read as the section separator, as .NET's environment variable configuration provider does.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var (name, value) in environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var key = name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
            if (key.StartsWith(Section + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)
                || key.StartsWith(LoggingSection + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase))
                yield return new(key, value);
        }
    }

    /// <summary>The configuration key and value of one <c>--set KEY=VALUE</c> (KEY relative to the worker's settings).</summary>
    /// <exception cref="FormatException"><paramref name="assignment"/> has no <c>=</c> or an empty key.</exception>
    public static KeyValuePair<string, string?> ParseOverride(string assignment)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? "" : assignment[..eq].Trim().Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
        if (key.Length == 0) throw new FormatException($"'{assignment}' is not SETTING=VALUE (e.g. capacity=2 or costModel:marginBps=500)");
        return new(ConfigurationPath.Combine(Section, key), assignment[(eq + 1)..]);
    }

    /// <summary>Reads, binds and validates the worker's settings without a host (<c>pmc worker status</c>, <c>pmc collateral</c>).</summary>
    /// <exception cref="WorkerConfigurationException">The file is missing or malformed, or a setting is unknown or invalid.</exception>
    public static WorkerOptions Load(WorkerSettingsSources sources)
    {
        var configuration = new ConfigurationBuilder().AddWorkerSources(sources).Build();
        var options = new WorkerOptions();
        new WorkerOptionsSetup(configuration, sources.ConfigPath).Configure(options);
        var result = new WorkerOptionsValidator(sources.Environment).Validate(null, options);
        if (result.Failed) throw new WorkerConfigurationException(sources.ConfigPath, [.. result.Failures]);
        return options;
    }

    /// <summary>The file's settings as keys of the <see cref="Section"/> section (the file itself has no such level).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new WorkerConfigurationException(path, ["file not found"]);
        IConfigurationRoot file;
        try
        {
            using var stream = new MemoryStream(File.ReadAllBytes(path));
            file = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new WorkerConfigurationException(path, [$"not valid configuration JSON: {Describe(e)}"]);
        }

        return file.AsEnumerable().Select(kv => new KeyValuePair<string, string?>(ConfigurationPath.Combine(Section, kv.Key), kv.Value));
    }

    private static string Describe(Exception e)
    {
        var text = new StringBuilder(e.Message);
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException) text.Append(' ').Append(inner.Message);
        return text.ToString();
    }
}
