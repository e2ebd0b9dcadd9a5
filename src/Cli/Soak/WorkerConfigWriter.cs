using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.Cli.Local;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Writes the configuration file of one soak worker: the local market's worker options (LocalMarket.WorkerOptions),
/// the worker's own fault proxy as its RPC endpoint, standing asks on, and a promised latency that leaves room for a
/// restart after <c>kill -9</c>.
/// </summary>
public static class WorkerConfigWriter
{
    /// <summary>The most collateral one standing-ask job may lock (the asks' <c>maxCollateral</c>): 0.1 ETH.</summary>
    public static readonly BigInteger AskMaxCollateral = BigInteger.Pow(10, 17);

    /// <summary>
    /// Builds, validates and writes the options of worker <paramref name="name"/>.
    /// </summary>
    /// <param name="market">The local market.</param>
    /// <param name="name">Names the journal, cache and file.</param>
    /// <param name="rpc">The worker's RPC endpoint (its fault proxy).</param>
    /// <param name="costPerUnitWei">The worker's price per proving unit.</param>
    /// <param name="unitsPerSecond">
    /// The proving speed the worker plans with. The soak understates it (a multiplier proof takes well under a second)
    /// so that the promised latency, about 4 units / speed × 2 + 4 s, covers a restart.
    /// </param>
    /// <param name="reserve">Bond balance the worker holds in the market.</param>
    /// <param name="privateKey">The worker's key (only used to validate the options; the process gets it from its environment).</param>
    /// <returns>The file's path.</returns>
    /// <exception cref="WorkerConfigurationException">The options do not validate.</exception>
    public static string Write(LocalMarket market, string name, Uri rpc, string costPerUnitWei, double unitsPerSecond, BigInteger reserve, string privateKey)
    {
        var options = market.WorkerOptions(name, rpc,
            new CostModelOptions { CostPerUnitWei = costPerUnitWei, FixedCostWei = "0", MarginBps = 1000, UnitsPerSecond = unitsPerSecond },
            reserve);
        options.PostStandingAsks = true;
        options.AskMaxCollateralWei = AskMaxCollateral.ToString(CultureInfo.InvariantCulture);
        options.AskLifetime = TimeSpan.FromHours(1);
        options.PollInterval = TimeSpan.FromMilliseconds(500);
        // One attempt gives up after 2 s; the proxy holds its delayed requests for 3 s, so a delay is a timeout.
        options.RpcAttemptTimeout = TimeSpan.FromSeconds(2);
        // The soak's input server is on loopback, refused by default: allow that host only (file inputs stay refused,
        // so the file:///dev/stdin case meets the production default), with a short fetch deadline for the slowloris.
        options.AllowedInputHosts = ["127.0.0.1"];
        options.AllowFileInputs = false;
        options.InputFetchTimeout = TimeSpan.FromSeconds(5);
        var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = privateKey };
        var problems = options.Validate(env);
        var file = Path.Combine(market.Work, name + ".json");
        if (problems.Count > 0) throw new WorkerConfigurationException(file, problems);
        File.WriteAllText(file, JsonSerializer.Serialize(options, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        return file;
    }
}
