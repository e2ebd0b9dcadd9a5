using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

/// <summary>
/// The tracker stops following only when its owner disposes its RPC client. A hostile or broken node (every call failing,
/// dropped or answered 500) cannot make it give up a pending transaction: it keeps trying, and warns.
/// </summary>
public class TrackerShutdownTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task Tracker_survivesAFailingNode_andStopsOnlyWhenItsClientIsDisposed()
    {
        await anvil.CreateRpc().SendAsync("evm_setAutomine", [false]);
        using var proxy = new FaultProxy(anvil.Endpoint, seed: 7, delay: TimeSpan.FromMilliseconds(200)) { FaultRate = 0 };
        var rpc = new JsonRpcClient(proxy.Endpoint, new JsonRpcClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(500), OverallTimeout = TimeSpan.FromSeconds(1), MaxRetries = 0 });
        var key = EthKey.Generate();
        await anvil.CreateRpc().SendAsync("anvil_setBalance", [key.Address.ToString(), Quantity.Encode(System.Numerics.BigInteger.Pow(10, 20))]);
        var log = new ListLogger();
        var signer = new Signer(new EthClient(rpc), key, Pipeline.Fast(), log);

        await signer.SignAndSendAsync(Address.Zero, [], 1).WaitAsync(TimeSpan.FromSeconds(10)); // pending: automine is off
        Assert.True(signer.Tracker.IsRunning);

        proxy.FaultRate = 1.0;
        Assert.True(await Pipeline.EventuallyAsync(() => Task.FromResult(log.ToString().Contains("Transaction tracker pass", StringComparison.Ordinal)), TimeSpan.FromSeconds(10)), log.ToString());
        await Task.Delay(500);
        Assert.True(signer.Tracker.IsRunning, "a failing node made the tracker give up a pending transaction");

        proxy.FaultRate = 0;
        rpc.Dispose();
        Assert.True(await Pipeline.EventuallyAsync(() => Task.FromResult(!signer.Tracker.IsRunning), TimeSpan.FromSeconds(10)), log.ToString());
        Assert.Equal(1, signer.Tracker.Count); // still pending; nothing claims it was mined
    }
}
