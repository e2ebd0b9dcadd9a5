using System.Numerics;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

public class FaultToleranceTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task EveryTransactionLandsExactlyOnceThroughAFaultyProxy()
    {
        using var proxy = new FaultProxy(anvil.Endpoint, seed: 1234, delay: TimeSpan.FromMilliseconds(700));
        var options = new JsonRpcClientOptions
        {
            AttemptTimeout = TimeSpan.FromMilliseconds(500),
            OverallTimeout = TimeSpan.FromSeconds(20),
            MaxRetries = 10,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            CircuitMinimumThroughput = 10_000,
        };
        using var rpc = new JsonRpcClient(proxy.Endpoint, options);
        var key = EthKey.FromPrivateKey(AnvilFixture.PrivateKey0);
        var signer = new Signer(new EthClient(rpc), key, new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20), SendAttempts = 10 });
        var direct = anvil.CreateClient();
        var recipient = EthKey.Generate().Address;
        ulong startNonce = await direct.GetTransactionCountAsync(key.Address, "latest");

        const int count = 24;
        var gate = new SemaphoreSlim(4);
        var receipts = await Task.WhenAll(Enumerable.Range(1, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return await signer.SendTransactionAsync(recipient, [], i);
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(proxy.Faults >= 10, proxy.Stats);
        Assert.Equal(count, receipts.Select(r => Hex.Encode(r.TransactionHash)).Distinct().Count());
        Assert.Equal(startNonce + count, await direct.GetTransactionCountAsync(key.Address, "latest"));
        Assert.Equal(new BigInteger(count * (count + 1) / 2), await direct.GetBalanceAsync(recipient));
    }
}
