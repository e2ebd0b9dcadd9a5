using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Node;
using ProverMarketChain.Worker.Node.Delivery;

namespace ProverMarketChain.Worker.Tests;

/// <summary>
/// The batcher against a scripted market: what it sends and how one request's failure stays its own (the others are
/// still delivered, as a smaller batch or singly).
/// </summary>
public sealed class DeliveryBatcherTests : IDisposable
{
    private static readonly BatchKey Key = new(1, Address.Parse("0x00000000000000000000000000000000000000a1"));
    private readonly WorkerMetrics _metrics = new("0xtest");

    public void Dispose() => _metrics.Dispose();

    private static PendingDelivery P(string id, ulong readyAt = 100, ulong deadline = 10_000) =>
        new(id, Key, readyAt, deadline, 0, new Request(), new BigInteger[8], []);

    /// <summary>A market that records sends and reverts as scripted.</summary>
    private sealed class FakeChannel : IDeliveryChannel
    {
        public readonly List<string> Singles = [];
        public readonly List<string[]> Batches = [];
        public readonly HashSet<string> Undeliverable = [];
        public readonly HashSet<string> InFlight = [];
        public string? InvalidProof;
        public bool VerifierLacksBatchEntry;
        public Exception? TransientFailure;
        public Action<Exception>? RevertLater;

        public Task<bool> IsClearAsync(string requestId, CancellationToken ct) => Task.FromResult(!InFlight.Contains(requestId));

        public Task SendSingleAsync(PendingDelivery d, CancellationToken ct)
        {
            if (Undeliverable.Contains(d.RequestId)) throw new ContractRevertException("WrongStatus", []);
            Singles.Add(d.RequestId);
            InFlight.Add(d.RequestId);
            return Task.CompletedTask;
        }

        public Task<bool> SendBatchAsync(IReadOnlyList<PendingDelivery> batch, Action<Exception> revertedOnChain, CancellationToken ct)
        {
            if (TransientFailure is { } t) throw t;
            for (int i = 0; i < batch.Count; i++)
            {
                if (batch[i].RequestId == InvalidProof)
                    throw new ContractRevertException("InvalidProofAt", [.. Keccak.Hash("InvalidProofAt(uint256)"u8.ToArray())[..4], .. new byte[31], (byte)i]);
                if (Undeliverable.Contains(batch[i].RequestId)) throw new ContractRevertException("WrongStatus", [0xde, 0xad, 0xbe, 0xef]);
            }
            if (VerifierLacksBatchEntry) throw new ContractRevertException("execution reverted", []);
            Batches.Add(batch.Select(p => p.RequestId).ToArray());
            foreach (var p in batch) InFlight.Add(p.RequestId);
            RevertLater = revertedOnChain;
            return Task.FromResult(true);
        }

        public Task<bool> CanDeliverAsync(PendingDelivery d, CancellationToken ct) =>
            Task.FromResult(!Undeliverable.Contains(d.RequestId) && d.RequestId != InvalidProof);
    }

    private DeliveryBatcher Batcher(FakeChannel channel, bool enabled = true, int min = 2, int max = 8, ulong wait = 30) =>
        new(channel, enabled ? new BatchPolicy(min, max, wait) : null, _metrics, NullLogger.Instance);

    private static Task FlushAsync(DeliveryBatcher b, ulong now, int proving = 0) => b.FlushAsync(now, 10, _ => proving, CancellationToken.None);

    [Fact]
    public async Task BatchingOff_everyProofGoesSinglyAtOnce()
    {
        var chain = new FakeChannel();
        var b = Batcher(chain, enabled: false);
        await b.OfferAsync(P("x"), CancellationToken.None);
        await b.OfferAsync(P("y"), CancellationToken.None);
        Assert.Equal(["x", "y"], chain.Singles);
        Assert.Empty(chain.Batches);
        Assert.Empty(b.Pending);
    }

    [Fact]
    public async Task ProofsWait_thenGoInOneBatch_andAreCounted()
    {
        var chain = new FakeChannel();
        var b = Batcher(chain, max: 3);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 101, proving: 1); // a third is proving: they wait
        Assert.Empty(chain.Batches);
        await b.OfferAsync(P("z", readyAt: 105), CancellationToken.None);
        await b.OfferAsync(P("x"), CancellationToken.None); // re-offered every tick: no duplicate
        await FlushAsync(b, 106, proving: 1); // full at 3: out at once
        Assert.Equal([["x", "y", "z"]], chain.Batches);
        Assert.Empty(chain.Singles);
        // In flight now: offered again (its step runs every tick), it is not queued again.
        await b.OfferAsync(P("x"), CancellationToken.None);
        Assert.Empty(b.Pending);
        Assert.Equal(1, _metrics.Snapshot()["pmc_batches_sent"]);
        Assert.Equal(3, _metrics.Snapshot()["pmc_batch_proofs_sum"]);
    }

    /// <summary>
    /// An assigned job still proving (its step said so: expected) keeps ready proofs of its kind waiting, up to their
    /// time; once its proof is offered the batch is full and goes at once. Without it they would go without it.
    /// </summary>
    [Fact]
    public async Task AnExpectedJob_keepsItsKindWaiting_untilItsProofIsOffered()
    {
        var chain = new FakeChannel();
        var b = Batcher(chain, max: 3, wait: 30);
        b.Expect("z", Key);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 120, proving: 0); // nothing promised elsewhere, but z is expected
        Assert.Empty(chain.Batches);
        Assert.True(b.Knows("z"));
        await b.OfferAsync(P("z", readyAt: 121), CancellationToken.None);
        await FlushAsync(b, 121, proving: 0);
        Assert.Equal([["x", "y", "z"]], chain.Batches);

        // An expected job that ended (forgotten) no longer holds anyone back.
        chain = new FakeChannel();
        b = Batcher(chain, wait: 30);
        b.Expect("gone", Key);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 101);
        Assert.Empty(chain.Batches);
        b.Forget("gone");
        await FlushAsync(b, 102);
        Assert.Equal([["x", "y"]], chain.Batches);
        // Past their wait, ready proofs go even while one is expected.
        chain = new FakeChannel();
        b = Batcher(chain, wait: 30);
        b.Expect("slow", Key);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 129);
        Assert.Empty(chain.Batches);
        await FlushAsync(b, 130);
        Assert.Equal([["x", "y"]], chain.Batches);
    }

    [Fact]
    public async Task OneInvalidProof_isTakenOut_andTheOthersStillGoAsABatch()
    {
        var chain = new FakeChannel { InvalidProof = "y" };
        var b = Batcher(chain);
        foreach (var id in new[] { "x", "y", "z" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 200);
        Assert.Equal([["x", "z"]], chain.Batches);
        Assert.Equal(["y"], chain.Singles); // alone: its own fate (its step sees the revert and re-reads state)
        Assert.Equal(1, _metrics.Snapshot()["pmc_batch_failures"]);
    }

    [Fact]
    public async Task ARequestLostMeanwhile_isDropped_andTheOthersAreStillDelivered()
    {
        var chain = new FakeChannel();
        var b = Batcher(chain);
        foreach (var id in new[] { "w", "x", "y", "z" }) await b.OfferAsync(P(id), CancellationToken.None);
        chain.Undeliverable.Add("x"); // slashed, expired or fulfilled by another since its proof was ready
        await FlushAsync(b, 200);
        Assert.Equal([["w", "y", "z"]], chain.Batches);
        Assert.DoesNotContain("x", chain.Singles);

        // Two of three lost: the one left goes singly, before its deadline.
        chain = new FakeChannel();
        b = Batcher(chain);
        foreach (var id in new[] { "a", "b", "c" }) await b.OfferAsync(P(id), CancellationToken.None);
        chain.Undeliverable.UnionWith(["a", "c"]);
        await FlushAsync(b, 200);
        Assert.Empty(chain.Batches);
        Assert.Equal(["b"], chain.Singles);
    }

    [Fact]
    public async Task ABatchThatFailsAlthoughEachProofDeliversAlone_makesItsKindGoSingly()
    {
        var chain = new FakeChannel { VerifierLacksBatchEntry = true };
        var b = Batcher(chain);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 200);
        Assert.Equal(["x", "y"], chain.Singles);
        // From now on this kind goes singly at once, without waiting.
        await b.OfferAsync(P("z"), CancellationToken.None);
        Assert.Equal(["x", "y", "z"], chain.Singles);
        Assert.Empty(chain.Batches);
    }

    [Fact]
    public async Task ABatchRevertedOnChain_sendsItsRequestsSinglyNextTime()
    {
        var chain = new FakeChannel();
        var b = Batcher(chain);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 200);
        Assert.Single(chain.Batches);
        chain.RevertLater!(new ContractRevertException("reverted on chain", []));
        chain.InFlight.Clear(); // the journal reads the reverted batch as clear to send again
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id, readyAt: 300), CancellationToken.None);
        Assert.Equal(["x", "y"], chain.Singles);
        Assert.Single(chain.Batches);
    }

    [Fact]
    public async Task ATransientFailure_keepsTheProofsWaiting_dueAtOnce()
    {
        var chain = new FakeChannel { TransientFailure = new HttpRequestException("node down") };
        var b = Batcher(chain);
        foreach (var id in new[] { "x", "y" }) await b.OfferAsync(P(id), CancellationToken.None);
        await FlushAsync(b, 200);
        Assert.Equal(2, b.Pending.Count);
        chain.TransientFailure = null;
        await FlushAsync(b, 201);
        Assert.Equal([["x", "y"]], chain.Batches);
    }

    [Fact]
    public async Task AForgottenRequest_leavesItsBatch()
    {
        var chain = new FakeChannel();
        var b = Batcher(chain);
        foreach (var id in new[] { "x", "y", "z" }) await b.OfferAsync(P(id), CancellationToken.None);
        b.Forget("y"); // its job ended (fulfilled by another, abandoned)
        await FlushAsync(b, 200);
        Assert.Equal([["x", "z"]], chain.Batches);
    }

    [Fact]
    public void InvalidProofIndex_readsOnlyThatError()
    {
        var data = Keccak.Hash("InvalidProofAt(uint256)"u8.ToArray())[..4].Concat(new byte[31]).Append((byte)5).ToArray();
        Assert.Equal(5, DeliveryBatcher.InvalidProofIndex(new ContractRevertException("x", data)));
        Assert.Null(DeliveryBatcher.InvalidProofIndex(new ContractRevertException("x", [])));
        Assert.Null(DeliveryBatcher.InvalidProofIndex(new ContractRevertException("x", [1, 2, 3, 4, .. new byte[32]])));
    }
}
