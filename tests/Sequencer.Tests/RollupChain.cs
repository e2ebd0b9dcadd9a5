using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.Sequencer.Tests;

/// <summary>
/// A market on a private anvil with a rollup circuit (3 public inputs) behind an accept-all verifier, so the test plays
/// the prover: it delivers a batch's request with any proof (the market still checks the public inputs against the
/// request). Roles are anvil's default keys: 0 owner, 1 sequencer, 2 prover, 3 a stranger.
/// </summary>
internal sealed class RollupChain
{
    public static readonly BigInteger Ether = BigInteger.Pow(10, 18);
    public const uint CircuitId = 1;

    private static readonly SignerOptions Fast = new() { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) };
    private readonly AnvilFixture _anvil;

    private RollupChain(AnvilFixture anvil) => _anvil = anvil;

    public Signer Owner { get; private set; } = null!;
    public Signer Sequencer { get; private set; } = null!;
    public Signer Prover { get; private set; } = null!;
    public Signer Stranger { get; private set; } = null!;
    public Deployment Deployment { get; private set; } = null!;
    public IProverMarketService Market { get; private set; } = null!;
    public Address Verifier { get; private set; }

    public static async Task<RollupChain> CreateAsync(AnvilFixture anvil)
    {
        var c = new RollupChain(anvil)
        {
            Owner = anvil.CreateSigner(AnvilFixture.PrivateKey0, Fast),
            Sequencer = anvil.CreateSigner(AnvilFixture.PrivateKey1, Fast),
            Prover = anvil.CreateSigner(AnvilFixture.PrivateKey2, Fast),
            Stranger = anvil.CreateSigner("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6", Fast),
        };
        c.Deployment = await Deployment.DeployAsync(c.Owner, c.Owner.From);
        // Accept-all stand-in: its runtime returns the word 3 to every call (publicInputCount() = 3, verifyProof passes).
        var receipt = await c.Owner.SendTransactionAsync(null, Hex.Decode("0x600a600c600039600a6000f3600360005260206000f3"), BigInteger.Zero);
        c.Verifier = receipt.ContractAddress ?? throw new InvalidOperationException("verifier deployment returned no address");
        var registry = new CircuitRegistryService(c.Owner.Web3(), c.Deployment.CircuitRegistry.ToString());
        await registry.RegisterCircuitRequestAndWaitForReceiptAsync(c.Verifier, "ipfs://rollup", Keccak.Hash("rollup"u8.ToArray()), 14_703, 3);
        c.Market = new IProverMarketService(c.Prover.Web3(), c.Deployment.ProverMarket.ToString());
        await new CollateralVaultService(c.Prover.Web3(), c.Deployment.CollateralVault.ToString()).DepositEthRequestAndWaitForReceiptAsync(Ether);
        return c;
    }

    /// <summary>Open race: any 0.01 ETH, no collateral.</summary>
    public static ProofTerms OpenRace(uint provingWindow = 60) => new(3, 0, 0, 10, 12, provingWindow, Ether / 100, 0, 0, 0);

    /// <summary>Dutch over 10 s, no collateral.</summary>
    public static ProofTerms Dutch() => new(1, 0, 0, 10, 12, 60, Ether / 100, Ether / 1000, 0, 0);

    /// <summary>The prover delivers request <paramref name="id"/> (open race: commit, then reveal a block later; Dutch:
    /// lock, then fulfil). Returns the delivering transaction's receipt.</summary>
    public async Task<Nethereum.RPC.Eth.DTOs.TransactionReceipt> DeliverAsync(Request r, byte[] id, IReadOnlyList<BigInteger> publics)
    {
        var proof = Enumerable.Range(1, 8).Select(i => new BigInteger(i)).ToList();
        if ((int)r.Mode == 1)
        {
            await Market.LockDutchRequestAndWaitForReceiptAsync(r);
            return await Market.FulfillRequestAndWaitForReceiptAsync(r, proof, publics.ToList());
        }
        var commitment = await Market.ProofCommitmentQueryAsync(id, Prover.From, proof);
        await Market.CommitProofRequestAndWaitForReceiptAsync(id, commitment);
        return await Market.RevealProofRequestAndWaitForReceiptAsync(r, proof, publics.ToList());
    }

    /// <summary>Moves the chain clock forward and mines a block.</summary>
    public async Task AdvanceAsync(ulong seconds)
    {
        var rpc = _anvil.CreateRpc();
        await rpc.SendAsync("evm_increaseTime", [seconds]);
        await rpc.SendAsync("evm_mine", []);
    }

    public async Task<string> GetCodeAsync(Address a) => (await _anvil.CreateRpc().SendAsync("eth_getCode", [a.ToString(), "latest"])).GetString()!;

    public async Task SetCodeAsync(Address a, string code) => await _anvil.CreateRpc().SendAsync("anvil_setCode", [a.ToString(), code]);

    /// <summary>The gas the market's call of <paramref name="callee"/> used inside transaction <paramref name="tx"/>
    /// (anvil's call tracer), or null when there was no such call.</summary>
    public async Task<ulong?> GasOfCallToAsync(string tx, Address callee)
    {
        var trace = await _anvil.CreateRpc().SendAsync("debug_traceTransaction", [tx, new Dictionary<string, object> { ["tracer"] = "callTracer" }]);
        return Find(trace);

        ulong? Find(JsonElement frame)
        {
            if (frame.TryGetProperty("to", out var to) && Address.Parse(to.GetString()!) == callee)
                return ulong.Parse(frame.GetProperty("gasUsed").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (frame.TryGetProperty("calls", out var calls))
                foreach (var c in calls.EnumerateArray())
                    if (Find(c) is { } g) return g;
            return null;
        }
    }
}
