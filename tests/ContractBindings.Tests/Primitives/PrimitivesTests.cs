using System.Text;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Tests.Primitives;

public class PrimitivesTests
{
    [Theory]
    [InlineData("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [InlineData("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")]
    [InlineData("transfer(address,uint256)", "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b")]
    public void KeccakMatchesPublishedVectors(string input, string expected)
    {
        Assert.Equal(expected, Hex.Encode(Keccak.Hash(Encoding.UTF8.GetBytes(input)), prefix: false));
    }

    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read, so partial blocks straddle reads.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(135, 7)]
    [InlineData(136, 136)]
    [InlineData(137, 50)]
    [InlineData(1_000_003, 4093)]
    [InlineData(1_200_000, 1 << 20)]
    public async Task KeccakHashAsync_streamedInAnyChunks_equalsTheOneShotHash(int length, int chunk)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        using var stream = new TrickleStream(data, chunk);
        Assert.Equal(Keccak.Hash(data), await Keccak.HashAsync(stream));
    }

    [Fact]
    public void KeccakHandlesEveryLengthAroundTheRateBoundary()
    {
        // Lengths 0..300 cross the 136-byte rate twice; the span and array overloads must agree and all digests differ.
        var seen = new HashSet<string>();
        for (int n = 0; n <= 300; n++)
        {
            var data = Enumerable.Range(0, n).Select(i => (byte)(i * 7 + 1)).ToArray();
            var a = Keccak.Hash(data);
            var b = new byte[32];
            Keccak.Hash(data, b);
            Assert.Equal(a, b);
            Assert.True(seen.Add(Hex.Encode(a)));
        }

        // 136 zero bytes (exactly one block before padding) and 135 (padding bytes collide in one byte: 0x81).
        Assert.Equal("3a5912a7c5faa06ee4fe906253e339467a9ce87d533c65be3c15cb231cdb25f9", Hex.Encode(Keccak.Hash(new byte[136]), false));
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55ExamplesRoundTrip(string checksummed)
    {
        var fromMixed = Address.Parse(checksummed);
        Assert.Equal(checksummed, fromMixed.ToString());
        Assert.Equal(fromMixed, Address.Parse(checksummed.ToLowerInvariant()));
        Assert.Equal(fromMixed, Address.Parse("0x" + checksummed[2..].ToUpperInvariant()));
        Assert.Equal(fromMixed, Address.Parse(checksummed[2..]));
    }

    [Fact]
    public void AddressRejectsBadChecksumLengthAndCharacters()
    {
        var bad = Assert.Throws<FormatException>(() => Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        Assert.Contains("checksum", bad.Message);
        var shortOne = Assert.Throws<FormatException>(() => Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"));
        Assert.Contains("40 hex digits", shortOne.Message);
        var nonHex = Assert.Throws<FormatException>(() => Address.Parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg"));
        Assert.Contains("'g'", nonHex.Message);
        Assert.Contains("position 41", nonHex.Message);
    }

    [Fact]
    public void AddressBytesAndZero()
    {
        var bytes = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var a = Address.FromBytes(bytes);
        Assert.Equal(bytes, a.ToArray());
        Assert.True(a.Bytes.SequenceEqual(bytes));
        Assert.True(Address.Zero.IsZero);
        Assert.Equal("0x0000000000000000000000000000000000000000", Address.Zero.ToString());
        Assert.NotEqual(Address.Zero, a);
        Assert.Throws<ArgumentException>(() => Address.FromBytes(new byte[19]));
    }

    [Fact]
    public void HexDecodesAndReportsErrors()
    {
        Assert.Equal(new byte[] { 0xde, 0xad, 0xBE, 0xef }, Hex.Decode("0xDeadBEEF"));
        Assert.Equal(new byte[] { 0x01 }, Hex.Decode("01"));
        Assert.Empty(Hex.Decode("0x"));
        Assert.Equal("0xdeadbeef", Hex.Encode(new byte[] { 0xde, 0xad, 0xbe, 0xef }));
        Assert.Equal("deadbeef", Hex.Encode(new byte[] { 0xde, 0xad, 0xbe, 0xef }, prefix: false));
        var odd = Assert.Throws<FormatException>(() => Hex.Decode("0xabc"));
        Assert.Contains("odd", odd.Message);
        var bad = Assert.Throws<FormatException>(() => Hex.Decode("0x12z4"));
        Assert.Contains("'z'", bad.Message);
        Assert.Contains("position 4", bad.Message);
        var big = new byte[1000];
        new Random(1).NextBytes(big);
        Assert.Equal(big, Hex.Decode(Hex.Encode(big)));
    }
}
