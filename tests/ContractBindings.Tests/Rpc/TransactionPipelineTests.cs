using System.Numerics;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.ContractBindings.Transactions;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

/// <summary>Shared steps of the transaction pipeline tests: a fresh funded account per test, mining control.</summary>
internal static class Pipeline
{
    public static readonly BigInteger Gwei = BigInteger.Pow(10, 9);

    /// <summary>A signer for a new random key funded with 100 ether (no other test shares its nonces).</summary>
    public static async Task<Signer> FundedSignerAsync(AnvilFixture anvil, SignerOptions options, ListLogger? log = null)
    {
        var key = EthKey.Generate();
        await anvil.CreateRpc().SendAsync("anvil_setBalance", [key.Address.ToString(), Quantity.Encode(BigInteger.Pow(10, 20))]);
        return new Signer(anvil.CreateClient(), key, options, log);
    }

    /// <summary>Fast polling: the tracker checks every 100 ms and acts on a transaction unmined for 300 ms.</summary>
    public static SignerOptions Fast(BigInteger? cap = null) => new()
    {
        ReceiptPollInterval = TimeSpan.FromMilliseconds(50),
        RebroadcastInterval = TimeSpan.FromMilliseconds(300),
        TrackerPollInterval = TimeSpan.FromMilliseconds(100),
        TrackConfirmations = 3,
        MaxFeePerGasCap = cap ?? 1000 * Gwei,
    };

    public static Task SetBaseFeeAsync(JsonRpcClient rpc, BigInteger fee) =>
        rpc.SendAsync("anvil_setNextBlockBaseFeePerGas", [Quantity.Encode(fee)]);

    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await condition();
    }

    public static Eip1559Transaction Tx(SignedTransaction s) => (Eip1559Transaction)s.Transaction;
}

/// <summary>Collects log lines, to show in a failing assertion.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<Signer>
{
    private readonly List<string> _lines = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add($"{logLevel}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
    }

    public override string ToString()
    {
        lock (_lines) return string.Join("\n", _lines);
    }
}

/// <summary>The fee arithmetic of a replacement (no chain).</summary>
public class FeeReplacementTests
{
    private static readonly BigInteger Gwei = Pipeline.Gwei;

    [Fact]
    public void Replacement_raisesBothFeesByAtLeastTenPercent_evenWhenConfiguredLower()
    {
        var today = new FeeEstimate(0, 1 * Gwei, 1 * Gwei); // base fee unchanged, tip unchanged: only the bump raises
        var fees = FeeReplacement.Compute(10 * Gwei, 2 * Gwei, today, bumpPercent: 5, cap: 1000 * Gwei);
        Assert.NotNull(fees);
        Assert.True(fees.Value.MaxFeePerGas * 100 >= 10 * Gwei * 110, $"max fee {fees.Value.MaxFeePerGas}");
        Assert.True(fees.Value.MaxPriorityFeePerGas * 100 >= 2 * Gwei * 110, $"tip {fees.Value.MaxPriorityFeePerGas}");
    }

    [Fact]
    public void Replacement_followsARisenBaseFee_upToTheCap_andNotPastIt()
    {
        var today = new FeeEstimate(0, 1 * Gwei, 200 * Gwei);
        var fees = FeeReplacement.Compute(3 * Gwei, 1 * Gwei, today, 15, cap: 1000 * Gwei);
        Assert.NotNull(fees);
        Assert.True(fees.Value.MaxFeePerGas >= 200 * Gwei + fees.Value.MaxPriorityFeePerGas);
        // A cap under the base fee leaves no replacement that would be mined.
        Assert.Null(FeeReplacement.Compute(3 * Gwei, 1 * Gwei, today, 15, cap: 150 * Gwei));
        // A tight cap keeps inclusion and gives up tip above the bump.
        var tight = FeeReplacement.Compute(3 * Gwei, 1 * Gwei, new FeeEstimate(0, 50 * Gwei, 200 * Gwei), 15, cap: 210 * Gwei);
        Assert.NotNull(tight);
        Assert.Equal(210 * Gwei, tight.Value.MaxFeePerGas);
        Assert.Equal(10 * Gwei, tight.Value.MaxPriorityFeePerGas);
    }

    [Fact]
    public void Stuck_meansUnderTheBaseFeeOrUnderTodaysTip()
    {
        var today = new FeeEstimate(0, 1 * Gwei, 10 * Gwei);
        Assert.False(FeeReplacement.IsStuck(30 * Gwei, 1 * Gwei, today));
        Assert.True(FeeReplacement.IsStuck(10 * Gwei, 1 * Gwei, today)); // 10 < 10 + 1
        Assert.True(FeeReplacement.IsStuck(30 * Gwei, Gwei / 2, today));
    }
}

/// <summary>
/// Sending returns at once (the transaction is accepted, not mined) and the tracker follows it; a stuck transaction is
/// replaced by the tracker with both fees bumped, and the replacement, not the original, is mined.
/// </summary>
public class StuckTransactionTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly BigInteger Gwei = Pipeline.Gwei;
    private static readonly AsyncLocal<string?> Caller = new();

    [Fact]
    public async Task Send_returnsBeforeMining_andTheTrackerFollowsItUntilDeep()
    {
        var rpc = anvil.CreateRpc();
        var signer = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast());
        await rpc.SendAsync("evm_setAutomine", [false]);
        try
        {
            var sent = await signer.SignAndSendAsync(Address.Zero, [], 1).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Null(await signer.Client.GetTransactionReceiptAsync(sent.Hash)); // returned before any block
            Assert.Equal(sent.Hash, Assert.Single(signer.Tracker.Snapshot()).Versions[0].Hash);
            var wait = signer.WaitForReceiptAsync(sent);
            await rpc.SendAsync("evm_mine", []);
            var receipt = await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(sent.Hash, receipt.TransactionHash);
            // Followed until TrackConfirmations (3) deep, then let go.
            Assert.True(await Pipeline.EventuallyAsync(() => Task.FromResult(signer.Tracker.Snapshot().Single().MinedBlock == receipt.BlockNumber), TimeSpan.FromSeconds(5)));
            await rpc.SendAsync("evm_mine", []);
            await rpc.SendAsync("evm_mine", []);
            Assert.True(await Pipeline.EventuallyAsync(() => Task.FromResult(signer.Tracker.Count == 0), TimeSpan.FromSeconds(5)));
        }
        finally
        {
            await rpc.SendAsync("evm_setAutomine", [true]);
        }
    }

    [Fact]
    public async Task StuckTransaction_isReplacedWithBothFeesUpAtLeastTenPercent_andOnlyTheReplacementIsMined()
    {
        var rpc = anvil.CreateRpc();
        var log = new ListLogger();
        var signer = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast() with { ReplacementBumpPercent = 10 }, log);
        var hooked = new List<(SignedTransaction Tx, string? Caller)>();
        signer.BeforeBroadcast = (tx, _) => { lock (hooked) hooked.Add((tx, Caller.Value)); return Task.CompletedTask; };
        await Pipeline.SetBaseFeeAsync(rpc, Gwei);
        await rpc.SendAsync("evm_mine", []);
        await rpc.SendAsync("evm_setAutomine", [false]);
        try
        {
            Caller.Value = "reveal-42";
            var original = await signer.SignAndSendAsync(Address.Zero, [], 1);
            Caller.Value = null;
            // Stuck: the next blocks' base fee is far above what it offers, and nothing is mined meanwhile.
            await Pipeline.SetBaseFeeAsync(rpc, 200 * Gwei);
            await rpc.SendAsync("evm_mine", []);
            Assert.True(await Pipeline.EventuallyAsync(() => Task.FromResult(signer.Tracker.Snapshot().Single().Versions.Count >= 2), TimeSpan.FromSeconds(15)),
                "the tracker did not replace the stuck transaction: " + log);

            await Pipeline.SetBaseFeeAsync(rpc, 200 * Gwei);
            await rpc.SendAsync("evm_mine", []);
            var receipt = await signer.WaitForReceiptAsync(original).WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(receipt.Succeeded);
            Assert.NotEqual(original.Hash, receipt.TransactionHash);
            Assert.Null(await signer.Client.GetTransactionReceiptAsync(original.Hash));
            var versions = signer.Tracker.Snapshot().Single().Versions;
            var mined = versions.Single(v => v.Hash.AsSpan().SequenceEqual(receipt.TransactionHash));
            Assert.Equal(original.Transaction.Nonce, mined.Transaction.Nonce);
            Assert.True(Pipeline.Tx(mined).MaxFeePerGas * 100 >= Pipeline.Tx(original).MaxFeePerGas * 110, "max fee not bumped 10%");
            Assert.True(Pipeline.Tx(mined).MaxPriorityFeePerGas * 100 >= Pipeline.Tx(original).MaxPriorityFeePerGas * 110, "tip not bumped 10%");
            // Every version went through the hook, the replacements in the caller's context (the worker's journal key).
            lock (hooked)
            {
                Assert.Equal(versions.Count, hooked.Count);
                Assert.All(hooked, h => Assert.Equal("reveal-42", h.Caller));
            }
        }
        finally
        {
            await rpc.SendAsync("evm_setAutomine", [true]);
        }
    }
}

/// <summary>
/// A transaction dropped from the node's pool is noticed (the node's pending nonce falls below the local one) and sent
/// again, so later sends are not stuck behind the gap; a gap nothing tracked holds is filled with a no-op.
/// </summary>
public class DroppedTransactionTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task DroppedTransaction_isRebroadcast_andLaterSendsAreMinedBehindIt()
    {
        var rpc = anvil.CreateRpc();
        var signer = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast() with { RebroadcastInterval = TimeSpan.FromMinutes(10) });
        await rpc.SendAsync("evm_setAutomine", [false]);
        try
        {
            ulong start = await signer.Client.GetTransactionCountAsync(signer.From, "latest");
            var first = await signer.SignAndSendAsync(Address.Zero, [], 1);
            var second = await signer.SignAndSendAsync(Address.Zero, [], 2);
            await rpc.SendAsync("anvil_dropTransaction", [Hex.Encode(first.Hash)]);
            Assert.False(await signer.Client.IsTransactionKnownAsync(first.Hash));

            // The tracker sees the pending nonce fall short and re-broadcasts (RebroadcastInterval is 10 min: only the
            // pending-nonce check can have done it).
            Assert.True(await Pipeline.EventuallyAsync(
                async () => await signer.Client.GetTransactionCountAsync(signer.From, "pending") == start + 2, TimeSpan.FromSeconds(10)),
                "the dropped transaction was not sent again");
            var third = await signer.SignAndSendAsync(Address.Zero, [], 3);
            await rpc.SendAsync("evm_mine", []);

            foreach (var tx in new[] { first, second, third })
            {
                var receipt = await signer.WaitForReceiptAsync(tx).WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal(tx.Hash, receipt.TransactionHash);
            }

            Assert.Equal(start + 3, await signer.Client.GetTransactionCountAsync(signer.From, "latest"));
        }
        finally
        {
            await rpc.SendAsync("evm_setAutomine", [true]);
        }
    }

    [Fact]
    public async Task GapNoTrackedTransactionHolds_isFilledWithANoOp()
    {
        var rpc = anvil.CreateRpc();
        // Tracking gives up after 1 s: the dropped transaction is forgotten, leaving a gap only the filler can close.
        var signer = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast() with { RebroadcastInterval = TimeSpan.FromMinutes(10), TrackingTimeout = TimeSpan.FromSeconds(1) });
        var hooked = new List<SignedTransaction>();
        signer.BeforeBroadcast = (tx, _) => { lock (hooked) hooked.Add(tx); return Task.CompletedTask; };
        await rpc.SendAsync("evm_setAutomine", [false]);
        try
        {
            ulong start = await signer.Client.GetTransactionCountAsync(signer.From, "latest");
            var lost = await signer.SignAndSendAsync(Address.Zero, [], 1);
            await rpc.SendAsync("anvil_dropTransaction", [Hex.Encode(lost.Hash)]);
            // Hold the re-broadcast off until the tracker forgets it: drop it again whenever it comes back.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTime.UtcNow < deadline && !hooked.Skip(1).Any())
            {
                await rpc.SendAsync("anvil_dropTransaction", [Hex.Encode(lost.Hash)]);
                await Task.Delay(20);
            }

            SignedTransaction filler;
            lock (hooked) filler = Assert.Single(hooked.Skip(1));
            Assert.Equal(lost.Transaction.Nonce, filler.Transaction.Nonce);
            Assert.Equal(signer.From, filler.Transaction.To);
            Assert.Equal(BigInteger.Zero, filler.Transaction.Value);
            await rpc.SendAsync("evm_mine", []);
            Assert.True(await Pipeline.EventuallyAsync(
                async () => await signer.Client.GetTransactionCountAsync(signer.From, "latest") == start + 1, TimeSpan.FromSeconds(10)));
            Assert.NotNull(await signer.Client.GetTransactionReceiptAsync(filler.Hash));
        }
        finally
        {
            await rpc.SendAsync("evm_setAutomine", [true]);
        }
    }
}

/// <summary>A transaction a reorg removes before it is <see cref="SignerOptions.TrackConfirmations"/> deep is sent again.</summary>
public class ReorgTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task TransactionRemovedByAReorg_isSentAgain_andMined()
    {
        var rpc = anvil.CreateRpc();
        var signer = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast() with { TrackConfirmations = 5 });
        var receipt = await signer.SendTransactionAsync(Address.Zero, [], 7);
        ulong nonce = await signer.Client.GetTransactionCountAsync(signer.From, "latest");
        Assert.True(await Pipeline.EventuallyAsync(() => Task.FromResult(signer.Tracker.Snapshot().Single().MinedBlock == receipt.BlockNumber), TimeSpan.FromSeconds(5)));

        // Replace the head block by an empty one: the transaction is gone from chain and pool.
        await rpc.SendAsync("anvil_reorg", [1, Array.Empty<object>()]);
        Assert.Equal(nonce - 1, await signer.Client.GetTransactionCountAsync(signer.From, "latest"));

        // The tracker notices the nonce is free again and re-broadcasts the same bytes (automine mines them).
        Assert.True(await Pipeline.EventuallyAsync(
            async () => await signer.Client.GetTransactionReceiptAsync(receipt.TransactionHash) is not null, TimeSpan.FromSeconds(10)),
            "the reorged transaction was not sent again");
        Assert.Equal(nonce, await signer.Client.GetTransactionCountAsync(signer.From, "latest"));
        var entry = signer.Tracker.Snapshot().Single();
        Assert.True(entry.Reorged);
        Assert.Single(entry.Versions); // the same signed transaction, not a second action
    }
}

/// <summary>
/// The priority fee is held within configurable bounds (0 and sub-gwei allowed), and a per-send fee-cap override
/// lets one send spend up to a total budget above the normal cap while every other send stays under it.
/// </summary>
public class FeeBoundsTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly BigInteger Gwei = Pipeline.Gwei;

    [Fact]
    public async Task SubGweiTips_areSent_andTheTipCapHoldsAgainstAnInflatedFeeHistory()
    {
        var options = Pipeline.Fast() with { MinPriorityFeePerGas = 0, MaxPriorityFeePerGas = Gwei / 10 };
        var signer = await Pipeline.FundedSignerAsync(anvil, options);
        // Someone pays 50 gwei tips in every sampled block (FeeHistoryBlocks is 10).
        var whale = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast() with { MinPriorityFeePerGas = 50 * Gwei, MaxPriorityFeePerGas = 50 * Gwei });
        for (int i = 0; i < 10; i++) await whale.SendTransactionAsync(Address.Zero, [], 1);

        var fees = await signer.EstimateFeesAsync();
        Assert.Equal(Gwei / 10, fees.MaxPriorityFeePerGas);
        var receipt = await signer.SendTransactionAsync(Address.Zero, [], 1);
        Assert.True(receipt.Succeeded);
        var zeroTip = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast() with { MinPriorityFeePerGas = 0, MaxPriorityFeePerGas = 0 });
        var sent = await zeroTip.SignAndSendAsync(Address.Zero, [], 1);
        Assert.Equal(BigInteger.Zero, Pipeline.Tx(sent).MaxPriorityFeePerGas);
        Assert.True((await zeroTip.WaitForReceiptAsync(sent).WaitAsync(TimeSpan.FromSeconds(10))).Succeeded);
    }

    [Fact]
    public void InconsistentTipBounds_areRefused()
    {
        Assert.Throws<ArgumentException>(() => anvil.CreateSigner(AnvilFixture.PrivateKey0, new SignerOptions { MinPriorityFeePerGas = 2 * Gwei, MaxPriorityFeePerGas = Gwei }));
        Assert.Throws<ArgumentException>(() => anvil.CreateSigner(AnvilFixture.PrivateKey0, new SignerOptions { MinPriorityFeePerGas = -1 }));
    }

    [Fact]
    public async Task FeeCapOverride_letsOneSendSpendItsBudget_whileOtherSendsAreRefused()
    {
        var rpc = anvil.CreateRpc();
        // The normal cap (10 gwei) is below the base fee (100 gwei).
        var signer = await Pipeline.FundedSignerAsync(anvil, Pipeline.Fast(cap: 10 * Gwei));
        await Pipeline.SetBaseFeeAsync(rpc, 100 * Gwei);
        await rpc.SendAsync("evm_mine", []);

        await Assert.ThrowsAsync<FeeCapExceededException>(() => signer.SignAndSendAsync(Address.Zero, [], 1));

        // A budget of 0.01 ether over 21000 × 1.2 gas allows ~396 gwei per gas: enough.
        var budget = BigInteger.Pow(10, 16);
        SignedTransaction sent;
        using (signer.OverrideFeeCap(gas => BigInteger.Max(signer.Options.MaxFeePerGasCap, budget / gas)))
        {
            sent = await signer.SignAndSendAsync(Address.Zero, [], 1);
        }

        Assert.True(Pipeline.Tx(sent).MaxFeePerGas * sent.Transaction.GasLimit <= budget);
        Assert.True(Pipeline.Tx(sent).MaxFeePerGas > 100 * Gwei);
        Assert.True((await signer.WaitForReceiptAsync(sent).WaitAsync(TimeSpan.FromSeconds(10))).Succeeded);

        // Out of the scope the normal cap applies again; a budget too small for the base fee is refused too.
        await Assert.ThrowsAsync<FeeCapExceededException>(() => signer.SignAndSendAsync(Address.Zero, [], 1));
        var small = 25_200 * 50 * Gwei; // 50 gwei per gas over 21000 × 1.2 gas, under the base fee
        using (signer.OverrideFeeCap(gas => BigInteger.Max(signer.Options.MaxFeePerGasCap, small / gas)))
        {
            var e = await Assert.ThrowsAsync<FeeCapExceededException>(() => signer.SignAndSendAsync(Address.Zero, [], 1));
            Assert.True(e.Cap < 100 * Gwei && e.Cap > 10 * Gwei);
        }
    }
}
