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
/// Workers in sealed-bid auctions against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.
/// </summary>
public sealed class WorkerMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task SealedBid_threeWorkers_lowestScoreWinsAndIsPaidTheSecondScore()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        // Same speed, different costs per proving unit: C is cheapest, then B, then A.
        var keys = new[] { await h.NewProverAsync(), await h.NewProverAsync(), await h.NewProverAsync() };
        string[] costs = ["900000000000000", "600000000000000", "300000000000000"];
        for (int i = 0; i < 3; i++)
        {
            var (o, _, env) = h.WorkerConfig(keys[i], $"sealed{i}", costs[i]);
            h.StartWorker(o, env);
        }

        var (_, id) = await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 5, latencyWeight: BigInteger.Pow(10, 9));
        await h.WaitForStatusAsync(id, Fulfilled, Patience);

        var logs = await h.MarketLogsAsync(id);
        var reveals = logs.DecodeEvents<IProverMarketService.BidRevealedEventDTO>().Select(x => x.Event).ToList();
        Assert.Equal(3, reveals.Count);
        // A bid's score is fee + latencyWeight * latency (the event carries fee and latency; the weight is in the terms).
        var weight = BigInteger.Pow(10, 9);
        BigInteger Score(IProverMarketService.BidRevealedEventDTO r) => r.Fee + weight * r.Latency;
        var ranked = reveals.OrderBy(Score).ToList();
        Assert.Equal(keys[2].Address, ranked[0].Prover); // the cheapest worker has the lowest score

        var settled = logs.DecodeEvents<IProverMarketService.AuctionSettledEventDTO>().Select(x => x.Event).Single();
        var fulfilled = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
        var secondScorePayment = Score(ranked[1]) - weight * ranked[0].Latency;
        Assert.Equal(Score(ranked[1]), settled.SecondScore);
        Assert.Equal(keys[2].Address, Address.Parse(settled.Winner));
        Assert.Equal(secondScorePayment, settled.Payment);
        Assert.Equal(keys[2].Address, Address.Parse(fulfilled.Prover));
        Assert.Equal(secondScorePayment, fulfilled.ProverPayment + fulfilled.ProtocolFee);
        Assert.True(fulfilled.ProverPayment + fulfilled.ProtocolFee > ranked[0].Fee);
    }

    /// <summary>
    /// The worker's <c>device</c> setting reaches its prover: with <c>ilgpu-cpu</c> the proof is computed by the GPU
    /// kernels (on ILGPU's CPU accelerator) and the market's on-chain verifier accepts it.
    /// </summary>
    [Fact]
    public async Task DeviceIlgpuCpu_theGpuKernelsProve_andTheMarketAcceptsTheProof()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "ilgpu", "300000000000000");
        o.Device = "ilgpu-cpu";
        h.StartWorker(o, env);

        var (_, id) = await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 5);
        await h.WaitForStatusAsync(id, Fulfilled, Patience);

        Assert.Contains(h.Log.Lines, l => l.Contains("Proving on Cpu 'CPUAccelerator' (ILGPU)", StringComparison.Ordinal));
        var fulfilled = (await h.MarketLogsAsync(id)).DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
        Assert.Equal(key.Address, Address.Parse(fulfilled.Prover));
    }

    /// <summary>
    /// One worker in two auctions at once commits from two bid lanes (its journal holds the first lane while that bid
    /// is open), opened at start-up for its capacity, and wins and delivers both; afterwards both lanes are free.
    /// </summary>
    [Fact]
    public async Task TwoAuctionsAtOnce_bidFromTwoLanes_andBothAreDelivered()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "twolanes", "300000000000000");
        h.StartWorker(o, env);
        var (_, first) = await h.SubmitAsync(mode: 0, a: 3, b: 4, bidSeconds: 6);
        var (_, second) = await h.SubmitAsync(mode: 0, a: 5, b: 6, bidSeconds: 6);
        await h.WaitForStatusAsync(first, Fulfilled, Patience);
        await h.WaitForStatusAsync(second, Fulfilled, Patience);

        var lanes = new List<BigInteger>();
        foreach (var id in new[] { first, second })
        {
            var logs = await h.MarketLogsAsync(id);
            var committed = logs.DecodeEvents<IProverMarketService.BidCommittedEventDTO>().Select(x => x.Event).Single(e => Address.Parse(e.Prover) == key.Address);
            lanes.Add(committed.Lane);
            // A lone sealed bid is paid the request's maxFee, not its own fee.
            var paid = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            Assert.Equal(MarketHarness.Ether / 100, paid.ProverPayment + paid.ProtocolFee);
        }
        Assert.Equal(2, lanes.Distinct().Count());
        foreach (var lane in lanes)
            Assert.Equal(BigInteger.One, await h.Market.BidLaneQueryAsync(key.Address, lane)); // free again
        Assert.Equal(BigInteger.One, await h.Market.BidLaneQueryAsync(key.Address, o.Capacity - 1)); // opened at start-up
    }
}
