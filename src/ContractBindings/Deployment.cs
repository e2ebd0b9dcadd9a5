using System.Text.Json;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings;

/// <summary>Addresses of a market deployment, as written by <c>pmc demo</c> and the deploy script.</summary>
/// <param name="ChainId">Chain the contracts live on.</param>
/// <param name="CircuitRegistry">The circuit registry.</param>
/// <param name="CollateralVault">The collateral vault.</param>
/// <param name="ProverMarket">The market.</param>
/// <param name="DeployBlock">Block of the deployment: where event scans start.</param>
/// <remarks>Lives beside the bindings because every reader of the market (worker, indexer, CLI) needs the same file.</remarks>
public sealed record Deployment(ulong ChainId, Address CircuitRegistry, Address CollateralVault, Address ProverMarket, ulong DeployBlock)
{
    /// <summary>
    /// Deploys and wires a market: registry, vault, the market's cold-path extension and the market (which deploys its
    /// ask book), then hands the vault to the market. <paramref name="owner"/> owns every bounded parameter.
    /// </summary>
    public static async Task<Deployment> DeployAsync(Signer owner, Address treasury, ulong verifierUpgradeDelay = 3600,
        ulong unbondingDelay = 3600, CancellationToken cancellationToken = default)
    {
        var deployBlock = await owner.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var web3 = owner.Web3();
        var registry = await CircuitRegistryService.DeployContractAndGetServiceAsync(web3,
            new CircuitRegistryService.CircuitRegistryDeployment { UpgradeDelay = verifierUpgradeDelay }, cancellationToken).ConfigureAwait(false);
        var vault = await CollateralVaultService.DeployContractAndGetServiceAsync(web3,
            new CollateralVaultService.CollateralVaultDeployment { InitialOwner = owner.From, UnbondingDelay = unbondingDelay }, cancellationToken).ConfigureAwait(false);
        var extension = await ProverMarketExtensionService.DeployContractAndGetServiceAsync(web3,
            new ProverMarketExtensionService.ProverMarketExtensionDeployment { Registry = registry.ContractAddress, Vault = vault.ContractAddress }, cancellationToken).ConfigureAwait(false);
        var market = await ProverMarketService.DeployContractAndGetServiceAsync(web3, new ProverMarketService.ProverMarketDeployment
        {
            InitialOwner = owner.From,
            Registry = registry.ContractAddress,
            Vault = vault.ContractAddress,
            Treasury = treasury,
            Extension = extension.ContractAddress,
        }, cancellationToken).ConfigureAwait(false);
        await vault.SetMarketRequestAndWaitForReceiptAsync(market.ContractAddress, cancellationToken).ConfigureAwait(false);
        var chainId = await owner.Client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        return new Deployment(chainId, Address.Parse(registry.ContractAddress), Address.Parse(vault.ContractAddress), Address.Parse(market.ContractAddress), deployBlock);
    }

    /// <summary>Reads a deployment file.</summary>
    /// <exception cref="InvalidDataException">Missing file, bad JSON or a bad address: the message names the file and the field.</exception>
    public static Deployment Load(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var r = doc.RootElement;
            Address A(string name)
            {
                if (!r.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) throw new FormatException($"'{name}' is missing or not a string");
                try { return Address.Parse(v.GetString()!); }
                catch (FormatException e) { throw new FormatException($"'{name}': {e.Message}", e); }
            }
            ulong U(string name) => r.TryGetProperty(name, out var v) && v.TryGetUInt64(out var u) ? u : throw new FormatException($"'{name}' is missing or not an integer");
            return new Deployment(U("chainId"), A("circuitRegistry"), A("collateralVault"), A("proverMarket"), U("deployBlock"));
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException)
        {
            throw new InvalidDataException($"{path}: bad deployment file: {e.Message}", e);
        }
    }

    /// <summary>Writes this deployment as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(new
    {
        chainId = ChainId,
        circuitRegistry = CircuitRegistry.ToString(),
        collateralVault = CollateralVault.ToString(),
        proverMarket = ProverMarket.ToString(),
        deployBlock = DeployBlock,
    }, new JsonSerializerOptions { WriteIndented = true }));
}
