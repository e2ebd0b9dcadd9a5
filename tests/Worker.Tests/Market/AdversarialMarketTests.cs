using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The worker against hostile requesters and a hostile network, on a live market (anvil, one-second blocks, real
/// proofs). In each case honest requests run alongside: they must still be fulfilled on time, no honest bond may be
/// forfeited, no collateral of the worker's may be lost, and the worker may never send the same action twice (counted
/// from its own mined transactions, not from contract reverts).
/// </summary>
public sealed class AdversarialMarketTests : IClassFixture<BlockTimeAnvil>
{
    private const int Fulfilled = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly BlockTimeAnvil _anvil;

    public AdversarialMarketTests(BlockTimeAnvil anvil) => _anvil = anvil;

    /// <summary>
    /// One worker, eight requests at once. Honest: a sealed bid, a Dutch auction, an open race, and a sealed bid whose
    /// input server answers 503 twice before it recovers. Hostile: an input server that stalls after its headers
    /// (slowloris), the input URIs <c>file:///dev/stdin</c> and <c>http://169.254.169.254/</c>, and an unsatisfiable
    /// public-inputs hash asking 50 ETH of collateral. Every honest request is delivered by the worker; no hostile one
    /// gets a bid; nothing of the worker's collateral is lost; no action is sent twice.
    /// </summary>
    [Fact]
    public async Task HostileRequests_neverDelayOrCostTheHonestOnes()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "steadfast", "300000000000000");
        o.Capacity = 6;
        HostileSetup.AllowLoopbackInputs(o, TimeSpan.FromSeconds(3));
        using var slowloris = HostileInputServer.Slowloris();
        var recovering = System.Text.Encoding.UTF8.GetBytes("{\"a\":\"8\",\"b\":\"9\"}");
        using var flaky = HostileInputServer.FailingFirst(2, recovering);
        h.StartWorker(o, env);

        var honest = new List<byte[]>
        {
            (await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 12)).Id,
            (await h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 30)).Id,
            (await h.SubmitAsync(mode: 3, a: 6, b: 7, provingWindow: 90)).Id,
            (await h.SubmitAsync(mode: 0, a: 8, b: 9, bidSeconds: 16, inputUri: flaky.Url)).Id,
        };
        var hostile = new Dictionary<string, byte[]>
        {
            ["slowloris"] = (await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 12, inputUri: slowloris.Url)).Id,
            ["stdin"] = (await h.SubmitAsync(mode: 0, a: 3, b: 12, bidSeconds: 12, inputUri: "file:///dev/stdin")).Id,
            ["metadata"] = (await h.SubmitAsync(mode: 0, a: 3, b: 13, bidSeconds: 12, inputUri: "http://169.254.169.254/latest/meta-data/")).Id,
            ["collateral"] = (await h.SubmitAsync(mode: 0, a: 3, b: 14, bidSeconds: 12, publicsOverride: [1, 2], minCollateral: 50 * MarketHarness.Ether)).Id,
        };

        foreach (var id in honest)
        {
            await h.WaitForStatusAsync(id, Fulfilled, Patience);
            var logs = await h.MarketLogsAsync(id);
            var paid = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.ProverSlashedEventDTO>(out _)); // on time
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
        }
        Assert.True(flaky.Requests >= 3, $"the recovering server saw {flaky.Requests} requests: the 503s were not retried");

        foreach (var (name, id) in hostile)
        {
            var logs = await h.MarketLogsAsync(id);
            Assert.False(logs.Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address), $"the worker bid on the {name} request");
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out _));
        }
        await HostileSetup.AssertRefusedAsync(h, o, hostile, TimeSpan.FromSeconds(60));
        Assert.Contains(h.Log.Lines, l => l.Contains(Hex.Encode(hostile["collateral"]), StringComparison.Ordinal) && l.Contains("maxCollateralPerJobWei", StringComparison.Ordinal));

        // Nothing of the worker's collateral is lost: all of it is back in its vault or bond balance.
        var vault = new ICollateralVaultService(h.Requester.Web3(), h.Vault.ToString());
        Assert.Equal(MarketHarness.Ether, await vault.FreeBalanceQueryAsync(key.Address, 0) + await h.Market.BondBalanceQueryAsync(key.Address, 0));
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// A hostile requester contract sets large callback gas limits that the deliverer pays, and its callbacks burn all
    /// their gas, revert, or return a huge returndata. The worker prices each callback into its bid (a callback request
    /// gets a higher bid than a plain one), sends every delivery with gas for the callback in full (none reverts
    /// <c>CallbackGasShort</c>), reads a failed callback as the requester's problem and is paid for all of them; a
    /// request asking more callback gas than <c>maxCallbackGas</c> is skipped with the reason. Singly, and in batches.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HostileCallbacks_arePricedDeliveredAndPaid_andOneAboveMaxCallbackGasIsSkipped(bool batching)
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var requester = await CallbackRequester.DeployAsync(h);
        var key = await h.NewProverAsync();
        // Batched: a slow proving estimate (20 s) gives promised latencies that leave the proofs room to wait for each other.
        var (o, _, env) = h.WorkerConfig(key, batching ? "callbacks-batched" : "callbacks", "300000000000000", unitsPerSecond: batching ? 0.2 : 1000);
        o.Capacity = 8;
        o.Batching = new Configuration.BatchingOptions { Enabled = batching, MaxBatchSize = 8, MinBatchSize = 2, MaxWaitSeconds = 30 };
        Assert.Equal(300_000UL, o.MaxCallbackGas);
        h.StartWorker(o, env);

        const uint CallbackGas = 250_000;
        var plain = (await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 10, provingWindow: 200)).Id;
        var hostile = new Dictionary<CallbackRequester.Behaviour, byte[]>();
        foreach (var behaviour in Enum.GetValues<CallbackRequester.Behaviour>())
            hostile[behaviour] = (await h.SubmitAsync(mode: 0, a: 3, b: 4 + (int)behaviour, bidSeconds: 10, provingWindow: 200, callbackGasLimit: CallbackGas,
                requester: requester.Address, via: requester.Via(behaviour))).Id;
        var oversized = (await h.SubmitAsync(mode: 1, a: 5, b: 6, bidSeconds: 20, callbackGasLimit: 300_001,
            requester: requester.Address, via: requester.Via(CallbackRequester.Behaviour.Record))).Id;

        await h.WaitForStatusAsync(plain, Fulfilled, Patience);
        foreach (var id in hostile.Values) await h.WaitForStatusAsync(id, Fulfilled, Patience);

        BigInteger BidFee(IReadOnlyList<LogEntry> logs) =>
            logs.DecodeEvents<IProverMarketService.BidRevealedEventDTO>().Select(x => x.Event).Single(e => Address.Parse(e.Prover) == key.Address).Fee;
        var plainFee = BidFee(await h.MarketLogsAsync(plain));
        foreach (var (behaviour, id) in hostile)
        {
            var logs = await h.MarketLogsAsync(id);
            var paid = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            Assert.True(paid.ProverPayment > 0);
            // The callback's gas is in the bid: more than the same job without one.
            Assert.True(BidFee(logs) > plainFee, $"{behaviour}: bid {BidFee(logs)} is not above the plain job's {plainFee}");
            bool failed = logs.Any(l => l.TryDecodeEvent<IProverMarketService.CallbackFailedEventDTO>(out _));
            if (behaviour is CallbackRequester.Behaviour.Revert or CallbackRequester.Behaviour.BurnAll)
            {
                Assert.True(failed, $"{behaviour}: no CallbackFailed");
                // Logged when the worker reads its receipt, which may come a moment after the test sees the request fulfilled.
                await WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(id), StringComparison.Ordinal) && l.Contains("callback failed", StringComparison.Ordinal))),
                    $"{behaviour}: the worker did not log the failed callback");
            }
            if (behaviour == CallbackRequester.Behaviour.Record) Assert.False(failed);
        }
        Assert.Equal(BigInteger.One, await requester.RecordedAsync());

        await WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(oversized), StringComparison.Ordinal)
            && l.Contains("callback gas limit 300001 exceeds maxCallbackGas 300000", StringComparison.Ordinal))), "the oversized callback was not skipped with its reason");
        Assert.DoesNotContain(await h.MarketLogsAsync(oversized), l => l.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out _));
        Assert.DoesNotContain(h.Log.Lines, l => l.Contains("CallbackGasShort", StringComparison.Ordinal));
        if (batching)
        {
            var txs = new HashSet<string>();
            foreach (var id in hostile.Values.Append(plain))
                txs.Add(Hex.Encode((await h.FulfilledAsync(id)).Transaction));
            Assert.True(txs.Count < 5, "batching on, yet every callback job went in its own transaction: "
                + string.Join('\n', h.Log.Lines.Where(l => l.Contains("batch", StringComparison.OrdinalIgnoreCase) || l.Contains("submitting", StringComparison.Ordinal))));
        }
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// The base fee jumps above the worker's new-work gas cap while its sealed bid waits for the reveal phase: the reveal
    /// and the proof still go out (a promise is kept up to the obligation cap), no bond is forfeited, and a request
    /// posted during the spike gets no bid.
    /// </summary>
    [Fact]
    public async Task BaseFeeAboveTheCap_whileARevealIsPending_theRevealStillLands()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "spiky", "300000000000000");
        o.MaxGasPriceWei = "20000000000"; // 20 gwei for new work
        h.StartWorker(o, env);
        var (_, pending) = await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 8);
        await WaitForAsync(h, async () => (await h.MarketLogsAsync(pending)).Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address),
            "the worker never committed");

        using var spike = new CancellationTokenSource();
        var spiking = Task.Run(async () =>
        {
            while (!spike.IsCancellationRequested)
            {
                await h.SetNextBaseFeeAsync(BigInteger.Pow(10, 9) * 60); // 60 gwei: three times the cap
                await Task.Delay(200);
            }
        });
        try
        {
            // The requester's own fee estimate follows the chain: post once a spiked block is mined.
            await WaitForAsync(h, async () => (await h.Client.GetBlockByTagAsync("latest"))!.BaseFeePerGas > o.MaxGasPrice, "the base fee never rose");
            var (_, during) = await h.SubmitAsync(mode: 0, a: 4, b: 5, bidSeconds: 6);
            var view = await h.WaitForStatusAsync(pending, Fulfilled, Patience);
            var logs = await h.MarketLogsAsync(pending);
            Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
            var (paid, paidLog) = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            var block = (await h.Client.GetBlockByNumberAsync(paidLog.BlockNumber))!;
            Assert.True(block.BaseFeePerGas > o.MaxGasPrice, $"the proof landed at base fee {block.BaseFeePerGas}, not above the cap: the spike did not hold");

            // New work during the spike is refused with the reason.
            await WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(during), StringComparison.Ordinal) && l.Contains("exceeds the cap", StringComparison.Ordinal))),
                "the request posted during the spike was not refused for its gas price");
            Assert.DoesNotContain(await h.MarketLogsAsync(during), l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out _));
            _ = view;
        }
        finally
        {
            await spike.CancelAsync();
            await spiking;
        }
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// The ask book is full of cheaper asks, so every post of the worker's ask reverts (<c>TooManyAsks</c>): the upkeep
    /// fails apart from the requests, and an honest sealed-bid request is delivered on time all the same.
    /// </summary>
    [Fact]
    public async Task FullAskBook_doesNotHoldUpOtherWork()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        // 64 cheap asks (the book's limit), posted at once from 64 funded provers.
        var fillers = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => h.NewProverAsync(MarketHarness.Ether / 50)));
        var now = (await h.Client.GetBlockByTagAsync("latest"))!.Timestamp;
        // Posted in one block, each walks a longer book than its gas estimate saw: a generous gas limit.
        await Task.WhenAll(fillers.Select(k => new IAskBookService((new Signer(_anvil.CreateClient(), k, MarketHarness.Fast with { GasLimitMultiplier = 4 })).Web3(), h.AskBook.ContractAddress)
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
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "honestask", "300000000000000", unitsPerSecond: 0.5);
        o.Capacity = 2;
        o.PostStandingAsks = true;
        var first = h.StartWorker(o, env);
        Assert.Equal(2u, (uint)(await h.WaitForAskAsync(key.Address, Patience)).Capacity);

        var (_, id) = await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 20, provingWindow: 60);
        await WaitForAsync(h, async () => (await h.AskBook.AskOfQueryAsync(MarketHarness.CircuitId, key.Address)).Capacity == 1,
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

    /// <summary>
    /// <c>kill -9</c> of a worker process at the three worst moments, each followed by a restart on the same journal:
    /// after its bid commitment is broadcast but before it is mined; after a Dutch job's fulfilment is broadcast but
    /// before it is mined (block production is held by the test so the transaction is provably in flight); and in the
    /// middle of a proof (its witness generator is slowed by a shim). Each request is delivered once, no bond is
    /// forfeited, and the worker's mined transactions hold no duplicate action.
    /// </summary>
    [Fact]
    public async Task KilledAtTheWorstMoments_restartsDeliverOnceAndNeverSendTwice()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, file, env) = h.WorkerConfig(key, "phoenix", "300000000000000");
        HostileSetup.AllowLoopbackInputs(o, TimeSpan.FromSeconds(3));
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(o));
        try
        {
            // 1. After the bid commitment is broadcast, before it is mined.
            var worker = WorkerProcess.Start(file, env);
            await WaitForAsync(h, async () => await h.Market.BidLaneQueryAsync(key.Address, o.Capacity - 1) != BigInteger.Zero, "the worker never opened its bid lanes", worker);
            await h.SetIntervalMiningAsync(0);
            var submit = h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 40);
            await MineUntilAsync(h, () => Task.FromResult(submit.IsCompleted), "the request was never mined");
            var (_, sealedId) = await submit;
            await MineUntilAsync(h, async () => await h.PendingTransactionsAsync(key.Address) > 0, "the worker never broadcast its commitment", worker);
            worker = await RestartWhileInFlightAsync(h, worker, file, env);
            await h.WaitForStatusAsync(sealedId, Fulfilled, Patience);
            var logs = await h.MarketLogsAsync(sealedId);
            Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
            // The restarted worker found its commitment in flight (journalled hash, known to the node) and never tried
            // to send another: not even one that would have reverted.
            Assert.DoesNotContain("committing bid", worker.Output(), StringComparison.Ordinal);

            // 2. After a Dutch job's fulfilment is broadcast, before it is mined.
            await h.SetIntervalMiningAsync(0);
            submit = h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 60);
            await MineUntilAsync(h, () => Task.FromResult(submit.IsCompleted), "the Dutch request was never mined");
            var (_, dutchId) = await submit;
            await MineUntilAsync(h, async () => (int)(await h.Market.RequestStateQueryAsync(dutchId)).Status == 2, "the worker never locked the Dutch job", worker);
            var waited = Stopwatch.StartNew();
            while (await h.PendingTransactionsAsync(key.Address) == 0)
            {
                Assert.True(waited.Elapsed < Patience, "the worker never broadcast its proof: " + worker.Output());
                await Task.Delay(100);
            }
            worker = await RestartWhileInFlightAsync(h, worker, file, env);
            await h.WaitForStatusAsync(dutchId, Fulfilled, Patience);
            Assert.Single(await h.MarketLogsAsync(dutchId), l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
            Assert.DoesNotContain("submitting proof", worker.Output(), StringComparison.Ordinal);
            worker.Dispose();

            // 3. In the middle of a proof: node is slowed down, so the proof's witness takes seconds.
            var shim = Directory.CreateTempSubdirectory("pmc-slow-node-").FullName;
            var realNode = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "node")).First(File.Exists);
            var nodeShim = Path.Combine(shim, "node");
            File.WriteAllText(nodeShim, $"#!/bin/sh\nsleep 4\nexec '{realNode}' \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(nodeShim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            worker = WorkerProcess.Start(file, env, pathFirst: shim);
            var (_, raceId) = await h.SubmitAsync(mode: 3, a: 6, b: 7, provingWindow: 120);
            waited.Restart();
            while (!worker.Output().Contains("taking open work", StringComparison.Ordinal))
            {
                Assert.True(waited.Elapsed < Patience, "the worker never took the race: " + worker.Output());
                Assert.False(worker.Process.HasExited, "the worker exited: " + worker.Output());
                await Task.Delay(100);
            }
            await Task.Delay(1500); // inside the proof's slowed witness
            Assert.DoesNotContain("proving, witness done", worker.Output(), StringComparison.Ordinal);
            worker.Process.Kill(entireProcessTree: true);
            await worker.Process.WaitForExitAsync();
            worker.Dispose();
            worker = WorkerProcess.Start(file, env);
            await h.WaitForStatusAsync(raceId, Fulfilled, Patience);
            Assert.Single(await h.MarketLogsAsync(raceId), l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
            worker.Dispose();
        }
        finally
        {
            await h.SetIntervalMiningAsync(1);
        }
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// Kills the worker (SIGKILL) while its transaction waits in the mempool, starts a new process on the same journal
    /// and lets it run for a while with block production still held, so a worker that re-sent the action would do it
    /// now; then blocks resume.
    /// </summary>
    private static async Task<WorkerProcess> RestartWhileInFlightAsync(MarketHarness h, WorkerProcess worker, string file, Dictionary<string, string?> env)
    {
        worker.Process.Kill(entireProcessTree: true);
        await worker.Process.WaitForExitAsync();
        worker.Dispose();
        var restarted = WorkerProcess.Start(file, env);
        var sw = Stopwatch.StartNew();
        while (!restarted.Output().Contains("following market", StringComparison.Ordinal))
        {
            Assert.True(sw.Elapsed < Patience, "the restarted worker never came up: " + restarted.Output());
            Assert.False(restarted.Process.HasExited, "the restarted worker exited: " + restarted.Output());
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(4)); // a dozen ticks with the transaction still in flight
        await h.SetIntervalMiningAsync(1);
        return restarted;
    }

    private static async Task MineUntilAsync(MarketHarness h, Func<Task<bool>> done, string failure, WorkerProcess? worker = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(sw.Elapsed < Patience, failure + (worker is null ? "" : ": " + worker.Output()));
            if (worker is not null) Assert.False(worker.Process.HasExited, "the worker exited: " + worker.Output());
            await h.MineAsync();
            await Task.Delay(400);
        }
    }

    private static async Task WaitForAsync(MarketHarness h, Func<Task<bool>> done, string failure, WorkerProcess? worker = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await done())
        {
            h.ThrowIfAWorkerDied();
            Assert.True(sw.Elapsed < Patience, failure + ": " + (worker?.Output() ?? h.Log.Tail()));
            await Task.Delay(200);
        }
    }
}
