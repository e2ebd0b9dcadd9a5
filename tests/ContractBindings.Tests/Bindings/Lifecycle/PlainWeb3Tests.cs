using Nethereum.Contracts;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Lifecycle;

/// <summary>
/// The generated services are Nethereum's typed API: a rollup team uses them with its own <see cref="Web3"/> (Nethereum's
/// account, transaction manager and RPC client, none of this project's), as the README shows.
/// </summary>
public sealed class PlainWeb3Tests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task Generated_services_deploy_send_query_filter_and_type_reverts_on_a_plain_nethereum_web3()
    {
        var web3 = new Web3(new Account(AnvilFixture.PrivateKey2, 31337), anvil.Endpoint.ToString());
        var owner = web3.TransactionManager.Account.Address;
        var vault = await CollateralVaultService.DeployContractAndGetServiceAsync(web3,
            new CollateralVaultService.CollateralVaultDeployment { InitialOwner = owner, UnbondingDelay = 3600 });

        const string market = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        var receipt = await vault.SetMarketRequestAndWaitForReceiptAsync(market);
        Assert.Equal(1, (int)receipt.Status.Value);
        var set = Assert.Single(receipt.DecodeAllEvents<CollateralVaultService.MarketSetEventDTO>());
        Assert.True(Address.Parse(set.Event.Market) == Address.Parse(market));
        Assert.True(Address.Parse(await vault.MarketQueryAsync()) == Address.Parse(market));

        // Typed event filter (indexed address) through Nethereum's eth_getLogs.
        var logs = await vault.GetMarketSetEventsAsync(receipt.BlockNumber.Value, market: market);
        Assert.Single(logs);
        Assert.Empty(await vault.GetMarketSetEventsAsync(receipt.BlockNumber.Value, market: "0x0000000000000000000000000000000000000001"));

        // A second setMarket reverts at Nethereum's gas estimation with the contract's custom error, surfaced typed.
        var again = await Assert.ThrowsAsync<CustomErrorException<CollateralVaultService.MarketAlreadySetError>>(
            () => vault.SetMarketRequestAndWaitForReceiptAsync(market));
        Assert.True(Address.Parse(again.Error.Market) == Address.Parse(market));

        // Nethereum's own message type works with the handler directly, too.
        var count = await vault.ContractHandler.QueryAsync<CollateralVaultService.AssetCountFunction, System.Numerics.BigInteger>(new());
        Assert.Equal(System.Numerics.BigInteger.One, count);
    }
}
