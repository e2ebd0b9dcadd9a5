using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The worker against requesters whose callbacks revert, burn their gas or ask for more than it accepts, on a live
/// market (anvil, one-second blocks, real proofs), delivering one at a time and in batches.
/// </summary>
public sealed class HostileCallbackMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = MarketWaits.Patience;

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
        await using var h = await MarketHarness.CreateAsync(Anvil);
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
                await MarketWaits.WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(id), StringComparison.Ordinal) && l.Contains("callback failed", StringComparison.Ordinal))),
                    $"{behaviour}: the worker did not log the failed callback");
            }
            if (behaviour == CallbackRequester.Behaviour.Record) Assert.False(failed);
        }
        Assert.Equal(BigInteger.One, await requester.RecordedAsync());

        await MarketWaits.WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(oversized), StringComparison.Ordinal)
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
}
