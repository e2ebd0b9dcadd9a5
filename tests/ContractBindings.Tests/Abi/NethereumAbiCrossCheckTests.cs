using System.Numerics;
using System.Text;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Abi;

/// <summary>
/// The ABI encoding is Nethereum's now; these tests hold the way the project uses it (the generated messages and
/// structs, <see cref="AbiStructs"/>, revert decoding) byte for byte against <c>cast</c>, and Nethereum's encoder itself
/// against <c>cast</c> on random values of every elementary and array type.
/// </summary>
public class NethereumAbiCrossCheckTests
{
    private static Request SampleRequest() => new(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 7, 0, 1, 2, 1_700_000_000, 1_700_000_060, 600,
        "0x5FbDB2315678afecb367f032d93F642f64180aa3", BigInteger.Pow(10, 16), BigInteger.Pow(10, 15), BigInteger.Pow(10, 16),
        BigInteger.Pow(10, 12), 42, Keccak.Hash("input"u8), Keccak.Hash("public inputs"u8), 250, 300_000);

    private static string CastTuple(Request r) =>
        "(" + string.Join(",", r.Requester, r.CircuitId, r.Mode, r.OnMiss, r.AssetId, r.BidDeadline, r.RevealDeadline, r.ProvingWindow,
            r.Verifier, r.MaxFee, r.MinFee, r.MinCollateral, r.LatencyWeight, r.Nonce, Hex.Encode(r.InputHash), Hex.Encode(r.PublicInputsHash),
            r.ProtocolFeeBps, r.CallbackGasLimit) + ")";

    [Fact]
    public async Task RequestStructEncodingMatchesCastAndRoundTrips()
    {
        var request = SampleRequest();
        var expected = await Cast.RunAsync("abi-encode", "f(" + Request.AbiTupleType + ")", CastTuple(request));
        var encoded = AbiStructs.Encode(request);
        Assert.Equal(expected, Hex.Encode(encoded));
        var back = AbiStructs.Decode<Request>(encoded);
        Assert.Equal(Hex.Encode(encoded), Hex.Encode(AbiStructs.Encode(back)));
        Assert.Equal(request.MaxFee, back.MaxFee);
        Assert.True(Address.Parse(back.Requester) == Address.Parse(request.Requester));
        Assert.Throws<FormatException>(() => AbiStructs.Decode<Request>(encoded[..40]));
    }

    [Fact]
    public async Task GeneratedFunctionMessageCalldataMatchesCast()
    {
        var request = SampleRequest();
        var commitment = Keccak.Hash("commitment"u8);
        var message = new IProverMarketService.CommitBidFunction { Request = request, Commitment = commitment, Lane = 3 };
        var expected = await Cast.RunAsync("calldata", "commitBid(" + Request.AbiTupleType + ",bytes32,uint8)", CastTuple(request), Hex.Encode(commitment), "3");
        Assert.Equal(expected, Hex.Encode(message.GetCallData()));
    }

    [Fact]
    public void RevertDataDecodesToSpecificExceptions()
    {
        var reason = Hex.Decode("0x08c379a0" + Hex.Encode(new ABIEncode().GetABIEncoded(new ABIValue("string", "not enough")))[2..]);
        var r = Assert.IsType<RevertReasonException>(ContractRevertException.FromRevertData(reason));
        Assert.Equal("not enough", r.Reason);
        Assert.Equal(reason, r.RevertData);

        var panic = Hex.Decode("0x4e487b71" + Hex.Encode(new ABIEncode().GetABIEncoded(new ABIValue("uint256", 0x11)))[2..]);
        var p = Assert.IsType<PanicException>(ContractRevertException.FromRevertData(panic));
        Assert.Equal(new BigInteger(0x11), p.Code);
        Assert.Contains("overflow", p.Description);

        var error = ABITypedRegistry.GetError<IProverMarketService.EarlierCommitmentPendingError>();
        var requestId = Keccak.Hash("request"u8);
        var custom = Hex.Decode("0x" + error.Sha3Signature + Hex.Encode(new ABIEncode().GetABIEncoded(
            new ABIValue("bytes32", requestId), new ABIValue("uint256", 5), new ABIValue("uint256", 9)))[2..]);
        var typed = Assert.IsType<CustomErrorException<IProverMarketService.EarlierCommitmentPendingError>>(
            ContractRevertException.FromRevertData(custom, IProverMarketService.ErrorTypes));
        Assert.Equal(requestId, typed.Error.RequestId);
        Assert.Equal(new BigInteger(5), typed.Error.FirstCommitBlock);
        Assert.Equal(new BigInteger(9), typed.Error.RevealableFrom);
        Assert.Equal("EarlierCommitmentPending", typed.ErrorName);
        Assert.True(typed.Is<IProverMarketService.EarlierCommitmentPendingError>());

        var unknown = ContractRevertException.FromRevertData(custom);
        Assert.Equal(typeof(ContractRevertException), unknown.GetType());
        Assert.True(unknown.Is<IProverMarketService.EarlierCommitmentPendingError>());
        Assert.Contains("without data", ContractRevertException.FromRevertData([]).Message);
        var truncated = ContractRevertException.FromRevertData(reason[..40]);
        Assert.Equal(typeof(ContractRevertException), truncated.GetType());
        Assert.Contains("malformed", truncated.Message);
    }

    [Fact]
    public async Task FortyRandomEncodingsMatchCastByteForByte()
    {
        var tasks = Enumerable.Range(0, 40).Select(async seed =>
        {
            var gen = new Generator(2000 + seed);
            var types = Enumerable.Range(0, 1 + seed % 4).Select(_ => gen.Type(2)).ToArray();
            var values = types.Select(gen.Value).ToArray();
            string signature = "f(" + string.Join(",", types) + ")";
            var args = new List<string> { "abi-encode", signature };
            args.AddRange(values.Select(v => Generator.CastArg(v, nested: false)));
            string expected = await Cast.RunAsync(args.ToArray());
            var actual = Hex.Encode(new ParametersEncoder().EncodeAbiTypes(types.Select(ABIType.CreateABIType).ToArray(), values.Select(Generator.Nethereum).ToArray()));
            return (signature, expected, actual);
        }).ToList();
        foreach (var (signature, expected, actual) in await Task.WhenAll(tasks))
        {
            Assert.True(expected == actual, $"{signature}\ncast:      {expected}\nnethereum: {actual}");
        }
    }

    /// <summary>Random ABI types (elementary, dynamic and fixed arrays) and values.</summary>
    private sealed class Generator(int seed)
    {
        private readonly Random _rng = new(seed);

        public string Type(int depth) => _rng.Next(depth <= 0 ? 7 : 9) switch
        {
            0 => "uint" + 8 * _rng.Next(1, 33),
            1 => "int" + 8 * _rng.Next(1, 33),
            2 => "address",
            3 => "bool",
            4 => "bytes" + _rng.Next(1, 33),
            5 => "bytes",
            6 => "string",
            7 => Type(depth - 1) + "[]",
            _ => Type(depth - 1) + "[" + _rng.Next(1, 4) + "]",
        };

        public object Value(string type)
        {
            if (type.EndsWith(']'))
            {
                int open = type.LastIndexOf('[');
                var element = type[..open];
                var size = type[(open + 1)..^1];
                int n = size.Length == 0 ? _rng.Next(0, 4) : int.Parse(size, System.Globalization.CultureInfo.InvariantCulture);
                return Enumerable.Range(0, n).Select(_ => Value(element)).ToArray();
            }

            if (type.StartsWith("uint", StringComparison.Ordinal)) return Bits(int.Parse(type[4..], System.Globalization.CultureInfo.InvariantCulture), signed: false);
            if (type.StartsWith("int", StringComparison.Ordinal)) return Bits(int.Parse(type[3..], System.Globalization.CultureInfo.InvariantCulture), signed: true);
            if (type == "address") return Address.FromBytes(Bytes(20));
            if (type == "bool") return _rng.Next(2) == 1;
            if (type == "bytes") return Bytes(_rng.Next(0, 70));
            if (type == "string") return Text(_rng.Next(0, 40));
            return Bytes(int.Parse(type[5..], System.Globalization.CultureInfo.InvariantCulture));
        }

        private BigInteger Bits(int bits, bool signed)
        {
            BigInteger max = signed ? BigInteger.Pow(2, bits - 1) - 1 : BigInteger.Pow(2, bits) - 1;
            BigInteger min = signed ? -BigInteger.Pow(2, bits - 1) : 0;
            switch (_rng.Next(5))
            {
                case 0: return max;
                case 1: return min;
                case 2: return 0;
            }

            var raw = new BigInteger(Bytes(bits / 8), isUnsigned: true, isBigEndian: true) >> _rng.Next(0, bits);
            if (!signed) return raw;
            raw &= max;
            return _rng.Next(2) == 0 ? -raw - 1 : raw;
        }

        private byte[] Bytes(int n)
        {
            var b = new byte[n];
            _rng.NextBytes(b);
            return b;
        }

        private string Text(int n)
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.Append(alphabet[_rng.Next(alphabet.Length)]);
            return sb.ToString().Trim() + (n > 30 ? "é€" : string.Empty);
        }

        /// <summary>The value as Nethereum's encoder takes it (addresses as hex strings, arrays as lists).</summary>
        public static object Nethereum(object value) => value switch
        {
            Address a => a.ToString(),
            object[] items => items.Select(Nethereum).ToList(),
            _ => value,
        };

        public static string CastArg(object value, bool nested) => value switch
        {
            BigInteger i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Address a => a.ToString(),
            bool b => b ? "true" : "false",
            byte[] bytes => Hex.Encode(bytes),
            string s => nested ? "\"" + s + "\"" : s,
            object[] items => "[" + string.Join(",", items.Select(x => CastArg(x, true))) + "]",
            _ => throw new InvalidOperationException(value.GetType().Name),
        };
    }
}
