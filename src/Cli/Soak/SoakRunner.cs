using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.Cli.Local;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Orchestrates a soak run: an embedded anvil with the market and the multiplier circuit; three workers as separate
/// processes, each behind its own fault proxy; two honest requesters and a hostile one; random SIGKILLs with restarts
/// on the same journal; a janitor for permissionless upkeep. After the load and a drain it stops everything and audits
/// the chain (<see cref="SoakAuditor"/>).
/// </summary>
public sealed class SoakRunner(SoakOptions options, TextWriter progress)
{
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    // Roles by anvil account: 0 deployer and treasury, 1-2 honest requesters, 3 hostile requester, 4-6 workers, 7 janitor.
    private const int FirstWorkerAccount = 4;
    private const int WorkerCount = 3;
    private const int JanitorAccount = 7;

    // Worker profiles: price per proving unit and the (understated) speed they plan with; see WorkerConfigWriter.
    private static readonly (string PerUnit, double Speed)[] Profiles = [("300000000000000", 0.25), ("400000000000000", 0.2), ("500000000000000", 0.3)];

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Say(string line)
    {
        lock (progress) progress.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1}s] {line}");
    }

    /// <summary>Runs the soak and returns its audit.</summary>
    public async Task<SoakAudit> RunAsync(CancellationToken ct)
    {
        var root = RepoPaths.Root();
        var random = new Random(options.Seed);
        var circuit = await CircuitBuild.EnsureAsync(root, "multiplier", Say, ct).ConfigureAwait(false);
        using var anvil = await AnvilProcess.StartAsync(root, 1, ct).ConfigureAwait(false);
        using var rpc = new JsonRpcClient(anvil.Endpoint);
        var client = new EthClient(rpc);
        Signer NewSigner(int i) => new(client, EthKey.FromPrivateKey(DevAccounts.Keys[i]), new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(100) });
        var owner = NewSigner(0);
        var work = Directory.CreateTempSubdirectory("pmc-soak-").FullName;
        Say($"chain: {anvil.Endpoint} (embedded anvil, 1-second blocks); files in {work}");

        var local = await LocalMarket.DeployAsync(owner, circuit, work, ct).ConfigureAwait(false);
        var market = new IProverMarketService(owner.Web3(), local.Deployment.ProverMarket.ToString());
        var askBookAddress = await market.AskBookQueryAsync().ConfigureAwait(false);
        var askBook = new IAskBookService(owner.Web3(), askBookAddress.ToString());
        Say($"deployed the market {local.Deployment.ProverMarket}; registered multiplier ({circuit.Constraints} constraints) with verifier {local.Verifier}");

        // Every account and contract funds can reach: the roles, the contracts and the burn address.
        var workerSigners = Enumerable.Range(FirstWorkerAccount, WorkerCount).Select(NewSigner).ToList();
        var tracked = Enumerable.Range(0, JanitorAccount + 1).Select(i => EthKey.FromPrivateKey(DevAccounts.Keys[i]).Address).ToList();
        tracked.AddRange([local.Deployment.CircuitRegistry, local.Deployment.CollateralVault, local.Deployment.ProverMarket,
            Address.Parse(await market.ExtensionQueryAsync().ConfigureAwait(false)), Address.Parse(askBookAddress), local.Verifier,
            Address.Parse(await market.BURN_ADDRESSQueryAsync().ConfigureAwait(false))]);
        tracked = tracked.Distinct().ToList();
        var balances = new BalanceReader(client);
        var tokens = await BalanceReader.CollateralTokensAsync(new ICollateralVaultService(owner.Web3(), local.Deployment.CollateralVault.ToString()), ct).ConfigureAwait(false);
        var fromBlock = await client.BlockNumberAsync(ct).ConfigureAwait(false);
        var before = await balances.EthAsync(tracked, fromBlock, ct).ConfigureAwait(false);
        var tokensBefore = new List<BigInteger[]>();
        foreach (var (_, token) in tokens) tokensBefore.Add(await balances.TokenAsync(token, tracked, fromBlock, ct).ConfigureAwait(false));

        // ------------------------------------------------------------ workers, each behind its own faulty RPC
        var proxies = new List<FaultProxy>();
        var processes = new List<WorkerProcess>();
        var names = new Dictionary<Address, string>();
        for (int i = 0; i < WorkerCount; i++)
        {
            var signer = workerSigners[i];
            var key = DevAccounts.Keys[FirstWorkerAccount + i];
            await local.FundProverAsync(signer, 10 * Ether, ct).ConfigureAwait(false);
            var proxy = new FaultProxy(anvil.Endpoint, seed: unchecked(options.Seed * 31 + i), delay: TimeSpan.FromSeconds(3)) { FaultRate = options.RpcFaultRate };
            proxies.Add(proxy);
            var name = $"worker{i}";
            var config = WorkerConfigWriter.Write(local, name, proxy.Endpoint, Profiles[i].PerUnit, Profiles[i].Speed, Ether * 15 / 2, key);
            processes.Add(new WorkerProcess(name, config, key, Path.Combine(work, name + ".log"), root));
            names[signer.From] = name;
            Say($"{name}: {signer.From}, 10 ETH deposited, RPC through {proxy.Endpoint} ({options.RpcFaultRate * 100:0}% of calls faulted), log {Path.Combine(work, name + ".log")}");
        }
        using var supervisor = new WorkerSupervisor(processes, Say);
        await using var inputs = new InputServer(Say);
        var submissions = new SubmissionLog();
        var janitor = new MarketJanitor(new IProverMarketService(NewSigner(JanitorAccount).Web3(), market.ContractAddress), client, submissions, Say);
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var background = new List<Task>();
        var posters = Array.Empty<RequestPoster>();
        var quietAtEnd = new Dictionary<string, double>();
        try
        {
            supervisor.StartAll();
            background.Add(supervisor.WatchAsync(stopAll.Token));
            await WaitForAsksAsync(askBook, workerSigners.Select(s => s.From).ToList(), names, ct).ConfigureAwait(false);
            background.Add(janitor.RunAsync(TimeSpan.FromSeconds(5), stopAll.Token));

            // ------------------------------------------------------------ load
            var protocolFeeBps = await market.EffectiveProtocolFeeQueryAsync().ConfigureAwait(false);
            RequestPoster Poster(int account) => new(NewSigner(account), new IProverMarketService(NewSigner(account).Web3(), market.ContractAddress), local.Verifier,
                LocalMarket.CircuitId, protocolFeeBps, submissions);
            posters = [Poster(1), Poster(2), Poster(3)];
            using var load = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var loadTasks = new List<Task>
            {
                new HonestRequester(posters[0], inputs, random, Say).RunAsync(options.HonestInterval, 0, load.Token),
                new HonestRequester(posters[1], inputs, random, Say).RunAsync(options.HonestInterval, 2, load.Token),
                new HostileRequester(posters[2], inputs, options.Cases, WorkerConfigWriter.AskMaxCollateral, random, Say).RunAsync(options.HostileInterval, load.Token),
                new ChaosMonkey(supervisor, random, options.KillIntervalMin, options.KillIntervalMax).RunAsync(load.Token),
            };
            background.Add(ReportAsync(submissions, janitor, supervisor, proxies, stopAll.Token));
            Say($"load for {options.Minutes:0.##} min: honest requests in every mode, hostile cases [{string.Join(", ", options.Cases.Select(SoakNames.Of))}], a kill -9 every {options.KillIntervalMin.TotalSeconds:F0}-{options.KillIntervalMax.TotalSeconds:F0} s");
            var loadEnd = Task.Delay(TimeSpan.FromMinutes(options.Minutes), ct);
            // A requester that fails stops the run with its error.
            var first = await Task.WhenAny(loadTasks.Append(loadEnd)).ConfigureAwait(false);
            if (first != loadEnd) await first.ConfigureAwait(false);
            await loadEnd.ConfigureAwait(false);
            await load.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loadTasks).ConfigureAwait(false);
            supervisor.EnsureRunning();

            // ------------------------------------------------------------ drain
            var honest = submissions.All().Count(r => r.Honest);
            Say($"load over: draining (at most {options.DrainLimit.TotalSeconds:F0} s) until the {honest} honest requests are settled");
            var drainEnd = DateTime.UtcNow + options.DrainLimit;
            while (DateTime.UtcNow < drainEnd && janitor.HonestSettled < honest)
                await Task.Delay(2000, ct).ConfigureAwait(false);
            Say($"drain over: {janitor.HonestSettled} of {honest} honest requests settled ({janitor.HonestFulfilled} fulfilled)");
        }
        finally
        {
            quietAtEnd = proxies.Select((p, i) => (supervisor.Workers[i].Name, Math.Round((DateTime.UtcNow - p.LastRequestUtc).TotalSeconds, 1)))
                .ToDictionary(x => x.Item1, x => x.Item2);
            await stopAll.CancelAsync().ConfigureAwait(false);
            supervisor.StopAll();
            foreach (var p in proxies) p.Dispose(); // their counts stay readable
            try { await Task.WhenAll(background).ConfigureAwait(false); } catch (OperationCanceledException) { }
        }

        // ------------------------------------------------------------ audit
        // Last upkeep with the workers gone (a slash, expiry or forfeit now due is made visible), then two blocks so
        // that nothing the workers sent before they died is still pending in the audited range's last block.
        await janitor.SweepOrReportAsync(ct).ConfigureAwait(false);
        var last = await client.BlockNumberAsync(ct).ConfigureAwait(false);
        while (await client.BlockNumberAsync(ct).ConfigureAwait(false) < last + 2) await Task.Delay(250, ct).ConfigureAwait(false);
        var toBlock = await client.BlockNumberAsync(ct).ConfigureAwait(false);
        var after = await balances.EthAsync(tracked, toBlock, ct).ConfigureAwait(false);
        var tokenReports = new List<TokenReport>();
        for (int t = 0; t < tokens.Count; t++)
            tokenReports.Add(FundsLedger.CheckToken(tokens[t].AssetId, tokens[t].Token, tokensBefore[t], await balances.TokenAsync(tokens[t].Token, tracked, toBlock, ct).ConfigureAwait(false)));
        var rpcStats = new RpcFaultStats(options.RpcFaultRate, proxies.Sum(p => p.Faults + p.Passed), proxies.Sum(p => p.Faults));
        var kills = supervisor.Kills.Select(k => (k.At, workerSigners[k.Worker].From)).ToList();
        var fleet = new WorkerFleetStats(kills.Count, processes.Sum(p => p.Starts), processes.Sum(p => p.UnexpectedExits), quietAtEnd, processes.ToDictionary(p => p.Name, p => p.LogPath));
        var evidence = new SoakEvidence(submissions.All(), names, before, after, tokenReports, fromBlock, toBlock, kills, fleet, rpcStats,
            new JanitorStats(janitor.Expired, janitor.Slashed, janitor.Lapsed, janitor.Forfeited), posters.Sum(p => p.Refused),
            options.Seed, options.Minutes, Math.Round(_clock.Elapsed.TotalSeconds, 1), work);
        Say($"auditing blocks {fromBlock}..{toBlock}");
        return await new SoakAuditor(client, market).AuditAsync(evidence, ct).ConfigureAwait(false);
    }

    /// <summary>Waits (at most two minutes) until every worker has posted its standing ask, so that standing-ask requests can match.</summary>
    private async Task WaitForAsksAsync(IAskBookService askBook, IReadOnlyList<Address> workers, IReadOnlyDictionary<Address, string> names, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var waiting = workers.ToList();
        while (waiting.Count > 0 && DateTime.UtcNow < deadline)
        {
            var listed = new List<Address>();
            foreach (var w in waiting)
                if ((await askBook.AskOfQueryAsync(LocalMarket.CircuitId, w).ConfigureAwait(false)).Listed) listed.Add(w);
            foreach (var w in listed)
            {
                waiting.Remove(w);
                Say($"{names[w]} is up: its standing ask is listed");
            }
            if (waiting.Count > 0) await Task.Delay(500, ct).ConfigureAwait(false);
        }
        foreach (var w in waiting) Say($"warning: {names[w]} posted no standing ask within 2 minutes; going on (see its log)");
    }

    /// <summary>A progress line every 20 s.</summary>
    private async Task ReportAsync(SubmissionLog submissions, MarketJanitor janitor, WorkerSupervisor supervisor, IReadOnlyList<FaultProxy> proxies, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(20), ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            var all = submissions.All();
            int faults = proxies.Sum(p => p.Faults), calls = faults + proxies.Sum(p => p.Passed);
            // A worker that sent no RPC call for 10 s (it polls twice a second) is stuck.
            var silent = proxies.Select((p, i) => (Name: supervisor.Workers[i].Name, Quiet: DateTime.UtcNow - p.LastRequestUtc))
                .Where(x => x.Quiet > TimeSpan.FromSeconds(10)).Select(x => $"{x.Name} {x.Quiet.TotalSeconds:F0} s").ToList();
            Say($"progress: {all.Count(r => r.Honest)} honest posted, {janitor.HonestFulfilled} fulfilled; {all.Count(r => !r.Honest)} hostile posted; " +
                $"{supervisor.Kills.Count} kills; RPC faults {faults}/{calls}" + (silent.Count > 0 ? $"; no RPC call from {string.Join(", ", silent)}" : ""));
        }
    }
}
