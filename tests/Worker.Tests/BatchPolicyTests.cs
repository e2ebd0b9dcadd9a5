using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Node.Delivery;

namespace ProverMarketChain.Worker.Tests;

/// <summary>
/// The batching policy, pure, on a fake clock (the time is an argument): when a finished proof waits and when it goes,
/// alone or with which others.
/// </summary>
public sealed class BatchPolicyTests
{
    private static readonly BatchKey A = new(1, Address.Parse("0x00000000000000000000000000000000000000a1"));
    private static readonly BatchKey B = new(2, Address.Parse("0x00000000000000000000000000000000000000b2"));
    private const ulong Margin = 10;

    private static PendingDelivery P(string id, ulong readyAt, ulong deadline, BatchKey? key = null, ulong callbackGas = 0) =>
        new(id, key ?? A, readyAt, deadline, callbackGas, new Request(), new BigInteger[8], []);

    private static Func<BatchKey, int> Proving(int n) => _ => n;

    private static string[][] Ids(IReadOnlyList<IReadOnlyList<PendingDelivery>> sends) =>
        sends.Select(s => s.Select(p => p.RequestId).ToArray()).ToArray();

    [Fact]
    public void AProofWaitsUpToMaxWait_whileOthersOfItsKindAreProving_thenGoesWithWhatIsReady()
    {
        var policy = new BatchPolicy(minBatchSize: 2, maxBatchSize: 4, maxWaitSeconds: 30);
        PendingDelivery[] ready = [P("x", readyAt: 100, deadline: 1_000), P("y", readyAt: 110, deadline: 1_000)];
        for (ulong now = 100; now < 130; now++)
            Assert.Empty(policy.Due(ready, now, Margin, Proving(2)));
        // The oldest proof's wait is up: it goes, and the younger one with it (sending it early costs nothing).
        Assert.Equal([["x", "y"]], Ids(policy.Due(ready, 130, Margin, Proving(2))));
    }

    [Fact]
    public void AProofNeverWaitsPastItsDeadlineLessTheMargin()
    {
        var policy = new BatchPolicy(2, 16, maxWaitSeconds: 600);
        var p = P("x", readyAt: 100, deadline: 150);
        Assert.Equal(140UL, policy.ReleaseAt(p, Margin));
        Assert.Empty(policy.Due([p], 139, Margin, Proving(5)));
        Assert.Equal([["x"]], Ids(policy.Due([p], 140, Margin, Proving(5))));
        // Already late when it became ready (a proof that took longer than planned): no wait at all.
        Assert.Equal([["y"]], Ids(policy.Due([P("y", readyAt: 145, deadline: 150)], 145, Margin, Proving(5))));
        // A deadline inside the margin cannot underflow into a far future.
        Assert.Equal(0UL, BatchPolicy.SubmitBy(P("z", 0, 5), Margin));
    }

    [Fact]
    public void AFullBatchGoesAtOnce_capsAtMaxBatchSize_mostUrgentFirst()
    {
        var policy = new BatchPolicy(2, maxBatchSize: 3, maxWaitSeconds: 600);
        var ready = Enumerable.Range(0, 7).Select(i => P($"r{i}", readyAt: 100, deadline: 2_000 - (ulong)i * 10)).ToList();
        // Seven ready, more proving: two full batches of three (earliest deadlines first); the last one waits.
        var sends = policy.Due(ready, 101, Margin, Proving(3));
        Assert.Equal([["r6", "r5", "r4"], ["r3", "r2", "r1"]], Ids(sends));
        Assert.All(sends, s => Assert.True(s.Count <= 3));
    }

    [Fact]
    public void NoWaitWhenNothingCanJoin_andFewerThanMinBatchSizeGoSingly()
    {
        var policy = new BatchPolicy(minBatchSize: 3, maxBatchSize: 8, maxWaitSeconds: 600);
        PendingDelivery[] two = [P("x", 100, 1_000), P("y", 100, 1_000)];
        // Nothing else proving: waiting cannot grow the group, so it goes now; two are under minBatchSize: singly.
        Assert.Equal([["x"], ["y"]], Ids(policy.Due(two, 100, Margin, Proving(0))));
        // One more proving could make three: they wait for it.
        Assert.Empty(policy.Due(two, 100, Margin, Proving(1)));
        // With three ready and none proving, they go as one batch at once.
        Assert.Equal([["x", "y", "z"]], Ids(policy.Due([.. two, P("z", 100, 1_000)], 100, Margin, Proving(0))));
        // A lone proof with nothing of its kind proving never waits.
        Assert.Equal([["w"]], Ids(new BatchPolicy(2, 8, 600).Due([P("w", 100, 1_000)], 100, Margin, Proving(0))));
    }

    [Fact]
    public void ProofsOfDifferentCircuitsOrVerifiersNeverShareABatch()
    {
        var policy = new BatchPolicy(2, 8, maxWaitSeconds: 0);
        var c = new BatchKey(1, Address.Parse("0x00000000000000000000000000000000000000c3")); // circuit 1, another verifier
        PendingDelivery[] ready = [P("a1", 100, 1_000, A), P("b1", 100, 1_000, B), P("a2", 100, 1_000, A), P("b2", 100, 1_000, B), P("c1", 100, 1_000, c)];
        var sends = policy.Due(ready, 100, Margin, Proving(0));
        Assert.Equal(3, sends.Count);
        Assert.All(sends, s => Assert.Single(s.Select(p => p.Key).Distinct()));
        Assert.Contains(sends, s => s.Select(p => p.RequestId).Order().SequenceEqual(["a1", "a2"]));
        Assert.Contains(sends, s => s.Select(p => p.RequestId).Order().SequenceEqual(["b1", "b2"]));
        Assert.Contains(sends, s => s.Count == 1 && s[0].RequestId == "c1");
    }

    [Fact]
    public void ABatchStaysWithinItsGasBudget_callbacksIncluded()
    {
        var policy = new BatchPolicy(2, 64, maxWaitSeconds: 600);
        // Each proof carries a 1M-gas callback: about 1.14M gas each, so a 15M batch holds 12 of them.
        var ready = Enumerable.Range(0, 20).Select(i => P($"r{i:D2}", 100, 1_000, callbackGas: 1_000_000)).ToList();
        var sends = policy.Due(ready, 100, Margin, Proving(0));
        Assert.True(sends.Count >= 2);
        Assert.All(sends, s => Assert.True(BatchPolicy.BudgetGas(s) <= BatchPolicy.MaxBatchGas, $"a batch of {s.Count} is budgeted at {BatchPolicy.BudgetGas(s)}"));
        Assert.Equal(20, sends.Sum(s => s.Count));
    }

    /// <summary>Random schedules: every proof goes out by its deadline less the margin, and within maxWait of being ready,
    /// as long as the node ticks every second; no batch is over the size cap or mixes kinds.</summary>
    [Fact]
    public void RandomSchedules_everyProofGoesByItsReleaseTime_andNoBatchBreaksTheCaps()
    {
        var rng = new Random(17);
        for (int round = 0; round < 300; round++)
        {
            int max = rng.Next(2, 9), min = rng.Next(2, max + 1);
            ulong wait = (ulong)rng.Next(0, 60);
            var policy = new BatchPolicy(min, max, wait);
            var arrivals = Enumerable.Range(0, rng.Next(1, 30))
                .Select(i => P($"r{i}", (ulong)rng.Next(0, 100), 0, rng.Next(2) == 0 ? A : B))
                .Select(p => p with { Deadline = p.ReadyAt + (ulong)rng.Next(0, 120) }).ToList();
            var waiting = new List<PendingDelivery>();
            var sentAt = new Dictionary<string, ulong>();
            for (ulong now = 0; now < 400; now++)
            {
                waiting.AddRange(arrivals.Where(p => p.ReadyAt == now));
                int provingLeft(BatchKey k) => arrivals.Count(p => p.Key == k && p.ReadyAt > now);
                foreach (var send in policy.Due(waiting, now, Margin, provingLeft))
                {
                    Assert.True(send.Count <= max);
                    Assert.True(send.Count == 1 || send.Count >= min);
                    Assert.Single(send.Select(p => p.Key).Distinct());
                    foreach (var p in send)
                    {
                        sentAt.Add(p.RequestId, now);
                        waiting.Remove(p);
                    }
                }
            }
            Assert.Empty(waiting);
            foreach (var p in arrivals)
                Assert.True(sentAt[p.RequestId] <= Math.Max(p.ReadyAt, policy.ReleaseAt(p, Margin)),
                    $"{p.RequestId} ready at {p.ReadyAt}, deadline {p.Deadline}, sent at {sentAt[p.RequestId]}");
        }
    }

    [Fact]
    public void DeliveryGas_coversEachCallbackInFull_beyondTheEstimate()
    {
        Assert.Equal(0UL, DeliveryGas.Allowance(0));
        // 300000 + ceil(300000/63) + 10000 overhead.
        Assert.Equal(300_000UL + 4_762 + 10_000, DeliveryGas.Allowance(300_000));
        Assert.Equal(240_000UL, DeliveryGas.Limit(200_000, 1.2, []));
        Assert.Equal(240_000UL + DeliveryGas.Allowance(300_000) + DeliveryGas.Allowance(50_000), DeliveryGas.Limit(200_000, 1.2, [300_000, 0, 50_000]));
        // Never above the block's gas limit (it could not be included at all).
        Assert.Equal(1_000_000UL, DeliveryGas.Limit(200_000, 1.2, [1_000_000], blockGasLimit: 1_000_000));
        // A multiplier below 1 is read as 1: the estimate is the floor.
        Assert.Equal(200_000UL, DeliveryGas.Limit(200_000, 0.5, []));
    }
}
