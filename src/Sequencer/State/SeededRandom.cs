using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// The deterministic byte stream of <c>circuits/scripts/rollup-input.js</c> (its <c>makeRng</c>): block i is
/// <c>SHA-256("&lt;seed&gt;/&lt;i&gt;")</c>; <see cref="Bits"/> concatenates whole blocks and keeps the top bits, and
/// <see cref="Below"/> samples by rejection. The same seed draws the same numbers in both, so a state and batch built
/// here can be compared with the script's byte for byte.
/// </summary>
public sealed class SeededRandom
{
    private readonly string _key;
    private long _counter;

    /// <summary>A stream for <paramref name="seed"/>; <c>"random"</c> draws a fresh 32-byte key, as the script does.</summary>
    public SeededRandom(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        _key = seed == "random" ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : seed;
    }

    /// <summary>The next <paramref name="n"/> bits as an unsigned integer.</summary>
    public BigInteger Bits(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        BigInteger output = BigInteger.Zero;
        int have = 0;
        Span<byte> block = stackalloc byte[32];
        while (have < n)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{_key}/{_counter++}")), block);
            output = (output << 256) | new BigInteger(block, isUnsigned: true, isBigEndian: true);
            have += 256;
        }
        return output >> (have - n);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>) by rejection sampling.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The bound is not positive.</exception>
    public BigInteger Below(BigInteger bound)
    {
        if (bound.Sign <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "empty range: the bound must be positive");
        int n = (int)bound.GetBitLength();
        while (true)
        {
            var x = Bits(n);
            if (x < bound) return x;
        }
    }
}
