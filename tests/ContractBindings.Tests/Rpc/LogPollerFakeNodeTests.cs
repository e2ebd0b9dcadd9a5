using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

/// <summary>The log poller against an in-memory node: range splitting, requests per poll and resuming across a reorganisation.</summary>
public class LogPollerFakeNodeTests
{
    private static (JsonRpcClient Rpc, EthClient Client) Connect(FakeChain chain)
    {
        var rpc = new JsonRpcClient(new Uri("http://fake.invalid/"), new JsonRpcClientOptions { MaxRetries = 0 }, handler: chain);
        return (rpc, new EthClient(rpc));
    }

    private static LogFilter Filter(ulong from = 1) => new(from, null, [FakeChain.Emitter], [FakeChain.Topic]);

    private static List<ulong> Blocks(IEnumerable<LogEntry> logs) => logs.Select(FakeChain.LogBlock).ToList();

    private static List<ulong> Range(ulong from, ulong to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (ulong)i).ToList();

    [Theory]
    [InlineData(-32005, "query returned more than 10000 results")]
    [InlineData(-32000, "block range is too large")]
    [InlineData(-32602, "exceed maximum block range: 5")]
    public async Task RangeTooLarge_isSplitUntilTheNodeAccepts_andEveryLogArrivesInOrder(int code, string message)
    {
        using var chain = new FakeChain(41) { MaxLogRange = 5, RangeErrorCode = code, RangeErrorMessage = message };
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var poller = new LogPoller(client, Filter(), new LogPollerOptions { MaxBlockRange = 64 });

        var logs = await poller.PollOnceAsync();

        Assert.Equal(Range(1, 40), Blocks(logs));
        Assert.All(logs, l => Assert.False(l.Removed));
        Assert.Equal(41UL, poller.NextBlock);
        int refusedThenSplit = chain.CallsTo("eth_getLogs");
        Assert.True(refusedThenSplit > 8, chain.ToString()); // 40 blocks at most 5 a query is 8 accepted queries, plus the refused ones

        // The smaller range is kept: the next 12 blocks need no refused query (3 accepted ones of at most 5 blocks).
        chain.Extend(12);
        Assert.Equal(Range(41, 52), Blocks(await poller.PollOnceAsync()));
        Assert.Equal(refusedThenSplit + 3, chain.CallsTo("eth_getLogs"));
    }

    [Fact]
    public async Task SingleBlockStillTooLarge_surfacesTheNodeError()
    {
        using var chain = new FakeChain(4) { MaxLogRange = 0 };
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var poller = new LogPoller(client, Filter());

        var e = await Assert.ThrowsAsync<JsonRpcException>(() => poller.PollOnceAsync());

        Assert.True(e.IsRangeTooLarge);
        Assert.Equal(1UL, poller.NextBlock);
    }

    [Fact]
    public async Task EachPollChecksOneHeader_notEveryRememberedBlock()
    {
        using var chain = new FakeChain(2);
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var poller = new LogPoller(client, Filter(), new LogPollerOptions { ReorgDepth = 128 });
        await poller.PollOnceAsync();
        for (int i = 0; i < 60; i++)
        {
            chain.Extend(1); // 60 polls of one block each: 60+ remembered blocks
            Assert.Single(await poller.PollOnceAsync());
        }

        int before = chain.CallsTo("eth_getBlockByNumber");
        Assert.Empty(await poller.PollOnceAsync());
        Assert.Equal(1, chain.CallsTo("eth_getBlockByNumber") - before); // idle poll: the cursor's header only

        chain.Extend(1);
        before = chain.CallsTo("eth_getBlockByNumber");
        Assert.Single(await poller.PollOnceAsync());
        // The cursor's header, the new range's end twice (before and after its logs), and the previous cursor once more.
        Assert.Equal(4, chain.CallsTo("eth_getBlockByNumber") - before);
        Assert.Equal(0, chain.CallsTo("eth_getBlockByHash"));
    }

    [Fact]
    public async Task ReorgWalksBackOnlyOnMismatch_andReportsRemovedLogs()
    {
        using var chain = new FakeChain(31);
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var poller = new LogPoller(client, Filter(), new LogPollerOptions { MaxBlockRange = 4 });
        Assert.Equal(Range(1, 30), Blocks(await poller.PollOnceAsync()));

        chain.Reorg(forkPoint: 26, newBlocks: 6); // blocks 27..30 replaced, 27..32 on the new branch
        var logs = await poller.PollOnceAsync();

        Assert.Equal([30UL, 29, 28, 27], Blocks(logs.Where(l => l.Removed)));
        Assert.Equal(Range(27, 32), Blocks(logs.Where(l => !l.Removed)));
        Assert.Equal(32UL, poller.Cursor!.Block);
        Assert.Equal(chain.HashOf(32), poller.Cursor.Hash);
    }

    [Fact]
    public async Task ResumedCursorOnAnAbandonedBlock_isTracedBackToTheForkPoint()
    {
        using var chain = new FakeChain(21);
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var first = new LogPoller(client, Filter());
        Assert.Equal(Range(1, 20), Blocks(await first.PollOnceAsync()));
        var persisted = first.Cursor!;
        Assert.Equal(20UL, persisted.Block);

        // While the consumer is down, blocks 15..20 are reorganised away and the new branch grows past them.
        chain.Reorg(forkPoint: 14, newBlocks: 9);
        var resumed = new LogPoller(client, Filter(), resumeAfter: persisted);
        var logs = await resumed.PollOnceAsync();

        Assert.Equal(Range(15, 23), Blocks(logs)); // re-read from just above the fork point, nothing below it
        Assert.Equal(23UL, resumed.Cursor!.Block);
        Assert.Equal(chain.HashOf(23), resumed.Cursor.Hash);
    }

    [Fact]
    public async Task ResumedCursorOnABlockTheNodeForgot_reReadsTheReorgDepth()
    {
        using var chain = new FakeChain(21) { KeepsAbandonedBlocks = false };
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var first = new LogPoller(client, Filter());
        await first.PollOnceAsync();

        chain.Reorg(forkPoint: 17, newBlocks: 5);
        var resumed = new LogPoller(client, Filter(), new LogPollerOptions { ReorgDepth = 8 }, resumeAfter: first.Cursor);
        var logs = await resumed.PollOnceAsync();

        Assert.Equal(Range(13, 22), Blocks(logs)); // the fork point is unknown: the last 8 blocks before the cursor and on
        Assert.Equal(22UL, resumed.Cursor!.Block);
    }

    [Fact]
    public async Task ResumedCursorStillOnTheChain_readsOnWithoutRewinding()
    {
        using var chain = new FakeChain(11);
        var (rpc, client) = Connect(chain);
        using var _ = rpc;
        var first = new LogPoller(client, Filter());
        await first.PollOnceAsync();

        chain.Extend(3);
        var resumed = new LogPoller(client, Filter(), resumeAfter: first.Cursor);

        Assert.Equal(Range(11, 13), Blocks(await resumed.PollOnceAsync()));
        Assert.Equal(0, chain.CallsTo("eth_getBlockByHash"));
    }
}
