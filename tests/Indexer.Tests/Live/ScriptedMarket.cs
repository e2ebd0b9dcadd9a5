using System.Numerics;
using System.Text;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Indexer.Ingest;
using ProverMarketChain.Indexer.Model;

namespace ProverMarketChain.Indexer.Tests.Live;

/// <summary>A request the script submitted: its name in the script, its terms and its public inputs.</summary>
public sealed record ScriptedRequest(string Name, string Id, Request Terms, IReadOnlyList<BigInteger> PublicInputs)
{
    /// <summary>The id as bytes.</summary>
    public byte[] IdBytes => Hex.Decode(Id);
}

/// <summary>
/// A deployed market on a <see cref="ScriptedChain"/> and the calls a script makes on it. Deployment goes through
/// <see cref="Deployment.DeployAsync"/> (the production wiring); every later call is sent by address. Circuit 1 uses a
/// <c>MockVerifier</c> (a proof is valid when its first word is the keccak of the packed public inputs), so requests are
/// fulfilled without proving; the registry pins the mock's code hash like any verifier's.
/// </summary>
public sealed class ScriptedMarket
{
    /// <summary>The circuit the market's requests use.</summary>
    public const uint CircuitId = 1;

    /// <summary>The circuit whose verifier is upgraded.</summary>
    public const uint UpgradedCircuitId = 2;

    /// <summary>Proving units of <see cref="CircuitId"/>.</summary>
    public const ulong Units = 1000;

    /// <summary>One ether in wei.</summary>
    public static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    private readonly Dictionary<string, ScriptedRequest> _requests = [];
    private ulong _nonce;

    private ScriptedMarket(ScriptedChain chain) => Chain = chain;

    /// <summary>The chain.</summary>
    public ScriptedChain Chain { get; }

    /// <summary>The deployment (its block is where indexing starts).</summary>
    public Deployment Deployment { get; private set; } = null!;

    /// <summary>What the indexer follows.</summary>
    public MarketContracts Contracts { get; private set; } = null!;

    /// <summary>The market's full interface, for queries.</summary>
    public IProverMarketService Market { get; private set; } = null!;

    /// <summary>The vault, for queries.</summary>
    public CollateralVaultService Vault { get; private set; } = null!;

    /// <summary>The registry, for queries.</summary>
    public CircuitRegistryService Registry { get; private set; } = null!;

    /// <summary>The ask book, for queries.</summary>
    public AskBookService AskBook { get; private set; } = null!;

    /// <summary>The deployer (anvil's first account): first owner of the market and the vault, and first treasury.</summary>
    public Address Deployer { get; private set; }

    /// <summary>The owner after the two-step ownership transfers.</summary>
    public static Address Admin { get; } = ScriptedChain.Named("admin");

    /// <summary>The treasury after <c>setTreasury</c>.</summary>
    public static Address Treasury { get; } = ScriptedChain.Named("treasury");

    /// <summary>Registers the circuits.</summary>
    public static Address Rollup { get; } = ScriptedChain.Named("rollup");

    /// <summary>Owns circuit 2 after the ownership transfer.</summary>
    public static Address Rollup2 { get; } = ScriptedChain.Named("rollup-2");

    /// <summary>First requester.</summary>
    public static Address R1 { get; } = ScriptedChain.Named("requester-1");

    /// <summary>Second requester.</summary>
    public static Address R2 { get; } = ScriptedChain.Named("requester-2");

    /// <summary>An account that exists only in branches a reorganisation throws away.</summary>
    public static Address Ghost { get; } = ScriptedChain.Named("ghost");

    /// <summary>Provers P1..P5 (index 0 unused).</summary>
    public static IReadOnlyList<Address> P { get; } = [Address.Zero, .. Enumerable.Range(1, 5).Select(i => ScriptedChain.Named($"prover-{i}"))];

    /// <summary>Every scripted account (the vault accounts are among them).</summary>
    public IEnumerable<Address> Accounts => [Deployer, Admin, Treasury, Rollup, Rollup2, R1, R2, Ghost, .. P.Skip(1), Address.Parse(BurnAddress)];

    /// <summary>Where burnt collateral goes (the market's <c>BURN_ADDRESS</c>).</summary>
    public const string BurnAddress = "0x000000000000000000000000000000000000dEaD";

    /// <summary>The verifier of circuit 1 (and of circuit 2's last proposal).</summary>
    public Address VerifierA { get; private set; }

    /// <summary>The verifier circuit 2 is registered with.</summary>
    public Address VerifierB { get; private set; }

    /// <summary>The verifier circuit 2 is upgraded to.</summary>
    public Address VerifierC { get; private set; }

    /// <summary>The ERC-20 listed as vault asset 1.</summary>
    public Address Token { get; private set; }

    /// <summary>The protocol fee requests carry (the effective fee, read before each submission).</summary>
    public BigInteger FeeBps { get; private set; }

    /// <summary>Every request the script submitted on the current chain (see <see cref="Forget"/>).</summary>
    public IReadOnlyDictionary<string, ScriptedRequest> Requests => _requests;

    /// <summary>Deploys the market, three mock verifiers and a token on <paramref name="chain"/>.</summary>
    public static async Task<ScriptedMarket> DeployAsync(ScriptedChain chain)
    {
        var m = new ScriptedMarket(chain);
        // The deployer's signer tracks its transactions until they are one block deep; it is idle (nothing tracked) before
        // the script goes on, so it can never re-send anything into a branch the script stages later.
        var deployer = chain.Anvil.CreateSigner(AnvilFixture.PrivateKey0, new SignerOptions
        {
            ReceiptPollInterval = TimeSpan.FromMilliseconds(10),
            TrackConfirmations = 1,
            TrackerPollInterval = TimeSpan.FromMilliseconds(20),
        });
        m.Deployer = deployer.From;
        m.Deployment = await Deployment.DeployAsync(deployer, deployer.From);
        for (var pass = 0; deployer.Tracker.Count > 0; pass++)
        {
            if (pass > 500) throw new TimeoutException("the deployer's transactions are still tracked");
            await deployer.Tracker.CheckAsync();
        }

        // Test contracts from the forge build (the bindings cover contracts/src only): three verifiers with the same code
        // at three addresses (each pinned when first registered or proposed) and an ERC-20 for vault asset 1.
        m.VerifierA = await chain.DeployArtifactAsync(m.Deployer, "MockVerifier", 2);
        m.VerifierB = await chain.DeployArtifactAsync(m.Deployer, "MockVerifier", 2);
        m.VerifierC = await chain.DeployArtifactAsync(m.Deployer, "MockVerifier", 2);
        m.Token = await chain.DeployArtifactAsync(m.Deployer, "MockERC20");

        var reader = chain.Reader;
        m.Market = new IProverMarketService(reader, m.Deployment.ProverMarket);
        m.Vault = new CollateralVaultService(reader, m.Deployment.CollateralVault);
        m.Registry = new CircuitRegistryService(reader, m.Deployment.CircuitRegistry);
        var askBook = Address.Parse(await m.Market.AskBookQueryAsync());
        m.AskBook = new AskBookService(reader, askBook);
        m.Contracts = new MarketContracts(m.Deployment.ProverMarket, m.Deployment.CollateralVault, m.Deployment.CircuitRegistry, askBook);
        foreach (var a in new[] { Admin, Treasury, Rollup, Rollup2, R1, R2, Ghost }.Concat(P.Skip(1)))
            await chain.FundAsync(a, 100 * Ether);
        return m;
    }

    // ------------------------------------------------------------------ sends

    /// <summary>A call on the market (its extension's functions included) from <paramref name="from"/>.</summary>
    public Task<TransactionReceipt> MarketAsync<TCall>(Address from, TCall call)
        where TCall : FunctionMessage, new() => Chain.SendAsync(from, Deployment.ProverMarket, call);

    /// <summary>A call on the vault.</summary>
    public Task<TransactionReceipt> VaultAsync<TCall>(Address from, TCall call)
        where TCall : FunctionMessage, new() => Chain.SendAsync(from, Deployment.CollateralVault, call);

    /// <summary>A call on the registry.</summary>
    public Task<TransactionReceipt> RegistryAsync<TCall>(Address from, TCall call)
        where TCall : FunctionMessage, new() => Chain.SendAsync(from, Deployment.CircuitRegistry, call);

    /// <summary>A call on the ask book.</summary>
    public Task<TransactionReceipt> AsksAsync<TCall>(Address from, TCall call)
        where TCall : FunctionMessage, new() => Chain.SendAsync(from, Contracts.AskBook, call);

    /// <summary>A call on the token.</summary>
    public Task<TransactionReceipt> TokenAsync<TCall>(Address from, TCall call)
        where TCall : FunctionMessage, new() => Chain.SendAsync(from, Token, call);

    /// <summary>
    /// Submits a request of circuit 1 with its whole escrow and returns it. Deadlines count from the head's time; the
    /// submission block is one second later.
    /// </summary>
    public async Task<ScriptedRequest> SubmitAsync(string name, Address requester, AllocationMode mode, BigInteger maxFee, BigInteger? minFee = null,
        BigInteger? minCollateral = null, uint provingWindow = 120, ulong bidSeconds = 60, ulong revealSeconds = 60, int onMiss = 0,
        BigInteger? latencyWeight = null)
    {
        var now = await Chain.NowAsync();
        FeeBps = await Market.EffectiveProtocolFeeQueryAsync();
        var n = ++_nonce;
        BigInteger[] publics = [n, n * 7 + 3];
        var input = Encoding.UTF8.GetBytes($"scripted request {n}: {name}");
        var terms = new Request(requester, CircuitId, (int)mode, onMiss, 0,
            BidDeadline: mode is AllocationMode.SealedBid or AllocationMode.Dutch ? now + bidSeconds : 0,
            RevealDeadline: mode == AllocationMode.SealedBid ? now + bidSeconds + revealSeconds : 0,
            ProvingWindow: provingWindow, Verifier: VerifierA, MaxFee: maxFee, MinFee: minFee ?? 0, MinCollateral: minCollateral ?? maxFee,
            LatencyWeight: latencyWeight ?? 0, Nonce: n, InputHash: Keccak.Hash(input), PublicInputsHash: PackedHash(publics), ProtocolFeeBps: FeeBps, CallbackGasLimit: 0);
        await MarketAsync(requester, new IProverMarketService.SubmitRequestFunction
        {
            Request = terms, Input = input, InputUri = "", PublicInputs = [.. publics], AmountToSend = maxFee,
        });
        var id = Hex.Encode(await Market.RequestIdOfQueryAsync(terms));
        var r = new ScriptedRequest(name, id, terms, publics);
        _requests.Add(id, r);
        return r;
    }

    /// <summary>Drops a request whose submission a reorganisation threw away.</summary>
    public void Forget(ScriptedRequest r) => Assert.True(_requests.Remove(r.Id), $"{r.Name} was not submitted");

    /// <summary>A proof <c>MockVerifier</c> accepts for the request's public inputs.</summary>
    public static List<BigInteger> ProofOf(ScriptedRequest r) =>
        [new BigInteger(PackedHash(r.PublicInputs), isUnsigned: true, isBigEndian: true), 1, 2, 3, 4, 5, 6, 7];

    /// <summary>The salt of a sealed bid (deterministic per request, prover and lane).</summary>
    public static byte[] SaltOf(ScriptedRequest r, Address prover, int lane) => Keccak.Hash(Encoding.UTF8.GetBytes($"{r.Id}:{prover}:{lane}"));

    /// <summary>Commits a sealed bid; returns its commitment (for <see cref="ForfeitAsync"/>).</summary>
    public async Task<byte[]> CommitBidAsync(ScriptedRequest r, Address prover, BigInteger fee, uint latency, int lane)
    {
        var commitment = await Market.BidCommitmentQueryAsync(r.IdBytes, prover, fee, latency, SaltOf(r, prover, lane));
        await MarketAsync(prover, new IProverMarketService.CommitBidFunction { Request = r.Terms, Commitment = commitment, Lane = lane });
        return commitment;
    }

    /// <summary>Reveals a sealed bid committed with <see cref="CommitBidAsync"/>.</summary>
    public Task<TransactionReceipt> RevealBidAsync(ScriptedRequest r, Address prover, BigInteger fee, uint latency, int lane) =>
        MarketAsync(prover, new IProverMarketService.RevealBidFunction { Request = r.Terms, Fee = fee, Latency = latency, Salt = SaltOf(r, prover, lane), Lane = lane });

    /// <summary>Burns an unrevealed bid's bond.</summary>
    public Task<TransactionReceipt> ForfeitAsync(Address caller, ScriptedRequest r, Address prover, int lane, byte[] commitment) =>
        MarketAsync(caller, new IProverMarketService.ForfeitBondFunction { Request = r.Terms, Prover = prover, Lane = lane, Commitment = commitment });

    /// <summary>Settles a sealed auction.</summary>
    public Task<TransactionReceipt> SettleAsync(Address caller, ScriptedRequest r) => MarketAsync(caller, new IProverMarketService.SettleFunction { Request = r.Terms });

    /// <summary>The assigned prover delivers.</summary>
    public Task<TransactionReceipt> FulfillAsync(Address prover, ScriptedRequest r) =>
        MarketAsync(prover, new IProverMarketService.FulfillFunction { Request = r.Terms, Proof = ProofOf(r), PublicInputs = [.. r.PublicInputs] });

    /// <summary>Step one of an open delivery (race or secondary).</summary>
    public async Task<TransactionReceipt> CommitProofAsync(Address submitter, ScriptedRequest r)
    {
        var commitment = await Market.ProofCommitmentQueryAsync(r.IdBytes, submitter, ProofOf(r));
        return await MarketAsync(submitter, new IProverMarketService.CommitProofFunction { RequestId = r.IdBytes, Commitment = commitment });
    }

    /// <summary>Step two of an open delivery.</summary>
    public Task<TransactionReceipt> RevealProofAsync(Address submitter, ScriptedRequest r) =>
        MarketAsync(submitter, new IProverMarketService.RevealProofFunction { Request = r.Terms, Proof = ProofOf(r), PublicInputs = [.. r.PublicInputs] });

    /// <summary>Takes a Dutch job.</summary>
    public Task<TransactionReceipt> LockDutchAsync(Address prover, ScriptedRequest r) => MarketAsync(prover, new IProverMarketService.LockDutchFunction { Request = r.Terms });

    /// <summary>Slashes the assigned prover after its deadline.</summary>
    public Task<TransactionReceipt> SlashAsync(Address caller, ScriptedRequest r) => MarketAsync(caller, new IProverMarketService.SlashFunction { Request = r.Terms });

    /// <summary>Refunds a request nobody took or delivered.</summary>
    public Task<TransactionReceipt> ExpireAsync(Address caller, ScriptedRequest r) => MarketAsync(caller, new IProverMarketService.ExpireFunction { Request = r.Terms });

    /// <summary>The requester cancels.</summary>
    public Task<TransactionReceipt> CancelAsync(ScriptedRequest r) => MarketAsync(Address.Parse(r.Terms.Requester), new IProverMarketService.CancelRequestFunction { Request = r.Terms });

    /// <summary>The matched prover accepts.</summary>
    public Task<TransactionReceipt> AcceptMatchAsync(Address prover, ScriptedRequest r) => MarketAsync(prover, new IProverMarketService.AcceptMatchFunction { Request = r.Terms });

    /// <summary>The matched prover declines.</summary>
    public Task<TransactionReceipt> DeclineMatchAsync(Address prover, ScriptedRequest r) => MarketAsync(prover, new IProverMarketService.DeclineMatchFunction { Request = r.Terms });

    /// <summary>Anyone moves a silent match on.</summary>
    public Task<TransactionReceipt> LapseMatchAsync(Address caller, ScriptedRequest r) => MarketAsync(caller, new IProverMarketService.LapseMatchFunction { Request = r.Terms });

    /// <summary>Posts (or replaces) a standing ask on circuit 1 in ETH.</summary>
    public Task<TransactionReceipt> PostAskAsync(Address prover, BigInteger pricePerUnit, uint maxLatency, uint capacity, BigInteger maxCollateral, ulong expiresAt) =>
        AsksAsync(prover, new AskBookService.PostAskFunction
        {
            CircuitId = CircuitId, PricePerUnit = pricePerUnit, MaxLatency = maxLatency, Capacity = capacity, AssetId = 0,
            MaxCollateral = maxCollateral, ExpiresAt = expiresAt, Hint = Address.Zero,
        });

    /// <summary>Withdraws the whole market balance of <paramref name="account"/> to itself.</summary>
    public async Task<TransactionReceipt> WithdrawAllAsync(Address account) =>
        await MarketAsync(account, new IProverMarketService.WithdrawFunction { Amount = await Market.BalanceOfQueryAsync(account), To = account });

    /// <summary>Claims the whole claimable vault balance (ETH) of <paramref name="account"/> to itself.</summary>
    public async Task<TransactionReceipt> ClaimAllAsync(Address account) =>
        await VaultAsync(account, new CollateralVaultService.ClaimFunction { AssetId = 0, Amount = await Vault.ClaimableBalanceQueryAsync(account, 0), To = account });

    /// <summary><c>MockERC20.mint</c> (a test contract the bindings do not cover).</summary>
    [Function("mint")]
    public sealed class MintFunction : FunctionMessage
    {
        /// <summary>Recipient.</summary>
        [Parameter("address", "to", 1)]
        public string To { get; set; } = "";

        /// <summary>Amount.</summary>
        [Parameter("uint256", "amount", 2)]
        public BigInteger Amount { get; set; }
    }

    /// <summary><c>MockERC20.approve</c>.</summary>
    [Function("approve", "bool")]
    public sealed class ApproveFunction : FunctionMessage
    {
        /// <summary>Spender.</summary>
        [Parameter("address", "spender", 1)]
        public string Spender { get; set; } = "";

        /// <summary>Amount.</summary>
        [Parameter("uint256", "amount", 2)]
        public BigInteger Amount { get; set; }
    }

    /// <summary>keccak256(abi.encodePacked(uint256[])).</summary>
    public static byte[] PackedHash(IReadOnlyList<BigInteger> values)
    {
        var packed = new byte[32 * values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var word = values[i].ToByteArray(isUnsigned: true, isBigEndian: true);
            word.CopyTo(packed, 32 * i + 32 - word.Length);
        }
        return Keccak.Hash(packed);
    }
}
