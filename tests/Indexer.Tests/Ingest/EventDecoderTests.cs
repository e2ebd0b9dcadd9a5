using Nethereum.ABI;
using ProverMarketChain.Indexer.Ingest;

namespace ProverMarketChain.Indexer.Tests.Ingest;

/// <summary>What a requester controls in an event (inline input bytes, the input URI) cannot blow up the index.</summary>
public sealed class EventDecoderTests
{
    [Fact]
    public void test_toJson_capsRequesterChosenBytesAndStrings()
    {
        var bytes = new byte[EventDecoder.MaxInlineBytes + 1];
        var capped = EventDecoder.ToJson(bytes, new BytesType())!.GetValue<string>();
        Assert.StartsWith("keccak256:0x", capped);
        Assert.EndsWith($"({bytes.Length} bytes)", capped);
        Assert.Equal(2 + 2 * EventDecoder.MaxInlineBytes, EventDecoder.ToJson(new byte[EventDecoder.MaxInlineBytes], new BytesType())!.GetValue<string>().Length);

        var uri = "https://example.org/" + new string('a', EventDecoder.MaxInlineChars);
        var s = EventDecoder.ToJson(uri, new StringType())!.GetValue<string>();
        Assert.EndsWith($"({uri.Length} characters)", s);
        Assert.Equal("ipfs://x", EventDecoder.ToJson("ipfs://x", new StringType())!.GetValue<string>());
    }

    [Fact]
    public void test_toJson_addressesAreLowercasedAndNumbersAreDecimalStrings()
    {
        Assert.Equal("0xabcdef0000000000000000000000000000000001", EventDecoder.ToJson("0xABCDEF0000000000000000000000000000000001", new AddressType())!.GetValue<string>());
        Assert.Equal("115792089237316195423570985008687907853269984665640564039457584007913129639935",
            EventDecoder.ToJson((System.Numerics.BigInteger.One << 256) - 1, new IntType("uint256"))!.GetValue<string>());
    }
}
