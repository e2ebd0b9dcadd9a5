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
/// A worker killed after its commitment, and a winner that misses its deadline, against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.
/// </summary>
public sealed class WorkerDeadlineMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KilledRightAfterCommit_restartedWorkerStillRevealsAndKeepsItsBond()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (_, file, env) = h.WorkerConfig(key, "crashy", "300000000000000");
        // The bid phase covers a cold start of the worker process (dotnet, proving key, opening its bid lanes on chain).
        var (request, id) = await h.SubmitAsync(mode: 0, a: 5, b: 7, bidSeconds: 15);

        using (var first = WorkerProcess.Start(file, env))
        {
            var sw = Stopwatch.StartNew();
            while (!(await h.MarketLogsAsync(id)).Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address))
            {
                if (sw.Elapsed >= Patience)
                    Assert.Fail($"the worker never committed (bid deadline {request.BidDeadline}, chain time now {(await h.Client.GetBlockByTagAsync("latest"))!.Timestamp}): " + first.Output());
                Assert.False(first.Process.HasExited, "the worker exited: " + first.Output());
                await Task.Delay(100);
            }
            first.Process.Kill(entireProcessTree: true); // SIGKILL right after the commit landed
            first.Process.WaitForExit();
        }

        using var second = WorkerProcess.Start(file, env);
        var view = await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var logs = await h.MarketLogsAsync(id);
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
        Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out _)); // never committed twice
        var f = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
        Assert.Equal(key.Address, Address.Parse(f.Prover));
        _ = view;
        _ = request;
    }

    [Theory]
    [InlineData(1)] // OnMiss.RunnerUp: the runner-up takes over
    [InlineData(0)] // OnMiss.OpenSecondary: anyone delivers through two-step submission for fee + bounty
    public async Task WinnerMissesItsDeadline_isSlashedAndAnotherWorkerDelivers(int onMiss)
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var cheap = await h.NewProverAsync();
        var backup = await h.NewProverAsync();
        var (co, _, cenv) = h.WorkerConfig(cheap, "cheap" + onMiss, "300000000000000");
        var (bo, _, benv) = h.WorkerConfig(backup, "backup" + onMiss, "600000000000000");
        var doomed = h.StartWorker(co, cenv);
        h.StartWorker(bo, benv);

        var (_, id) = await h.SubmitAsync(mode: 0, a: 6, b: 9, bidSeconds: 5, onMiss: onMiss);
        // The cheap worker wins, then dies after revealing and before it can prove.
        var sw = Stopwatch.StartNew();
        while (!(await h.MarketLogsAsync(id)).Any(l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && Address.Parse(e.Prover) == cheap.Address))
        {
            Assert.True(sw.Elapsed < Patience, "the cheap worker never revealed");
            await Task.Delay(100);
        }
        await h.StopWorker(doomed);

        await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var logs = await h.MarketLogsAsync(id);
        var slash = logs.DecodeEvents<IProverMarketService.ProverSlashedEventDTO>().Select(x => x.Event).Single();
        Assert.Equal(cheap.Address, Address.Parse(slash.Prover));
        // Half the collateral is burnt; of the rest the requester gets half and the delivery bounty the remainder, or,
        // on a runner-up takeover (no open delivery to reward), the requester gets the whole rest.
        var minCollateral = MarketHarness.Ether / 100;
        Assert.Equal(minCollateral, slash.Amount);
        Assert.Equal(minCollateral / 2, slash.Burned);
        Assert.Equal(onMiss == 1 ? minCollateral / 2 : minCollateral / 4, slash.ToRequester);
        Assert.Equal(onMiss == 1 ? BigInteger.Zero : minCollateral / 4, slash.ToBounty);
        var f = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
        Assert.Equal(backup.Address, Address.Parse(f.Prover));
        if (onMiss == 0) Assert.Equal(slash.ToBounty, f.Bounty); // a secondary deliverer earns the slashed bounty
        if (onMiss == 0) Assert.Contains(logs, l => l.TryDecodeEvent<IProverMarketService.ProofCommittedEventDTO>(out _)); // two-step submission
        _ = Secondary;
    }
}
