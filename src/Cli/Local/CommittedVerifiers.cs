using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Local;

/// <summary>Deploys the committed verifier of a circuit (<c>contracts/src/verifiers</c>) and checks it against the local build.</summary>
public static class CommittedVerifiers
{
    /// <summary>
    /// Deploys the verifier committed for <paramref name="circuit"/> and verifies the build's example proof with it, so
    /// that a proving key that no longer matches the committed verifier fails here rather than at every fulfilment.
    /// </summary>
    /// <exception cref="InvalidOperationException">No verifier is committed for the circuit.</exception>
    /// <exception cref="ContractBindings.Contracts.ContractRevertException">The committed verifier rejects the local build's proof.</exception>
    public static async Task<Address> DeployCheckedAsync(CircuitBuild circuit, Signer owner, CancellationToken ct)
    {
        var proof = circuit.ExampleProofForChain();
        var publics = circuit.ExamplePublicInputs();
        switch (circuit.Name)
        {
            case "rollup_batch":
            {
                var v = await RollupBatchVerifierService.DeployContractAndGetServiceAsync(owner.Web3(), new RollupBatchVerifierService.RollupBatchVerifierDeployment(), ct).ConfigureAwait(false);
                await v.VerifyProofQueryAsync(proof.ToList(), publics.ToList()).ConfigureAwait(false); // reverts on a rejected proof
                return Address.Parse(v.ContractAddress);
            }
            case "multiplier":
            {
                var v = await MultiplierVerifierService.DeployContractAndGetServiceAsync(owner.Web3(), new MultiplierVerifierService.MultiplierVerifierDeployment(), ct).ConfigureAwait(false);
                await v.VerifyProofQueryAsync(proof.ToList(), publics.ToList()).ConfigureAwait(false); // reverts on a rejected proof
                return Address.Parse(v.ContractAddress);
            }
            default:
                throw new InvalidOperationException($"no committed verifier for circuit '{circuit.Name}' (contracts/src/verifiers)");
        }
    }
}
