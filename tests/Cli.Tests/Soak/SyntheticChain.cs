using System.Numerics;
using Nethereum.Contracts;
using ProverMarketChain.Cli.Soak;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Tests.Soak;

/// <summary>Synthetic requests, calldata and mined transactions for the audit tests (no chain).</summary>
internal static class SyntheticChain
{
    public static readonly Address Market = Addr(0xAA);
    public static readonly Address AskBook = Addr(0xAB);

    public static Address Addr(byte b)
    {
        var bytes = new byte[20];
        bytes[19] = b;
        bytes[0] = 0x11;
        return Address.FromBytes(bytes);
    }

    public static Request Terms(ulong nonce) => new(
        Requester: Addr(0x01), CircuitId: 1, Mode: 0, OnMiss: 0, AssetId: 0, BidDeadline: 100, RevealDeadline: 120,
        ProvingWindow: 60, Verifier: Addr(0x02), MaxFee: BigInteger.Pow(10, 16), MinFee: 0, MinCollateral: BigInteger.Pow(10, 16),
        LatencyWeight: 0, Nonce: nonce, InputHash: new byte[32], PublicInputsHash: Keccak.Hash([1, 2, 3]), ProtocolFeeBps: 0, CallbackGasLimit: 0);

    /// <summary>The market's request id: keccak256(abi.encode(request)).</summary>
    public static byte[] IdOf(Request r) => Keccak.Hash(AbiStructs.Encode(r));

    public static byte[] CommitBid(Request r) =>
        new IProverMarketService.CommitBidFunction { Request = r, Commitment = new byte[32], Lane = 3 }.GetCallData();

    public static byte[] RevealBid(Request r) =>
        new IProverMarketService.RevealBidFunction { Request = r, Fee = 5, Latency = 7, Salt = new byte[32], Lane = 3 }.GetCallData();

    public static byte[] Fulfill(Request r) =>
        new IProverMarketService.FulfillFunction { Request = r, Proof = Enumerable.Repeat(BigInteger.One, 8).ToList(), PublicInputs = [BigInteger.One, BigInteger.One] }.GetCallData();

    public static byte[] FulfillBatch(params Request[] requests) =>
        new IProverMarketService.FulfillBatchFunction
        {
            Requests = requests.ToList(),
            Proofs = requests.Select(_ => Enumerable.Repeat(BigInteger.One, 8).ToList()).ToList(),
            PublicInputs = requests.Select(_ => new List<BigInteger> { BigInteger.One, BigInteger.One }).ToList(),
        }.GetCallData();

    public static byte[] CommitProof(byte[] id) =>
        new IProverMarketService.CommitProofFunction { RequestId = id, Commitment = new byte[32] }.GetCallData();

    public static byte[] OpenBidLanes() =>
        new IProverMarketService.OpenBidLanesFunction { FirstLane = 0, Count = 4 }.GetCallData();

    private static int _hash;

    public static MinedTransaction Tx(Address from, ulong block, int index, byte[] input, bool ok = true, Address? to = null,
        ulong gasUsed = 21_000, long price = 2, long baseFee = 1, Address? miner = null) =>
        new(Keccak.Hash(BitConverter.GetBytes(Interlocked.Increment(ref _hash))), block, index, from, to ?? Market, input, BigInteger.Zero,
            ok, gasUsed, price, baseFee, miner ?? Address.Zero);
}
