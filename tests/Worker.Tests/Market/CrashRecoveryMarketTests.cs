using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// Worker processes killed (SIGKILL) at the worst moments on a live market (anvil, blocks held and released by the
/// test, real proofs): a restart on the same journal delivers once and never sends an action twice.
/// </summary>
public sealed class CrashRecoveryMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = MarketWaits.Patience;

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
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, file, env) = h.WorkerConfig(key, "phoenix", "300000000000000");
        HostileSetup.AllowLoopbackInputs(o, TimeSpan.FromSeconds(3));
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(o));
        try
        {
            // 1. After the bid commitment is broadcast, before it is mined.
            var worker = WorkerProcess.Start(file, env);
            await MarketWaits.WaitForAsync(h, async () => await h.Market.BidLaneQueryAsync(key.Address, o.Capacity - 1) != BigInteger.Zero, "the worker never opened its bid lanes", worker);
            await h.SetIntervalMiningAsync(0);
            var submit = h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 40);
            await MarketWaits.MineUntilAsync(h, () => Task.FromResult(submit.IsCompleted), "the request was never mined");
            var (_, sealedId) = await submit;
            await MarketWaits.MineUntilAsync(h, async () => await h.PendingTransactionsAsync(key.Address) > 0, "the worker never broadcast its commitment", worker);
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
            await MarketWaits.MineUntilAsync(h, () => Task.FromResult(submit.IsCompleted), "the Dutch request was never mined");
            var (_, dutchId) = await submit;
            await MarketWaits.MineUntilAsync(h, async () => (int)(await h.Market.RequestStateQueryAsync(dutchId)).Status == 2, "the worker never locked the Dutch job", worker);
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
}
