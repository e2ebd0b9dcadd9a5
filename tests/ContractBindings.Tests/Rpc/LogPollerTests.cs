using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

public class LogPollerTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task DetectsReorgAndEmitsRemovedLogs()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey0);
        var contract = (await signer.SendTransactionAsync(null, TestContracts.EmitterInit, 0)).ContractAddress!.Value;
        byte[] T(string name) => Keccak.Hash(System.Text.Encoding.ASCII.GetBytes(name + "()"));
        string Name(LogEntry l) => new[] { "A", "B", "C", "D", "E" }.First(n => T(n).AsSpan().SequenceEqual(l.Topics[0]));

        await signer.SendTransactionAsync(contract, T("A"), 0);
        var snapshot = (await signer.Client.Rpc.SendAsync("evm_snapshot", [])).GetString();
        await signer.SendTransactionAsync(contract, T("B"), 0);
        await signer.SendTransactionAsync(contract, T("C"), 0);

        var poller = new LogPoller(signer.Client, new LogFilter(0, null, [contract], null), new LogPollerOptions { MaxBlockRange = 2 });
        var first = await poller.PollOnceAsync();
        Assert.Equal(["A", "B", "C"], first.Select(Name));
        Assert.All(first, l => Assert.False(l.Removed));
        Assert.Empty(await poller.PollOnceAsync());

        // Reorg: roll back to after A and build a longer, different branch.
        Assert.True((await signer.Client.Rpc.SendAsync("evm_revert", [snapshot])).GetBoolean());
        signer.Nonces.Reset();
        await signer.SendTransactionAsync(contract, T("D"), 0);
        await signer.SendTransactionAsync(contract, T("E"), 0);
        await signer.Client.Rpc.SendAsync("evm_mine", []);

        var second = await poller.PollOnceAsync();
        Assert.Equal(["C", "B", "D", "E"], second.Select(Name));
        Assert.Equal([true, true, false, false], second.Select(l => l.Removed));
        Assert.Empty(await poller.PollOnceAsync());
    }

    [Fact]
    public async Task RestartWithAStalePersistedHash_reReadsFromTheForkPoint()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey2);
        var contract = (await signer.SendTransactionAsync(null, TestContracts.EmitterInit, 0)).ContractAddress!.Value;
        byte[] T(string name) => Keccak.Hash(System.Text.Encoding.ASCII.GetBytes(name + "()"));
        string Name(LogEntry l) => new[] { "P", "Q", "R", "S", "U" }.First(n => T(n).AsSpan().SequenceEqual(l.Topics[0]));
        var filter = new LogFilter(0, null, [contract], null);

        var p = await signer.SendTransactionAsync(contract, T("P"), 0);
        var snapshot = (await signer.Client.Rpc.SendAsync("evm_snapshot", [])).GetString();
        await signer.SendTransactionAsync(contract, T("Q"), 0);
        await signer.SendTransactionAsync(contract, T("R"), 0);
        var first = new LogPoller(signer.Client, filter);
        Assert.Equal(["P", "Q", "R"], (await first.PollOnceAsync()).Select(Name));
        var persisted = first.Cursor!; // what the worker journal keeps: the block of R and its hash

        // While the consumer is down, Q and R are reorganised away and a longer branch replaces them.
        Assert.True((await signer.Client.Rpc.SendAsync("evm_revert", [snapshot])).GetBoolean());
        signer.Nonces.Reset();
        await signer.SendTransactionAsync(contract, T("S"), 0);
        await signer.SendTransactionAsync(contract, T("U"), 0);
        await signer.Client.Rpc.SendAsync("evm_mine", []);
        Assert.NotEqual(persisted.Hash, (await signer.Client.GetBlockByNumberAsync(persisted.Block))!.Hash);

        // anvil drops abandoned blocks, so the fork point cannot be traced by parent hash: the poller re-reads the last
        // ReorgDepth blocks before the persisted one, which here reach exactly down to the fork point (P's block).
        ulong depth = persisted.Block - p.BlockNumber;
        var resumed = new LogPoller(signer.Client, filter, new LogPollerOptions { ReorgDepth = (int)depth }, resumeAfter: persisted);
        var logs = await resumed.PollOnceAsync();

        Assert.Equal(["S", "U"], logs.Select(Name));
        Assert.All(logs, l => Assert.False(l.Removed));
        var head = await signer.Client.BlockNumberAsync();
        Assert.Equal(head, resumed.Cursor!.Block);
        Assert.Equal((await signer.Client.GetBlockByNumberAsync(head))!.Hash, resumed.Cursor.Hash);
        Assert.Empty(await resumed.PollOnceAsync());
    }

    [Fact]
    public async Task StreamDeliversNewLogs()
    {
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey1);
        var contract = (await signer.SendTransactionAsync(null, TestContracts.EmitterInit, 0)).ContractAddress!.Value;
        var topic = Keccak.Hash(System.Text.Encoding.ASCII.GetBytes("Streamed()"));
        ulong from = await signer.Client.BlockNumberAsync();
        var poller = new LogPoller(signer.Client, new LogFilter(from, null, [contract], [topic]), new LogPollerOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new List<LogEntry>();
        var consumer = Task.Run(async () =>
        {
            await foreach (var log in poller.StreamAsync(cts.Token))
            {
                received.Add(log);
                if (received.Count == 3)
                {
                    return;
                }
            }
        });
        for (int i = 0; i < 3; i++)
        {
            await signer.SendTransactionAsync(contract, topic, 0);
        }

        await consumer.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, received.Select(l => Hex.Encode(l.TransactionHash)).Distinct().Count());
    }
}
