using ProverMarketChain.ContractBindings.Rpc;
using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// Workers behind an RPC proxy that fails a fifth of the calls, against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.
/// </summary>
public sealed class WorkerFaultyRpcMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{

    [Fact]
    public async Task BehindAFaultyRpc_everyRequestIsFulfilledExactlyOnce()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        using var proxy = new FaultProxy(Anvil.Endpoint, seed: 2026, delay: TimeSpan.FromSeconds(2)) { FaultRate = 0.2 };
        var a = await h.NewProverAsync();
        var b = await h.NewProverAsync();
        foreach (var (k, n, cost) in new[] { (a, "flakyA", "300000000000000"), (b, "flakyB", "500000000000000") })
        {
            var (o, _, env) = h.WorkerConfig(k, n, cost, rpc: proxy.Endpoint, attemptTimeout: TimeSpan.FromSeconds(1));
            h.StartWorker(o, env);
        }

        var ids = new List<byte[]>
        {
            (await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 8)).Id,
            (await h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 20)).Id,
            (await h.SubmitAsync(mode: 3, a: 6, b: 7, provingWindow: 60)).Id,
        };
        foreach (var id in ids) await h.WaitForStatusAsync(id, Fulfilled, TimeSpan.FromSeconds(150));
        foreach (var id in ids)
            Assert.Single(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _));
        Assert.True(proxy.Faults > 0, "the proxy injected no fault: " + proxy.Stats);
    }

    /// <summary>
    /// A hostile RPC node (20% of calls fail or time out, replies delayed) between the worker and a standing-ask match:
    /// a lost <c>acceptMatch</c> reply or a failed status read must neither decline a good match nor send a second
    /// decision, and the job is accepted once and delivered once.
    /// </summary>
    [Fact]
    public async Task BehindAFaultyRpc_aStandingAskMatchIsAcceptedOnceAndDelivered()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        using var proxy = new FaultProxy(Anvil.Endpoint, seed: 4242, delay: TimeSpan.FromSeconds(2)) { FaultRate = 0.2 };
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "flakyAsk", "300000000000000", rpc: proxy.Endpoint, attemptTimeout: TimeSpan.FromSeconds(1));
        o.PostStandingAsks = true;
        h.StartWorker(o, env);
        await h.WaitForAskAsync(key.Address, TimeSpan.FromSeconds(150));

        var (_, id) = await h.SubmitAsync(mode: 2, a: 3, b: 11);
        await h.WaitForStatusAsync(id, Fulfilled, TimeSpan.FromSeconds(150));
        var logs = await h.MarketLogsAsync(id);
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out _));
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _));
        Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.MatchDeclinedEventDTO>(out _));
        using (var journal = new WorkerJournal(o.JournalPath))
            Assert.Equal(MatchDecision.Accept, Assert.Single(journal.Matches(Hex.Encode(id))).Decision);
        Assert.True(proxy.Faults > 0, "the proxy injected no fault: " + proxy.Stats);
    }
}
