using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Msm;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Pricing;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Node;

/// <summary>Builds a <see cref="ProverNode"/> and everything it needs from validated <see cref="WorkerOptions"/>.</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private WorkerHost(ProverNode node) => Node = node;

    /// <summary>The node.</summary>
    public ProverNode Node { get; private set; }

    /// <summary>
    /// Proving speed in proving units (constraints) per second, measured with a G1 MSM. A Groth16 proof costs about
    /// eight G1 MSMs the size of the circuit (A, B1, C and H in G1, B2 in G2 at about three times a G1 MSM, plus the NTTs).
    /// </summary>
    /// <param name="logger">Told the measurement.</param>
    /// <param name="prover">The worker's prover: a GPU backend is timed on a real prove (see
    /// <see cref="CalibrateByProving"/>) rather than by the CPU's MSM, which says nothing about the device.</param>
    public static double CalibrateUnitsPerSecond(ILogger logger, IGroth16Backend? prover = null)
    {
        if (prover is not null and not Groth16Prover) return CalibrateByProving(logger, prover);
        var sw = Stopwatch.StartNew();
        var r = ArithmeticBench.BenchG1Msm(14);
        var unitsPerSecond = r.PointsPerSecond / 8;
        logger.LogInformation("Self-benchmark: G1 MSM {Points} points in {Ms:F0} ms => about {Ups:F0} proving units/s ({Total} ms)",
            r.Points, r.Milliseconds, unitsPerSecond, sw.ElapsedMilliseconds);
        return unitsPerSecond;
    }

    /// <summary>
    /// Proving speed of <paramref name="prover"/> from proves of a 2^12-constraint <see cref="SyntheticCircuit"/> (the
    /// second prove is timed: the first uploads the key to a GPU). Small circuits carry a GPU's fixed per-proof costs,
    /// so this errs towards the slow side, which makes the worker promise less, not miss deadlines.
    /// </summary>
    /// <param name="logger">Told the measurement.</param>
    /// <param name="prover">The prover to time.</param>
    /// <param name="log2">log2 of the circuit's domain (tests use a smaller one).</param>
    public static double CalibrateByProving(ILogger logger, IGroth16Backend prover, int log2 = 12)
    {
        ArgumentNullException.ThrowIfNull(prover);
        var circuit = SyntheticCircuit.Create(log2);
        string dir = Directory.CreateTempSubdirectory("pmc-calibrate-").FullName;
        try
        {
            string path = Path.Combine(dir, "calibration.zkey");
            circuit.WriteDevelopmentKey(path);
            using var zkey = ZkeyFile.Open(path);
            prover.Prove(zkey, circuit.Witness);
            var sw = Stopwatch.StartNew();
            prover.Prove(zkey, circuit.Witness);
            double unitsPerSecond = circuit.R1cs.NConstraints / Math.Max(sw.Elapsed.TotalSeconds, 1e-6);
            logger.LogInformation("Self-benchmark on {Prover}: a {Constraints}-constraint prove in {Ms:F0} ms => about {Ups:F0} proving units/s",
                prover.Description, circuit.R1cs.NConstraints, sw.Elapsed.TotalMilliseconds, unitsPerSecond);
            return unitsPerSecond;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Wires the node: key, RPC client, signer, journal, proof engine, planner, metrics endpoint.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="loggers">Logger factory.</param>
    /// <param name="environment">Where secrets come from (default: the process environment).</param>
    /// <param name="name">A label for logs.</param>
    /// <exception cref="WorkerConfigurationException">A setting cannot be met (a broken deployment file, <c>device: gpu</c>
    /// without a GPU); whatever was opened before is closed again.</exception>
    public static WorkerHost Create(WorkerOptions options, ILoggerFactory loggers, IReadOnlyDictionary<string, string?>? environment = null, string name = "worker")
    {
        var host = new WorkerHost(null!);
        try
        {
            Wire(host, options, loggers, environment, name);
            return host;
        }
        catch
        {
            for (int i = host._owned.Count - 1; i >= 0; i--) host._owned[i].Dispose();
            throw;
        }
    }

    private static void Wire(WorkerHost host, WorkerOptions options, ILoggerFactory loggers, IReadOnlyDictionary<string, string?>? environment, string name)
    {
        var log = loggers.CreateLogger($"ProverMarketChain.Worker.{name}");
        var (signer, rpc) = CreateSigner(options, loggers, environment);
        host._owned.Add(rpc);
        Deployment deployment;
        try { deployment = Deployment.Load(options.DeploymentFile); }
        catch (InvalidDataException e) { throw new WorkerConfigurationException(options.DeploymentFile, [e.Message]); }
        var journal = new WorkerJournal(options.JournalPath);
        host._owned.Add(journal);
        // Local artifacts open now; the others are fetched from the registry when the node starts.
        IGroth16Backend prover;
        try
        {
            prover = ProverBackends.Create(ProverDevices.Parse(options.Device), log, gpuKeyBudgetBytes: (long)options.GpuKeyBudgetMiB << 20);
        }
        catch (GpuUnavailableException e)
        {
            throw new WorkerConfigurationException(options.DeploymentFile, [$"device: {options.Device}: {e.Message}"]);
        }
        log.LogInformation("Proving on {Prover}", prover.Description);
        ProofEngine engine;
        try
        {
            engine = new ProofEngine(options.Circuits.Where(c => !c.FetchFromRegistry).Select(c => new CircuitArtifacts(c.CircuitId, c.Zkey, c.WitnessWasm)), log,
                prover: prover);
        }
        catch
        {
            (prover as IDisposable)?.Dispose(); // the engine owns it only once built
            throw;
        }
        host._owned.Add(engine);
        var speed = options.CostModel.UnitsPerSecond > 0 ? options.CostModel.UnitsPerSecond : CalibrateUnitsPerSecond(log, prover);
        var planner = new JobPlanner(options.CostModel, new GasProfile(), speed, maxCallbackGas: options.MaxCallbackGas);
        // Request inputs: under the input URI policy (checked at connect time) and one total deadline per fetch.
        var inputs = new InputFetcher(InputUriPolicy.FromOptions(options), options.InputFetchTimeout);
        host._owned.Add(inputs);
        var metrics = new WorkerMetrics(signer.From.ToString());
        host._owned.Add(metrics);
        // Proving keys run to gigabytes: their downloads get a longer total deadline than inputs (the store's own).
        var artifactHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        host._owned.Add(artifactHttp);
        var artifacts = new ArtifactStore(options.ArtifactCacheDir, artifactHttp, log, fetchTimeout: ArtifactStore.DefaultFetchTimeout);
        host.Node = new ProverNode(options, signer, deployment, journal, engine, planner, inputs, artifacts, metrics, log);
        metrics.Serve(options.MetricsUrl, options.OtlpEndpoint is { } otlp ? new Uri(otlp) : null, host.Node.StatusJson, log);
    }

    /// <summary>
    /// The operator's signer as the worker builds it: the key from <see cref="WorkerOptions.PrivateKeyVariable"/> or the
    /// keystore, an RPC client with the configured timeout, and the gas price cap. The caller disposes the RPC client.
    /// </summary>
    public static (Signer Signer, JsonRpcClient Rpc) CreateSigner(WorkerOptions options, ILoggerFactory loggers, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = environment ?? WorkerOptions.ProcessEnvironment();
        byte[] secret = env.TryGetValue(WorkerOptions.PrivateKeyVariable, out var hex) && !string.IsNullOrWhiteSpace(hex)
            ? Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex)
            : Keystore.Decrypt(options.KeystorePath!, env[WorkerOptions.KeystorePasswordVariable]!);
        var key = EthKey.FromPrivateKey(secret);
        Array.Clear(secret);
        var rpc = new JsonRpcClient(new Uri(options.RpcUrl), new JsonRpcClientOptions { AttemptTimeout = options.RpcAttemptTimeout }, loggers.CreateLogger<JsonRpcClient>());
        var signer = new Signer(new EthClient(rpc), key, new SignerOptions
        {
            // Promises (reveals, proofs) are sent up to the obligation cap; new work is gated at MaxGasPrice by the planner.
            MaxFeePerGasCap = options.ObligationMaxGasPrice,
            MinPriorityFeePerGas = options.MinPriorityFee,
            MaxPriorityFeePerGas = options.MaxPriorityFee,
            Confirmations = 1,
            // Own transactions are followed (and re-sent after a reorg) at least as deep as events are trusted.
            TrackConfirmations = Math.Max(options.Confirmations, new SignerOptions().TrackConfirmations),
            ReceiptPollInterval = TimeSpan.FromMilliseconds(100),
        }, loggers.CreateLogger<Signer>());
        return (signer, rpc);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        return ValueTask.CompletedTask;
    }
}
