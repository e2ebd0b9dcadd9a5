using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.Cli.Soak;
using ProverMarketChain.ContractBindings.Primitives;
using static ProverMarketChain.Cli.Tests.Soak.SyntheticChain;

namespace ProverMarketChain.Cli.Tests.Soak;

public sealed class DuplicateSendDetectorTests
{
    private static readonly Address W1 = Addr(0x31), W2 = Addr(0x32), Stranger = Addr(0x99);
    private static readonly HashSet<Address> Workers = [W1, W2];
    private readonly MarketCallDecoder _decoder = new(Market);

    [Fact]
    public void TheRequestIdInCalldataIsTheMarketsId()
    {
        var r = Terms(42);
        Assert.True(_decoder.TryDecode(Market, CommitBid(r), out var f, out var id));
        Assert.Equal("commitBid", f);
        Assert.Equal(Hex.Encode(IdOf(r)), Hex.Encode(id));

        Assert.True(_decoder.TryDecode(Market, Fulfill(r), out f, out id));
        Assert.Equal("fulfill", f);
        Assert.Equal(Hex.Encode(IdOf(r)), Hex.Encode(id));

        Assert.True(_decoder.TryDecode(Market, CommitProof(IdOf(r)), out f, out id));
        Assert.Equal("commitProof", f);
        Assert.Equal(Hex.Encode(IdOf(r)), Hex.Encode(id));

        Assert.False(_decoder.TryDecode(Market, OpenBidLanes(), out _, out _)); // no request
        Assert.False(_decoder.TryDecode(AskBook, CommitBid(r), out _, out _)); // another contract
        Assert.False(_decoder.TryDecode(Market, CommitBid(r)[..100], out _, out _)); // truncated
    }

    [Fact]
    public void ABatchNamesEachOfItsRequests_asAFulfil()
    {
        Request[] rs = [Terms(7), Terms(8) with { CallbackGasLimit = 300_000 }, Terms(9)];
        Assert.True(_decoder.TryDecodeAll(Market, FulfillBatch(rs), out var f, out var ids));
        Assert.Equal("fulfill", f);
        Assert.Equal(rs.Select(r => Hex.Encode(IdOf(r))), ids.Select(id => Hex.Encode(id)));
        Assert.False(_decoder.TryDecode(Market, FulfillBatch(rs), out _, out _)); // not a single-request call
        Assert.False(_decoder.TryDecodeAll(Market, FulfillBatch(rs)[..40], out _, out _)); // truncated: names nothing
        Assert.False(_decoder.TryDecodeAll(AskBook, FulfillBatch(rs), out _, out _));

        // A request delivered in a batch and then again singly (or in another batch) is a duplicate; its batch-mates are not.
        var batch = Tx(W1, 40, 0, FulfillBatch(rs[0], rs[1]));
        var again = Tx(W1, 41, 0, Fulfill(rs[1]), ok: false);
        var other = Tx(W1, 41, 1, FulfillBatch(rs[2]));
        var d = Assert.Single(DuplicateSendDetector.Find([batch, again, other], Workers, _decoder));
        Assert.Equal(Hex.Encode(IdOf(rs[1])), d.RequestId);
        Assert.Equal(Hex.Encode(batch.Hash), d.FirstSuccess);
    }

    [Fact]
    public void ASendAfterASuccessIsADuplicate_aRetryBeforeItIsNot()
    {
        var r1 = Terms(1);
        var r2 = Terms(2);
        var second = Tx(W1, 12, 0, CommitBid(r1), ok: false);
        var txs = new[]
        {
            Tx(W1, 10, 0, CommitBid(r2), ok: false), // a reverted try before any success: a retry
            Tx(W1, 11, 0, CommitBid(r1)), // first success
            Tx(W1, 11, 1, CommitBid(r2)), // first success on r2
            Tx(W1, 11, 2, RevealBid(r1)), // other function
            Tx(W2, 11, 3, CommitBid(r1)), // other worker
            Tx(Stranger, 11, 4, CommitBid(r1)), // not a worker
            Tx(W1, 11, 5, CommitBid(r1), to: AskBook), // not the market
            second, // the duplicate (reverted: the contract refused it, but it was sent)
        };

        var found = DuplicateSendDetector.Find(txs, Workers, _decoder);

        var d = Assert.Single(found);
        Assert.Equal(W1, d.Worker);
        Assert.Equal("commitBid", d.Function);
        Assert.Equal(Hex.Encode(IdOf(r1)), d.RequestId);
        Assert.Equal(Hex.Encode(second.Hash), d.Transaction);
        Assert.Equal(Hex.Encode(txs[1].Hash), d.FirstSuccess);
        Assert.False(d.Succeeded);
    }

    [Fact]
    public void ChainOrderDecides_notTheOrderGiven()
    {
        var r = Terms(3);
        var late = Tx(W2, 30, 1, Fulfill(r));
        var early = Tx(W2, 30, 0, Fulfill(r));
        var earlier = Tx(W2, 29, 7, Fulfill(r), ok: false);

        var found = DuplicateSendDetector.Find([late, early, earlier], Workers, _decoder);

        var d = Assert.Single(found);
        Assert.Equal(Hex.Encode(late.Hash), d.Transaction);
        Assert.True(d.Succeeded); // two successful fulfilments of one request are still two sends
    }

    [Fact]
    public void EverySendAfterTheFirstSuccessCounts()
    {
        var r = Terms(4);
        var id = IdOf(r);
        var txs = new[] { Tx(W1, 1, 0, CommitProof(id)), Tx(W1, 2, 0, CommitProof(id), ok: false), Tx(W1, 3, 0, CommitProof(id), ok: false) };
        Assert.Equal(2, DuplicateSendDetector.Find(txs, Workers, _decoder).Count);
        Assert.Empty(DuplicateSendDetector.Find(txs[..1], Workers, _decoder));
    }
}
