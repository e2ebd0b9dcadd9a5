using System.Numerics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rlp;

namespace ProverMarketChain.ContractBindings.Tests.Rlp;

public class RlpTests
{
    private static RlpString S(string s) => new(Encoding.ASCII.GetBytes(s));

    public static TheoryData<string, RlpItem> Vectors() => new()
    {
        // Examples from the Ethereum RLP specification.
        { "0x83646f67", S("dog") },
        { "0xc88363617483646f67", new RlpList(S("cat"), S("dog")) },
        { "0x80", RlpString.Empty },
        { "0xc0", new RlpList() },
        { "0x80", RlpString.FromUInt(0UL) },
        { "0x00", new RlpString([0x00]) },
        { "0x0f", RlpString.FromUInt(15UL) },
        { "0x820400", RlpString.FromUInt(1024UL) },
        { "0xc7c0c1c0c3c0c1c0", new RlpList(new RlpList(), new RlpList(new RlpList()), new RlpList(new RlpList(), new RlpList(new RlpList()))) },
        { "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974", S("Lorem ipsum dolor sit amet, consectetur adipisicing elit") },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void MatchesSpecExamples(string hex, RlpItem item)
    {
        Assert.Equal(hex, Hex.Encode(item.Encode()));
        Assert.Equal(item, RlpDecoder.Decode(Hex.Decode(hex)));
    }

    [Theory]
    [InlineData("0x8100", "single byte")]          // 0x00 must encode as itself
    [InlineData("0x817f", "single byte")]
    [InlineData("0xb801ff", "short form")]          // long form for a 1-byte payload
    [InlineData("0xb90000", "leading zero")]
    [InlineData("0x83646f", "remain")]              // truncated
    [InlineData("0x83646f6700", "trailing")]
    [InlineData("0xc3836463", "remain")]            // list item overruns the list
    [InlineData("0xf80100", "short form")]
    [InlineData("0x", "end of data")]
    public void RejectsNonCanonicalAndTruncated(string hex, string fragment)
    {
        var e = Assert.Throws<RlpException>(() => RlpDecoder.Decode(Hex.Decode(hex)));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void ScalarsRejectLeadingZeros()
    {
        Assert.Throws<RlpException>(() => new RlpString([0x00, 0x01]).ToUInt64("x"));
        Assert.Equal(0x0102UL, new RlpString([0x01, 0x02]).ToUInt64("x"));
        Assert.Equal(BigInteger.Pow(2, 255), RlpString.FromUInt(BigInteger.Pow(2, 255)).ToBigInteger("x"));
    }

    private static RlpItem RandomItem(Random rng, int depth)
    {
        if (depth == 0 || rng.Next(3) > 0)
        {
            int len = rng.Next(4) switch { 0 => 0, 1 => 1, 2 => rng.Next(2, 56), _ => rng.Next(56, 400) };
            var b = new byte[len];
            rng.NextBytes(b);
            return new RlpString(b);
        }

        return new RlpList(Enumerable.Range(0, rng.Next(0, 6)).Select(_ => RandomItem(rng, depth - 1)).ToArray());
    }

    [Fact]
    public void RandomTreesRoundTrip()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var item = RandomItem(new Random(seed), 4);
            var encoded = item.Encode();
            return encoded.Length == item.EncodedLength && RlpDecoder.Decode(encoded).Equals(item);
        }).QuickCheckThrowOnFailure();

        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), v => RlpDecoder.Decode(RlpString.FromUInt(v).Encode()).AsString("v").ToUInt64("v") == v)
            .QuickCheckThrowOnFailure();
    }
}
