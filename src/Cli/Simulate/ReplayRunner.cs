using System.Diagnostics;
using System.Numerics;
using System.Text;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Cli.Local;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Worker.Proving;
using SimProver = ProverMarketChain.Simulation.Model.Prover;
using SimRequest = ProverMarketChain.Simulation.Model.Request;
using Request = ProverMarketChain.ContractBindings.Contracts.Request;

namespace ProverMarketChain.Cli.Simulate;

/// <summary>The outcome of a replay.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Rows">One row per request.</param>
/// <param name="ChainActions">Transactions the replay sent after the set-up.</param>
/// <param name="WallSeconds">Wall time of the whole replay (anvil, deployment, simulation, transactions).</param>
public sealed record ReplayResult(int Seed, IReadOnlyList<ReplayRow> Rows, int ChainActions, double WallSeconds);

/// <summary>
/// <c>pmc simulate --replay</c>: runs a <see cref="ReplayScenario"/> through the simulator and on the real contracts on
/// an embedded anvil, and compares who was paid what per request.
/// <para>
/// The chain side: anvil mines a block per transaction, and before each transaction the replay sets the next block's
/// timestamp to the replay's start plus the simulated time of the action (<c>evm_setNextBlockTimestamp</c>), so the
/// contracts see the simulator's clock and wall time decides nothing. The market, the multiplier circuit with its real
/// verifier and the provers' collateral are set up by <see cref="LocalMarket"/>; the simulated provers are funded anvil
/// accounts (their addresses are the simulator's tie-break keys) and each simulated request's id is the market's own
/// <c>requestIdOf</c> of the request the replay submits.
/// </para>
/// <para>
/// Scripted from the simulator's decisions (its <see cref="ActionLog"/>): which provers bid and at what (fee, latency),
/// when a Dutch lock lands, the asks' prices, latencies and capacities, when a match is accepted, which racers commit a
/// proof and when, and when each delivery lands. They are scripted because a live worker prices from the chain's gas
/// price and its own queue, so its bids are not the simulator's agent model. Done by worker code: every proof is a real
/// Groth16 proof of the request's input by the worker's <see cref="ProofEngine"/> (witness and prover), checked by the
/// registered verifier on delivery. Decided by the contracts alone, and compared: the sealed-bid winner and its
/// second-score payment, the Dutch price at the lock, the standing-ask match and its fee, the open race's payee.
/// </para>
/// </summary>
public sealed class ReplayRunner(ILoggerFactory loggers, TextWriter progress)
{
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    /// <summary>The chain timestamp the replay's simulated time 0 maps to (2033-05-18).</summary>
    public const ulong ReplayStart = 2_000_000_000;

    /// <summary>Runs the replay of <paramref name="seed"/>.</summary>
    /// <param name="seed">The scenario's seed.</param>
    /// <param name="gas">The gas table (the committed snapshot's).</param>
    /// <param name="ct">Cancels the replay.</param>
    /// <exception cref="InvalidOperationException">A step the simulator decided was refused by the contracts (the message names it).</exception>
    public Task<ReplayResult> RunAsync(int seed, GasTable gas, CancellationToken ct) => RunAsync(seed, gas, ct, null);

    /// <summary>As <see cref="RunAsync(int, GasTable, CancellationToken)"/>; <paramref name="alterSimulated"/> (tests
    /// only) changes the simulated rows before the comparison, to show that it can fail.</summary>
    internal async Task<ReplayResult> RunAsync(int seed, GasTable gas, CancellationToken ct, Func<ReplayRow, ReplayRow>? alterSimulated)
    {
        var clock = Stopwatch.StartNew();
        var scenario = ReplayScenario.FromSeed(seed);
        var root = RepoPaths.Root();
        var circuit = await CircuitBuild.EnsureAsync(root, "multiplier", s => progress.WriteLine(s), ct).ConfigureAwait(false);
        using var anvil = await AnvilProcess.StartAsync(root, 0, ct).ConfigureAwait(false);
        using var rpc = new JsonRpcClient(anvil.Endpoint);
        var client = new EthClient(rpc);
        Signer NewSigner(int i) => new(client, EthKey.FromPrivateKey(DevAccounts.Keys[i]), new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) });
        var owner = NewSigner(0);
        var requester = NewSigner(1);
        var provers = scenario.Provers.Select(p => NewSigner(p.AccountIndex)).ToList();
        var work = Directory.CreateTempSubdirectory("pmc-replay-").FullName;
        try
        {
            var local = await LocalMarket.DeployAsync(owner, circuit, work, ct).ConfigureAwait(false);
            string marketAddress = local.Deployment.ProverMarket.ToString();
            foreach (var p in provers) await local.FundProverAsync(p, 10 * Ether, ct).ConfigureAwait(false);
            var market = new IProverMarketService(requester.Web3(), marketAddress);
            var askBookAddress = (await new ProverMarketService(owner.Web3(), marketAddress).AskBookQueryAsync().ConfigureAwait(false)).ToString();
            var minAskCollateral = await new IAskBookService(owner.Web3(), askBookAddress).MIN_ASK_COLLATERALQueryAsync().ConfigureAwait(false);
            var protocolFeeBps = await market.EffectiveProtocolFeeQueryAsync().ConfigureAwait(false);
            progress.WriteLine($"replay seed {seed}: market {marketAddress} on {anvil.Endpoint}, multiplier circuit ({circuit.Constraints} units), {provers.Count} provers");

            // ------------------------------------------------------------ the chain's requests and their ids
            // A fixed start (the chain's clock is moved forward to it), so the requests' absolute deadlines, and with them
            // the request ids and the sealed-bid tie-break keys, are the same on every run of the seed; even, so the
            // simulator's 2-second block grid lands on chain timestamps as it is.
            ulong t0 = Math.Max(ReplayStart, (await client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))!.Timestamp + 10);
            t0 += t0 % 2;
            var chainRequests = new List<(Request Request, byte[] Input, BigInteger[] Publics, byte[] Id)>();
            foreach (var r in scenario.Requests)
            {
                BigInteger a = r.Index + 2, b = r.Index + 3, c = a * b;
                var input = Encoding.UTF8.GetBytes($"{{\"a\":\"{a}\",\"b\":\"{b}\"}}");
                BigInteger[] publics = [c, c * c + b];
                ulong at = t0 + (ulong)r.ArrivalSeconds;
                var s = scenario.SimulatorScenario(r.Mechanism, 1);
                int mode = (int)r.Mechanism; // Mechanism follows IProverMarketTypes.Mode's order
                ulong bid = r.Mechanism switch { Mechanism.SealedBid => at + (ulong)s.CommitSeconds, Mechanism.Dutch => at + (ulong)s.DutchRampSeconds, _ => at + 6 };
                ulong reveal = r.Mechanism == Mechanism.SealedBid ? bid + (ulong)s.RevealSeconds : r.Mechanism == Mechanism.Dutch ? bid : at + 8;
                BigInteger collateral = r.Mechanism is Mechanism.Dutch or Mechanism.StandingAsk ? r.MaxFee / 2 : r.MaxFee;
                var request = new Request(
                    Requester: requester.From, CircuitId: LocalMarket.CircuitId, Mode: mode, OnMiss: 0, AssetId: 0,
                    BidDeadline: bid, RevealDeadline: reveal, ProvingWindow: r.ProvingWindow, Verifier: local.Verifier,
                    MaxFee: r.MaxFee, MinFee: 0, MinCollateral: collateral, LatencyWeight: r.LatencyWeight, Nonce: r.Index,
                    InputHash: Keccak.Hash(input), PublicInputsHash: PublicInputs.Hash(publics), ProtocolFeeBps: protocolFeeBps, CallbackGasLimit: 0);
                var id = await market.RequestIdOfQueryAsync(request).ConfigureAwait(false);
                chainRequests.Add((request, input, publics, id));
            }

            // ------------------------------------------------------------ the simulator, per mode
            // Real proofs by the worker's proving engine (witness, then Groth16), one per prover and request.
            using var engine = new ProofEngine([new CircuitArtifacts(LocalMarket.CircuitId, circuit.Zkey, circuit.Wasm)], loggers.CreateLogger("replay"));
            var proofs = new Dictionary<(int, int), ChainProof>();
            async Task<ChainProof> ProofOf(int request, int prover, byte[] input)
            {
                if (!proofs.TryGetValue((request, prover), out var p))
                    proofs[(request, prover)] = p = await engine.ProveAsync(LocalMarket.CircuitId, input, null, ct).ConfigureAwait(false);
                return p;
            }
            var simProvers = scenario.Provers.Select((p, i) => new SimProver(i, provers[i].From.ToArray(), circuit.Constraints / p.ProvingSeconds,
                p.OperatingWeiPerSecond, 0, p.Machines, 0, Strategy.Truthful)).ToList();
            var outcomes = new Dictionary<int, Outcome>();
            var steps = new List<(double At, int Order, string What, Func<Task> Act)>();
            foreach (var mode in scenario.Requests.Select(r => r.Mechanism).Distinct())
            {
                var mine = scenario.Requests.Where(r => r.Mechanism == mode).ToList();
                var simRequests = mine.Select((r, k) => new SimRequest(k, chainRequests[r.Index].Id, r.ArrivalSeconds, 0, circuit.Constraints, r.MaxFee,
                    r.ProvingWindow, r.LatencyWeight, false, false)).ToList();
                var log = new ActionLog();
                var result = Simulator.Run(scenario.SimulatorScenario(mode, mine.Count), gas, Population.Of(simProvers, simRequests, [circuit.Constraints]), log);
                var list = result.Outcomes[mode];
                for (int k = 0; k < mine.Count; k++) outcomes[mine[k].Index] = list[k];
                foreach (var r in mine)
                {
                    var cr = chainRequests[r.Index];
                    steps.Add((r.ArrivalSeconds, 1, $"request #{r.Index} ({mode}) submitted", () => market.SubmitRequestRequestAndWaitForReceiptAsync(cr.Request, cr.Input, string.Empty, cr.Publics.ToList(), r.MaxFee, ct)));
                }
                foreach (var a in log.Actions)
                {
                    var who = provers[a.Prover];
                    var pm = new IProverMarketService(who.Web3(), marketAddress);
                    if (a.Kind == AgentActionKind.PostAsk)
                    {
                        var ask = new IAskBookService(who.Web3(), askBookAddress);
                        BigInteger maxCollateral = BigInteger.Max(minAskCollateral, mine.Max(r => (BigInteger)r.MaxFee));
                        ulong expires = t0 + (ulong)a.At + 3000;
                        steps.Add((a.At, 0, $"prover {a.Prover} posts an ask at {a.Fee} wei/unit, {a.Latency} s, capacity {a.Capacity}",
                            () => ask.PostAskRequestAndWaitForReceiptAsync(LocalMarket.CircuitId, a.Fee, a.Latency, a.Capacity, 0, maxCollateral, expires, Address.Zero.ToString(), ct)));
                        continue;
                    }
                    var req = mine[a.Request];
                    var (chainReq, input, _, id) = chainRequests[req.Index];
                    var s = scenario.SimulatorScenario(mode, 1);
                    switch (a.Kind)
                    {
                        case AgentActionKind.Bid:
                            var salt = Keccak.Hash(Encoding.ASCII.GetBytes($"pmc-replay-salt/{seed}/{req.Index}/{a.Prover}"));
                            steps.Add((req.ArrivalSeconds + 1, 2, $"prover {a.Prover} commits a sealed bid on #{req.Index}", async () =>
                            {
                                var commitment = await pm.BidCommitmentQueryAsync(id, who.From.ToString(), a.Fee, a.Latency, salt).ConfigureAwait(false);
                                await pm.CommitBidRequestAndWaitForReceiptAsync(chainReq, commitment, 0, ct).ConfigureAwait(false);
                            }));
                            steps.Add((req.ArrivalSeconds + s.CommitSeconds + 1, 2, $"prover {a.Prover} reveals ({a.Fee} wei, {a.Latency} s) on #{req.Index}",
                                () => pm.RevealBidRequestAndWaitForReceiptAsync(chainReq, a.Fee, a.Latency, salt, 0, ct)));
                            break;
                        case AgentActionKind.Lock:
                            steps.Add((a.At, 2, $"prover {a.Prover} locks Dutch #{req.Index}", () => pm.LockDutchRequestAndWaitForReceiptAsync(chainReq, ct)));
                            break;
                        case AgentActionKind.AcceptMatch:
                            steps.Add((a.At, 2, $"prover {a.Prover} accepts the match of #{req.Index}", () => pm.AcceptMatchRequestAndWaitForReceiptAsync(chainReq, ct)));
                            break;
                        case AgentActionKind.CommitProof:
                            steps.Add((a.At, 2, $"prover {a.Prover} commits its proof of #{req.Index}", async () =>
                            {
                                var proof = await ProofOf(req.Index, a.Prover, input).ConfigureAwait(false);
                                var commitment = await pm.ProofCommitmentQueryAsync(id, who.From.ToString(), proof.Proof.ToList()).ConfigureAwait(false);
                                await pm.CommitProofRequestAndWaitForReceiptAsync(id, commitment, ct).ConfigureAwait(false);
                            }));
                            break;
                        case AgentActionKind.RevealProof:
                            steps.Add((a.At, 2, $"prover {a.Prover} reveals its proof of #{req.Index}", async () =>
                            {
                                var proof = await ProofOf(req.Index, a.Prover, input).ConfigureAwait(false);
                                await pm.RevealProofRequestAndWaitForReceiptAsync(chainReq, proof.Proof.ToList(), proof.PublicInputs.ToList(), ct).ConfigureAwait(false);
                            }));
                            break;
                        case AgentActionKind.Deliver:
                            steps.Add((a.At, 2, $"prover {a.Prover} delivers #{req.Index}", async () =>
                            {
                                var proof = await ProofOf(req.Index, a.Prover, input).ConfigureAwait(false);
                                await pm.FulfillRequestAndWaitForReceiptAsync(chainReq, proof.Proof.ToList(), proof.PublicInputs.ToList(), ct).ConfigureAwait(false);
                            }));
                            break;
                    }
                }
            }

            // ------------------------------------------------------------ the chain, on the simulator's clock
            ulong fromBlock = await client.BlockNumberAsync(ct).ConfigureAwait(false);
            foreach (var step in steps.OrderBy(x => x.At).ThenBy(x => x.Order))
            {
                await rpc.SendAsync("evm_setNextBlockTimestamp", [t0 + (ulong)step.At], ct).ConfigureAwait(false);
                try { await step.Act().ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"replay step at +{step.At} s failed ({step.What}): {e.Message}", e);
                }
            }

            // ------------------------------------------------------------ compare
            var rows = new List<ReplayRow>();
            foreach (var r in scenario.Requests)
            {
                var id = chainRequests[r.Index].Id;
                var o = outcomes[r.Index];
                var paid = await market.GetRequestFulfilledEventsAsync(fromBlock, null, id, null).ConfigureAwait(false);
                string? chainWinner = paid.Count > 0 ? Address.Parse(paid[0].Event.Prover).ToString() : null;
                BigInteger chainPayment = paid.Count > 0 ? paid[0].Event.ProverPayment + paid[0].Event.ProtocolFee : 0;
                var row = new ReplayRow(r.Index, r.Mechanism, Hex.Encode(id), o.Winner >= 0 ? provers[o.Winner].From.ToString() : null, o.Payment, chainWinner, chainPayment);
                rows.Add(alterSimulated is null ? row : alterSimulated(row));
            }
            return new ReplayResult(seed, rows, steps.Count, Math.Round(clock.Elapsed.TotalSeconds, 1));
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
