using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Worker.Configuration;

/// <summary>
/// The prover worker's configuration, read from a JSON file. Secrets come from the environment
/// (<see cref="PrivateKeyVariable"/>, <see cref="KeystorePasswordVariable"/>) rather than from the file.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>Environment variable holding the hex private key; overrides <see cref="KeystorePath"/>.</summary>
    public const string PrivateKeyVariable = "PMC_PRIVATE_KEY";

    /// <summary>Environment variable holding the keystore password.</summary>
    public const string KeystorePasswordVariable = "PMC_KEYSTORE_PASSWORD";

    /// <summary>Environment variable overriding <see cref="RpcUrl"/>.</summary>
    public const string RpcUrlVariable = "PMC_RPC_URL";

    /// <summary>JSON-RPC endpoint of the chain.</summary>
    public string RpcUrl { get; set; } = "";

    /// <summary>Encrypted (Web3 Secret Storage v3) keystore file; unused when <see cref="PrivateKeyVariable"/> is set.</summary>
    public string? KeystorePath { get; set; }

    /// <summary>Deployment file written by the deploy script, with the contract addresses.</summary>
    public string DeploymentFile { get; set; } = "";

    /// <summary>SQLite journal of the worker's durable state (cursor, salts, jobs).</summary>
    public string JournalPath { get; set; } = "worker.db";

    /// <summary>
    /// Folder where artifacts fetched from the registry's artifacts URI are cached, by hash (default: <c>artifacts</c>
    /// next to the configuration file).
    /// </summary>
    public string ArtifactCacheDir { get; set; } = "artifacts";

    /// <summary>Circuits this worker serves.</summary>
    public List<CircuitOptions> Circuits { get; set; } = [];

    /// <summary>How the worker prices its work.</summary>
    public CostModelOptions CostModel { get; set; } = new();

    /// <summary>Most jobs proved at once.</summary>
    public int Capacity { get; set; } = 1;

    /// <summary>
    /// Where proofs are computed, as <c>pmc prove --device</c>: <c>cpu</c>; <c>gpu</c> (CUDA, else an OpenCL GPU; the
    /// worker refuses to start without one); <c>ilgpu-cpu</c> (the GPU kernels on ILGPU's CPU accelerator, for tests);
    /// <c>auto</c> (default: a CUDA GPU when there is one, with the CPU prover taking over a proof the GPU fails;
    /// otherwise the CPU).
    /// </summary>
    public string Device { get; set; } = "auto";

    /// <summary>Device memory, in MiB, for proving keys kept on the GPU between proofs; 0 = three quarters of the device's.</summary>
    public int GpuKeyBudgetMiB { get; set; }

    /// <summary>Highest max-fee-per-gas, in wei, the worker pays; jobs that need more are skipped.</summary>
    public string MaxGasPriceWei { get; set; } = "100000000000";

    /// <summary>
    /// Highest max-fee-per-gas, in wei, the worker pays to keep a promise already made: reveals, proof submissions,
    /// acceptances in flight. It is at least <see cref="MaxGasPriceWei"/> (which gates only new work), so a gas spike
    /// while a reveal is pending costs gas, not the bond. Default 1000 gwei.
    /// </summary>
    public string ObligationMaxGasPriceWei { get; set; } = "1000000000000";

    /// <summary>
    /// Smallest priority fee (tip) per gas, in wei, the worker offers; today's sampled tip is raised to it. 0 and
    /// sub-gwei values are valid: L2s include transactions at tips far below 1 gwei. Default 1 gwei.
    /// </summary>
    public string MinPriorityFeeWei { get; set; } = "1000000000";

    /// <summary>
    /// Largest priority fee (tip) per gas, in wei, the worker offers. The tip is sampled from recent blocks, which
    /// anyone buying block space shapes: a few transactions paying huge tips would otherwise make every send of the
    /// worker overpay. At least <see cref="MinPriorityFeeWei"/> and at most <see cref="ObligationMaxGasPriceWei"/>.
    /// Default 50 gwei.
    /// </summary>
    public string MaxPriorityFeeWei { get; set; } = "50000000000";

    /// <summary>
    /// The share of a sealed bid's bond, in basis points, its reveal may spend in gas (max fee per gas × gas limit), even
    /// above <see cref="ObligationMaxGasPriceWei"/>: losing the bond for want of gas costs more. 0 disables it (the
    /// obligation cap holds). Only bonds in ETH (asset 0) count: gas is paid in ETH, and a bond in a token of the
    /// requester's choosing has no ETH value the worker can trust. Bounds, against whoever would drain it: the share
    /// applies to a bond the exposure limits already accepted (at most <see cref="MaxCollateralPerJobWei"/>), the total
    /// is fixed (rival bids that make the reveal burn more gas lower the price per gas the worker may pay, not the
    /// total), and the fee is still today's (next base fee + a tip within <see cref="MaxPriorityFeeWei"/>), so a base fee
    /// spiked to force it costs the spiker that fee on every gas unit of the block space it fills. Default 1000 (10%);
    /// at most 5000.
    /// </summary>
    public int RevealMaxGasShareOfBondBps { get; set; } = 1000;

    /// <summary>
    /// The most collateral (or sealed-bid bond) one job may put at risk, in wei of its asset: a request that asks for
    /// more is never bid on, locked or accepted. Default 1 ether.
    /// </summary>
    public string MaxCollateralPerJobWei { get; set; } = "1000000000000000000";

    /// <summary>
    /// The most collateral and bonds at risk at once, summed over every open bid, lock, accepted match and job: a job
    /// that would take the total over it is refused. Default 5 ether.
    /// </summary>
    public string MaxCollateralAtRiskWei { get; set; } = "5000000000000000000";

    /// <summary>The most open bids, locks and jobs of one circuit at once; 0 means <see cref="Capacity"/>.</summary>
    public int MaxJobsPerCircuit { get; set; }

    /// <summary>Blocks an event must be buried under before the worker acts on it.</summary>
    public int Confirmations { get; set; } = 1;

    /// <summary>How often the chain is polled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Timeout of one JSON-RPC attempt (transient failures are retried with jitter).</summary>
    public TimeSpan RpcAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether to keep standing asks (orderbook mode) posted for every served circuit.</summary>
    public bool PostStandingAsks { get; set; } = true;

    /// <summary>
    /// The most collateral one standing-ask job may lock, in wei of <see cref="AskAssetId"/> (the ask's
    /// <c>maxCollateral</c>): a request that wants more does not match the ask, and a match that would need more is
    /// declined. The market requires at least <c>MIN_ASK_COLLATERAL</c> (0.01 ether) and that the bond balance or free
    /// vault balance covers it when the ask is posted (checked at start-up). Default 0.1 ether.
    /// </summary>
    public string AskMaxCollateralWei { get; set; } = "100000000000000000";

    /// <summary>The collateral asset standing asks back their jobs with (0 is ETH); requests in another asset do not match.</summary>
    public byte AskAssetId { get; set; }

    /// <summary>
    /// How long a posted ask lives (its <c>expiresAt</c> is the chain time plus this, at most the book's
    /// <c>MAX_ASK_LIFETIME</c>, 30 days). The worker re-posts an ask once less than a quarter of this is left, or when it
    /// is no longer listed (expired, removed as unbacked or silent, evicted). Default one day.
    /// </summary>
    public TimeSpan AskLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Loopback URL (such as <c>http://127.0.0.1:9464/</c>) where the worker serves Prometheus metrics at <c>/metrics</c>
    /// and its state at <c>/status/</c>; null disables it.
    /// </summary>
    public string? MetricsUrl { get; set; }

    /// <summary>OTLP/HTTP collector endpoint (such as <c>http://127.0.0.1:4318/v1/metrics</c>) the metrics are pushed to; null disables it.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Bond balance to hold in the market per collateral asset. At start-up the worker tops its bond balance up to the
    /// amount from its free vault balance (<c>reserveCollateral</c>): bonds and job collateral are then taken and given
    /// back without a vault call (about 8k gas less each). Empty: nothing is reserved.
    /// </summary>
    public List<CollateralReserveOptions> CollateralReserve { get; set; } = [];

    /// <summary>
    /// Total deadline of one fetch of a request's input: connecting, the response headers and the whole body together,
    /// so that a server that answers slowly or stalls mid-body cannot hold the worker. A fetch that runs out of it is a
    /// transient fault (tried again later, within the request's deadlines). Default 30 s; more than 0 and at most 1 hour.
    /// </summary>
    public TimeSpan InputFetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a request's input may be a <c>file://</c> URI (read from this machine; regular files only). Off by
    /// default: a requester could otherwise have the worker read, and hash against a value of its choosing, any file
    /// the worker can read, or block it on a FIFO such as <c>file:///dev/stdin</c>. For local testing only. (Artifacts
    /// the operator configures, <see cref="CircuitOptions.Zkey"/> and <see cref="CircuitOptions.WitnessWasm"/>, are not
    /// request inputs and are not affected.)
    /// </summary>
    public bool AllowFileInputs { get; set; }

    /// <summary>
    /// Hosts a request's http(s) input may be fetched from although they are, or resolve to, an address the worker
    /// otherwise refuses: loopback, private (RFC 1918), shared (100.64.0.0/10), link-local (169.254.0.0/16, where cloud
    /// metadata lives, and fe80::/10), unique-local (fc00::/7), unspecified, multicast or reserved, also in IPv4-mapped
    /// IPv6 form. Each entry is a host name (matched exactly, in any case), an IP address, or a CIDR range such as
    /// <c>10.20.0.0/16</c>. The check runs when the connection opens, so redirects and DNS rebinding do not get past it.
    /// Default empty: only public addresses.
    /// </summary>
    public List<string> AllowedInputHosts { get; set; } = [];

    /// <summary>
    /// The most gas a request's callback may ask for (<c>Request.callbackGasLimit</c>) for the worker to take the job. The
    /// market calls the requester's <c>onProofFulfilled</c> with exactly that gas inside the delivery, and the deliverer
    /// pays it whether the callback succeeds, reverts or burns it all, so it is priced into every bid, lock and
    /// acceptance; a request above this is skipped (logged with both figures). 0 takes only requests without a callback.
    /// Default 300,000; at most <see cref="MaxCallbackGasCeiling"/>.
    /// </summary>
    public ulong MaxCallbackGas { get; set; } = DefaultMaxCallbackGas;

    /// <summary>The default of <see cref="MaxCallbackGas"/>.</summary>
    public const ulong DefaultMaxCallbackGas = 300_000;

    /// <summary>The most <see cref="MaxCallbackGas"/> may be: a block's gas on most chains (the market's own
    /// <c>MAX_CALLBACK_GAS</c>, about 1,000,000, bounds what a request can ask for anyway).</summary>
    public const ulong MaxCallbackGasCeiling = 30_000_000;

    /// <summary>Batched delivery of several proofs in one <c>fulfillBatch</c> (off by default).</summary>
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Parsed <see cref="MaxGasPriceWei"/>.</summary>
    [JsonIgnore]
    public BigInteger MaxGasPrice => BigInteger.Parse(MaxGasPriceWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parsed <see cref="ObligationMaxGasPriceWei"/>.</summary>
    [JsonIgnore]
    public BigInteger ObligationMaxGasPrice => BigInteger.Parse(ObligationMaxGasPriceWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parsed <see cref="MinPriorityFeeWei"/>.</summary>
    [JsonIgnore]
    public BigInteger MinPriorityFee => BigInteger.Parse(MinPriorityFeeWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parsed <see cref="MaxPriorityFeeWei"/>.</summary>
    [JsonIgnore]
    public BigInteger MaxPriorityFee => BigInteger.Parse(MaxPriorityFeeWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The most <see cref="RevealMaxGasShareOfBondBps"/> may be (half the bond).</summary>
    public const int MaxRevealGasShareOfBondBps = 5000;

    /// <summary>Parsed <see cref="MaxCollateralPerJobWei"/>.</summary>
    [JsonIgnore]
    public BigInteger MaxCollateralPerJob => BigInteger.Parse(MaxCollateralPerJobWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parsed <see cref="MaxCollateralAtRiskWei"/>.</summary>
    [JsonIgnore]
    public BigInteger MaxCollateralAtRisk => BigInteger.Parse(MaxCollateralAtRiskWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><see cref="MaxJobsPerCircuit"/>, with 0 read as <see cref="Capacity"/>.</summary>
    [JsonIgnore]
    public int JobsPerCircuitLimit => MaxJobsPerCircuit == 0 ? Capacity : MaxJobsPerCircuit;

    /// <summary>Parsed <see cref="AskMaxCollateralWei"/>.</summary>
    [JsonIgnore]
    public BigInteger AskMaxCollateral => BigInteger.Parse(AskMaxCollateralWei, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The ask book's floor on <see cref="AskMaxCollateralWei"/> (<c>MIN_ASK_COLLATERAL</c>, 0.01 ether).</summary>
    public static readonly BigInteger MinAskCollateral = BigInteger.Pow(10, 16);

    /// <summary>The ask book's ceiling on <see cref="AskLifetime"/> (<c>MAX_ASK_LIFETIME</c>, 30 days).</summary>
    public static readonly TimeSpan MaxAskLifetime = TimeSpan.FromDays(30);

    /// <summary>The ask's <c>maxCollateral</c> is a uint96.</summary>
    private static readonly BigInteger MaxUInt96 = (BigInteger.One << 96) - 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// Reads a configuration file, applies environment overrides and validates it.
    /// </summary>
    /// <exception cref="WorkerConfigurationException">The file is missing, malformed or invalid; the message lists every problem.</exception>
    public static WorkerOptions Load(string path, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(path))
            throw new WorkerConfigurationException(path, [$"file not found"]);
        WorkerOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<WorkerOptions>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new WorkerConfigurationException(path, [$"not valid configuration JSON: {e.Message}"]);
        }
        if (options is null)
            throw new WorkerConfigurationException(path, ["the file holds no configuration object"]);

        var env = environment ?? ProcessEnvironment();
        if (env.TryGetValue(RpcUrlVariable, out var rpc) && !string.IsNullOrWhiteSpace(rpc))
            options.RpcUrl = rpc;

        // Relative paths in the file are relative to the file, not to the working directory.
        options.ResolveRelativePaths(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var errors = options.Validate(env);
        if (errors.Count > 0) throw new WorkerConfigurationException(path, errors);
        return options;
    }

    /// <summary>The process environment, where secrets and overrides come from by default.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);

    /// <summary>
    /// Makes the relative file paths among these options (deployment file, journal, artifact cache, keystore, circuit
    /// artifacts) absolute against <paramref name="baseDirectory"/>, the configuration file's folder.
    /// </summary>
    public void ResolveRelativePaths(string baseDirectory)
    {
        DeploymentFile = Resolve(baseDirectory, DeploymentFile);
        JournalPath = Resolve(baseDirectory, JournalPath);
        ArtifactCacheDir = Resolve(baseDirectory, ArtifactCacheDir);
        if (KeystorePath is not null) KeystorePath = Resolve(baseDirectory, KeystorePath);
        foreach (var c in Circuits)
        {
            c.Zkey = Resolve(baseDirectory, c.Zkey);
            c.WitnessWasm = Resolve(baseDirectory, c.WitnessWasm);
        }
    }

    private static string Resolve(string baseDir, string p) =>
        string.IsNullOrEmpty(p) || Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDir, p));

    /// <summary>Lists every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string?> environment)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var rpcUri) || (rpcUri.Scheme != "http" && rpcUri.Scheme != "https"))
            errors.Add($"rpcUrl: '{RpcUrl}' is not an http(s) URL");

        environment.TryGetValue(PrivateKeyVariable, out var key);
        if (string.IsNullOrWhiteSpace(key))
        {
            if (string.IsNullOrWhiteSpace(KeystorePath))
                errors.Add($"no signing key: set {PrivateKeyVariable} or keystorePath");
            else if (!File.Exists(KeystorePath))
                errors.Add($"keystorePath: '{KeystorePath}' does not exist");
            else if (!environment.TryGetValue(KeystorePasswordVariable, out var pw) || pw is null)
                errors.Add($"keystorePath is set but {KeystorePasswordVariable} is not");
        }
        else if (!IsHexKey(key))
        {
            errors.Add($"{PrivateKeyVariable}: not a 32-byte hex private key");
        }

        if (string.IsNullOrWhiteSpace(DeploymentFile)) errors.Add("deploymentFile: required");
        else if (!File.Exists(DeploymentFile)) errors.Add($"deploymentFile: '{DeploymentFile}' does not exist");
        if (string.IsNullOrWhiteSpace(JournalPath)) errors.Add("journalPath: required");
        if (string.IsNullOrWhiteSpace(ArtifactCacheDir)) errors.Add("artifactCacheDir: required");
        if (Capacity is < 1 or > 256) errors.Add($"capacity: {Capacity} is outside 1..256");
        if (!ProverDevices.TryParse(Device, out _)) errors.Add($"device: '{Device}' is not one of {string.Join(", ", ProverDevices.Names)}");
        if (GpuKeyBudgetMiB is < 0 or > 1 << 20) errors.Add($"gpuKeyBudgetMiB: {GpuKeyBudgetMiB} is outside 0..{1 << 20}");
        if (Confirmations is < 0 or > 64) errors.Add($"confirmations: {Confirmations} is outside 0..64");
        if (RpcAttemptTimeout < TimeSpan.FromMilliseconds(100) || RpcAttemptTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"rpcAttemptTimeout: {RpcAttemptTimeout} is outside 100 ms..5 min");
        if (PollInterval < TimeSpan.FromMilliseconds(50) || PollInterval > TimeSpan.FromMinutes(5))
            errors.Add($"pollInterval: {PollInterval} is outside 50 ms..5 min");
        if (!WeiAmount.IsPositive(MaxGasPriceWei))
            errors.Add($"maxGasPriceWei: '{MaxGasPriceWei}' is not a positive integer");
        if (!WeiAmount.TryParse(ObligationMaxGasPriceWei, out var obligationGas))
            errors.Add($"obligationMaxGasPriceWei: '{ObligationMaxGasPriceWei}' is not a non-negative integer");
        else if (WeiAmount.TryParse(MaxGasPriceWei, out var newWorkGas) && obligationGas < newWorkGas)
            errors.Add($"obligationMaxGasPriceWei: {obligationGas} is below maxGasPriceWei {newWorkGas} (a promise must be kept at any price new work is taken at)");
        bool minTipOk = WeiAmount.TryParse(MinPriorityFeeWei, out var minTip);
        if (!minTipOk) errors.Add($"minPriorityFeeWei: '{MinPriorityFeeWei}' is not a non-negative integer");
        if (!WeiAmount.TryParse(MaxPriorityFeeWei, out var maxTip))
            errors.Add($"maxPriorityFeeWei: '{MaxPriorityFeeWei}' is not a non-negative integer");
        else if (minTipOk && maxTip < minTip)
            errors.Add($"maxPriorityFeeWei: {maxTip} is below minPriorityFeeWei {minTip}");
        else if (WeiAmount.TryParse(ObligationMaxGasPriceWei, out var obligationCap) && maxTip > obligationCap)
            errors.Add($"maxPriorityFeeWei: {maxTip} exceeds obligationMaxGasPriceWei {obligationCap} (a tip alone may not exceed the fee cap)");
        if (RevealMaxGasShareOfBondBps is < 0 or > MaxRevealGasShareOfBondBps)
            errors.Add($"revealMaxGasShareOfBondBps: {RevealMaxGasShareOfBondBps} is outside 0..{MaxRevealGasShareOfBondBps}");
        bool perJobOk = WeiAmount.TryParse(MaxCollateralPerJobWei, out var perJob);
        if (!perJobOk) errors.Add($"maxCollateralPerJobWei: '{MaxCollateralPerJobWei}' is not a non-negative integer");
        if (!WeiAmount.TryParse(MaxCollateralAtRiskWei, out var atRisk))
            errors.Add($"maxCollateralAtRiskWei: '{MaxCollateralAtRiskWei}' is not a non-negative integer");
        else if (perJobOk && atRisk < perJob)
            errors.Add($"maxCollateralAtRiskWei: {atRisk} is below maxCollateralPerJobWei {perJob}");
        if (MaxJobsPerCircuit is < 0 or > 256) errors.Add($"maxJobsPerCircuit: {MaxJobsPerCircuit} is outside 0..256");
        if (!WeiAmount.TryParse(AskMaxCollateralWei, out var askCollateral))
            errors.Add($"askMaxCollateralWei: '{AskMaxCollateralWei}' is not a non-negative integer");
        else if (PostStandingAsks && (askCollateral < MinAskCollateral || askCollateral > MaxUInt96))
            errors.Add($"askMaxCollateralWei: {askCollateral} is outside {MinAskCollateral}..{MaxUInt96} (the ask book's MIN_ASK_COLLATERAL and uint96)");
        else if (PostStandingAsks && perJobOk && askCollateral > perJob)
            errors.Add($"askMaxCollateralWei: {askCollateral} exceeds maxCollateralPerJobWei {perJob} (an ask would promise collateral the worker refuses to put up)");
        if (AskLifetime < TimeSpan.FromMinutes(1) || AskLifetime > MaxAskLifetime)
            errors.Add($"askLifetime: {AskLifetime} is outside 1 min..{MaxAskLifetime.TotalDays:F0} days");
        if (MetricsUrl is not null && (!Uri.TryCreate(MetricsUrl, UriKind.Absolute, out var m) || !m.IsLoopback))
            errors.Add($"metricsUrl: '{MetricsUrl}' must be an http URL on a loopback address");
        if (OtlpEndpoint is not null && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var otlp) || (otlp.Scheme != "http" && otlp.Scheme != "https")))
            errors.Add($"otlpEndpoint: '{OtlpEndpoint}' is not an http(s) URL");

        if (MaxCallbackGas > MaxCallbackGasCeiling)
            errors.Add($"maxCallbackGas: {MaxCallbackGas} is outside 0..{MaxCallbackGasCeiling}");
        if (Batching is null) errors.Add("batching: must be an object (or left out)");
        else foreach (var e in Batching.Validate()) errors.Add($"batching.{e}");

        if (InputFetchTimeout <= TimeSpan.Zero || InputFetchTimeout > TimeSpan.FromHours(1))
            errors.Add($"inputFetchTimeout: {InputFetchTimeout} must be more than 0 and at most 1 hour");
        for (int i = 0; i < AllowedInputHosts.Count; i++)
            if (Proving.InputUriPolicy.EntryProblem(AllowedInputHosts[i]) is { } problem)
                errors.Add($"allowedInputHosts[{i}]: '{AllowedInputHosts[i]}' is {problem}");

        if (Circuits.Count == 0) errors.Add("circuits: at least one circuit is required");
        var seen = new HashSet<uint>();
        for (int i = 0; i < Circuits.Count; i++)
        {
            foreach (var e in Circuits[i].Validate()) errors.Add($"circuits[{i}].{e}");
            if (!seen.Add(Circuits[i].CircuitId)) errors.Add($"circuits[{i}].circuitId: {Circuits[i].CircuitId} appears twice");
        }
        foreach (var e in CostModel.Validate()) errors.Add($"costModel.{e}");
        var assets = new HashSet<byte>();
        for (int i = 0; i < CollateralReserve.Count; i++)
        {
            foreach (var e in CollateralReserve[i].Validate()) errors.Add($"collateralReserve[{i}].{e}");
            if (!assets.Add(CollateralReserve[i].AssetId)) errors.Add($"collateralReserve[{i}].assetId: {CollateralReserve[i].AssetId} appears twice");
        }
        return errors;
    }

    private static bool IsHexKey(string s)
    {
        var h = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s;
        return h.Length == 64 && h.All(Uri.IsHexDigit);
    }
}

/// <summary>
/// How the worker batches its deliveries (see <see cref="WorkerOptions.Batching"/>): finished proofs of assigned jobs
/// for the same circuit and verifier wait, each at most <see cref="MaxWaitSeconds"/> and never past its deadline less
/// the submission margin, and go out in one <c>fulfillBatch</c> (n + 3 pairings instead of 4n) once
/// <see cref="MaxBatchSize"/> are ready or the oldest has waited its time. Fewer than <see cref="MinBatchSize"/> go
/// singly through <c>fulfill</c>, and a proof waits only while a batch can still form (enough jobs of its kind are
/// proving).
/// </summary>
public sealed class BatchingOptions
{
    /// <summary>The most requests one <c>fulfillBatch</c> may take whatever the market allows.</summary>
    public const int MaxBatchSizeCeiling = 64;

    /// <summary>Whether deliveries are batched (default off: every proof goes singly, as soon as it is ready).</summary>
    public bool Enabled { get; set; }

    /// <summary>Most proofs in one batch: 2..<see cref="MaxBatchSizeCeiling"/>, and at most the market's
    /// <c>MAX_BATCH</c> (checked at start-up). Default 16.</summary>
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>Fewest proofs worth a <c>fulfillBatch</c>; smaller groups go singly. 2..<see cref="MaxBatchSize"/>; default 2.</summary>
    public int MinBatchSize { get; set; } = 2;

    /// <summary>Most seconds a finished proof waits for others to join its batch (never past its deadline less the
    /// submission margin). 0..3600; default 30.</summary>
    public int MaxWaitSeconds { get; set; } = 30;

    internal IEnumerable<string> Validate()
    {
        if (MaxBatchSize is < 2 or > MaxBatchSizeCeiling) yield return $"maxBatchSize: {MaxBatchSize} is outside 2..{MaxBatchSizeCeiling}";
        if (MinBatchSize < 2 || MinBatchSize > Math.Max(2, MaxBatchSize)) yield return $"minBatchSize: {MinBatchSize} is outside 2..maxBatchSize ({MaxBatchSize})";
        if (MaxWaitSeconds is < 0 or > 3600) yield return $"maxWaitSeconds: {MaxWaitSeconds} is outside 0..3600";
    }
}

/// <summary>A bond balance the worker keeps in the market for one collateral asset (see <see cref="WorkerOptions.CollateralReserve"/>).</summary>
public sealed class CollateralReserveOptions
{
    /// <summary>The vault's asset id (0 is ETH).</summary>
    public byte AssetId { get; set; }

    /// <summary>Target bond balance, in the asset's smallest unit (wei for ETH).</summary>
    public string AmountWei { get; set; } = "0";

    /// <summary>Parsed <see cref="AmountWei"/>.</summary>
    [JsonIgnore]
    public BigInteger Amount => BigInteger.Parse(AmountWei, System.Globalization.CultureInfo.InvariantCulture);

    internal IEnumerable<string> Validate()
    {
        if (!WeiAmount.IsPositive(AmountWei))
            yield return $"amountWei: '{AmountWei}' is not a positive integer";
    }
}

/// <summary>
/// A circuit the worker proves. With <see cref="Zkey"/> and <see cref="WitnessWasm"/> it uses those local files (checked
/// against the registered artifacts hash); without them it fetches the artifacts from the registered artifacts URI into
/// <see cref="WorkerOptions.ArtifactCacheDir"/>, checking the same hash.
/// </summary>
public sealed class CircuitOptions
{
    /// <summary>The circuit's id in the registry.</summary>
    public uint CircuitId { get; set; }

    /// <summary>Local proving key (.zkey); empty to fetch it from the registry's artifacts URI.</summary>
    public string Zkey { get; set; } = "";

    /// <summary>Local circom witness generator (.wasm); empty to fetch it from the registry's artifacts URI.</summary>
    public string WitnessWasm { get; set; } = "";

    /// <summary>Whether the artifacts come from the registry's artifacts URI rather than from local files.</summary>
    [JsonIgnore]
    public bool FetchFromRegistry => string.IsNullOrWhiteSpace(Zkey) && string.IsNullOrWhiteSpace(WitnessWasm);

    internal IEnumerable<string> Validate()
    {
        if (FetchFromRegistry) yield break;
        if (string.IsNullOrWhiteSpace(Zkey)) yield return "zkey: required when witnessWasm is set (or leave both empty to fetch the registered artifacts)";
        else if (!File.Exists(Zkey)) yield return $"zkey: '{Zkey}' does not exist";
        if (string.IsNullOrWhiteSpace(WitnessWasm)) yield return "witnessWasm: required when zkey is set (or leave both empty to fetch the registered artifacts)";
        else if (!File.Exists(WitnessWasm)) yield return $"witnessWasm: '{WitnessWasm}' does not exist";
    }
}

/// <summary>The operator's costs: what a job costs it, so that it bids only where it profits.</summary>
public sealed class CostModelOptions
{
    /// <summary>Cost per proving unit (constraint), in wei.</summary>
    public string CostPerUnitWei { get; set; } = "0";

    /// <summary>Fixed cost per job (witness, transfers), in wei, on top of gas.</summary>
    public string FixedCostWei { get; set; } = "0";

    /// <summary>Margin added on top of cost, in basis points (10000 = 100%).</summary>
    public int MarginBps { get; set; } = 1000;

    /// <summary>Proving speed in units per second; 0 means calibrate with the built-in self-benchmark at start-up.</summary>
    public double UnitsPerSecond { get; set; }

    /// <summary>Safety factor applied to the estimated proving time before checking that it fits a window.</summary>
    public double TimeSafetyFactor { get; set; } = 2.0;

    internal IEnumerable<string> Validate()
    {
        if (!WeiAmount.TryParse(CostPerUnitWei, out _)) yield return $"costPerUnitWei: '{CostPerUnitWei}' is not a non-negative integer";
        if (!WeiAmount.TryParse(FixedCostWei, out _)) yield return $"fixedCostWei: '{FixedCostWei}' is not a non-negative integer";
        if (MarginBps is < 0 or > 100_000) yield return $"marginBps: {MarginBps} is outside 0..100000";
        if (UnitsPerSecond < 0 || double.IsNaN(UnitsPerSecond) || double.IsInfinity(UnitsPerSecond)) yield return $"unitsPerSecond: {UnitsPerSecond} must be a finite number >= 0";
        if (TimeSafetyFactor is < 1.0 or > 100.0 || double.IsNaN(TimeSafetyFactor)) yield return $"timeSafetyFactor: {TimeSafetyFactor} is outside 1..100";
    }
}

/// <summary>Amounts in wei (or an asset's smallest unit) as the configuration and the CLI take them: plain decimal digits,
/// no sign, exponent, separators or spaces.</summary>
public static class WeiAmount
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a non-negative integer in that form.</summary>
    public static bool TryParse(string? text, out BigInteger value) =>
        BigInteger.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);

    /// <summary>Whether <paramref name="text"/> is a positive integer in that form.</summary>
    public static bool IsPositive(string? text) => TryParse(text, out var v) && v > 0;
}

/// <summary>The configuration file is missing, malformed or invalid.</summary>
public sealed class WorkerConfigurationException(string path, IReadOnlyList<string> problems)
    : Exception($"invalid worker configuration '{path}': " + string.Join("; ", problems))
{
    /// <summary>The configuration file.</summary>
    public string Path { get; } = path;

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
