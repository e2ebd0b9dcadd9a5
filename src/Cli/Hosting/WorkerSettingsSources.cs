namespace ProverMarketChain.Cli.Hosting;

/// <summary>Where a worker's settings come from (see <see cref="WorkerConfiguration"/> for the precedence).</summary>
/// <param name="ConfigPath">The JSON configuration file (<c>--config</c>).</param>
/// <param name="Overrides">Command-line overrides (<c>--set KEY=VALUE</c>), in order.</param>
/// <param name="Environment">The environment variables: <c>PMC_Worker__*</c> overrides, <c>PMC_RPC_URL</c>, the secrets.</param>
public sealed record WorkerSettingsSources(string ConfigPath, IReadOnlyList<string> Overrides, IReadOnlyDictionary<string, string?> Environment);
