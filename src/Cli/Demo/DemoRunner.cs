using Nethereum.Contracts;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Cli.Local;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Node;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Cli.Demo;

/// <summary>Options of <c>pmc demo</c>.</summary>
/// <param name="Requests">Proof requests the sequencer posts (modes cycle: sealed bid, Dutch, standing ask, open race).</param>
/// <param name="RpcUrl">An existing node (its first five default anvil keys must be funded); null starts an embedded anvil.</param>
/// <param name="TimeoutSeconds">Give up waiting for outcomes after this long.</param>
/// <param name="Circuit">The circuit the sequencer's batches are proven with: rollup_batch, or multiplier (a 4-constraint
/// circuit for fast tests of the market machinery).</param>
/// <param name="IndexerDb">Where the demo's indexer stores its projections (null: an SQLite file in the working folder).</param>
/// <param name="Dashboard">Where the indexer's API and dashboard listen (a busy port falls back to a free one).</param>
/// <param name="KeepOpen">After the summary, keep the chain, workers and dashboard running until <c>ct</c> is cancelled.</param>
public sealed record DemoOptions(int Requests, string? RpcUrl, int TimeoutSeconds = 300, string Circuit = "rollup_batch",
    string? IndexerDb = null, string Dashboard = "http://127.0.0.1:5080", bool KeepOpen = false);

/// <summary>What the demo's indexer counted, for comparison with the demo's own summary (read from the chain).</summary>
/// <param name="Dashboard">The dashboard's address.</param>
/// <param name="Requests">Requests indexed.</param>
/// <param name="Fulfilled">Fulfilled.</param>
/// <param name="Slashed">Slashes.</param>
/// <param name="FulfilledByMode">Fulfilled per allocation mode (the demo's mode names).</param>
/// <param name="GasPerRequest">Gas per request as the indexer attributes it.</param>
public sealed record DemoIndexerCounts(string Dashboard, long Requests, long Fulfilled, long Slashed, IReadOnlyDictionary<string, long> FulfilledByMode, long? GasPerRequest);

/// <summary>The demo's outcome (printed as one JSON object by <c>--json</c>).</summary>
public sealed record DemoSummary(
    int Requests,
    int Fulfilled,
    int Slashed,
    double? MedianLatencySeconds,
    double? MeanFeeRatio,
    double GasPerRequest,
    IReadOnlyDictionary<string, int> WinsByProver,
    IReadOnlyDictionary<string, int> FulfilledByMode,
    double? MeanProvingSeconds,
    double? MeanAssignedToFulfilledSeconds,
    double WallSeconds,
    DemoIndexerCounts? Indexer = null);

/// <summary>
/// A whole local market: deploys the contracts, registers the rollup circuit with its generated verifier, starts three
/// workers with different cost and speed profiles, has a sequencer post rollup batches as proof requests in every
/// allocation mode, follows them live and summarises the outcome from chain state. An indexer follows the market from
/// its deployment and serves the dashboard; the summary carries its counts beside the chain's.
/// </summary>
public sealed class DemoRunner(DemoOptions options, ILoggerFactory loggers, TextWriter progress)
{
    private static readonly string[] ModeNames = ["sealed-bid", "dutch", "standing-ask", "open-race"];
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Say(string line) => progress.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1}s] {line}");

    /// <summary>Runs the demo end to end.</summary>
    /// <param name="ct">Cancels the demo (and, with <see cref="DemoOptions.KeepOpen"/>, ends the browsing after the summary).</param>
    /// <param name="onSummary">Called with the summary while the market is still up (before browsing).</param>
    public async Task<DemoSummary> RunAsync(CancellationToken ct, Action<DemoSummary>? onSummary = null)
    {
        var root = RepoPaths.Root();
        if (options.Circuit is not ("rollup_batch" or "multiplier")) throw new ArgumentException($"demo circuit must be rollup_batch or multiplier, got '{options.Circuit}'");
        var circuit = await CircuitBuild.EnsureAsync(root, options.Circuit, Say, ct).ConfigureAwait(false);

        using var anvil = options.RpcUrl is null ? await AnvilProcess.StartAsync(root, 1, ct).ConfigureAwait(false) : null;
        var endpoint = anvil?.Endpoint ?? new Uri(options.RpcUrl!);
        Say($"chain: {endpoint} ({(anvil is null ? "existing node" : "embedded anvil, 1-second blocks")})");
        using var rpc = new JsonRpcClient(endpoint);
        var client = new EthClient(rpc);
        Signer NewSigner(int i) => new(client, EthKey.FromPrivateKey(DevAccounts.Keys[i]), new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(100) });
        // Roles: deployer, sequencer, three provers.
        var owner = NewSigner(0);
        var sequencer = NewSigner(1);

        // ------------------------------------------------------------ contracts
        var work = Directory.CreateTempSubdirectory("pmc-demo-").FullName;
        var local = await LocalMarket.DeployAsync(owner, circuit, work, ct).ConfigureAwait(false);
        var deployment = local.Deployment;
        var marketContract = new ProverMarketService(owner.Web3(), deployment.ProverMarket.ToString());
        var deployBlock = deployment.DeployBlock;
        Say($"deployed registry {deployment.CircuitRegistry}, vault {deployment.CollateralVault}, market {deployment.ProverMarket}");
        const uint circuitId = LocalMarket.CircuitId;
        Say($"registered {options.Circuit} ({circuit.Constraints} constraints, {circuit.PublicInputs} public inputs) with verifier {local.Verifier}, artifacts {new Uri(local.Manifest).AbsoluteUri}");

        // ------------------------------------------------------------ indexer and dashboard
        await using var indexer = await DemoIndexer.StartAsync(endpoint, local.DeploymentFile, options.IndexerDb ?? Path.Combine(work, "indexer.db"), options.Dashboard, loggers, ct).ConfigureAwait(false);
        progress.WriteLine($"dashboard: {indexer.Dashboard}");

        // ------------------------------------------------------------ workers
        var baseSpeed = WorkerHost.CalibrateUnitsPerSecond(loggers.CreateLogger("demo"));
        var profiles = new[]
        {
            (Name: "prover-A (fast, pricey)", PerUnit: "200000000000", Speed: baseSpeed, Margin: 1500),
            (Name: "prover-B (balanced)", PerUnit: "150000000000", Speed: baseSpeed * 0.6, Margin: 1000),
            (Name: "prover-C (cheap, slow)", PerUnit: "100000000000", Speed: baseSpeed * 0.3, Margin: 500),
        };
        var names = new Dictionary<Address, string>();
        var hosts = new List<WorkerHost>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = new List<Task>();
        for (int i = 0; i < profiles.Length; i++)
        {
            var signer = NewSigner(2 + i);
            names[signer.From] = profiles[i].Name;
            await local.FundProverAsync(signer, Ether, ct).ConfigureAwait(false);
            // Most of the deposit backs bids and jobs from the market's bond balance.
            var o = local.WorkerOptions($"worker{i}", endpoint,
                new CostModelOptions { CostPerUnitWei = profiles[i].PerUnit, FixedCostWei = "0", MarginBps = profiles[i].Margin, UnitsPerSecond = profiles[i].Speed },
                Ether * 3 / 4);
            var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = DevAccounts.Keys[2 + i] };
            var errors = o.Validate(env);
            if (errors.Count > 0) throw new WorkerConfigurationException("(demo worker)", errors);
            var host = WorkerHost.Create(o, loggers, env, $"w{i}");
            hosts.Add(host);
            running.Add(host.Node.RunAsync(stop.Token));
            Say($"started {profiles[i].Name} at {signer.From} ({profiles[i].Speed:F0} units/s claimed, {profiles[i].PerUnit} wei/unit)");
        }

        var market = new IProverMarketService(sequencer.Web3(), marketContract.ContractAddress);
        var askBook = new IAskBookService(sequencer.Web3(), (await marketContract.AskBookQueryAsync().ConfigureAwait(false)).ToString());
        for (int i = 0; i < 60 && (await askBook.AskHeadQueryAsync(circuitId).ConfigureAwait(false)) == Address.Zero; i++)
            await Task.Delay(250, ct).ConfigureAwait(false);

        // ------------------------------------------------------------ sequencer
        // Every request carries the protocol fee in force (a later, timelocked change never reaches it), and a sealed
        // auction's reveal phase is at least the market's minimum (so every bidder gets to reveal).
        var protocolFeeBps = await market.EffectiveProtocolFeeQueryAsync().ConfigureAwait(false);
        var minReveal = (ulong)await market.MIN_REVEAL_WINDOWQueryAsync().ConfigureAwait(false);
        var submitted = new List<(byte[] Id, int Mode, BigInteger MaxFee, ulong Block, Request Request)>();
        var runTag = Convert.ToHexString(RandomNumberGeneratorBytes(4));
        for (int i = 0; i < options.Requests; i++)
        {
            int mode = i % 4;
            var (input, publics) = options.Circuit == "multiplier" ? MakeProduct(i) : await MakeBatchAsync(root, work, $"demo-{runTag}-{i}", ct).ConfigureAwait(false);
            var now = (await client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))!.Timestamp;
            var maxFee = Ether / 100;
            var request = new Request(
                Requester: sequencer.From, CircuitId: circuitId, Mode: mode, OnMiss: 0, AssetId: 0,
                // A sealed bid's window leaves room for each worker's preflight (fetch and witness) before it commits.
                BidDeadline: now + (mode == 1 ? 8UL : 6UL), RevealDeadline: now + (mode == 0 ? 6UL + minReveal : 8UL), ProvingWindow: 60,
                // The collateral (also a sealed bid's bond) is the whole fee: a sealed bid's bond must be at least maxFee.
                Verifier: local.Verifier, MaxFee: maxFee, MinFee: mode == 1 ? Ether / 1000 : 0, MinCollateral: maxFee,
                LatencyWeight: BigInteger.Pow(10, 13), Nonce: i, InputHash: Keccak.Hash(input), PublicInputsHash: PublicInputs.Hash(publics),
                ProtocolFeeBps: protocolFeeBps, CallbackGasLimit: 0);
            var receipt = await market.SubmitRequestRequestAndWaitForReceiptAsync(request, input, string.Empty, publics.ToList(), maxFee, ct).ConfigureAwait(false);
            var e = receipt.DecodeAllEvents<IProverMarketService.RequestSubmittedEventDTO>().Single().Event;
            submitted.Add((e.RequestId, mode, maxFee, (ulong)receipt.BlockNumber.Value, request));
            Say($"request #{i} ({ModeNames[mode]}) posted: {Hex.Encode(e.RequestId)[..10]}…, max fee {Format(maxFee)}");
            await Task.Delay(1000, ct).ConfigureAwait(false);
        }

        // ------------------------------------------------------------ live progress until every request is settled
        var outcome = new Dictionary<string, string>();
        var deadline = DateTime.UtcNow.AddSeconds(options.TimeoutSeconds);
        var seen = new HashSet<string>();
        var assignedTo = new Dictionary<int, string>();
        while (DateTime.UtcNow < deadline)
        {
            int done = 0;
            for (int i = 0; i < submitted.Count; i++)
            {
                var view = await market.RequestStateQueryAsync(submitted[i].Id).ConfigureAwait(false);
                var status = (int)view.Status;
                var key = $"{i}:{status}:{view.Prover}";
                if (seen.Add(key) && status is 2 or 3 or 4 or 7)
                {
                    // A locked Dutch job's price follows from its terms and lock time (requestState, keyed by id alone,
                    // reports 0 for it): ask dutchPrice.
                    var fee = status == 2 && submitted[i].Mode == 1
                        ? await market.DutchPriceQueryAsync(submitted[i].Request).ConfigureAwait(false)
                        : view.Fee;
                    var who = view.Prover != Address.Zero ? names.GetValueOrDefault(Address.Parse(view.Prover), view.Prover)
                        : status == 4 ? await FulfillerAsync(market, submitted[i].Block, submitted[i].Id, names, ct).ConfigureAwait(false)
                        : assignedTo.GetValueOrDefault(i, "the first valid proof (open race or secondary)");
                    if (status == 2) assignedTo[i] = who;
                    Say(status switch
                    {
                        2 => $"request #{i} assigned to {who} at {Format(fee)}",
                        3 => $"request #{i} open for secondary fulfilment (bounty {Format(view.Bounty)})",
                        7 => $"request #{i} matched {who}'s standing ask at {Format(view.Fee)}; awaiting its acceptance",
                        _ => $"request #{i} fulfilled by {who}",
                    });
                }
                if (status is 4 or 5 or 6) done++;
                else if (status is 1 or 3 && await TryExpireAsync(market, submitted[i].Request, ct).ConfigureAwait(false))
                {
                    Say($"request #{i} expired unfulfilled; escrow refunded");
                    done++;
                }
            }
            if (done == submitted.Count) break;
            await Task.Delay(500, ct).ConfigureAwait(false);
        }

        double provingSum = 0, provingCount = 0;
        foreach (var h in hosts)
        {
            var m = h.Node.Metrics.Snapshot();
            provingSum += m.GetValueOrDefault("pmc_proving_duration_sum");
            provingCount += m.GetValueOrDefault("pmc_proving_duration_count");
        }
        double? meanProving = provingCount > 0 ? provingSum / provingCount : null;
        await stop.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(running).ConfigureAwait(false); } catch (OperationCanceledException) { }
        foreach (var h in hosts) await h.DisposeAsync().ConfigureAwait(false);

        var summary = await SummariseAsync(client, market, submitted, names, deployBlock, meanProving, ct).ConfigureAwait(false);
        var counts = await indexer.CountsAsync(await client.BlockNumberAsync(ct).ConfigureAwait(false), ModeNames, ct).ConfigureAwait(false);
        summary = summary with { Indexer = counts };
        onSummary?.Invoke(summary);
        if (options.KeepOpen)
        {
            progress.WriteLine($"dashboard: {indexer.Dashboard} (the market stays open for browsing; Ctrl-C to stop)");
            try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        return summary;
    }

    /// <summary>A multiplier job: factors a = i + 2, b = i + 3 (both above 1), public [c, d] = [a·b, c² + b].</summary>
    private static (byte[] Input, BigInteger[] Publics) MakeProduct(int i)
    {
        BigInteger a = i + 2, b = i + 3, c = a * b;
        return (Encoding.UTF8.GetBytes($"{{\"a\":\"{a}\",\"b\":\"{b}\"}}"), [c, c * c + b]);
    }

    /// <summary>Who was paid for a fulfilled request, from its <c>RequestFulfilled</c> event: the state slot no longer
    ///     names the prover once it is paid, and an auction settled inside its fulfilment is never seen assigned.</summary>
    private static async Task<string> FulfillerAsync(IProverMarketService market, ulong fromBlock, byte[] id,
        IReadOnlyDictionary<Address, string> names, CancellationToken ct)
    {
        var paid = await market.GetRequestFulfilledEventsAsync(fromBlock, null, id, null).ConfigureAwait(false);
        if (paid.Count == 0) return "an unknown prover";
        var p = Address.Parse(paid[0].Event.Prover);
        return names.GetValueOrDefault(p, p.ToString());
    }

    /// <summary>Expires a request nobody can deliver any more (permissionless); false while it is still live.</summary>
    private static Task<bool> TryExpireAsync(IProverMarketService market, Request request, CancellationToken ct) =>
        Permissionless.TryAsync(() => market.ExpireQueryAsync(request), () => market.ExpireRequestAndWaitForReceiptAsync(request, ct));

    private async Task<DemoSummary> SummariseAsync(EthClient client, IProverMarketService market, List<(byte[] Id, int Mode, BigInteger MaxFee, ulong Block, Request Request)> submitted,
        Dictionary<Address, string> names, ulong fromBlock, double? meanProving, CancellationToken ct)
    {
        var logs = await client.GetLogsAsync(new LogFilter(fromBlock, null, [Address.Parse(market.ContractAddress)], null), ct).ConfigureAwait(false);
        var blockTimes = new Dictionary<ulong, ulong>();
        async Task<ulong> TimeOf(ulong block)
        {
            if (!blockTimes.TryGetValue(block, out var t))
                blockTimes[block] = t = (await client.GetBlockByNumberAsync(block, ct).ConfigureAwait(false))!.Timestamp;
            return t;
        }

        var latencies = new List<double>();
        var assignedToFulfilled = new List<double>();
        var ratios = new List<double>();
        var wins = names.Values.ToDictionary(n => n, _ => 0);
        var byMode = ModeNames.ToDictionary(n => n, _ => 0);
        int slashed = logs.DecodeEvents<IProverMarketService.ProverSlashedEventDTO>().Count;
        var gasTxs = new HashSet<string>();
        var ids = submitted.Select(s => Hex.Encode(s.Id)).ToHashSet();
        foreach (var l in logs)
            if (l.Topics.Count > 1 && ids.Contains(Hex.Encode(l.Topics[1]))) gasTxs.Add(Hex.Encode(l.TransactionHash));

        foreach (var s in submitted)
        {
            var (f, fLog) = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>()
                .FirstOrDefault(x => x.Event.RequestId.AsSpan().SequenceEqual(s.Id));
            if (f is null) continue;
            latencies.Add(await TimeOf(fLog.BlockNumber).ConfigureAwait(false) - (double)await TimeOf(s.Block).ConfigureAwait(false));
            var (assigned, assignedLog) = logs.DecodeEvents<IProverMarketService.RequestAssignedEventDTO>()
                .LastOrDefault(x => x.Event.RequestId.AsSpan().SequenceEqual(s.Id));
            if (assigned is not null && s.Mode is 1 or 2) // Dutch lock, ask match: assignment precedes proving
                assignedToFulfilled.Add(await TimeOf(fLog.BlockNumber).ConfigureAwait(false) - (double)await TimeOf(assignedLog.BlockNumber).ConfigureAwait(false));
            ratios.Add((double)(f.ProverPayment + f.ProtocolFee) / (double)s.MaxFee);
            var who = names.GetValueOrDefault(Address.Parse(f.Prover), f.Prover);
            wins[who] = wins.GetValueOrDefault(who) + 1;
            byMode[ModeNames[s.Mode]]++;
        }

        ulong gas = 0;
        foreach (var tx in gasTxs)
            gas += (await client.GetTransactionReceiptAsync(Hex.Decode(tx), ct).ConfigureAwait(false))?.GasUsed ?? 0;

        latencies.Sort();
        double? median = latencies.Count == 0 ? null
            : latencies.Count % 2 == 1 ? latencies[latencies.Count / 2] : (latencies[latencies.Count / 2 - 1] + latencies[latencies.Count / 2]) / 2;
        return new DemoSummary(submitted.Count, latencies.Count, slashed, median, ratios.Count == 0 ? null : ratios.Average(),
            submitted.Count == 0 ? 0 : (double)gas / submitted.Count, wins, byMode, meanProving,
            assignedToFulfilled.Count == 0 ? null : assignedToFulfilled.Average(), Math.Round(_clock.Elapsed.TotalSeconds, 1));
    }

    private static async Task<(byte[] Input, BigInteger[] Publics)> MakeBatchAsync(string root, string work, string seed, CancellationToken ct)
    {
        var input = Path.Combine(work, seed + ".json");
        var pub = Path.Combine(work, seed + ".public.json");
        await ExternalProcess.RunAsync("node", [Path.Combine(root, "circuits", "scripts", "rollup-input.js"), "--seed", seed, "--out", input, "--public", pub], root, ct).ConfigureAwait(false);
        return (await File.ReadAllBytesAsync(input, ct).ConfigureAwait(false), CircuitBuild.ReadNumbers(pub));
    }

    private static byte[] RandomNumberGeneratorBytes(int n) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(n);

    private static string Format(BigInteger wei) => $"{(double)wei / 1e18:0.#####} ETH";
}
