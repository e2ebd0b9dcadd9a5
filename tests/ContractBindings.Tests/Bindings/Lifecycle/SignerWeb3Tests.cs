using System.Numerics;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Lifecycle;

/// <summary>
/// The generated services on the worker's <see cref="SignerWeb3"/>: Nethereum's "send and wait" goes send, then poll the
/// receipt service by hash, and that wait must behave like the signer's own — a mined transaction that reverted throws,
/// and the gas limit is the signer's estimate with its headroom.
/// </summary>
public sealed class SignerWeb3Tests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task A_mined_revert_throws_and_the_gas_limit_carries_the_signers_headroom()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey2);
        var vault = await CollateralVaultService.DeployContractAndGetServiceAsync(signer.Web3(),
            new CollateralVaultService.CollateralVaultDeployment { InitialOwner = signer.From, UnbondingDelay = 3600 });

        // Too little gas for the call's work: the transaction is mined and reverts (out of gas), which must throw.
        var starved = new CollateralVaultService.SetMarketFunction { Market = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", Gas = 23_000 };
        var e = await Assert.ThrowsAnyAsync<ContractRevertException>(() => vault.SetMarketRequestAndWaitForReceiptAsync(starved));
        Assert.Contains("revert", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(Address.Parse(await vault.MarketQueryAsync()) == Address.Zero);

        // A normal send: estimated by the signer (eth_estimateGas x GasLimitMultiplier), mined, returned.
        var estimate = await signer.Client.EstimateGasAsync(new CallRequest(signer.From, Address.Parse(vault.ContractAddress),
            new CollateralVaultService.SetMarketFunction { Market = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }.GetCallData()));
        var receipt = await vault.SetMarketRequestAndWaitForReceiptAsync("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        Assert.Equal(BigInteger.One, receipt.Status.Value);
        var tx = await anvil.CreateRpc().SendAsync("eth_getTransactionByHash", [receipt.TransactionHash]);
        var gasLimit = Quantity.ParseBig(tx.GetProperty("gas").GetString()!);
        Assert.Equal(new BigInteger(Math.Ceiling(estimate * signer.Options.GasLimitMultiplier)), gasLimit);
    }
}
