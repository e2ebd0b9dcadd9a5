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
