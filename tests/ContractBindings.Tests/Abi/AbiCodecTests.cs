using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Abi;

public class AbiCodecTests
{
    [Theory]
    [InlineData("uint256", "uint256", false)]
    [InlineData("uint", "uint256", false)]
    [InlineData("int", "int256", false)]
    [InlineData("bytes32[]", "bytes32[]", true)]
    [InlineData("uint8[2][]", "uint8[2][]", true)]
    [InlineData("uint8[][2]", "uint8[][2]", true)]
    [InlineData("uint8[2][3]", "uint8[2][3]", false)]
    [InlineData("tuple(address,bytes)", "(address,bytes)", true)]
    [InlineData("(address owner, uint256 amount)[]", "(address,uint256)[]", true)]
    [InlineData("((uint8,bool)[2],string)", "((uint8,bool)[2],string)", true)]
    [InlineData("()", "()", false)]
    public void ParsesCanonicalNames(string text, string canonical, bool dynamic)
    {
        var t = AbiType.Parse(text);
        Assert.Equal(canonical, t.CanonicalName);
        Assert.Equal(dynamic, t.IsDynamic);
        Assert.Equal(t, AbiType.Parse(canonical));
    }

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("uint08")]
    [InlineData("bytes0")]
    [InlineData("bytes33")]
    [InlineData("int256[")]
    [InlineData("uint256[0]")]
    [InlineData("(uint256")]
    [InlineData("foo")]
    [InlineData("fixed128x18")]
    [InlineData("uint256 extra")]
    public void RejectsBadTypes(string text)
    {
        var e = Assert.Throws<FormatException>(() => AbiType.Parse(text));
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void SelectorsAndTopicsMatchKnownValues()
    {
        Assert.Equal("0xa9059cbb", Hex.Encode(AbiSignature.Selector("transfer(address,uint256)")));
        Assert.Equal("0xa9059cbb", Hex.Encode(AbiSignature.Selector("transfer(address to, uint amount)")));
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", Hex.Encode(AbiSignature.EventTopic("Transfer(address indexed from, address indexed to, uint256 value)")));
        Assert.Equal("0x08c379a0", Hex.Encode(AbiSignature.Selector("Error(string)")));
        Assert.Equal("0x4e487b71", Hex.Encode(AbiSignature.Selector("Panic(uint256)")));
    }

    [Fact]
    public void EncodesTheSolidityDocsExample()
    {
        // From the Solidity ABI spec: sam(bytes,bool,uint256[]) with ("dave", true, [1,2,3]).
        var data = AbiCodec.EncodeFunctionCall(
            AbiSignature.Selector("sam(bytes,bool,uint256[])"),
            AbiType.ParseList("bytes,bool,uint256[]"),
            ["dave"u8.ToArray(), true, new object?[] { 1, 2, 3 }]);
        const string expected = "a5643bf2"
            + "0000000000000000000000000000000000000000000000000000000000000060"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "00000000000000000000000000000000000000000000000000000000000000a0"
            + "0000000000000000000000000000000000000000000000000000000000000004"
            + "6461766500000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000003"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "0000000000000000000000000000000000000000000000000000000000000002"
            + "0000000000000000000000000000000000000000000000000000000000000003";
        Assert.Equal(expected, Hex.Encode(data, prefix: false));
    }

    [Fact]
    public void EncodingRangeChecksWithClearErrors()
    {
        var e = Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([new AbiUInt(8)], [256]));
        Assert.Contains("uint8", e.Message);
        Assert.Contains("256", e.Message);
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([new AbiUInt(256)], [-1]));
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([new AbiInt(8)], [128]));
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([new AbiInt(8)], [-129]));
        AbiCodec.Encode([new AbiInt(8)], [-128]);
        AbiCodec.Encode([new AbiUInt(256)], [BigInteger.Pow(2, 256) - 1]);
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([new AbiUInt(256)], [BigInteger.Pow(2, 256)]));
        var nested = Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([AbiType.Parse("(uint8,bytes4)[]")], [new object?[] { new object?[] { 1, new byte[4] }, new object?[] { 1, new byte[3] } }]));
        Assert.Contains("$[0][1][1]", nested.Message);
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([AbiType.Bool], ["true"]));
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([AbiType.Parse("uint8[2]")], [new object?[] { 1 }]));
        Assert.Throws<AbiEncodingException>(() => AbiCodec.Encode([AbiType.UInt256], []));
    }

    [Fact]
    public void AcceptsClrIntegersAndLists()
    {
        var a = AbiCodec.Encode([AbiType.Parse("uint64[]"), AbiType.Parse("int32")], [new List<ulong> { 1, ulong.MaxValue }, -7]);
        var decoded = AbiCodec.Decode([AbiType.Parse("uint64[]"), AbiType.Parse("int32")], a);
        Assert.Equal(new object?[] { new BigInteger(1), new BigInteger(ulong.MaxValue) }, (object?[])decoded[0]!);
        Assert.Equal(new BigInteger(-7), decoded[1]);
    }

    [Fact]
    public void DecodingRejectsMalformedData()
    {
        var word = new byte[32];
        void Reject(string type, byte[] data, string fragment)
        {
            var e = Assert.Throws<AbiDecodingException>(() => AbiCodec.Decode([AbiType.Parse(type)], data));
            Assert.Contains(fragment, e.Message);
        }

        var dirtyAddress = (byte[])word.Clone();
        dirtyAddress[0] = 1;
        Reject("address", dirtyAddress, "padding");
        var badBool = (byte[])word.Clone();
        badBool[31] = 2;
        Reject("bool", badBool, "neither 0 nor 1");
        var dirtyUint = (byte[])word.Clone();
        dirtyUint[30] = 1;
        Reject("uint8", dirtyUint, "padding");
        var badInt = (byte[])word.Clone();
        badInt[31] = 0x80; // int8 -128 must be sign-extended with 0xff
        Reject("int8", badInt, "sign-extended");
        var dirtyBytes4 = (byte[])word.Clone();
        dirtyBytes4[4] = 1;
        Reject("bytes4", dirtyBytes4, "padding");
        Reject("uint256", new byte[31], "32-byte word");

        var offsetPastEnd = (byte[])word.Clone();
        offsetPastEnd[31] = 0x40;
        Reject("bytes", offsetPastEnd, "past the end");
        var hugeOffset = Enumerable.Repeat((byte)0xff, 32).ToArray();
        Reject("bytes", hugeOffset, "larger than any possible");
        var lengthPastEnd = new byte[96];
        lengthPastEnd[31] = 0x20;
        lengthPastEnd[63] = 0x21; // 33 bytes but only 32 follow
        Reject("bytes", lengthPastEnd, "runs past the end");
        var arrayTooLong = new byte[64];
        arrayTooLong[31] = 0x20;
        arrayTooLong[60] = 0x01; // 2^24 elements
        Reject("uint256[]", arrayTooLong, "cannot fit");
        var badUtf8 = new byte[96];
        badUtf8[31] = 0x20;
        badUtf8[63] = 1;
        badUtf8[64] = 0xff;
        Reject("string", badUtf8, "UTF-8");
    }

    [Fact]
    public void DecodingRejectsOffsetAliasingAmplification()
    {
        // bytes[][] whose 200 entries all point at the same 200-element inner array: tiny input, huge output.
        var words = new List<ulong> { 32, 200 };
        for (int i = 0; i < 200; i++)
        {
            words.Add(200 * 32);
        }

        words.Add(200);
        for (int i = 0; i < 200; i++)
        {
            words.Add(0);
        }

        var data = words.SelectMany(w =>
        {
            var b = new byte[32];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(24), w);
            return b;
        }).ToArray();
        Assert.Throws<AbiDecodingException>(() => AbiCodec.Decode([AbiType.Parse("uint256[][]")], data));
    }

    [Fact]
    public void RandomNestedTypesRoundTrip()
    {
        // FsCheck drives the seeds; each seed builds a random type tree (depth <= 3) and a matching value.
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var gen = new AbiGen(seed);
            var types = Enumerable.Range(0, 1 + Math.Abs(seed % 4)).Select(_ => gen.Type(3)).ToArray();
            var values = types.Select(gen.Value).ToArray();
            var encoded = AbiCodec.Encode(types, values);
            var decoded = AbiCodec.Decode(types, encoded);
            var reparsed = types.Select(t => AbiType.Parse(t.CanonicalName)).ToArray();
            return encoded.Length % 32 == 0
                && AbiGen.DeepEqual(values, decoded)
                && reparsed.SequenceEqual(types)
                && AbiCodec.Encode(reparsed, decoded).AsSpan().SequenceEqual(encoded);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public async Task SixtyRandomEncodingsMatchCastByteForByte()
    {
        var tasks = Enumerable.Range(0, 60).Select(async seed =>
        {
            var gen = new AbiGen(1000 + seed);
            var types = Enumerable.Range(0, 1 + seed % 4).Select(_ => gen.Type(2)).ToArray();
            var values = types.Select(gen.Value).ToArray();
            string signature = "f(" + string.Join(",", types.Select(t => t.CanonicalName)) + ")";
            var args = new List<string> { "abi-encode", signature };
            args.AddRange(types.Zip(values).Select(p => AbiGen.CastArg(p.First, p.Second, nested: false)));
            string expected = await Cast.RunAsync(args.ToArray());
            return (signature, expected, actual: Hex.Encode(AbiCodec.Encode(types, values)));
        }).ToList();
        foreach (var (signature, expected, actual) in await Task.WhenAll(tasks))
        {
            Assert.True(expected == actual, $"{signature}\ncast: {expected}\nours: {actual}");
        }
    }

    [Fact]
    public async Task CalldataMatchesCast()
    {
        var to = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        string expected = await Cast.RunAsync("calldata", "transfer(address,uint256)", to.ToString(), "1000000000000000000");
        var ours = AbiCodec.EncodeFunctionCall(AbiSignature.Selector("transfer(address,uint256)"), AbiType.ParseList("address,uint256"), [to, BigInteger.Pow(10, 18)]);
        Assert.Equal(expected, Hex.Encode(ours));
    }

    [Fact]
    public void RevertDataDecodesToSpecificExceptions()
    {
        var reason = AbiCodec.EncodeFunctionCall(ContractRevertException.ErrorSelector, [AbiType.String], ["not enough"]);
        var r = Assert.IsType<RevertReasonException>(ContractRevertException.FromRevertData(reason));
        Assert.Equal("not enough", r.Reason);
        Assert.Equal(reason, r.RevertData);

        var panic = AbiCodec.EncodeFunctionCall(ContractRevertException.PanicSelector, [AbiType.UInt256], [0x11]);
        var p = Assert.IsType<PanicException>(ContractRevertException.FromRevertData(panic));
        Assert.Equal(new BigInteger(0x11), p.Code);
        Assert.Contains("overflow", p.Description);

        var sel = AbiSignature.Selector("Insufficient(uint256,address)");
        var custom = AbiCodec.EncodeFunctionCall(sel, AbiType.ParseList("uint256,address"), [5, Address.Zero]);
        var decoders = new Dictionary<string, Func<byte[], CustomErrorException>>
        {
            [Hex.Encode(sel).ToUpperInvariant().Replace("0X", "0x")] = d => new CustomErrorException("Insufficient", sel, AbiCodec.Decode(AbiType.ParseList("uint256,address"), d.AsSpan(4)), d),
        };
        var c = Assert.IsType<CustomErrorException>(ContractRevertException.FromRevertData(custom, decoders));
        Assert.Equal("Insufficient", c.ErrorName);
        Assert.Equal(new BigInteger(5), c.Arguments[0]);
        Assert.Equal(sel, c.Selector);

        var unknown = ContractRevertException.FromRevertData(custom);
        Assert.Equal(typeof(ContractRevertException), unknown.GetType());
        Assert.Contains(Hex.Encode(sel), unknown.Message);
        Assert.Contains("without data", ContractRevertException.FromRevertData([]).Message);
        var truncated = ContractRevertException.FromRevertData(reason[..40]);
        Assert.Equal(typeof(ContractRevertException), truncated.GetType());
        Assert.Contains("malformed", truncated.Message);
    }
}
