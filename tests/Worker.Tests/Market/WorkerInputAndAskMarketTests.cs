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
/// Inputs that do not match their hash and standing-ask matches, against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.
/// </summary>
public sealed class WorkerInputAndAskMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task InputWithAWrongHash_isSkippedWithAReason()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "picky", "300000000000000");
        var inputFile = Path.Combine(h.Work, "input.json");
        await File.WriteAllTextAsync(inputFile, "{\"a\":\"3\",\"b\":\"11\"}");
        var (_, id) = await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 4, inputUri: "file://" + inputFile,
            inputHashOverride: Keccak.Hash("{\"a\":\"4\",\"b\":\"11\"}"u8.ToArray()));
        var host = h.StartWorker(o, env);

        string? reason = null;
        var sw = Stopwatch.StartNew();
        using (var journal = new WorkerJournal(o.JournalPath))
        {
            while ((reason = journal.ClosedReason(Hex.Encode(id))) is null && sw.Elapsed < Patience) await Task.Delay(200);
        }
        Assert.NotNull(reason);
        Assert.Contains("input hash mismatch", reason);
        await h.StopWorker(host);
        Assert.DoesNotContain(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out _));
    }

    /// <summary>
    /// A standing-ask request matches the worker's ask (posted with its collateral cap and lifetime); the worker
    /// preflights the input, accepts (locking the collateral then, not at the match) and delivers.
    /// </summary>
    [Fact]
    public async Task StandingAsk_matchIsAcceptedThenDelivered()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        // 0.5 units/s: an estimated 4 / 0.5 + 4 = 12 s from acceptance to proof, the ask's latency.
        var (o, _, env) = h.WorkerConfig(key, "asker", "300000000000000", unitsPerSecond: 0.5);
        o.PostStandingAsks = true;
        h.StartWorker(o, env);
        var ask = await h.WaitForAskAsync(key.Address, Patience);
        var postedAt = (await h.Client.GetBlockByTagAsync("latest"))!.Timestamp;
        Assert.Equal(o.AskMaxCollateral, ask.MaxCollateral);
        Assert.Equal(new BigInteger(12), ask.MaxLatency);
        Assert.InRange((ulong)ask.ExpiresAt, postedAt + (ulong)o.AskLifetime.TotalSeconds * 3 / 4, postedAt + (ulong)o.AskLifetime.TotalSeconds);

        var (request, id) = await h.SubmitAsync(mode: 2, a: 7, b: 8);
        await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var logs = await h.MarketLogsAsync(id);
        var (matched, matchedLog) = logs.DecodeEvents<IProverMarketService.RequestMatchedEventDTO>().Single();
        Assert.Equal(key.Address, Address.Parse(matched.Prover));
        Assert.Equal(BigInteger.One, matched.Attempt);
        var (assigned, assignedLog) = logs.DecodeEvents<IProverMarketService.RequestAssignedEventDTO>().Single();
        Assert.Equal(key.Address, Address.Parse(assigned.Prover));
        Assert.Equal(request.MinCollateral, assigned.Collateral);
        Assert.True(assignedLog.BlockNumber > matchedLog.BlockNumber, "the collateral is locked at acceptance, after the match");
        Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.MatchDeclinedEventDTO>(out _));
        var f = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
        Assert.Equal(key.Address, Address.Parse(f.Prover));
        Assert.Equal(matched.Fee, f.ProverPayment + f.ProtocolFee);
        using var journal = new WorkerJournal(o.JournalPath);
        Assert.Equal(MatchDecision.Accept, Assert.Single(journal.Matches(Hex.Encode(id))).Decision);
    }

    /// <summary>
    /// A match whose input fails the worker's preflight is declined before anything is locked: an input URI whose
    /// content does not hash to the request's inputHash, or an inline input whose witness does not yield the request's
    /// public inputs. With no other ask the request opens for secondary delivery, which the worker leaves alone.
    /// </summary>
    [Theory]
    [InlineData("hash")]
    [InlineData("witness")]
    public async Task StandingAsk_matchFailingThePreflight_isDeclinedAndNothingIsLocked(string fault)
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "wary" + fault, "300000000000000", unitsPerSecond: 0.5);
        o.PostStandingAsks = true;
        h.StartWorker(o, env);
        await h.WaitForAskAsync(key.Address, Patience);

        byte[] id;
        string expected;
        if (fault == "hash")
        {
            var inputFile = Path.Combine(h.Work, "input.json");
            await File.WriteAllTextAsync(inputFile, "{\"a\":\"3\",\"b\":\"11\"}");
            (_, id) = await h.SubmitAsync(mode: 2, a: 3, b: 11, inputUri: "file://" + inputFile,
                inputHashOverride: Keccak.Hash("{\"a\":\"4\",\"b\":\"11\"}"u8.ToArray()));
            expected = "input hash mismatch";
        }
        else
        {
            // 3 x 11 = 33, but the request publishes the public inputs of 4 x 11.
            (_, id) = await h.SubmitAsync(mode: 2, a: 3, b: 11, publicsOverride: [44, 44 * 44 + 11]);
            expected = "public signals do not match";
        }

        var view = await h.WaitForStatusAsync(id, Secondary, Patience);
        var logs = await h.MarketLogsAsync(id);
        var declined = logs.DecodeEvents<IProverMarketService.MatchDeclinedEventDTO>().Select(x => x.Event).Single();
        Assert.Equal(key.Address, Address.Parse(declined.Prover));
        Assert.False(declined.Silent);
        Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out _));
        Assert.Equal(Address.Zero, view.Excluded);

        // Nothing of the worker's was locked: its whole deposit is still free, and its ask keeps its place.
        var vault = new ICollateralVaultService(h.Requester.Web3(), h.Vault.ToString());
        Assert.Equal(MarketHarness.Ether, await vault.FreeBalanceQueryAsync(key.Address, 0));
        Assert.Equal(BigInteger.Zero, await h.Market.BondBalanceQueryAsync(key.Address, 0));
        Assert.True((await h.AskBook.AskOfQueryAsync(MarketHarness.CircuitId, key.Address)).Listed);

        // The decision and its reason are journalled, and the worker stops following the request.
        string? reason = null;
        var sw = Stopwatch.StartNew();
        using (var journal = new WorkerJournal(o.JournalPath))
        {
            var decision = Assert.Single(journal.Matches(Hex.Encode(id)));
            Assert.Equal(MatchDecision.Decline, decision.Decision);
            Assert.True(decision.InputRejected);
            Assert.Contains(expected, decision.Reason);
            while ((reason = journal.ClosedReason(Hex.Encode(id))) is null && sw.Elapsed < Patience) await Task.Delay(200);
        }
        Assert.NotNull(reason);
        Assert.Contains(expected, reason);
        Assert.Contains(h.Log.Lines, l => l.Contains("declining the match", StringComparison.Ordinal) && l.Contains(Hex.Encode(id), StringComparison.Ordinal));
        Assert.DoesNotContain(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.ProofCommittedEventDTO>(out _));
    }
}
