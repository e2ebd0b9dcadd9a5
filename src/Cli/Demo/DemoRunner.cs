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
using ProverMarketChain.Sequencer.Chain;
using ProverMarketChain.Sequencer.Poseidon;
using ProverMarketChain.Sequencer.State;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Node;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Cli.Demo;

/// <summary>Options of <c>pmc demo</c>.</summary>
/// <param name="Requests">Rollup batches the sequencer commits, each proven through one market request (modes cycle:
/// sealed bid, Dutch, standing ask, open race).</param>
/// <param name="RpcUrl">An existing node (its first five default anvil keys must be funded); null starts an embedded anvil.</param>
/// <param name="TimeoutSeconds">Give up waiting for outcomes after this long.</param>
/// <param name="Circuit">The circuit the sequencer's batches are proven with: rollup_batch (the rollup story: an
/// ExampleRollup contract, batches built by src/Sequencer), or multiplier (a 4-constraint circuit for fast tests of the
/// market machinery: a plain requester posts products, no rollup).</param>
/// <param name="IndexerDb">Where the demo's indexer stores its projections (null: an SQLite file in the working folder).</param>
/// <param name="Dashboard">Where the indexer's API and dashboard listen (a busy port falls back to a free one).</param>
/// <param name="KeepOpen">After the summary, keep the chain, workers and dashboard running until <c>ct</c> is cancelled.</param>
/// <param name="Burst">Rollup only: Dutch batches the sequencer commits back to back after the mode cycle, so that one
/// worker holds several finished proofs at once and delivers them in one <c>fulfillBatch</c>.</param>
public sealed record DemoOptions(int Requests, string? RpcUrl, int TimeoutSeconds = 300, string Circuit = "rollup_batch",
    string? IndexerDb = null, string Dashboard = "http://127.0.0.1:5080", bool KeepOpen = false, int Burst = 0);

/// <summary>What the demo's indexer counted, for comparison with the demo's own summary (read from the chain).</summary>
/// <param name="Dashboard">The dashboard's address.</param>
/// <param name="Requests">Requests indexed.</param>
/// <param name="Fulfilled">Fulfilled.</param>
/// <param name="Slashed">Slashes.</param>
/// <param name="FulfilledByMode">Fulfilled per allocation mode (the demo's mode names).</param>
/// <param name="GasPerRequest">Gas per request as the indexer attributes it.</param>
public sealed record DemoIndexerCounts(string Dashboard, long Requests, long Fulfilled, long Slashed, IReadOnlyDictionary<string, long> FulfilledByMode, long? GasPerRequest);

/// <summary>The demo rollup at the end of the run.</summary>
/// <param name="Address">The ExampleRollup contract.</param>
/// <param name="Rpc">The chain it lives on (an embedded anvil is gone once the demo ends).</param>
/// <param name="CommittedBatches">Batches the sequencer committed.</param>
/// <param name="SequencerStateRoot">The root of the sequencer's local account tree after its last batch (bytes32 hex).</param>
/// <param name="Reposts">Batch requests that ended unproven and were posted again.</param>
public sealed record DemoRollup(string Address, string Rpc, int CommittedBatches, string SequencerStateRoot, int Reposts);

/// <summary>The demo's outcome (printed as one JSON object by <c>--json</c>).</summary>
/// <remarks>With the rollup (the default circuit), <c>Requests</c> counts every market request the rollup posted (a
/// batch reposted after its request expired counts twice), and the run succeeds when <c>FinalizedBatches</c> reaches
/// the batches committed. <c>FinalizedBatches</c>, <c>FinalizedStateRoot</c> and <c>Rollup</c> are null for the
/// multiplier circuit (no rollup).</remarks>
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
    DemoIndexerCounts? Indexer = null,
    int? FinalizedBatches = null,
    string? FinalizedStateRoot = null,
    DemoRollup? Rollup = null)
{
    /// <summary>Gas per request of the delivery transactions that delivered one request (<c>fulfill</c>,
    /// <c>revealProof</c>; the whole transaction, the callback included); null when there was none.</summary>
    public double? GasPerRequestSingle { get; init; }

    /// <summary>Gas per request of the <c>fulfillBatch</c> transactions that delivered several requests; null when the
    /// workers formed no batch in this run.</summary>
    public double? GasPerRequestBatched { get; init; }

    /// <summary>Delivery transactions that delivered more than one request.</summary>
    public int BatchedDeliveries { get; init; }
}

/// <summary>
/// A whole local market with a rollup on it: deploys the contracts, registers the rollup circuit with its generated
/// verifier, starts three workers with different cost and speed profiles, deploys an <c>ExampleRollup</c>, and has its
/// sequencer (<see cref="SequencerService"/>) commit batches of transfers built on its local state; the rollup buys each
/// batch's proof on the market, cycling through every allocation mode, and its finalized root advances as the proofs
/// come back. The narration follows each batch (mode, winning prover, price, latency) and the finalized root; the
/// summary is read from chain state. An indexer follows the market from its deployment and serves the dashboard; the
/// summary carries its counts beside the chain's.
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

        // The embedded anvil mines a block per transaction while the market is set up (deployments, funding, the
        // workers' first asks: seconds instead of one block-second each), then one-second blocks from the rollup's
        // first batch on, so bid, reveal and proving windows run on a steady clock.
        using var anvil = options.RpcUrl is null ? await AnvilProcess.StartAsync(root, 0, ct).ConfigureAwait(false) : null;
        var endpoint = anvil?.Endpoint ?? new Uri(options.RpcUrl!);
        Say($"chain: {endpoint} ({(anvil is null ? "existing node" : "embedded anvil: a block per transaction during set-up, then 1-second blocks")})");
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
                Ether * 3 / 4,
                // Deliveries are batched: proofs of one worker that finish close together go out in one fulfillBatch.
                new BatchingOptions { Enabled = true, MaxBatchSize = 16, MinBatchSize = 2, MaxWaitSeconds = 15 });
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

        if (anvil is not null)
        {
            await rpc.SendAsync("evm_setIntervalMining", [1], ct).ConfigureAwait(false);
            Say("the market is set up: the chain now mines a block every second");
        }

        // ------------------------------------------------------------ requests
        // Every request carries the protocol fee in force (a later, timelocked change never reaches it), and a sealed
        // auction's reveal phase is at least the market's minimum (so every bidder gets to reveal).
        var minReveal = (uint)await market.MIN_REVEAL_WINDOWQueryAsync().ConfigureAwait(false);
        var submitted = new List<Submitted>();
        RollupRun? rollup = null;
        if (options.Circuit == "rollup_batch")
            rollup = await RunRollupAsync(owner, sequencer, client, market, askBook, deployment.ProverMarket, circuit.Constraints, minReveal, names, submitted, ct).ConfigureAwait(false);
        else
            await RunProductsAsync(sequencer, client, market, local.Verifier, minReveal, names, submitted, ct).ConfigureAwait(false);

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
        if (rollup is not null)
        {
            var seq = rollup.Sequencer;
            summary = summary with
            {
                FinalizedBatches = (int)await seq.Contract.FinalizedBatchesQueryAsync(cancellationToken: ct).ConfigureAwait(false),
                FinalizedStateRoot = Hex.Encode(Words.Bytes32(await seq.FinalizedRootAsync(ct).ConfigureAwait(false))),
                Rollup = new DemoRollup(seq.Rollup.ToString(), endpoint.ToString(), seq.CommittedBatches, Hex.Encode(Words.Bytes32(seq.Head.Root)), rollup.Reposts),
            };
        }
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

    /// <summary>A market request the demo posted (or the rollup posted for a batch): its id, mode, escrow, block and terms.</summary>
    private sealed record Submitted(byte[] Id, int Mode, BigInteger MaxFee, ulong Block, Request Request, int Batch = -1);

    /// <summary>The rollup part of a run: its sequencer and how many batch requests were reposted.</summary>
    private sealed record RollupRun(SequencerService Sequencer, int Reposts);

    /// <summary>
    /// The rollup story: deploys an ExampleRollup with a random genesis state, funds its proving escrow, and has the
    /// sequencer commit <see cref="DemoOptions.Requests"/> batches of random transfers (built by src/Sequencer), the
    /// allocation mode cycling from batch to batch; then follows every batch until it is finalized (or the timeout),
    /// narrating its mode, winning prover, price and latency and the finalized root as it advances. The sequencer syncs a
    /// proof whose callback failed and reposts a batch whose request expired unproven.
    /// </summary>
    private async Task<RollupRun> RunRollupAsync(Signer owner, Signer sequencerSigner, EthClient client, IProverMarketService market, IAskBookService askBook,
        Address marketAddress, ulong units, uint minReveal, Dictionary<Address, string> names, List<Submitted> submitted, CancellationToken ct)
    {
        var root = RepoPaths.Root();
        var poseidon = CircomPoseidon.FromRepository(root);
        var shape = RollupShape.FromCircuit(Path.Combine(root, "circuits", "rollup_batch.circom"));
        var rng = new SeededRandom($"demo-{Convert.ToHexString(RandomNumberGeneratorBytes(4))}");
        var genesis = RandomRollup.Genesis(poseidon, shape, rng);
        var seq = await SequencerService.DeployAsync(owner, sequencerSigner, marketAddress, LocalMarket.CircuitId, genesis, loggers.CreateLogger("sequencer"), ct).ConfigureAwait(false);
        var maxFee = Ether / 100;
        var escrow = maxFee * (options.Requests + options.Burst);
        await seq.DepositAsync(escrow, ct).ConfigureAwait(false);
        Say($"rollup {seq.Rollup} deployed: {shape.Accounts} accounts, {shape.BatchSize} transfers a batch, genesis root {Short(genesis.Root)}; the sequencer deposited {Format(escrow)} of proving escrow");

        if (options.Burst > 0)
            Say($"after {options.Requests} batches in every mode, a burst of {options.Burst} Dutch batches committed back to back: a worker that wins several delivers them in one fulfillBatch");
        for (int i = 0; i < options.Requests + options.Burst; i++)
        {
            bool burst = i >= options.Requests;
            int mode = burst ? 1 : i % 4;
            // A standing-ask request is matched at submission, and reverts when no ask can take it (every worker's ask
            // may be at capacity for a while): wait for one, and post the batch as an open race if none frees up.
            if (mode == 2 && !await WaitForFittingAskAsync(client, askBook, units, maxFee, maxFee, 60, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false))
            {
                Say($"batch #{i}: no standing ask can take a job now (every ask is at capacity); it goes to an open race instead");
                mode = 3;
            }
            // A sealed bid's window leaves room for each worker's preflight (fetch and witness) before it commits; the
            // collateral (also a sealed bid's bond) is the whole fee: a sealed bid's bond must be at least maxFee.
            var terms = new ProofTerms(Mode: mode, OnMiss: 0, AssetId: 0, BidWindow: mode == 1 ? 8 : 6, RevealWindow: minReveal, ProvingWindow: 60,
                MaxFee: maxFee, MinFee: mode == 1 ? Ether / 1000 : 0, MinCollateral: maxFee, LatencyWeight: BigInteger.Pow(10, 13));
            var c = await seq.CommitAsync(state => RandomRollup.NextBatch(state, rng), terms, ct).ConfigureAwait(false);
            submitted.Add(new Submitted(c.RequestId, mode, maxFee, c.CommitBlock, c.Request, c.Index));
            var moved = string.Join(", ", c.Batch!.Transfers.Select(t => $"{t.Amount} from #{t.From} to #{t.To}"));
            Say($"batch #{c.Index} ({ModeNames[mode]}) committed: {moved}; root {Short(c.OldRoot)} -> {Short(c.NewRoot)}; the rollup requested its proof ({Hex.Encode(c.RequestId)[..10]}…, max fee {Format(maxFee)})");
            if (!burst) await Task.Delay(1000, ct).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow.AddSeconds(options.TimeoutSeconds);
        var seen = new HashSet<string>();
        var assignedTo = new Dictionary<string, string>();
        var proven = new HashSet<string>();
        int reposts = 0;
        // A batch's proof is narrated when the market reports its request fulfilled, or at the latest when the batch
        // finalizes (its callback may finalize it within the very transaction that delivers the proof).
        async Task NarrateProofAsync(int i)
        {
            var s = submitted.Last(x => x.Batch == i); // the batch's current request
            if (!proven.Add(Hex.Encode(s.Id))) return;
            var (who, price, seconds) = await FulfilmentAsync(client, market, s, names, ct).ConfigureAwait(false);
            Say($"batch #{i} ({ModeNames[s.Mode]}) proven by {who} for {Format(price)}, {seconds:F0} s after its request");
        }

        while (seq.FinalizedBatches < seq.CommittedBatches && DateTime.UtcNow < deadline)
        {
            for (int i = seq.FinalizedBatches; i < seq.CommittedBatches; i++)
            {
                var s = submitted.Last(x => x.Batch == i);
                if (proven.Contains(Hex.Encode(s.Id))) continue;
                int status = await WatchAsync(market, $"batch #{i}'s request", s, names, seen, assignedTo, ct).ConfigureAwait(false);
                if (status == 4) await NarrateProofAsync(i).ConfigureAwait(false);
            }
            foreach (var e in await seq.PollAsync(ct).ConfigureAwait(false))
            {
                switch (e)
                {
                    case BatchReposted r:
                        reposts++;
                        var previous = submitted.Last(x => x.Batch == r.Index);
                        submitted.Add(new Submitted(r.RequestId, previous.Mode, r.Request.MaxFee, r.Block, r.Request, r.Index));
                        Say($"batch #{r.Index}: its request ended unproven; reposted with the batch's stored terms ({Hex.Encode(r.RequestId)[..10]}…)");
                        break;
                    case BatchSynced y:
                        Say($"batch #{y.Index}: the rollup's callback had failed; the sequencer synced the market's proof");
                        break;
                    case BatchFinalized f:
                        await NarrateProofAsync(f.Index).ConfigureAwait(false);
                        Say($"finalized root -> {Short(f.Root)} (batch #{f.Index}; {f.Index + 1} of {seq.CommittedBatches} batches final{(f.Root == f.LocalRoot ? ", equal to the sequencer's tree" : $"; the sequencer's tree has {Short(f.LocalRoot)}")})");
                        break;
                }
            }
            if (seq.FinalizedBatches < seq.CommittedBatches) await Task.Delay(500, ct).ConfigureAwait(false);
        }
        return new RollupRun(seq, reposts);
    }

    /// <summary>Waits (at most <paramref name="patience"/>) until some listed ask on the circuit can take a job of these
    /// terms: capacity left, latency within the proving window, price within the fee, collateral within its cap.</summary>
    private static async Task<bool> WaitForFittingAskAsync(EthClient client, IAskBookService askBook, ulong units, BigInteger maxFee, BigInteger collateral,
        uint provingWindow, TimeSpan patience, CancellationToken ct)
    {
        var until = DateTime.UtcNow + patience;
        while (true)
        {
            var now = (await client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))!.Timestamp;
            var top = await askBook.TopAsksQueryAsync(LocalMarket.CircuitId, 16, cancellationToken: ct).ConfigureAwait(false);
            if (top.Asks.Any(a => a.Listed && a.Capacity > 0 && a.MaxLatency <= provingWindow && a.AssetId == 0 && a.PricePerUnit * units <= maxFee
                    && a.MaxCollateral >= collateral && a.ExpiresAt > now))
                return true;
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(500, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The market machinery alone (the multiplier circuit): a plain requester posts products in every mode and
    /// the demo follows them until each is settled, expiring what nobody can deliver any more.</summary>
    private async Task RunProductsAsync(Signer requester, EthClient client, IProverMarketService market, Address verifier, uint minReveal,
        Dictionary<Address, string> names, List<Submitted> submitted, CancellationToken ct)
    {
        var protocolFeeBps = await market.EffectiveProtocolFeeQueryAsync().ConfigureAwait(false);
        if (options.Burst > 0)
            Say($"after {options.Requests} requests in every mode, a burst of {options.Burst} Dutch requests posted back to back: a worker that wins several delivers them in one fulfillBatch");
        for (int i = 0; i < options.Requests + options.Burst; i++)
        {
            bool burst = i >= options.Requests;
            int mode = burst ? 1 : i % 4;
            var (input, publics) = MakeProduct(i);
            var now = (await client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))!.Timestamp;
            var maxFee = Ether / 100;
            var request = new Request(
                Requester: requester.From, CircuitId: LocalMarket.CircuitId, Mode: mode, OnMiss: 0, AssetId: 0,
                BidDeadline: now + (mode == 1 ? 8UL : 6UL), RevealDeadline: now + (mode == 0 ? 6UL + minReveal : 8UL), ProvingWindow: 60,
                Verifier: verifier, MaxFee: maxFee, MinFee: mode == 1 ? Ether / 1000 : 0, MinCollateral: maxFee,
                LatencyWeight: BigInteger.Pow(10, 13), Nonce: i, InputHash: Keccak.Hash(input), PublicInputsHash: PublicInputs.Hash(publics),
                ProtocolFeeBps: protocolFeeBps, CallbackGasLimit: 0);
            var receipt = await market.SubmitRequestRequestAndWaitForReceiptAsync(request, input, string.Empty, publics.ToList(), maxFee, ct).ConfigureAwait(false);
            var e = receipt.DecodeAllEvents<IProverMarketService.RequestSubmittedEventDTO>().Single().Event;
            submitted.Add(new Submitted(e.RequestId, mode, maxFee, (ulong)receipt.BlockNumber.Value, request));
            Say($"request #{i} ({ModeNames[mode]}) posted: {Hex.Encode(e.RequestId)[..10]}…, max fee {Format(maxFee)}");
            if (!burst) await Task.Delay(1000, ct).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow.AddSeconds(options.TimeoutSeconds);
        var seen = new HashSet<string>();
        var assignedTo = new Dictionary<string, string>();
        while (DateTime.UtcNow < deadline)
        {
            int done = 0;
            for (int i = 0; i < submitted.Count; i++)
            {
                int status = await WatchAsync(market, $"request #{i}", submitted[i], names, seen, assignedTo, ct).ConfigureAwait(false);
                if (status == 4 && seen.Add($"{Hex.Encode(submitted[i].Id)}:fulfilled"))
                    Say($"request #{i} fulfilled by {(await FulfilmentAsync(client, market, submitted[i], names, ct).ConfigureAwait(false)).Who}");
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
    }

    /// <summary>Reads a request's state and narrates a new assignment, standing-ask match or secondary opening once.
    /// Returns its status.</summary>
    private async Task<int> WatchAsync(IProverMarketService market, string label, Submitted s, IReadOnlyDictionary<Address, string> names,
        HashSet<string> seen, Dictionary<string, string> assignedTo, CancellationToken ct)
    {
        var view = await market.RequestStateQueryAsync(s.Id, cancellationToken: ct).ConfigureAwait(false);
        var status = (int)view.Status;
        var id = Hex.Encode(s.Id);
        if (status is 2 or 3 or 7 && seen.Add($"{id}:{status}:{view.Prover}"))
        {
            // A locked Dutch job's price follows from its terms and lock time (requestState, keyed by id alone, reports 0
            // for it): ask dutchPrice.
            var fee = status == 2 && s.Mode == 1 ? await market.DutchPriceQueryAsync(s.Request).ConfigureAwait(false) : view.Fee;
            var who = view.Prover != Address.Zero ? names.GetValueOrDefault(Address.Parse(view.Prover), view.Prover)
                : assignedTo.GetValueOrDefault(id, "the first valid proof (open race or secondary)");
            if (status == 2) assignedTo[id] = who;
            Say(status switch
            {
                2 => $"{label} assigned to {who} at {Format(fee)}",
                3 => $"{label} open for secondary fulfilment (bounty {Format(view.Bounty)})",
                _ => $"{label} matched {who}'s standing ask at {Format(view.Fee)}; awaiting its acceptance",
            });
        }
        return status;
    }

    /// <summary>Who was paid for a fulfilled request, how much (prover payment and protocol fee), and how long after
    ///     its submission, from its <c>RequestFulfilled</c> event: the state slot no longer names the prover once it is
    ///     paid, and an auction settled inside its fulfilment is never seen assigned.</summary>
    private static async Task<(string Who, BigInteger Price, double Seconds)> FulfilmentAsync(EthClient client, IProverMarketService market, Submitted s,
        IReadOnlyDictionary<Address, string> names, CancellationToken ct)
    {
        var paid = await market.GetRequestFulfilledEventsAsync(s.Block, null, s.Id, null).ConfigureAwait(false);
        if (paid.Count == 0) return ("an unknown prover", BigInteger.Zero, double.NaN);
        var f = paid[0];
        var p = Address.Parse(f.Event.Prover);
        var at = (await client.GetBlockByNumberAsync((ulong)f.Log.BlockNumber.Value, ct).ConfigureAwait(false))!.Timestamp;
        var from = (await client.GetBlockByNumberAsync(s.Block, ct).ConfigureAwait(false))!.Timestamp;
        return (names.GetValueOrDefault(p, p.ToString()), f.Event.ProverPayment + f.Event.ProtocolFee, at - (double)from);
    }

    /// <summary>The first bytes of a root, for the narration.</summary>
    private static string Short(BigInteger root) => Hex.Encode(Words.Bytes32(root))[..10] + "…";

    /// <summary>Expires a request nobody can deliver any more (permissionless); false while it is still live.</summary>
    private static Task<bool> TryExpireAsync(IProverMarketService market, Request request, CancellationToken ct) =>
        Permissionless.TryAsync(() => market.ExpireQueryAsync(request), () => market.ExpireRequestAndWaitForReceiptAsync(request, ct));

    private async Task<DemoSummary> SummariseAsync(EthClient client, IProverMarketService market, List<Submitted> submitted,
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
        var receiptGas = new Dictionary<string, ulong>();
        foreach (var tx in gasTxs)
            gas += receiptGas[tx] = (await client.GetTransactionReceiptAsync(Hex.Decode(tx), ct).ConfigureAwait(false))?.GasUsed ?? 0;
        // Delivery transactions: gas per request of those delivering one request (fulfill, revealProof) and of those
        // delivering several (fulfillBatch).
        var deliveries = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>()
            .Where(x => ids.Contains(Hex.Encode(x.Event.RequestId)))
            .GroupBy(x => Hex.Encode(x.Log.TransactionHash))
            .Select(g => (Tx: g.Key, Count: g.Count()))
            .ToList();
        double? PerRequest(IEnumerable<(string Tx, int Count)> txs)
        {
            var list = txs.ToList();
            if (list.Count == 0) return null;
            double total = 0;
            foreach (var d in list) total += receiptGas.GetValueOrDefault(d.Tx);
            return Math.Round(total / list.Sum(d => d.Count));
        }
        var single = PerRequest(deliveries.Where(d => d.Count == 1));
        var batched = PerRequest(deliveries.Where(d => d.Count > 1));

        latencies.Sort();
        double? median = latencies.Count == 0 ? null
            : latencies.Count % 2 == 1 ? latencies[latencies.Count / 2] : (latencies[latencies.Count / 2 - 1] + latencies[latencies.Count / 2]) / 2;
        return new DemoSummary(submitted.Count, latencies.Count, slashed, median, ratios.Count == 0 ? null : ratios.Average(),
            submitted.Count == 0 ? 0 : (double)gas / submitted.Count, wins, byMode, meanProving,
            assignedToFulfilled.Count == 0 ? null : assignedToFulfilled.Average(), Math.Round(_clock.Elapsed.TotalSeconds, 1))
        {
            GasPerRequestSingle = single,
            GasPerRequestBatched = batched,
            BatchedDeliveries = deliveries.Count(d => d.Count > 1),
        };
    }

    private static byte[] RandomNumberGeneratorBytes(int n) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(n);

    private static string Format(BigInteger wei) => $"{(double)wei / 1e18:0.#####} ETH";
}
