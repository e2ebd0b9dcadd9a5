using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Indexer.Ingest;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Storage;
using ProverMarketChain.Indexer.Tests.Infrastructure;
using Xunit.Abstractions;
using static ProverMarketChain.Indexer.Tests.Live.ScriptedMarket;

namespace ProverMarketChain.Indexer.Tests.Live;

/// <summary>
/// The indexer against a real chain: a scripted market history on a private anvil that makes the four contracts emit
/// every event the decoder knows, with reorganisations of depth 1, 2 and 3 staged in the middle (snapshot, index the
/// branch, revert, mine other transactions at the same heights) and a restart part-way (the depth-3 reorganisation
/// happens while the indexer is down). After each reorganisation and at the end the projections must equal those of a
/// fresh database that indexes the surviving chain from scratch, and must match the contracts' state read directly.
/// On SQLite and on a real PostgreSQL.
/// </summary>
public sealed class ScriptedMarketTests(ITestOutputHelper output)
{
    public static TheoryData<DatabaseKind> Engines => new() { DatabaseKind.Sqlite, DatabaseKind.Postgres };

    /// <summary>
    /// Events of the decoder's table that this deployment cannot emit, each with the reason. None: the script reaches
    /// every event of the four contracts (deployment-time events included, since indexing starts at the deployment
    /// block). A new event in the contracts fails the test until the script emits it or it is listed here with why.
    /// </summary>
    // CallbackFailed needs a requester contract whose callback fails; the scripted history's requesters are accounts (a
    // callback to an address without code succeeds). The decoder knows the event from the ABI and stores it in the
    // history like any other; a scripted failing callback is not written yet (see the README's "Not done").
    private static readonly (string Contract, string Event)[] NotEmitted = [("ProverMarket", "CallbackFailed")];

    private static readonly BigInteger Milli = BigInteger.Pow(10, 15);
    private static readonly BigInteger Fee = 10 * Milli;

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_scriptedHistory_projectionsMatchChainState(DatabaseKind engine)
    {
        var clock = Stopwatch.StartNew();
        await using var chain = await ScriptedChain.StartAsync();
        var run = new Run(engine, await ScriptedMarket.DeployAsync(chain), await TestDatabases.UrlAsync(engine));
        run.Indexer = await LiveIndexer.OpenAsync(run.Db, run.M, maxBlockRange: 7);
        try
        {
            await ParametersRegistryAndVaultAsync(run);
            await StandingAsksAsync(run);
            var d2 = await DutchWithReorgOfDepth1Async(run);
            await RestartWithReorgOfDepth3Async(run, d2);
            await OpenRacesAsync(run);
            await SealedBidsWithReorgOfDepth2Async(run);
            await PayOutsAsync(run);

            Assert.Equal(0, (await run.Indexer.CatchUpAsync()).Reorgs);
            await AssertConsistentAsync(run, "at the end");
            await AssertEveryEventIndexedAsync(run.Indexer.Store);
            await AssertScenarioAsync(run.Indexer.Store, run.M);
            output.WriteLine($"{engine}: {run.M.Requests.Count} requests, {await StoreSnapshot.CountAsync(run.Indexer.Store, "events")} events " +
                $"over {await chain.HeadAsync()} blocks in {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await run.Indexer.DisposeAsync();
        }
    }

    /// <summary>One run of the script: the engine, the market, the indexer's <c>--db</c> value and the running indexer.</summary>
    private sealed record Run(DatabaseKind Engine, ScriptedMarket M, string Db)
    {
        public LiveIndexer Indexer { get; set; } = null!;

        public ScriptedChain Chain => M.Chain;
    }

    /// <summary>Owner parameters, two-step ownership transfers, circuits and a verifier upgrade, vault deposits and withdrawals.</summary>
    private static async Task ParametersRegistryAndVaultAsync(Run run)
    {
        var (m, chain, d) = (run.M, run.Chain, run.M.Deployer);
        await m.VaultAsync(d, new CollateralVaultService.AddAssetFunction { Token = m.Token });
        await m.VaultAsync(d, new CollateralVaultService.SetUnbondingDelayFunction { Delay = 3600 });
        await m.MarketAsync(d, new IProverMarketService.SetReserveParamsFunction { Period = 60, MinPerUnit = 1, MaxPerUnit = 1_000_000_000_000, DefaultTargetUnits = 1 << 24 });
        await m.MarketAsync(d, new IProverMarketService.ProposeProtocolFeeFunction { Bps = 100 });
        await m.MarketAsync(d, new IProverMarketService.TransferOwnershipFunction { NewOwner = Admin });
        await m.MarketAsync(Admin, new IProverMarketService.AcceptOwnershipFunction());
        await m.VaultAsync(d, new CollateralVaultService.TransferOwnershipFunction { NewOwner = Admin });
        await m.VaultAsync(Admin, new CollateralVaultService.AcceptOwnershipFunction());
        await m.MarketAsync(Admin, new IProverMarketService.SetTreasuryFunction { Treasury = Treasury });
        await m.RegistryAsync(Rollup, new CircuitRegistryService.RegisterCircuitFunction
        {
            Verifier = m.VerifierA, ArtifactsURI = "ipfs://circuit-1", ArtifactsHash = Hash("artifacts 1"), ProvingUnits = Units, PublicInputCount = 2,
        });
        await m.RegistryAsync(Rollup, new CircuitRegistryService.RegisterCircuitFunction
        {
            Verifier = m.VerifierB, ArtifactsURI = "ipfs://circuit-2", ArtifactsHash = Hash("artifacts 2"), ProvingUnits = 500, PublicInputCount = 2,
        });
        var upgrade = new CircuitRegistryService.ProposeVerifierUpgradeFunction
        {
            CircuitId = UpgradedCircuitId, NewVerifier = m.VerifierC, ArtifactsURI = "ipfs://circuit-2-v2", ArtifactsHash = Hash("artifacts 2 v2"),
        };
        await m.RegistryAsync(Rollup, upgrade);
        await m.RegistryAsync(Rollup, new CircuitRegistryService.CancelVerifierUpgradeFunction { CircuitId = UpgradedCircuitId });
        await m.RegistryAsync(Rollup, upgrade);
        await m.RegistryAsync(Rollup, new CircuitRegistryService.TransferCircuitOwnershipFunction { CircuitId = UpgradedCircuitId, NewOwner = Rollup2 });
        await m.MarketAsync(Admin, new IProverMarketService.SetCircuitTargetFunction { CircuitId = CircuitId, TargetUnits = 4 * Units });
        foreach (var p in P.Skip(1)) await m.VaultAsync(p, new CollateralVaultService.DepositEthFunction { AmountToSend = Ether });
        await m.MarketAsync(P[1], new IProverMarketService.ReserveCollateralFunction { AssetId = 0, Amount = 3 * Ether / 10 });
        await m.MarketAsync(P[1], new IProverMarketService.ReleaseCollateralFunction { AssetId = 0, Amount = Ether / 10 });
        await m.MarketAsync(P[1], new IProverMarketService.OpenBidLanesFunction { FirstLane = 0, Count = 4 });
        await m.TokenAsync(d, new MintFunction { To = P[2], Amount = 5 * Ether });
        await m.TokenAsync(P[2], new ApproveFunction { Spender = m.Deployment.CollateralVault, Amount = 5 * Ether });
        await m.VaultAsync(P[2], new CollateralVaultService.DepositTokenFunction { AssetId = 1, Amount = 2 * Ether });
        await m.VaultAsync(P[2], new CollateralVaultService.RequestWithdrawalFunction { AssetId = 1, Amount = Ether });
        await m.VaultAsync(P[2], new CollateralVaultService.CancelWithdrawalFunction { AssetId = 1 });
        await m.VaultAsync(P[2], new CollateralVaultService.RequestWithdrawalFunction { AssetId = 1, Amount = Ether / 2 });
        // Two days on: the protocol fee, the verifier upgrade and the withdrawal are due; the reserve period rolled.
        await chain.AdvanceAsync(2 * 86_400 + 60);
        await m.MarketAsync(R1, new IProverMarketService.ActivateProtocolFeeFunction());
        await m.RegistryAsync(R1, new CircuitRegistryService.ActivateVerifierUpgradeFunction { CircuitId = UpgradedCircuitId });
        await m.VaultAsync(P[2], new CollateralVaultService.CompleteWithdrawalFunction { AssetId = 1, To = P[2] });
        Assert.Equal(0, (await run.Indexer.CatchUpAsync()).Reorgs);
    }

    /// <summary>Asks posted, matched, accepted, declined, lapsed, cancelled, expired, unbacked and replaced.</summary>
    private static async Task StandingAsksAsync(Run run)
    {
        var (m, chain) = (run.M, run.Chain);
        var t = await chain.NowAsync();
        await m.PostAskAsync(P[5], 500_000_000, 60, 1, Ether / 100, t + 40);
        await m.PostAskAsync(P[3], 1_000_000_000, 60, 2, Ether / 50, t + 86_400);
        await m.PostAskAsync(P[4], 2_000_000_000, 90, 1, Ether / 50, t + 86_400);
        var sa1 = await m.SubmitAsync("sa1 accepted and fulfilled", R1, AllocationMode.StandingAsk, Fee); // matches P5, the cheapest
        await m.AcceptMatchAsync(P[5], sa1);
        await m.FulfillAsync(P[5], sa1);
        await chain.AdvanceAsync(60); // P5's ask expires
        var sa2 = await m.SubmitAsync("sa2 declined, lapsed, delivered as secondary", R2, AllocationMode.StandingAsk, Fee); // removes P5's expired ask, matches P3
        await m.DeclineMatchAsync(P[3], sa2); // goes on to P4
        await chain.AdvanceAsync(121);
        await m.LapseMatchAsync(R2, sa2); // P4 silent: its ask is removed, no ask is left, secondary delivery at P4's fee
        await m.CommitProofAsync(P[1], sa2);
        await m.RevealProofAsync(P[1], sa2);
        var sa3 = await m.SubmitAsync("sa3 cancelled while matched", R1, AllocationMode.StandingAsk, Fee);
        await m.CancelAsync(sa3);
        await m.AsksAsync(P[3], new AskBookService.CancelAskFunction { CircuitId = CircuitId });
        t = await chain.NowAsync();
        await m.PostAskAsync(P[3], 1_000_000_000, 60, 3, Ether / 50, t + 86_400);
        await m.PostAskAsync(P[2], 3_000_000_000, 60, 1, 9 * Ether / 10, t + 86_400);
        await m.VaultAsync(P[2], new CollateralVaultService.RequestWithdrawalFunction { AssetId = 0, Amount = Ether / 2 }); // P2's ask is no longer backed
        await m.AsksAsync(R1, new AskBookService.RemoveStaleAskFunction { CircuitId = CircuitId, Prover = P[2] });
        await m.PostAskAsync(P[3], 1_000_000_000, 60, 4, Ether / 50, t + 86_400); // replaces its listed ask
        await m.SubmitAsync("sa4 left matched", R2, AllocationMode.StandingAsk, Fee);
        var sa5 = await m.SubmitAsync("sa5 left assigned", R1, AllocationMode.StandingAsk, Fee);
        await m.AcceptMatchAsync(P[3], sa5);
        Assert.Equal(0, (await run.Indexer.CatchUpAsync()).Reorgs);
    }

    /// <summary>Dutch locks (packed and not), fulfilment, slash, cancellation, expiry; a lock reorganised into a cancellation.</summary>
    /// <returns>The slashed request whose secondary delivery the restart phase reorganises.</returns>
    private async Task<ScriptedRequest> DutchWithReorgOfDepth1Async(Run run)
    {
        var (m, chain) = (run.M, run.Chain);
        var d1 = await m.SubmitAsync("d1 locked (packed) and fulfilled", R1, AllocationMode.Dutch, Fee, minFee: Milli, bidSeconds: 100, provingWindow: 200);
        await m.LockDutchAsync(P[1], d1); // from P1's bond balance
        await m.FulfillAsync(P[1], d1);
        var d2 = await m.SubmitAsync("d2 locked, slashed, delivered as secondary", R2, AllocationMode.Dutch, Fee, minFee: 0, bidSeconds: 100, provingWindow: 600);
        await m.LockDutchAsync(P[2], d2);
        await chain.AdvanceAsync(601);
        await m.SlashAsync(R1, d2);
        var d3 = await m.SubmitAsync("d3 locked, then cancelled instead", R1, AllocationMode.Dutch, Fee, minFee: Milli, bidSeconds: 100, provingWindow: 200);
        await StageReorgAsync(run, depth: 1,
            abandoned: async () => await m.LockDutchAsync(P[1], d3),
            indexedAbandoned: async () => Assert.Equal(RequestStatus.Assigned, (await RowAsync(run.Indexer.Store, d3)).Status),
            survivor: async () => await m.CancelAsync(d3));
        Assert.Equal(RequestStatus.Cancelled, (await RowAsync(run.Indexer.Store, d3)).Status);
        await AssertConsistentAsync(run, "after the depth-1 reorganisation");
        var d4 = await m.SubmitAsync("d4 expired unlocked", R2, AllocationMode.Dutch, Fee, minFee: Milli, bidSeconds: 30, provingWindow: 200);
        await chain.AdvanceAsync(31);
        await m.ExpireAsync(R1, d4);
        var d5 = await m.SubmitAsync("d5 left locked (packed)", R1, AllocationMode.Dutch, Fee, minFee: Milli, bidSeconds: 100, provingWindow: 200);
        await m.LockDutchAsync(P[4], d5);
        Assert.Equal(0, (await run.Indexer.CatchUpAsync()).Reorgs);
        return d2;
    }

    /// <summary>
    /// The indexer projects a branch where P3 delivers <paramref name="d2"/> (and a request is submitted), stops; the
    /// branch is replaced by 4 blocks where P4 delivers instead; the indexer restarts on the same database and must find
    /// the reorganisation from the block hashes it stored.
    /// </summary>
    private async Task RestartWithReorgOfDepth3Async(Run run, ScriptedRequest d2)
    {
        var (m, chain) = (run.M, run.Chain);
        var snap = await chain.SnapshotAsync();
        var fork = await chain.HeadAsync();
        await m.CommitProofAsync(P[3], d2);
        var ghost = await m.SubmitAsync("ghost request", R1, AllocationMode.OpenRace, Fee, provingWindow: 300);
        await m.RevealProofAsync(P[3], d2);
        Assert.Equal(fork + 3, await chain.HeadAsync());
        Assert.Equal(0, (await run.Indexer.CatchUpAsync()).Reorgs);
        var abandonedEvents = await EventsAboveAsync(run.Indexer.Store, fork);
        Assert.Equal(P[3].ToLowerHex(), (await RowAsync(run.Indexer.Store, d2)).Prover);
        Assert.Equal(RequestStatus.Open, (await RowAsync(run.Indexer.Store, ghost)).Status);
        await run.Indexer.DisposeAsync(); // the indexer stops
        await chain.RevertAsync(snap);
        m.Forget(ghost);
        await m.CommitProofAsync(P[4], d2);
        await m.WithdrawAllAsync(R2);
        await m.RevealProofAsync(P[4], d2); // P4 delivers instead and takes the bounty
        await m.ClaimAllAsync(P[4]);
        run.Indexer = await LiveIndexer.OpenAsync(run.Db, m, maxBlockRange: 5); // the indexer restarts on the same database
        var restart = await run.Indexer.CatchUpAsync();
        Assert.Equal(1, restart.Reorgs);
        Assert.Equal(abandonedEvents, restart.Removed);
        Assert.Equal(P[4].ToLowerHex(), (await RowAsync(run.Indexer.Store, d2)).Prover);
        Assert.Null(await TryRowAsync(run.Indexer.Store, ghost)); // its submission was reorganised away
        await AssertConsistentAsync(run, "after the depth-3 reorganisation during the restart");
    }

    /// <summary>Open races: fulfilled, expired, cancelled, and one left open with a commitment.</summary>
    private static async Task OpenRacesAsync(Run run)
    {
        var (m, chain) = (run.M, run.Chain);
        var or1 = await m.SubmitAsync("or1 raced and fulfilled", R1, AllocationMode.OpenRace, Fee, provingWindow: 300);
        await m.CommitProofAsync(P[5], or1);
        await m.RevealProofAsync(P[5], or1);
        var or2 = await m.SubmitAsync("or2 expired", R2, AllocationMode.OpenRace, Fee, provingWindow: 30);
        await chain.AdvanceAsync(31);
        await m.ExpireAsync(R1, or2);
        var or3 = await m.SubmitAsync("or3 cancelled", R1, AllocationMode.OpenRace, Fee, provingWindow: 300);
        await m.CancelAsync(or3);
        var or4 = await m.SubmitAsync("or4 left open with a commitment", R2, AllocationMode.OpenRace, Fee, provingWindow: 86_400);
        await m.CommitProofAsync(P[1], or4);
    }

    /// <summary>
    /// Sealed auctions: reveals reorganised so that another bid wins, explicit and implicit settlement, forfeits, a
    /// runner-up takeover, a slash into a secondary delivery that expires, and auctions left settled and in reveal.
    /// </summary>
    private async Task SealedBidsWithReorgOfDepth2Async(Run run)
    {
        var (m, chain) = (run.M, run.Chain);
        var sb1 = await m.SubmitAsync("sb1 reveals reorganised, settled, forfeited, fulfilled", R1, AllocationMode.SealedBid, Fee,
            provingWindow: 600, bidSeconds: 60, revealSeconds: 60, latencyWeight: 1_000_000_000);
        await m.CommitBidAsync(sb1, P[1], 5 * Milli, 100, lane: 1);
        var sb1P2 = await m.CommitBidAsync(sb1, P[2], 4 * Milli, 100, lane: 0);
        await m.CommitBidAsync(sb1, P[3], 6 * Milli, 50, lane: 0);
        await chain.AdvanceToAsync((ulong)sb1.Terms.BidDeadline + 1);
        await StageReorgAsync(run, depth: 2,
            abandoned: async () =>
            {
                await m.VaultAsync(Ghost, new CollateralVaultService.DepositEthFunction { AmountToSend = Ether }); // a vault account only this branch has
                await m.RevealBidAsync(sb1, P[2], 4 * Milli, 100, lane: 0); // P2 leads
            },
            indexedAbandoned: async () =>
            {
                Assert.Equal(P[2].ToLowerHex(), (await RowAsync(run.Indexer.Store, sb1)).BestBidder);
                Assert.Equal(1, await CountAsync(run.Indexer.Store, "accounts", "account", Ghost.ToLowerHex()));
            },
            survivor: async () =>
            {
                await m.RevealBidAsync(sb1, P[3], 6 * Milli, 50, lane: 0);
                await m.RevealBidAsync(sb1, P[1], 5 * Milli, 100, lane: 1); // P1 leads; P2 never reveals
            });
        Assert.Equal(P[1].ToLowerHex(), (await RowAsync(run.Indexer.Store, sb1)).BestBidder);
        Assert.Equal(0, await CountAsync(run.Indexer.Store, "accounts", "account", Ghost.ToLowerHex()));
        await AssertConsistentAsync(run, "after the depth-2 reorganisation");
        await chain.AdvanceToAsync((ulong)sb1.Terms.RevealDeadline + 1);
        await m.SettleAsync(R2, sb1);
        await m.ForfeitAsync(R1, sb1, P[2], 0, sb1P2);
        await m.FulfillAsync(P[1], sb1);

        var sb2 = await m.SubmitAsync("sb2 winner slashed, runner-up takes over and fulfils", R2, AllocationMode.SealedBid, Fee,
            provingWindow: 100, bidSeconds: 30, revealSeconds: 30, onMiss: 1);
        await m.CommitBidAsync(sb2, P[3], 3 * Milli, 50, lane: 1);
        await m.CommitBidAsync(sb2, P[4], 4 * Milli, 60, lane: 0);
        await m.CommitBidAsync(sb2, P[5], 5 * Milli, 70, lane: 0);
        await chain.AdvanceToAsync((ulong)sb2.Terms.BidDeadline + 1);
        await m.RevealBidAsync(sb2, P[3], 3 * Milli, 50, lane: 1);
        await m.RevealBidAsync(sb2, P[4], 4 * Milli, 60, lane: 0);
        await m.RevealBidAsync(sb2, P[5], 5 * Milli, 70, lane: 0); // neither best nor runner-up: released
        await chain.AdvanceToAsync((ulong)sb2.Terms.RevealDeadline + 51);
        await m.SlashAsync(R1, sb2); // settles, slashes P3, hands over to P4
        await m.FulfillAsync(P[4], sb2);

        var sb3 = await m.SubmitAsync("sb3 fulfilled unsettled, loser forfeits", R1, AllocationMode.SealedBid, Fee, provingWindow: 100, bidSeconds: 30, revealSeconds: 30);
        await m.CommitBidAsync(sb3, P[4], 4 * Milli, 50, lane: 1);
        var sb3P5 = await m.CommitBidAsync(sb3, P[5], 3 * Milli, 50, lane: 1);
        await chain.AdvanceToAsync((ulong)sb3.Terms.BidDeadline + 1);
        await m.RevealBidAsync(sb3, P[4], 4 * Milli, 50, lane: 1);
        await chain.AdvanceToAsync((ulong)sb3.Terms.RevealDeadline + 1);
        await m.FulfillAsync(P[4], sb3); // settles on the way
        await m.ForfeitAsync(R2, sb3, P[5], 1, sb3P5);

        var sb4 = await m.SubmitAsync("sb4 no reveal, expired", R2, AllocationMode.SealedBid, Fee, provingWindow: 100, bidSeconds: 30, revealSeconds: 30);
        var sb4P2 = await m.CommitBidAsync(sb4, P[2], 3 * Milli, 50, lane: 1);
        await chain.AdvanceToAsync((ulong)sb4.Terms.RevealDeadline + 1);
        await m.ExpireAsync(R1, sb4);
        await m.ForfeitAsync(R1, sb4, P[2], 1, sb4P2);

        var sb5 = await m.SubmitAsync("sb5 settled by its slash, secondary expired", R1, AllocationMode.SealedBid, Fee, provingWindow: 100, bidSeconds: 30, revealSeconds: 30);
        await m.CommitBidAsync(sb5, P[3], 5 * Milli, 40, lane: 2);
        await chain.AdvanceToAsync((ulong)sb5.Terms.BidDeadline + 1);
        await m.RevealBidAsync(sb5, P[3], 5 * Milli, 40, lane: 2);
        await chain.AdvanceToAsync((ulong)sb5.Terms.RevealDeadline + 41);
        await m.SlashAsync(R2, sb5); // settles, slashes P3, opens the secondary delivery
        await chain.AdvanceAsync(101);
        await m.ExpireAsync(R1, sb5); // the unclaimed bounty goes to the treasury

        var sb6 = await m.SubmitAsync("sb6 left settled", R2, AllocationMode.SealedBid, Fee, provingWindow: 300, bidSeconds: 30, revealSeconds: 30);
        await m.CommitBidAsync(sb6, P[1], 4 * Milli, 100, lane: 2);
        await m.CommitBidAsync(sb6, P[4], 3 * Milli, 200, lane: 2);
        await chain.AdvanceToAsync((ulong)sb6.Terms.BidDeadline + 1);
        await m.RevealBidAsync(sb6, P[1], 4 * Milli, 100, lane: 2);
        await m.RevealBidAsync(sb6, P[4], 3 * Milli, 200, lane: 2);
        await chain.AdvanceToAsync((ulong)sb6.Terms.RevealDeadline + 1);
        await m.SettleAsync(R1, sb6);

        var sb7 = await m.SubmitAsync("sb7 left in its reveal phase", R1, AllocationMode.SealedBid, Fee, provingWindow: 100, bidSeconds: 30, revealSeconds: 600);
        await m.CommitBidAsync(sb7, P[5], 2 * Milli, 30, lane: 2);
        await chain.AdvanceToAsync((ulong)sb7.Terms.BidDeadline + 1);
        await m.RevealBidAsync(sb7, P[5], 2 * Milli, 30, lane: 2);
    }

    /// <summary>Withdrawals from the market, claims from the vault, a withdrawal added to, and a verifier upgrade left pending.</summary>
    private static async Task PayOutsAsync(Run run)
    {
        var m = run.M;
        await m.WithdrawAllAsync(P[1]);
        await m.WithdrawAllAsync(R1);
        await m.ClaimAllAsync(Treasury);
        await m.ClaimAllAsync(R2);
        await m.VaultAsync(P[2], new CollateralVaultService.RequestWithdrawalFunction { AssetId = 0, Amount = Ether / 10 }); // adds to its pending withdrawal
        await m.RegistryAsync(Rollup2, new CircuitRegistryService.ProposeVerifierUpgradeFunction
        {
            CircuitId = UpgradedCircuitId, NewVerifier = m.VerifierA, ArtifactsURI = "ipfs://circuit-2-v3", ArtifactsHash = Hash("artifacts 2 v3"),
        });
    }

    /// <summary>
    /// Stages a reorganisation of <paramref name="depth"/> blocks: indexes to the head, snapshots, mines the
    /// <paramref name="abandoned"/> branch (exactly <paramref name="depth"/> blocks) and indexes it, reverts, mines the
    /// <paramref name="survivor"/> branch (at least as long, so the indexed head's height gets a new hash), and indexes
    /// again: the follower must resolve exactly one reorganisation that removes exactly the abandoned branch's events.
    /// </summary>
    private static async Task StageReorgAsync(Run run, int depth, Func<Task> abandoned, Func<Task> indexedAbandoned, Func<Task> survivor)
    {
        var (chain, idx) = (run.Chain, run.Indexer);
        Assert.Equal(0, (await idx.CatchUpAsync()).Reorgs);
        var snap = await chain.SnapshotAsync();
        var fork = await chain.HeadAsync();
        await abandoned();
        Assert.Equal(fork + (ulong)depth, await chain.HeadAsync());
        Assert.Equal(0, (await idx.CatchUpAsync()).Reorgs);
        await indexedAbandoned();
        var abandonedEvents = await EventsAboveAsync(idx.Store, fork);
        Assert.True(abandonedEvents > 0);
        var before = idx.Follower.Reorgs;
        await chain.RevertAsync(snap);
        await survivor();
        Assert.True(await chain.HeadAsync() >= fork + (ulong)depth);
        var c = await idx.CatchUpAsync();
        Assert.Equal(1, c.Reorgs);
        Assert.Equal(before + 1, idx.Follower.Reorgs);
        Assert.Equal(abandonedEvents, c.Removed);
    }

    /// <summary>
    /// The projections equal a fresh database's that indexes the surviving chain from scratch (in one batch, where the
    /// live one indexed in small batches with rollbacks and a restart), and match the chain's state.
    /// </summary>
    private async Task AssertConsistentAsync(Run run, string when)
    {
        await using var fresh = await LiveIndexer.OpenAsync(await TestDatabases.UrlAsync(run.Engine), run.M, maxBlockRange: 10_000);
        Assert.Equal(0, (await fresh.CatchUpAsync()).Reorgs);
        Assert.Equal(await StoreSnapshot.TakeAsync(fresh.Store), await StoreSnapshot.TakeAsync(run.Indexer.Store));
        var facts = await ChainStateCheck.AssertMatchesAsync(run.Indexer.Store, run.M);
        output.WriteLine($"{when}: projections equal a fresh index and match {facts} facts of chain state");
    }

    /// <summary>The indexed (contract, event) pairs are exactly the decoder's, less <see cref="NotEmitted"/>.</summary>
    private static async Task AssertEveryEventIndexedAsync(IndexerStore store)
    {
        var indexed = new List<string>();
        await using (var c = await store.Database.OpenAsync())
        await using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT DISTINCT contract, name FROM events";
            await using var r = await q.ExecuteReaderAsync();
            while (await r.ReadAsync()) indexed.Add($"{r.GetString(0)}.{r.GetString(1)}");
        }
        var expected = EventDecoder.KnownEvents.Except(NotEmitted).Select(e => $"{e.Contract}.{e.Event}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), indexed.Order(StringComparer.Ordinal));
    }

    /// <summary>What the script meant to happen, as the projections tell it (the chain comparison checks the rest).</summary>
    private static async Task AssertScenarioAsync(IndexerStore store, ScriptedMarket m)
    {
        var rows = new Dictionary<string, RequestRow>();
        foreach (var r in m.Requests.Values) rows[r.Name] = await RowAsync(store, r);
        RequestStatus StatusOf(string prefix) => rows.Single(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Value.Status;
        RequestRow Row(string prefix) => rows.Single(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Value;
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("sa1"));
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("sa2"));
        Assert.Equal(P[1].ToLowerHex(), Row("sa2").Prover);
        Assert.Equal(RequestStatus.Cancelled, StatusOf("sa3"));
        Assert.Equal(RequestStatus.Matched, StatusOf("sa4"));
        Assert.Equal(RequestStatus.Assigned, StatusOf("sa5"));
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("d1"));
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("d2"));
        Assert.Equal([P[2].ToLowerHex()], Row("d2").Slashes.Select(s => s.Prover));
        Assert.Equal(RequestStatus.Cancelled, StatusOf("d3"));
        Assert.Equal(RequestStatus.Expired, StatusOf("d4"));
        Assert.Equal(RequestStatus.Assigned, StatusOf("d5"));
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("or1"));
        Assert.Equal(RequestStatus.Expired, StatusOf("or2"));
        Assert.Equal(RequestStatus.Cancelled, StatusOf("or3"));
        Assert.Equal(RequestStatus.Open, StatusOf("or4"));
        // Regression: an open race has a deadline from its submission (it was left out until the chain comparison).
        Assert.Equal(Row("or4").SubmittedAt + 86_400, Row("or4").Deadline);
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("sb1"));
        Assert.Equal(P[1].ToLowerHex(), Row("sb1").Prover);
        Assert.Equal(3, Row("sb1").BidsCommitted);
        Assert.Equal(2, Row("sb1").BidsRevealed);
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("sb2"));
        Assert.Equal(P[4].ToLowerHex(), Row("sb2").Prover);
        Assert.Equal([P[3].ToLowerHex()], Row("sb2").Slashes.Select(s => s.Prover));
        Assert.Equal(RequestStatus.Fulfilled, StatusOf("sb3"));
        Assert.Equal(RequestStatus.Expired, StatusOf("sb4"));
        Assert.Equal(RequestStatus.Expired, StatusOf("sb5"));
        Assert.Equal(RequestStatus.Assigned, StatusOf("sb6"));
        Assert.Equal(RequestStatus.Open, StatusOf("sb7"));
        // Regression: a pending verifier upgrade keeps the artifacts that go with it (they were dropped).
        var circuit2 = System.Text.Json.Nodes.JsonNode.Parse((string)(await ScalarAsync(store, "SELECT state FROM circuits WHERE circuit_id = @p", (long)UpgradedCircuitId))!)!;
        Assert.Equal(m.VerifierA.ToLowerHex(), circuit2["pendingVerifier"]!.GetValue<string>());
        Assert.Equal("ipfs://circuit-2-v3", circuit2["pendingArtifactsURI"]!.GetValue<string>());
        Assert.Equal(Hex.Encode(Hash("artifacts 2 v3")), circuit2["pendingArtifactsHash"]!.GetValue<string>());
        Assert.Equal(m.VerifierC.ToLowerHex(), circuit2["verifier"]!.GetValue<string>());
        Assert.Equal(Rollup2.ToLowerHex(), circuit2["owner"]!.GetValue<string>());
        // Why each ask left the book.
        var removals = new Dictionary<string, string?>();
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT prover, state FROM asks";
        await using var rd = await q.ExecuteReaderAsync();
        while (await rd.ReadAsync()) removals[rd.GetString(0)] = System.Text.Json.Nodes.JsonNode.Parse(rd.GetString(1))!["removal"]?.GetValue<string>();
        Assert.Equal("Unbacked", removals[P[2].ToLowerHex()]);
        Assert.Null(removals[P[3].ToLowerHex()]);
        Assert.Equal("Silent", removals[P[4].ToLowerHex()]);
        Assert.Equal("Expired", removals[P[5].ToLowerHex()]);
    }

    private static async Task<RequestRow> RowAsync(IndexerStore store, ScriptedRequest r) =>
        await TryRowAsync(store, r) ?? throw new InvalidOperationException($"{r.Name} is not projected");

    private static async Task<RequestRow?> TryRowAsync(IndexerStore store, ScriptedRequest r) =>
        await ScalarAsync(store, "SELECT state FROM requests WHERE request_id = @p", r.Id) is string state
            ? JsonSerializer.Deserialize<RequestRow>(state, RowJson.Options)
            : null;

    private static async Task<int> EventsAboveAsync(IndexerStore store, ulong block) =>
        Convert.ToInt32(await ScalarAsync(store, "SELECT COUNT(*) FROM events WHERE block_number > @p", (long)block), CultureInfo.InvariantCulture);

    private static async Task<int> CountAsync(IndexerStore store, string table, string column, string value) =>
        Convert.ToInt32(await ScalarAsync(store, $"SELECT COUNT(*) FROM {table} WHERE {column} = @p", value), CultureInfo.InvariantCulture);

    private static async Task<object?> ScalarAsync(IndexerStore store, string sql, object value)
    {
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = sql;
        var p = q.CreateParameter();
        p.ParameterName = "@p";
        p.Value = value;
        q.Parameters.Add(p);
        return await q.ExecuteScalarAsync();
    }

    private static byte[] Hash(string text) => Keccak.Hash(Encoding.UTF8.GetBytes(text));
}
