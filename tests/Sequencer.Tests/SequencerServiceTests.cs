using System.Numerics;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Sequencer.Chain;
using ProverMarketChain.Sequencer.Poseidon;
using ProverMarketChain.Sequencer.State;
using Xunit.Abstractions;

namespace ProverMarketChain.Sequencer.Tests;

/// <summary>
/// The sequencer against a real market and ExampleRollup on anvil: batches built locally are committed, proven through
/// the market (the test delivers them), and finalized in order, with the contract's root equal to the local tree's;
/// a failed callback is synced, an expired request reposted, a repost by someone else followed, the callback's
/// finalization bound completed.
/// </summary>
public sealed class SequencerServiceTests(AnvilFixture anvil, ITestOutputHelper output) : IClassFixture<AnvilFixture>
{
    private static readonly CircomPoseidon Poseidon = CircomPoseidon.FromRepository(RepoPaths.Root);

    private async Task<(RollupChain Chain, SequencerService Sequencer, SeededRandom Rng)> StartAsync(string seed)
    {
        var chain = await RollupChain.CreateAsync(anvil);
        var rng = new SeededRandom(seed);
        var genesis = RandomRollup.Genesis(Poseidon, RollupShape.Demo, rng);
        var sequencer = await SequencerService.DeployAsync(chain.Owner, chain.Sequencer, chain.Deployment.ProverMarket, RollupChain.CircuitId, genesis);
        await sequencer.DepositAsync(RollupChain.Ether);
        return (chain, sequencer, rng);
    }

    [Fact]
    public async Task test_service_finalizesInOrderWithTheLocalRoots()
    {
        var (chain, seq, rng) = await StartAsync("service-order");
        var genesisRoot = seq.Head.Root;
        var batches = new List<CommittedBatch>();
        for (int i = 0; i < 3; i++) batches.Add(await seq.CommitAsync(s => RandomRollup.NextBatch(s, rng), RollupChain.OpenRace()));
        Assert.Equal([0, 1, 2], batches.Select(b => b.Index));
        Assert.Equal(genesisRoot, batches[0].OldRoot);
        Assert.Equal(batches[0].NewRoot, batches[1].OldRoot);
        Assert.Equal(seq.Head.Root, batches[2].NewRoot);
        Assert.Equal(seq.Rollup.ToString(), batches[0].Request.Requester, ignoreCase: true);

        // Batch 1 first: proven, but it waits for batch 0.
        await chain.DeliverAsync(batches[1].Request, batches[1].RequestId, batches[1].Batch!.PublicInputs);
        Assert.Empty((await seq.PollAsync()).OfType<BatchFinalized>());
        var tx = await chain.DeliverAsync(batches[0].Request, batches[0].RequestId, batches[0].Batch!.PublicInputs);
        var finalized = (await seq.PollAsync()).OfType<BatchFinalized>().ToList();
        Assert.Equal([0, 1], finalized.Select(f => f.Index));
        Assert.All(finalized, f => Assert.Equal(f.LocalRoot, f.Root));
        Assert.Equal(batches[1].NewRoot, finalized[1].Root);

        // The market's callback finalized them, within the rollup's callback gas.
        var gas = await chain.GasOfCallToAsync(tx.TransactionHash, seq.Rollup);
        var limit = (ulong)await seq.Contract.CALLBACK_GASQueryAsync();
        output.WriteLine($"callback gas on anvil (finalizes 2 batches): {gas} of {limit}");
        Assert.NotNull(gas);
        Assert.InRange(gas!.Value, 1UL, limit);

        await chain.DeliverAsync(batches[2].Request, batches[2].RequestId, batches[2].Batch!.PublicInputs);
        Assert.Equal([2], (await seq.PollAsync()).OfType<BatchFinalized>().Select(f => f.Index));
        Assert.Equal(3, seq.FinalizedBatches);
        Assert.Equal(seq.Head.Root, await seq.FinalizedRootAsync());
    }

    [Fact]
    public async Task test_service_syncsAProofWhoseCallbackFailed()
    {
        var (chain, seq, rng) = await StartAsync("service-sync");
        var b = await seq.CommitAsync(s => RandomRollup.NextBatch(s, rng), RollupChain.OpenRace());
        var code = await chain.GetCodeAsync(seq.Rollup);
        await chain.SetCodeAsync(seq.Rollup, "0x60006000fd"); // every call reverts: the callback fails
        var receipt = await chain.DeliverAsync(b.Request, b.RequestId, b.Batch!.PublicInputs);
        await chain.SetCodeAsync(seq.Rollup, code);
        Assert.Single(receipt.DecodeAllEvents<IProverMarketService.CallbackFailedEventDTO>());

        var events = await seq.PollAsync();
        Assert.IsType<BatchSynced>(events[0]);
        Assert.Equal(b.RequestId, ((BatchSynced)events[0]).RequestId);
        var f = Assert.Single(events.OfType<BatchFinalized>());
        Assert.Equal(b.NewRoot, f.Root);
        Assert.Equal(seq.Head.Root, await seq.FinalizedRootAsync());
    }

    [Fact]
    public async Task test_service_repostsAnExpiredRequest()
    {
        var (chain, seq, rng) = await StartAsync("service-repost");
        var b = await seq.CommitAsync(s => RandomRollup.NextBatch(s, rng), RollupChain.Dutch());
        var first = b.RequestId;
        Assert.Empty(await seq.PollAsync()); // live: nothing to do
        await chain.AdvanceAsync(11);       // the ramp is over and nobody locked

        var reposted = Assert.Single((await seq.PollAsync()).OfType<BatchReposted>());
        Assert.Equal(first, reposted.PreviousRequestId);
        Assert.NotEqual(first, reposted.RequestId);
        Assert.Equal(reposted.RequestId, b.RequestId);
        Assert.Equal(2, b.Attempts);
        Assert.Equal(6, (int)(await chain.Market.RequestStateQueryAsync(first)).Status); // Expired
        Assert.Equal(b.Request.MaxFee, RollupChain.Dutch().MaxFee);

        await chain.DeliverAsync(b.Request, b.RequestId, b.Batch!.PublicInputs);
        Assert.Single((await seq.PollAsync()).OfType<BatchFinalized>());
        Assert.Equal(seq.Head.Root, await seq.FinalizedRootAsync());
    }

    [Fact]
    public async Task test_service_followsARepostByAnyoneAndAttaches()
    {
        var (chain, seq, rng) = await StartAsync("service-attach");
        var b = await seq.CommitAsync(s => RandomRollup.NextBatch(s, rng), RollupChain.Dutch());
        await chain.AdvanceAsync(11);
        // A stranger reposts it (the price is the stored one).
        var asStranger = new ExampleRollupService(chain.Stranger.Web3(), seq.Rollup.ToString());
        await asStranger.RepostBatchRequestAndWaitForReceiptAsync(0, b.Request, b.Input, "");

        var adopted = Assert.Single((await seq.PollAsync()).OfType<BatchReposted>());
        Assert.Equal(b.RequestId, adopted.RequestId);

        // A second sequencer process attaches with the same head state and follows the batch to finalization.
        var other = await SequencerService.AttachAsync(chain.Sequencer, seq.Rollup, seq.Head.Clone());
        Assert.Equal(1, other.CommittedBatches);
        Assert.Equal(b.RequestId, other.Batches[0].RequestId);
        await chain.DeliverAsync(other.Batches[0].Request, other.Batches[0].RequestId, [b.OldRoot, b.NewRoot, b.BatchHash]);
        Assert.Single((await other.PollAsync()).OfType<BatchFinalized>());
    }

    [Fact]
    public async Task test_attach_refusesAnotherSequencerOrAnotherState()
    {
        var (chain, seq, rng) = await StartAsync("service-refuse");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => SequencerService.AttachAsync(chain.Stranger, seq.Rollup, seq.Head));
        Assert.Contains("is not the sequencer", e.Message);
        var elsewhere = seq.Head.Clone();
        RandomRollup.NextBatch(elsewhere, rng);
        e = await Assert.ThrowsAsync<InvalidOperationException>(() => SequencerService.AttachAsync(chain.Sequencer, seq.Rollup, elsewhere));
        Assert.Contains("is not rollup", e.Message);
    }

    [Fact]
    public async Task test_service_finalizesBeyondTheCallbackBound()
    {
        var (chain, seq, rng) = await StartAsync("service-bound");
        int n = (int)await seq.Contract.MAX_FINALIZE_PER_CALLQueryAsync() + 3;
        var batches = new List<CommittedBatch>();
        for (int i = 0; i < n; i++) batches.Add(await seq.CommitAsync(s => RandomRollup.NextBatch(s, rng), RollupChain.OpenRace(provingWindow: 600)));
        for (int i = n - 1; i >= 0; i--) await chain.DeliverAsync(batches[i].Request, batches[i].RequestId, batches[i].Batch!.PublicInputs);
        Assert.Equal(n - 3, (int)await seq.Contract.FinalizedBatchesQueryAsync()); // the callback's bound
        var finalized = (await seq.PollAsync()).OfType<BatchFinalized>().ToList();
        Assert.Equal(Enumerable.Range(0, n), finalized.Select(f => f.Index));
        Assert.Equal(seq.Head.Root, await seq.FinalizedRootAsync());
    }

    [Fact]
    public async Task test_commit_refusesABatchNotBuiltOnTheHead()
    {
        var (_, seq, rng) = await StartAsync("service-head");
        var ahead = seq.Head.Clone();
        RandomRollup.NextBatch(ahead, rng); // a batch the rollup never saw
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => seq.CommitAsync(_ => RandomRollup.NextBatch(ahead, rng), RollupChain.OpenRace()));
        Assert.Contains("not at the head root", e.Message);
        Assert.Equal(0, seq.CommittedBatches);
    }
}
