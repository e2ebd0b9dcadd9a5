using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The worker's standing ask against a full ask book and across restarts, on a live market (anvil, one-second
/// blocks, real proofs).
/// </summary>
public sealed class AskBookAdversarialMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = MarketWaits.Patience;

    /// <summary>
    /// The ask book is full of cheaper asks, so every post of the worker's ask reverts (<c>TooManyAsks</c>): the upkeep
    /// fails apart from the requests, and an honest sealed-bid request is delivered on time all the same.
    /// </summary>
    [Fact]
    public async Task FullAskBook_doesNotHoldUpOtherWork()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        // 64 cheap asks (the book's limit), posted at once from 64 funded provers.
        var fillers = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => h.NewProverAsync(MarketHarness.Ether / 50)));
        var now = (await h.Client.GetBlockByTagAsync("latest"))!.Timestamp;
        // Posted in one block, each walks a longer book than its gas estimate saw: a generous gas limit.
        await Task.WhenAll(fillers.Select(k => new IAskBookService((new Signer(Anvil.CreateClient(), k, MarketHarness.Fast with { GasLimitMultiplier = 4 })).Web3(), h.AskBook.ContractAddress)
            .PostAskRequestAndWaitForReceiptAsync(MarketHarness.CircuitId, 1, 600, 1, 0, MarketHarness.Ether / 100, now + 3600, Address.Zero)));
        Assert.Equal(new BigInteger(64), await h.AskBook.AskCountQueryAsync(MarketHarness.CircuitId));

        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "crowdedout", "300000000000000");
        o.PostStandingAsks = true;
        h.StartWorker(o, env);
        var (_, id) = await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 8);
        await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var paid = (await h.MarketLogsAsync(id)).Select(l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out var e) ? e : null).OfType<IProverMarketService.RequestFulfilledEventDTO>().Single();
        Assert.Equal(key.Address, Address.Parse(paid.Prover));
        Assert.Contains(h.Log.Lines, l => l.Contains("Standing ask for circuit", StringComparison.Ordinal) && l.Contains("upkeep failed", StringComparison.Ordinal));
        Assert.False((await h.AskBook.AskOfQueryAsync(MarketHarness.CircuitId, key.Address)).Listed);
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// The ask offers only the capacity the worker has free: with capacity 2 and one sealed bid open, the ask is re-posted
    /// offering 1, and a restart (a new process on the same journal) does not reset it to 2 while the bid is open.
    /// </summary>
    [Fact]
    public async Task AskCapacity_followsFreeCapacity_andARestartDoesNotResetIt()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "honestask", "300000000000000", unitsPerSecond: 0.5);
        o.Capacity = 2;
        o.PostStandingAsks = true;
        var first = h.StartWorker(o, env);
        Assert.Equal(2u, (uint)(await h.WaitForAskAsync(key.Address, Patience)).Capacity);

        var (_, id) = await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 20, provingWindow: 60);
        await MarketWaits.WaitForAsync(h, async () => (await h.AskBook.AskOfQueryAsync(MarketHarness.CircuitId, key.Address)).Capacity == 1,
            "the ask kept offering 2 jobs while a bid held one");
        await h.StopWorker(first);
        h.StartWorker(o, env);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(5))
        {
            Assert.Equal(BigInteger.One, (await h.AskBook.AskOfQueryAsync(MarketHarness.CircuitId, key.Address)).Capacity);
            await Task.Delay(250);
        }
        await h.WaitForStatusAsync(id, Fulfilled, Patience);
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }
}
