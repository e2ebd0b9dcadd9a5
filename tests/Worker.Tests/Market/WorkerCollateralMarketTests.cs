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
/// The worker's collateral reserve and the <c>pmc collateral</c> command, against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.
/// </summary>
public sealed class WorkerCollateralMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task CollateralReserve_isToppedUpAtStartUp_andBondsComeBackToIt()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "reserving", "300000000000000");
        var target = MarketHarness.Ether / 2;
        o.CollateralReserve = [new CollateralReserveOptions { AssetId = 0, AmountWei = target.ToString() }];
        var vault = new ICollateralVaultService(h.Requester.Web3(), h.Vault.ToString());
        var host = h.StartWorker(o, env);

        var sw = Stopwatch.StartNew();
        while (await h.Market.BondBalanceQueryAsync(key.Address, 0) != target && sw.Elapsed < Patience) await Task.Delay(200);
        Assert.Equal(target, await h.Market.BondBalanceQueryAsync(key.Address, 0));
        Assert.Equal(MarketHarness.Ether - target, await vault.FreeBalanceQueryAsync(key.Address, 0));

        // Its bond comes from the bond balance and goes back there once the job is paid: the free balance never moves.
        var (_, id) = await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 4);
        await h.WaitForStatusAsync(id, Fulfilled, Patience);
        var logs = await h.MarketLogsAsync(id);
        Assert.Contains(logs, l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
        Assert.Equal(target, await h.Market.BondBalanceQueryAsync(key.Address, 0));
        Assert.Equal(MarketHarness.Ether - target, await vault.FreeBalanceQueryAsync(key.Address, 0));

        // A restart finds the target met and reserves nothing more.
        await h.StopWorker(host);
        h.StartWorker(o, env);
        sw.Restart();
        while (!h.Log.Lines.Any(l => l.Contains("already meets the target")) && sw.Elapsed < Patience) await Task.Delay(200);
        Assert.Contains(h.Log.Lines, l => l.Contains("already meets the target"));
        Assert.Equal(target, await h.Market.BondBalanceQueryAsync(key.Address, 0));
    }

    [Fact]
    public async Task CollateralCommand_reservesReleasesAndStartsAWithdrawal_andNamesBadInput()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (_, file, env) = h.WorkerConfig(key, "operator", "300000000000000");
        string Wei(BigInteger v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var quarter = MarketHarness.Ether / 4;

        var (code, stdout, _) = await RunPmcAsync(env, "collateral", "reserve", Wei(quarter * 3), "--config", file);
        Assert.Equal(0, code);
        using (var status = System.Text.Json.JsonDocument.Parse(stdout))
        {
            Assert.Equal(Wei(quarter * 3), status.RootElement.GetProperty("bondBalance").GetString());
            Assert.Equal(Wei(quarter), status.RootElement.GetProperty("free").GetString());
            Assert.Equal("0", status.RootElement.GetProperty("backingBidsAndJobs").GetString());
        }
        Assert.Equal(quarter * 3, await h.Market.BondBalanceQueryAsync(key.Address, 0));

        (code, _, _) = await RunPmcAsync(env, "collateral", "release", "all", "--config", file);
        Assert.Equal(0, code);
        (code, stdout, _) = await RunPmcAsync(env, "collateral", "withdraw", "all", "--config", file);
        Assert.Equal(0, code);
        using (var status = System.Text.Json.JsonDocument.Parse(stdout))
        {
            Assert.Equal("0", status.RootElement.GetProperty("bondBalance").GetString());
            Assert.Equal("0", status.RootElement.GetProperty("free").GetString());
            Assert.Equal(Wei(MarketHarness.Ether), status.RootElement.GetProperty("pendingWithdrawal").GetString());
            Assert.True(status.RootElement.GetProperty("withdrawableAt").GetUInt64() > 0);
        }

        // Still unbonding: the vault's revert is named, nothing moves.
        (code, _, var stderr) = await RunPmcAsync(env, "collateral", "complete", "--config", file);
        Assert.Equal(1, code);
        Assert.Contains("StillUnbonding", stderr);
        (code, _, stderr) = await RunPmcAsync(env, "collateral", "reserve", "12abc", "--config", file);
        Assert.Equal(2, code);
        Assert.Contains("amount: '12abc' is not a positive integer", stderr);
        (code, _, stderr) = await RunPmcAsync(env, "collateral", "release", "all", "--config", file);
        Assert.Equal(2, code);
        Assert.Contains("nothing to release: the bond balance is 0", stderr);
    }

    [Fact]
    public async Task WorkerWithoutCollateral_skipsWithAReasonInsteadOfBidding()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync(collateral: BigInteger.Zero);
        var (o, _, env) = h.WorkerConfig(key, "broke", "300000000000000");
        var host = h.StartWorker(o, env);
        var (request, id) = await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 4);
        var sw = Stopwatch.StartNew();
        string? line = null;
        while ((line = h.Log.Lines.FirstOrDefault(l => l.Contains("skipped: collateral"))) is null && sw.Elapsed < Patience) await Task.Delay(200);
        Assert.NotNull(line);
        Assert.Contains(Hex.Encode(id), line);
        Assert.Contains("bond balance is 0 and the free vault balance 0", line);
        // Still nothing sent once the bid phase is over.
        while ((await h.Client.GetBlockByTagAsync("latest"))!.Timestamp <= request.BidDeadline && sw.Elapsed < Patience) await Task.Delay(250);
        await h.StopWorker(host);
        Assert.DoesNotContain(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out _));
    }


    /// <summary>Runs <c>pmc</c> (the Release build) to completion; returns its exit code, stdout and stderr.</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> RunPmcAsync(Dictionary<string, string?> env, params string[] args)
    {
        var pmc = Path.Combine(RepoPaths.Root, "src", "Cli", "bin", "Release", "net10.0", "pmc.dll");
        Assert.True(File.Exists(pmc), $"{pmc} is missing: build the solution in Release first (make test does)");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(pmc);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
