using System.Numerics;

namespace ProverMarketChain.Sequencer.Chain;

/// <summary>Field elements as the contract's <c>bytes32</c> words (big-endian, unsigned) and back.</summary>
public static class Words
{
    /// <summary>The 32-byte big-endian word of a value in [0, 2^256).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or wider than 256 bits.</exception>
    public static byte[] Bytes32(BigInteger value)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256) throw new ArgumentOutOfRangeException(nameof(value), value, "a bytes32 word holds an integer in [0, 2^256)");
        var word = new byte[32];
        value.TryWriteBytes(word.AsSpan(32 - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return word;
    }

    /// <summary>The unsigned integer of a big-endian word.</summary>
    public static BigInteger ToBigInteger(byte[] word) => new(word, isUnsigned: true, isBigEndian: true);
}
