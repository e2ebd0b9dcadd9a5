using System.Globalization;
using System.Numerics;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Cli.Local;

/// <summary>
/// A market deployed for a local run (<c>pmc demo</c>, <c>pmc soak</c>): the contracts, one circuit registered with its
/// committed verifier behind an artifact manifest, and the deployment file workers read. It also funds provers and
/// builds their worker options the same way for every local run.
/// </summary>
public sealed class LocalMarket
{
    /// <summary>The circuit id the one registered circuit gets.</summary>
    public const uint CircuitId = 1;

    private LocalMarket(Deployment deployment, string deploymentFile, string work, CircuitBuild circuit, Address verifier, string manifest)
    {
        Deployment = deployment;
        DeploymentFile = deploymentFile;
        Work = work;
        Circuit = circuit;
        Verifier = verifier;
        Manifest = manifest;
    }

    /// <summary>The contract addresses.</summary>
    public Deployment Deployment { get; }

    /// <summary>The deployment file, as workers read it.</summary>
    public string DeploymentFile { get; }

    /// <summary>The run's working folder (deployment file, manifest, journals, caches).</summary>
    public string Work { get; }

    /// <summary>The registered circuit.</summary>
    public CircuitBuild Circuit { get; }

    /// <summary>The circuit's verifier.</summary>
    public Address Verifier { get; }

    /// <summary>The artifact manifest the circuit is registered with.</summary>
    public string Manifest { get; }

    /// <summary>
    /// Deploys the market with <paramref name="owner"/> as owner and treasury, deploys and checks the circuit's
    /// committed verifier, and registers the circuit: the rollup publishes its artifacts behind a manifest and registers
    /// the manifest's URI with their hash, so workers fetch them from there (checking the hash) instead of being handed
    /// local files.
    /// </summary>
    /// <param name="owner">Deployer, owner and treasury.</param>
    /// <param name="circuit">The circuit to register as <see cref="CircuitId"/>.</param>
    /// <param name="work">Folder for the manifest and the deployment file.</param>
    /// <param name="ct">Cancels the deployment.</param>
    public static async Task<LocalMarket> DeployAsync(Signer owner, CircuitBuild circuit, string work, CancellationToken ct)
    {
        var deployment = await Deployment.DeployAsync(owner, owner.From, cancellationToken: ct).ConfigureAwait(false);
        var verifier = await CommittedVerifiers.DeployCheckedAsync(circuit, owner, ct).ConfigureAwait(false);
        var manifest = Path.Combine(work, ArtifactStore.ManifestFileName);
        ArtifactStore.WriteManifest(manifest, new Uri(circuit.Zkey).AbsoluteUri, new Uri(circuit.Wasm).AbsoluteUri);
        var artifactsHash = await ArtifactStore.ComputeHashAsync(circuit.Zkey, circuit.Wasm, ct).ConfigureAwait(false);
        var registry = new CircuitRegistryService(owner.Web3(), deployment.CircuitRegistry.ToString());
        await registry.RegisterCircuitRequestAndWaitForReceiptAsync(verifier, new Uri(manifest).AbsoluteUri, artifactsHash, circuit.Constraints, (ulong)circuit.PublicInputs, ct).ConfigureAwait(false);
        var deploymentFile = Path.Combine(work, "deployment.json");
        deployment.Save(deploymentFile);
        return new LocalMarket(deployment, deploymentFile, work, circuit, verifier, manifest);
    }

    /// <summary>Deposits <paramref name="deposit"/> wei of ETH collateral into the vault for <paramref name="prover"/>.</summary>
    public async Task FundProverAsync(Signer prover, BigInteger deposit, CancellationToken ct) =>
        await new CollateralVaultService(prover.Web3(), Deployment.CollateralVault.ToString()).DepositEthRequestAndWaitForReceiptAsync(deposit, ct).ConfigureAwait(false);

    /// <summary>
    /// Worker options for a prover of this market: the registered circuit fetched through its manifest, journal and
    /// artifact cache named after <paramref name="name"/> in the working folder, no confirmations (a local chain does
    /// not reorganise), and <paramref name="reserve"/> wei of the deposit held as the market bond balance (the worker
    /// reserves it at start-up, so each bond taken or released is one storage write instead of a vault call).
    /// <paramref name="batching"/> batches its deliveries (default: off, each proof delivered as soon as it is ready).
    /// </summary>
    public WorkerOptions WorkerOptions(string name, Uri rpc, CostModelOptions costModel, BigInteger reserve, BatchingOptions? batching = null) => new()
    {
        Batching = batching ?? new BatchingOptions(),
        RpcUrl = rpc.ToString(),
        DeploymentFile = DeploymentFile,
        JournalPath = Path.Combine(Work, $"{name}.db"),
        Circuits = [new CircuitOptions { CircuitId = CircuitId }],
        ArtifactCacheDir = Path.Combine(Work, $"{name}-artifacts"),
        CostModel = costModel,
        Capacity = 4,
        CollateralReserve = [new CollateralReserveOptions { AssetId = 0, AmountWei = reserve.ToString(CultureInfo.InvariantCulture) }],
        Confirmations = 0,
        PollInterval = TimeSpan.FromMilliseconds(250),
        MaxGasPriceWei = "100000000000",
    };
}
