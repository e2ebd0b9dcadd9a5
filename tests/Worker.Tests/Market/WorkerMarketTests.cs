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

/// <summary>Workers against a real market on anvil (one-second blocks), the multiplier circuit and real Groth16 proofs.</summary>
public sealed class WorkerMarketTests : IClassFixture<BlockTimeAnvil>
{
    private const int Fulfilled = 4, Secondary = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly BlockTimeAnvil _anvil;

    public WorkerMarketTests(BlockTimeAnvil anvil) => _anvil = anvil;

    [Fact]
    public async Task SealedBid_threeWorkers_lowestScoreWinsAndIsPaidTheSecondScore()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        // Same speed, different costs per proving unit: C is cheapest, then B, then A.
        var keys = new[] { await h.NewProverAsync(), await h.NewProverAsync(), await h.NewProverAsync() };
        string[] costs = ["900000000000000", "600000000000000", "300000000000000"];
        for (int i = 0; i < 3; i++)
        {
            var (o, _, env) = h.WorkerConfig(keys[i], $"sealed{i}", costs[i]);
            h.StartWorker(o, env);
        }

        var (_, id) = await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 5, latencyWeight: BigInteger.Pow(10, 9));
        await h.WaitForStatusAsync(id, Fulfilled, Patience);

        var logs = await h.MarketLogsAsync(id);
        var reveals = logs.DecodeEvents<IProverMarketService.BidRevealedEventDTO>().Select(x => x.Event).ToList();
        Assert.Equal(3, reveals.Count);
        // A bid's score is fee + latencyWeight * latency (the event carries fee and latency; the weight is in the terms).
        var weight = BigInteger.Pow(10, 9);
        BigInteger Score(IProverMarketService.BidRevealedEventDTO r) => r.Fee + weight * r.Latency;
        var ranked = reveals.OrderBy(Score).ToList();
        Assert.Equal(keys[2].Address, ranked[0].Prover); // the cheapest worker has the lowest score

        var settled = logs.DecodeEvents<IProverMarketService.AuctionSettledEventDTO>().Select(x => x.Event).Single();
        var fulfilled = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
        var secondScorePayment = Score(ranked[1]) - weight * ranked[0].Latency;
        Assert.Equal(Score(ranked[1]), settled.SecondScore);
        Assert.Equal(keys[2].Address, Address.Parse(settled.Winner));
        Assert.Equal(secondScorePayment, settled.Payment);
        Assert.Equal(keys[2].Address, Address.Parse(fulfilled.Prover));
        Assert.Equal(secondScorePayment, fulfilled.ProverPayment + fulfilled.ProtocolFee);
        Assert.True(fulfilled.ProverPayment + fulfilled.ProtocolFee > ranked[0].Fee);
    }

    /// <summary>
    /// One worker in two auctions at once commits from two bid lanes (its journal holds the first lane while that bid
    /// is open), opened at start-up for its capacity, and wins and delivers both; afterwards both lanes are free.
    /// </summary>
    [Fact]
    public async Task TwoAuctionsAtOnce_bidFromTwoLanes_andBothAreDelivered()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "twolanes", "300000000000000");
        h.StartWorker(o, env);
        var (_, first) = await h.SubmitAsync(mode: 0, a: 3, b: 4, bidSeconds: 6);
        var (_, second) = await h.SubmitAsync(mode: 0, a: 5, b: 6, bidSeconds: 6);
        await h.WaitForStatusAsync(first, Fulfilled, Patience);
        await h.WaitForStatusAsync(second, Fulfilled, Patience);

        var lanes = new List<BigInteger>();
        foreach (var id in new[] { first, second })
        {
            var logs = await h.MarketLogsAsync(id);
            var committed = logs.DecodeEvents<IProverMarketService.BidCommittedEventDTO>().Select(x => x.Event).Single(e => Address.Parse(e.Prover) == key.Address);
            lanes.Add(committed.Lane);
            // A lone sealed bid is paid the request's maxFee, not its own fee.
            var paid = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            Assert.Equal(MarketHarness.Ether / 100, paid.ProverPayment + paid.ProtocolFee);
        }
        Assert.Equal(2, lanes.Distinct().Count());
        foreach (var lane in lanes)
            Assert.Equal(BigInteger.One, await h.Market.BidLaneQueryAsync(key.Address, lane)); // free again
        Assert.Equal(BigInteger.One, await h.Market.BidLaneQueryAsync(key.Address, o.Capacity - 1)); // opened at start-up
    }

    [Fact]
    public async Task KilledRightAfterCommit_restartedWorkerStillRevealsAndKeepsItsBond()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
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
        await using var h = await MarketHarness.CreateAsync(_anvil);
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

    [Fact]
    public async Task InputWithAWrongHash_isSkippedWithAReason()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
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
        await using var h = await MarketHarness.CreateAsync(_anvil);
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
        await using var h = await MarketHarness.CreateAsync(_anvil);
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

    [Fact]
    public async Task CollateralReserve_isToppedUpAtStartUp_andBondsComeBackToIt()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
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
        await using var h = await MarketHarness.CreateAsync(_anvil);
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
        await using var h = await MarketHarness.CreateAsync(_anvil);
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

    [Fact]
    public async Task ArtifactsThatDifferFromTheRegisteredHash_areNotServed()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "stale", "300000000000000");
        var staleWasm = Path.Combine(h.Work, "stale.wasm");
        File.Copy(h.Wasm, staleWasm);
        await File.AppendAllTextAsync(staleWasm, "\0");
        o.Circuits[0].WitnessWasm = staleWasm;
        var host = h.StartWorker(o, env);
        var e = await Assert.ThrowsAsync<ProverMarketChain.Worker.Configuration.WorkerConfigurationException>(
            () => h.WaitForWorkerAsync(host, TimeSpan.FromSeconds(60)));
        Assert.Contains("no configured circuit has usable artifacts", e.Message);
        Assert.Contains(h.Log.Lines, l => l.Contains("differs from the registered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkerWithoutLocalArtifacts_fetchesTheRegisteredOnes_provesAndExportsMetrics()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "fetcher", "300000000000000", fetchArtifacts: true);
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        o.MetricsUrl = $"http://127.0.0.1:{port}/";
        h.StartWorker(o, env);
        var (_, id) = await h.SubmitAsync(mode: 1, a: 9, b: 4, bidSeconds: 20);
        await h.WaitForStatusAsync(id, Fulfilled, Patience);

        var cached = Directory.GetFiles(o.ArtifactCacheDir, "*", SearchOption.AllDirectories);
        Assert.Contains(cached, f => f.EndsWith("circuit.zkey", StringComparison.Ordinal));
        Assert.Contains(cached, f => f.EndsWith("circuit.wasm", StringComparison.Ordinal));
        Assert.Contains(h.Log.Lines, l => l.Contains("fetched artifacts", StringComparison.Ordinal));

        // OpenTelemetry's Prometheus exporter serves the worker's instruments; the status endpoint its journal.
        using var http = new HttpClient();
        string metrics = "";
        var sw = Stopwatch.StartNew();
        while (!metrics.Contains("pmc_jobs_fulfilled_total", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            await Task.Delay(500);
        }
        Assert.Contains("pmc_jobs_won_total", metrics);
        Assert.Contains("pmc_jobs_fulfilled_total", metrics);
        Assert.Contains("pmc_proving_duration_seconds_bucket", metrics);
        Assert.Contains("phase=\"witness\"", metrics);
        Assert.Contains("pmc_jobs_in_flight", metrics);
        var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/status/"));
        Assert.Equal(key.Address.ToString(), status.RootElement.GetProperty("prover").GetString());
    }

    [Fact]
    public async Task RegisteredArtifactsThatDoNotMatchTheirHash_areNotServed()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        // The published wasm changes after registration: the fetched artifacts no longer hash to the registered value.
        var tampered = Path.Combine(h.Work, "tampered.wasm");
        File.Copy(h.Wasm, tampered);
        await File.AppendAllTextAsync(tampered, "\0");
        ProverMarketChain.Worker.Proving.ArtifactStore.WriteManifest(h.ArtifactsManifest, new Uri(h.Zkey).AbsoluteUri, new Uri(tampered).AbsoluteUri);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "fetchbad", "300000000000000", fetchArtifacts: true);
        var host = h.StartWorker(o, env);
        var e = await Assert.ThrowsAsync<ProverMarketChain.Worker.Configuration.WorkerConfigurationException>(
            () => h.WaitForWorkerAsync(host, TimeSpan.FromSeconds(60)));
        Assert.Contains("no configured circuit has usable artifacts", e.Message);
        Assert.Contains(h.Log.Lines, l => l.Contains("but the registry commits to", StringComparison.Ordinal));
        Assert.False(Directory.Exists(o.ArtifactCacheDir) && Directory.EnumerateFiles(o.ArtifactCacheDir, "*", SearchOption.AllDirectories).Any(),
            "a rejected download must not stay in the cache");
    }

    [Fact]
    public async Task BehindAFaultyRpc_everyRequestIsFulfilledExactlyOnce()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        using var proxy = new FaultProxy(_anvil.Endpoint, seed: 2026, delay: TimeSpan.FromSeconds(2)) { FaultRate = 0.2 };
        var a = await h.NewProverAsync();
        var b = await h.NewProverAsync();
        foreach (var (k, n, cost) in new[] { (a, "flakyA", "300000000000000"), (b, "flakyB", "500000000000000") })
        {
            var (o, _, env) = h.WorkerConfig(k, n, cost, rpc: proxy.Endpoint, attemptTimeout: TimeSpan.FromSeconds(1));
            h.StartWorker(o, env);
        }

        var ids = new List<byte[]>
        {
            (await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 8)).Id,
            (await h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 20)).Id,
            (await h.SubmitAsync(mode: 3, a: 6, b: 7, provingWindow: 60)).Id,
        };
        foreach (var id in ids) await h.WaitForStatusAsync(id, Fulfilled, TimeSpan.FromSeconds(150));
        foreach (var id in ids)
            Assert.Single(await h.MarketLogsAsync(id), l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _));
        Assert.True(proxy.Faults > 0, "the proxy injected no fault: " + proxy.Stats);
    }

    /// <summary>
    /// A hostile RPC node (20% of calls fail or time out, replies delayed) between the worker and a standing-ask match:
    /// a lost <c>acceptMatch</c> reply or a failed status read must neither decline a good match nor send a second
    /// decision, and the job is accepted once and delivered once.
    /// </summary>
    [Fact]
    public async Task BehindAFaultyRpc_aStandingAskMatchIsAcceptedOnceAndDelivered()
    {
        await using var h = await MarketHarness.CreateAsync(_anvil);
        using var proxy = new FaultProxy(_anvil.Endpoint, seed: 4242, delay: TimeSpan.FromSeconds(2)) { FaultRate = 0.2 };
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "flakyAsk", "300000000000000", rpc: proxy.Endpoint, attemptTimeout: TimeSpan.FromSeconds(1));
        o.PostStandingAsks = true;
        h.StartWorker(o, env);
        await h.WaitForAskAsync(key.Address, TimeSpan.FromSeconds(150));

        var (_, id) = await h.SubmitAsync(mode: 2, a: 3, b: 11);
        await h.WaitForStatusAsync(id, Fulfilled, TimeSpan.FromSeconds(150));
        var logs = await h.MarketLogsAsync(id);
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out _));
        Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out _));
        Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.MatchDeclinedEventDTO>(out _));
        using (var journal = new WorkerJournal(o.JournalPath))
            Assert.Equal(MatchDecision.Accept, Assert.Single(journal.Matches(Hex.Encode(id))).Decision);
        Assert.True(proxy.Faults > 0, "the proxy injected no fault: " + proxy.Stats);
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
