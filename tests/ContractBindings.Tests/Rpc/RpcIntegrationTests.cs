using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

public class RpcIntegrationTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly BigInteger Eth = BigInteger.Pow(10, 18);

    [Fact]
    public async Task TypedMethodsAndBatching()
    {
        var client = anvil.CreateClient();
        Assert.Equal(AnvilFixture.ChainId, await client.ChainIdAsync());
        var account = EthKey.FromPrivateKey(AnvilFixture.PrivateKey2).Address;
        Assert.True(await client.GetBalanceAsync(account) > 1000 * Eth);
        var head = await client.BlockNumberAsync();
        var block = await client.GetBlockByNumberAsync(head);
        Assert.NotNull(block);
        Assert.Equal(32, block!.Hash.Length);
        Assert.NotNull(block.BaseFeePerGas);
        var history = await client.FeeHistoryAsync(4, "latest", [50]);
        Assert.NotEmpty(history.BaseFeePerGas);

        var batch = await client.Rpc.SendBatchAsync([("eth_chainId", []), ("eth_blockNumber", []), ("eth_getBalance", ["0xnot-an-address", "latest"])]);
        Assert.Equal("0x7a69", batch[0].GetResultOrThrow().GetString());
        Assert.NotNull(batch[1].Result);
        Assert.NotNull(batch[2].Error);
        Assert.Null(await client.GetBlockByNumberAsync(head + 1000));
    }

    [Fact]
    public async Task DeployCallLogsAndReverts()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey1);
        var deployed = await signer.SendTransactionAsync(null, TestContracts.EmitterInit, 0);
        var contract = deployed.ContractAddress!.Value;
        Assert.Equal(TestContracts.EmitterRuntime, await signer.Client.GetCodeAsync(contract));

        // eth_call and eth_estimateGas reverts come back decoded, and nothing is sent.
        var callRevert = await Assert.ThrowsAsync<ContractRevertException>(() => signer.CallAsync(contract, []));
        Assert.Equal(Hex.Decode("0xdeadbeef"), callRevert.RevertData);
        ulong nonceBefore = await signer.Client.GetTransactionCountAsync(signer.From);
        var sendRevert = await Assert.ThrowsAsync<ContractRevertException>(() => signer.SendTransactionAsync(contract, [], 0));
        Assert.Equal(Hex.Decode("0xdeadbeef"), sendRevert.RevertData);
        Assert.Equal(nonceBefore, await signer.Client.GetTransactionCountAsync(signer.From));

        var topic = Keccak.Hash(System.Text.Encoding.ASCII.GetBytes("Ping(uint256)"));
        var receipt = await signer.SendTransactionAsync(contract, topic, 0);
        Assert.True(receipt.Succeeded);
        var log = Assert.Single(receipt.Logs);
        Assert.Equal(contract, log.Address);
        Assert.Equal(topic, log.Topics[0]);
        var logs = await signer.GetLogsAsync(new LogFilter(receipt.BlockNumber, receipt.BlockNumber, [contract], [topic]));
        Assert.Equal(receipt.TransactionHash, Assert.Single(logs).TransactionHash);
        var none = await signer.GetLogsAsync(new LogFilter(receipt.BlockNumber, receipt.BlockNumber, [contract], [new byte[32]]));
        Assert.Empty(none);
    }

    [Fact]
    public async Task ConcurrentSendsUseDistinctNoncesAndAllLand()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey0);
        var recipient = EthKey.Generate().Address;
        ulong start = await signer.Client.GetTransactionCountAsync(signer.From);
        var receipts = await Task.WhenAll(Enumerable.Range(1, 30).Select(i => signer.SendTransactionAsync(recipient, [], i)));
        Assert.All(receipts, r => Assert.True(r.Succeeded));
        Assert.Equal(30, receipts.Select(r => Hex.Encode(r.TransactionHash)).Distinct().Count());
        Assert.Equal(start + 30, await signer.Client.GetTransactionCountAsync(signer.From, "latest"));
        Assert.Equal(new BigInteger(30 * 31 / 2), await signer.Client.GetBalanceAsync(recipient));
    }

    [Fact]
    public async Task RecoversFromNonceTooLowWhenAnotherSenderUsesTheKey()
    {
        var key = EthKey.Generate();
        var funder = anvil.CreateSigner(AnvilFixture.PrivateKey2);
        await funder.SendTransactionAsync(key.Address, [], Eth);
        var a = new Signer(anvil.CreateClient(), key, new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) });
        var b = new Signer(anvil.CreateClient(), key, new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) });
        await a.SendTransactionAsync(Address.Zero, [], 1); // a caches nonce 1
        for (int i = 0; i < 3; i++)
        {
            await b.SendTransactionAsync(Address.Zero, [], 1); // b uses nonces 1..3 behind a's back
        }

        var receipt = await a.SendTransactionAsync(Address.Zero, [], 1); // a's nonce 1 is stale: must resync to 4
        Assert.True(receipt.Succeeded);
        Assert.Equal(5UL, await a.Client.GetTransactionCountAsync(key.Address, "latest"));
    }

    [Fact]
    public async Task FeeCapIsEnforced()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey2, new SignerOptions { MaxFeePerGasCap = 1000 });
        var e = await Assert.ThrowsAsync<FeeCapExceededException>(() => signer.SendTransactionAsync(Address.Zero, [], 1));
        Assert.Equal(new BigInteger(1000), e.Cap);
        Assert.True(e.Required > e.Cap);
        var fees = await anvil.CreateSigner(AnvilFixture.PrivateKey2).EstimateFeesAsync();
        Assert.True(fees.MaxFeePerGas >= fees.NextBaseFee + fees.MaxPriorityFeePerGas);
    }

    [Fact]
    public async Task WaitsForConfirmations()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey2);
        var sent = await signer.SignAndSendAsync(Address.Zero, [], 1);
        var wait = signer.WaitForReceiptAsync(sent, confirmations: 3);
        await Task.Delay(200);
        Assert.False(wait.IsCompleted);
        await signer.Client.Rpc.SendAsync("evm_mine", []);
        await signer.Client.Rpc.SendAsync("evm_mine", []);
        var receipt = await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(sent.Hash, receipt.TransactionHash);
        Assert.True(await signer.Client.BlockNumberAsync() >= receipt.BlockNumber + 2);
    }
}
