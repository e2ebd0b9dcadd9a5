using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The worker's reveal through the transaction pipeline, on a live market (anvil, one-second blocks, real proofs): a
/// reveal a reorg removes is sent again by the signer's tracker and lands before the reveal deadline.
/// </summary>
public sealed class TransactionPipelineMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly BigInteger Gwei = BigInteger.Pow(10, 9);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task RevealRemovedByAReorg_isSentAgain_andLandsBeforeTheRevealDeadline()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "reorged", "300000000000000");
        h.StartWorker(o, env);
        var (request, id) = await h.SubmitAsync(mode: 0, a: 3, b: 4, bidSeconds: 6);

        var first = await WaitForRevealAsync(h, id, key.Address, after: null);
        // Let the worker's tracker see it mined (it checks every second), as a reorg would come some blocks later.
        await Task.Delay(1500);
        // Reorg the chain back to the block before the reveal: the new blocks hold no transaction at all.
        var head = await h.Client.BlockNumberAsync();
        await h.Anvil.CreateRpc().SendAsync("anvil_reorg", [head - first.BlockNumber + 1, Array.Empty<object>()]);

        // The worker's journal may already read the bid as revealed: only the signer's tracker can bring it back.
        var again = await WaitForRevealAsync(h, id, key.Address, after: first);
        Assert.Equal(first.TransactionHash, again.TransactionHash); // the same signed reveal, sent again
        var block = (await h.Client.GetBlockByNumberAsync(again.BlockNumber))!;
        Assert.True(block.Timestamp <= request.RevealDeadline, $"re-mined at {block.Timestamp}, after the reveal deadline {request.RevealDeadline}");
        Assert.True(h.Log.Lines.Any(l => l.Contains("a reorg removed it", StringComparison.Ordinal)), h.Log.Tail());

        await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var logs = await h.MarketLogsAsync(id);
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && e.Prover == key.Address);
        Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }

    /// <summary>Waits for <paramref name="prover"/>'s BidRevealed log on the request, other than <paramref name="after"/> (a block hash differs).</summary>
    internal static async Task<LogEntry> WaitForRevealAsync(MarketHarness h, byte[] id, Address prover, LogEntry? after)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var log = (await h.MarketLogsAsync(id)).FirstOrDefault(l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && e.Prover == prover
                && (after is null || !l.BlockHash.AsSpan().SequenceEqual(after.BlockHash)));
            if (log is not null) return log;
            h.ThrowIfAWorkerDied();
            Assert.True(sw.Elapsed < Patience, "no reveal" + (after is null ? "" : " after the reorg") + ": " + h.Log.Tail());
            await Task.Delay(100);
        }
    }

    internal static async Task WaitForAsync(MarketHarness h, Func<Task<bool>> done, string failure)
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

/// <summary>
/// A reveal may spend a share of its bond in gas above the normal (obligation) cap, on a live market, while the
/// worker's other sends stay under that cap. (Its own anvil: the spike leaves a high base fee behind.)
/// </summary>
public sealed class RevealBondShareMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly BigInteger Gwei = BigInteger.Pow(10, 9);

    [Fact]
    public async Task BaseFeeAboveTheObligationCap_theRevealSpendsFromItsBondShare_whileOtherSendsAreRefused()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        await CalmAsync(h);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "bondshare", "300000000000000");
        o.MaxGasPriceWei = "20000000000"; // 20 gwei, for new work and (below) for promises too
        o.ObligationMaxGasPriceWei = "20000000000";
        o.MaxPriorityFeeWei = "2000000000";
        o.RevealMaxGasShareOfBondBps = 5000; // half the bond
        Assert.Empty(o.Validate(env));
        h.StartWorker(o, env);
        var bond = MarketHarness.Ether / 10;
        // The bid phase leaves room for the spike to start before the reveal is priced, even on a loaded machine.
        var (_, id) = await h.SubmitAsync(mode: 0, a: 2, b: 9, bidSeconds: 14, minCollateral: bond);
        await TransactionPipelineMarketTests.WaitForAsync(h, async () => (await h.MarketLogsAsync(id)).Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && e.Prover == key.Address),
            "the worker never committed");

        using var spike = new CancellationTokenSource();
        var spiking = Task.Run(async () =>
        {
            while (!spike.IsCancellationRequested)
            {
                await h.SetNextBaseFeeAsync(60 * Gwei); // three times the obligation cap
                await Task.Delay(200);
            }
        });
        try
        {
            await TransactionPipelineMarketTests.WaitForAsync(h, async () => (await h.Client.GetBlockByTagAsync("latest"))!.BaseFeePerGas > o.ObligationMaxGasPrice, "the base fee never rose");
            var reveal = await TransactionPipelineMarketTests.WaitForRevealAsync(h, id, key.Address, after: null);
            var block = (await h.Client.GetBlockByNumberAsync(reveal.BlockNumber))!;
            Assert.True(block.BaseFeePerGas > o.ObligationMaxGasPrice, $"the reveal landed at base fee {block.BaseFeePerGas}, not above the cap: the spike did not hold");
            var tx = await h.Anvil.CreateRpc().SendAsync("eth_getTransactionByHash", [Hex.Encode(reveal.TransactionHash)]);
            var maxFee = Quantity.ParseBig(tx.GetProperty("maxFeePerGas").GetString()!);
            var gas = Quantity.ParseBig(tx.GetProperty("gas").GetString()!);
            Assert.True(maxFee > o.ObligationMaxGasPrice);
            Assert.True(maxFee * gas <= bond * o.RevealMaxGasShareOfBondBps / 10_000, $"the reveal may cost {maxFee * gas} wei, over half the bond");

            // The proof submission is no reveal: under the spike it is refused at the obligation cap, and waits.
            await TransactionPipelineMarketTests.WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(id), StringComparison.Ordinal)
                && l.Contains($"exceeds the cap of {o.ObligationMaxGasPrice.ToString(CultureInfo.InvariantCulture)} wei", StringComparison.Ordinal))),
                "no send of the request was refused at the obligation cap");
            Assert.NotEqual(Fulfilled, (int)(await h.Market.RequestStateQueryAsync(id)).Status);
        }
        finally
        {
            await spike.CancelAsync();
            await spiking;
        }

        // The bond was never forfeited (the proof, held under the cap through the spike, may miss its latency: that
        // is the obligation cap's trade-off, not the reveal's).
        Assert.DoesNotContain(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }
    /// <summary>
    /// A base fee so high that the reveal would cost more than its share of the bond: the reveal is refused (at a cap
    /// above the obligation cap, but within the share), logged, and retried; it never goes out during the spike.
    /// </summary>
    [Fact]
    public async Task RevealNeedingMoreThanItsBondShare_isRefused()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        await CalmAsync(h);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "overshare", "300000000000000");
        o.MaxGasPriceWei = "20000000000";
        o.ObligationMaxGasPriceWei = "20000000000";
        o.MaxPriorityFeeWei = "2000000000";
        o.RevealMaxGasShareOfBondBps = 1000; // 0.01 ETH of a 0.1 ETH bond: tens of gwei per gas for a reveal, not 200
        Assert.Empty(o.Validate(env));
        h.StartWorker(o, env);
        var (request, id) = await h.SubmitAsync(mode: 0, a: 2, b: 7, bidSeconds: 8, minCollateral: MarketHarness.Ether / 10);
        await TransactionPipelineMarketTests.WaitForAsync(h, async () => (await h.MarketLogsAsync(id)).Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && e.Prover == key.Address),
            "the worker never committed");

        using var spike = new CancellationTokenSource();
        var spiking = Task.Run(async () =>
        {
            while (!spike.IsCancellationRequested)
            {
                await h.SetNextBaseFeeAsync(200 * Gwei);
                await Task.Delay(200);
            }
        });
        try
        {
            // Either the reveal is priced after the spike began (refused before it is sent), or it went out just before
            // and is stuck (not replaced past its cap): both name a cap above the obligation cap and a fee above it.
            var refused = new System.Text.RegularExpressions.Regex("revealing needs (\\d+) wei per gas, over the reveal's cap of (\\d+)");
            var stuck = new System.Text.RegularExpressions.Regex("is stuck under the base fee (\\d+), and the fee cap (\\d+) leaves no room");
            System.Text.RegularExpressions.Match? seen = null;
            await TransactionPipelineMarketTests.WaitForAsync(h, () =>
            {
                seen = h.Log.Lines.Select(l => l.Contains(Hex.Encode(id), StringComparison.Ordinal) ? refused.Match(l) : stuck.Match(l)).FirstOrDefault(m => m.Success);
                return Task.FromResult(seen is not null);
            }, "the reveal was neither refused nor held under its cap");
            var needed = BigInteger.Parse(seen!.Groups[1].Value, CultureInfo.InvariantCulture);
            var cap = BigInteger.Parse(seen.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.True(cap > o.ObligationMaxGasPrice, $"the reveal's cap {cap} is not raised above the obligation cap: {seen.Value}");
            Assert.True(needed > cap);

            // Until the reveal deadline passes, no reveal of ours goes out.
            while ((await h.Client.GetBlockByTagAsync("latest"))!.Timestamp <= request.RevealDeadline)
            {
                Assert.DoesNotContain(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && e.Prover == key.Address);
                await Task.Delay(500);
            }
        }
        finally
        {
            await spike.CancelAsync();
            await spiking;
        }
    }

    /// <summary>A low base fee to start from (a test before may have left a spike behind on this anvil).</summary>
    private static async Task CalmAsync(MarketHarness h)
    {
        await h.SetNextBaseFeeAsync(Gwei);
        await TransactionPipelineMarketTests.WaitForAsync(h, async () => (await h.Client.GetBlockByTagAsync("latest"))!.BaseFeePerGas <= 2 * Gwei, "the base fee stayed high");
    }
}
