using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Configuration;
using Xunit.Abstractions;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// Batched delivery on a live market (anvil, one-second blocks, the real multiplier verifier, real proofs): several jobs
/// one worker won go out in one <c>fulfillBatch</c> and each is paid as by <c>fulfill</c>; with batching off each goes
/// in its own transaction; and a request lost while its proof waited is dropped from the batch without sinking the
/// others. The gas per request of each delivery is written to the test output.
/// </summary>
public sealed class BatchDeliveryMarketTests(BlockTimeAnvil anvil, ITestOutputHelper output) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);
    private readonly ITestOutputHelper _out = output;

    /// <summary>
    /// Two sealed-bid and two Dutch jobs won by one worker with batching on: the Dutch proofs, ready first, wait for the
    /// sealed ones (the worker's open bids may still join), and all four go out in one transaction holding four
    /// <c>RequestFulfilled</c> events, each paying the worker; the sealed auctions are settled inside the batch.
    /// </summary>
    [Fact]
    public async Task SealedAndDutchJobsOfOneWorker_goInOneFulfillBatch_andEachIsPaid()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        // A slow proving estimate (4 units at 0.2 units/s: 20 s) gives the sealed jobs promised latencies that leave room to wait.
        var (o, _, env) = h.WorkerConfig(key, "batcher", "300000000000000", unitsPerSecond: 0.2);
        o.Batching = new BatchingOptions { Enabled = true, MaxBatchSize = 4, MinBatchSize = 2, MaxWaitSeconds = 60 };
        var host = h.StartWorker(o, env);

        var ids = new List<byte[]>
        {
            (await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 6, provingWindow: 120)).Id,
            (await h.SubmitAsync(mode: 0, a: 3, b: 4, bidSeconds: 6, provingWindow: 120)).Id,
            (await h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 30, provingWindow: 120)).Id,
            (await h.SubmitAsync(mode: 1, a: 5, b: 6, bidSeconds: 30, provingWindow: 120)).Id,
        };
        foreach (var id in ids) await h.WaitForStatusAsync(id, Fulfilled, Patience);

        var paid = new List<(IProverMarketService.RequestFulfilledEventDTO Event, byte[] Transaction)>();
        foreach (var id in ids) paid.Add(await h.FulfilledAsync(id));
        DumpDeliveries(h);
        var tx = Assert.Single(paid.Select(p => Hex.Encode(p.Transaction)).Distinct());
        Assert.All(paid, p => Assert.Equal(key.Address, Address.Parse(p.Event.Prover)));
        Assert.All(paid, p => Assert.True(p.Event.ProverPayment > 0));
        var receipt = (await h.Client.GetTransactionReceiptAsync(Hex.Decode(tx)))!;
        Assert.Equal(4, receipt.Logs.Count(l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _)));
        // The sealed auctions were settled inside the batch (their assignment record), at the second score.
        Assert.Equal(2, receipt.Logs.Count(l => l.TryDecodeEvent<IProverMarketService.AuctionSettledEventDTO>(out _)));
        _out.WriteLine($"fulfillBatch of 4 (2 sealed, 2 Dutch): {receipt.GasUsed} gas, {receipt.GasUsed / 4} per request");

        var metrics = host.Node.Metrics.Snapshot();
        Assert.Equal(1, metrics["pmc_batches_sent"]);
        Assert.Equal(4, metrics["pmc_batch_proofs_sum"]);
        using var status = JsonDocument.Parse(host.Node.StatusJson());
        var recent = status.RootElement.GetProperty("recentBatches").EnumerateArray().Single();
        Assert.Equal(tx, recent.GetProperty("tx").GetString());
        Assert.Equal(4, recent.GetProperty("requests").GetArrayLength());
        Assert.Equal(4, status.RootElement.GetProperty("batching").GetProperty("proofsBatched").GetInt64());
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>With batching off (the default) each job goes out in its own <c>fulfill</c>, as soon as its proof is ready.</summary>
    [Fact]
    public async Task BatchingOff_eachJobIsDeliveredInItsOwnTransaction()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "single", "300000000000000");
        Assert.False(o.Batching.Enabled);
        var host = h.StartWorker(o, env);
        var ids = new List<byte[]>
        {
            (await h.SubmitAsync(mode: 1, a: 2, b: 3, bidSeconds: 30, provingWindow: 120)).Id,
            (await h.SubmitAsync(mode: 1, a: 3, b: 4, bidSeconds: 30, provingWindow: 120)).Id,
            (await h.SubmitAsync(mode: 0, a: 4, b: 5, bidSeconds: 6, provingWindow: 120)).Id,
        };
        foreach (var id in ids) await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var paid = new List<(IProverMarketService.RequestFulfilledEventDTO Event, byte[] Transaction)>();
        foreach (var id in ids) paid.Add(await h.FulfilledAsync(id));
        Assert.Equal(3, paid.Select(p => Hex.Encode(p.Transaction)).Distinct().Count());
        foreach (var (e, tx) in paid)
        {
            Assert.Equal(key.Address, Address.Parse(e.Prover));
            var receipt = (await h.Client.GetTransactionReceiptAsync(tx))!;
            Assert.Single(receipt.Logs, l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _));
            _out.WriteLine($"fulfill (single): {receipt.GasUsed} gas");
        }
        Assert.False(host.Node.Metrics.Snapshot().ContainsKey("pmc_batches_sent"));
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// Sixteen Dutch jobs of one worker, batched up to sixteen: one transaction delivers them all, and its gas per request
    /// is written to the output (the market's target is at most 100k per request at 16).
    /// </summary>
    [Fact]
    public async Task SixteenJobs_goInOneBatch_andTheGasPerRequestIsMeasured()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        // A cost under the Dutch start price: every request is locked as soon as it is seen, before the first proof is ready.
        var (o, _, env) = h.WorkerConfig(key, "sixteen", "1000000000000");
        o.Capacity = 16;
        o.Batching = new BatchingOptions { Enabled = true, MaxBatchSize = 16, MinBatchSize = 2, MaxWaitSeconds = 120 };
        h.StartWorker(o, env);
        var submits = Enumerable.Range(0, 16).Select(i => h.SubmitAsync(mode: 1, a: 2 + i, b: 3, bidSeconds: 40, provingWindow: 300)).ToList();
        var ids = (await Task.WhenAll(submits)).Select(s => s.Id).ToList();
        foreach (var id in ids) await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var txs = new List<string>();
        foreach (var id in ids)
        {
            var (e, tx) = await h.FulfilledAsync(id);
            Assert.Equal(key.Address, Address.Parse(e.Prover));
            txs.Add(Hex.Encode(tx));
        }
        DumpDeliveries(h);
        var batch = Assert.Single(txs.Distinct());
        var receipt = (await h.Client.GetTransactionReceiptAsync(Hex.Decode(batch)))!;
        Assert.Equal(16, receipt.Logs.Count(l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _)));
        _out.WriteLine($"fulfillBatch of 16 (Dutch): {receipt.GasUsed} gas, {receipt.GasUsed / 16} per request");
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>
    /// Three proofs wait for a batch (the worker's open bid on a fourth request may still join them). Meanwhile one of
    /// them is lost: its deadline is passed in one block that also slashes the worker on it and hands it to the
    /// runner-up (the worker never sees it late and still its own, so the proof stays in the batch). The batch is
    /// refused at gas estimation; each request is simulated alone, the lost one dropped, and the other two still go out
    /// together in one transaction and are paid.
    /// </summary>
    [Fact]
    public async Task ARequestLostWhileItsProofWaits_isDroppedFromTheBatch_andTheOthersAreStillDelivered()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var cheap = await h.NewProverAsync();
        var backup = await h.NewProverAsync();
        var (co, _, cenv) = h.WorkerConfig(cheap, "cheap", "300000000000000", unitsPerSecond: 0.1);
        co.Batching = new BatchingOptions { Enabled = true, MaxBatchSize = 8, MinBatchSize = 2, MaxWaitSeconds = 300 };
        var (bo, _, benv) = h.WorkerConfig(backup, "backup", "600000000000000");
        var worker = h.StartWorker(co, cenv);
        var runnerUp = h.StartWorker(bo, benv);

        // X: sealed, the runner-up takes over on a miss. Both bid; the cheap worker wins, the backup is the runner-up.
        var (lostTerms, lost) = await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 5, provingWindow: 120, onMiss: 1);
        await WaitForAsync(h, async () => (await h.MarketLogsAsync(lost)).Count(l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out _)) == 2,
            "both workers did not reveal their bids");
        await h.StopWorker(runnerUp);

        // Y, Z: Dutch, long windows. W: sealed with a long bid phase: the cheap worker's open bid on it keeps the batch waiting.
        var (_, y) = await h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 30, provingWindow: 600);
        var (_, z) = await h.SubmitAsync(mode: 1, a: 5, b: 6, bidSeconds: 30, provingWindow: 600);
        await h.SubmitAsync(mode: 0, a: 6, b: 7, bidSeconds: 200, provingWindow: 600);
        await WaitForAsync(h, () => Task.FromResult(new[] { lost, y, z }.All(id =>
                h.Log.Lines.Any(l => l.Contains(Hex.Encode(id), StringComparison.Ordinal) && l.Contains("proof ready", StringComparison.Ordinal)))),
            "the three proofs never all waited for a batch");

        // One block, past X's deadline, holding the slash: X goes to the runner-up.
        var view = await h.Market.RequestStateQueryAsync(lost);
        Assert.Equal(cheap.Address, Address.Parse(view.Prover));
        var deadline = (ulong)lostTerms.RevealDeadline + (ulong)view.ProverLatency;
        await h.SetIntervalMiningAsync(0);
        try
        {
            await Anvil.CreateRpc().SendAsync("evm_setNextBlockTimestamp", [deadline + 1]);
            await h.Market.SlashRequestAsync(new IProverMarketService.SlashFunction { Request = lostTerms, Gas = 1_000_000 });
            await h.MineAsync();
        }
        finally
        {
            await h.SetIntervalMiningAsync(1);
        }
        view = await h.Market.RequestStateQueryAsync(lost);
        Assert.Equal(Assigned, (int)view.Status);
        Assert.Equal(backup.Address, Address.Parse(view.Prover));

        await h.WaitForStatusAsync(y, Fulfilled, Patience);
        await h.WaitForStatusAsync(z, Fulfilled, Patience);
        var (ey, ty) = await h.FulfilledAsync(y);
        var (ez, tz) = await h.FulfilledAsync(z);
        Assert.Equal(Hex.Encode(ty), Hex.Encode(tz)); // still one batch
        Assert.Equal(cheap.Address, Address.Parse(ey.Prover));
        Assert.Equal(cheap.Address, Address.Parse(ez.Prover));
        var receipt = (await h.Client.GetTransactionReceiptAsync(ty))!;
        Assert.Equal(2, receipt.Logs.Count(l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _)));
        Assert.DoesNotContain(await h.MarketLogsAsync(lost), l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _));
        Assert.Contains(h.Log.Lines, l => l.Contains(Hex.Encode(lost), StringComparison.Ordinal) && l.Contains("dropped from a batch", StringComparison.Ordinal));
        Assert.True(worker.Node.Metrics.Snapshot()["pmc_batch_failures"] >= 1);
        _out.WriteLine($"fulfillBatch of 2 after dropping the lost request: {receipt.GasUsed} gas, {receipt.GasUsed / 2} per request");
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [cheap.Address]));
    }

    /// <summary>The worker's delivery decisions, in the test output.</summary>
    private void DumpDeliveries(MarketHarness h)
    {
        foreach (var l in h.Log.Lines.Where(l => l.Contains("batch", StringComparison.OrdinalIgnoreCase) || l.Contains("proof ready", StringComparison.Ordinal)
                     || l.Contains("submitting", StringComparison.OrdinalIgnoreCase) || l.Contains("taking the job", StringComparison.Ordinal) || l.Contains("locking", StringComparison.Ordinal)
                     || l.Contains("delivered", StringComparison.Ordinal)))
            _out.WriteLine(l);
    }

    private static async Task WaitForAsync(MarketHarness h, Func<Task<bool>> done, string failure)
    {
        var sw = Stopwatch.StartNew();
        while (!await done())
        {
            h.ThrowIfAWorkerDied();
            Assert.True(sw.Elapsed < Patience, failure + ": " + h.Log.Tail());
            await Task.Delay(200);
        }
    }
}
