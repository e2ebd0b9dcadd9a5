using System.Numerics;
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
        LatencyWeight: 0, Nonce: nonce, InputHash: new byte[32], PublicInputsHash: Keccak.Hash([1, 2, 3]), ProtocolFeeBps: 0);

    /// <summary>The market's request id: keccak256(abi.encode(request)).</summary>
    public static byte[] IdOf(Request r) => Keccak.Hash(AbiCodec.Encode([AbiType.Parse(Request.AbiTupleType)], [Request.ToAbi(r)]));

    public static byte[] CommitBid(Request r) =>
        new ContractFunction($"commitBid({Request.AbiTupleType},bytes32,uint8)", "").EncodeCall([Request.ToAbi(r), new byte[32], (BigInteger)3]);

    public static byte[] RevealBid(Request r) =>
        new ContractFunction($"revealBid({Request.AbiTupleType},uint96,uint32,bytes32,uint8)", "")
            .EncodeCall([Request.ToAbi(r), (BigInteger)5, (BigInteger)7, new byte[32], (BigInteger)3]);

    public static byte[] Fulfill(Request r) =>
        new ContractFunction($"fulfill({Request.AbiTupleType},uint256[8],uint256[])", "")
            .EncodeCall([Request.ToAbi(r), Enumerable.Repeat(BigInteger.One, 8).ToArray(), new[] { BigInteger.One, BigInteger.One }]);

    public static byte[] CommitProof(byte[] id) =>
        new ContractFunction("commitProof(bytes32,bytes32)", "").EncodeCall([id, new byte[32]]);

    public static byte[] OpenBidLanes() =>
        new ContractFunction("openBidLanes(uint8,uint8)", "").EncodeCall([BigInteger.Zero, (BigInteger)4]);

    private static int _hash;

    public static MinedTransaction Tx(Address from, ulong block, int index, byte[] input, bool ok = true, Address? to = null,
        ulong gasUsed = 21_000, long price = 2, long baseFee = 1, Address? miner = null) =>
        new(Keccak.Hash(BitConverter.GetBytes(Interlocked.Increment(ref _hash))), block, index, from, to ?? Market, input, BigInteger.Zero,
            ok, gasUsed, price, baseFee, miner ?? Address.Zero);
}
