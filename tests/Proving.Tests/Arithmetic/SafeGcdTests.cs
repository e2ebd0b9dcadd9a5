using System.Numerics;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

/// <summary>safegcd inversion against BigInteger.ModPow and against the Fermat inverse, on both fields.</summary>
public class SafeGcdTests
{
    private static U256 ToU256(BigInteger v) => U256.FromBigInteger(v);

    public static TheoryData<string> Fields => new() { "Fq", "Fr" };

    private static IEnumerable<BigInteger> Inputs(BigInteger p, int seed)
    {
        // Edge values: one, two, small powers of two, values next to p, (p +- 1) / 2, and values with long zero runs.
        foreach (var v in new[] { BigInteger.One, 2, 3, BigInteger.One << 62, BigInteger.One << 64, BigInteger.One << 200,
                     p - 1, p - 2, (p - 1) / 2, (p + 1) / 2, (BigInteger.One << 253) + 1, p >> 1, (BigInteger.One << 248) - 1 })
        {
            yield return v % p;
        }
        var rng = new Random(seed);
        var bytes = new byte[32];
        for (int i = 0; i < 3000; i++)
        {
            rng.NextBytes(bytes);
            // Sparse values too: a few random bits set.
            var v = i % 4 == 0 ? BigInteger.One << rng.Next(250) | BigInteger.One << rng.Next(250) : new BigInteger(bytes, isUnsigned: true) % p;
            if (!v.IsZero) yield return v;
        }
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Plain_inverse_matches_ModPow(string field)
    {
        BigInteger p = field == "Fq" ? Fq.Modulus : Fr.Modulus;
        foreach (var x in Inputs(p, field.Length))
        {
            U256 inv = field == "Fq" ? SafeGcd<FqParams>.Inverse(ToU256(x)) : SafeGcd<FrParams>.Inverse(ToU256(x));
            Assert.Equal(BigInteger.ModPow(x, p - 2, p), inv.ToBigInteger());
        }
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Montgomery_inverse_equals_the_Fermat_inverse_and_zero_stays_zero(string field)
    {
        BigInteger p = field == "Fq" ? Fq.Modulus : Fr.Modulus;
        foreach (var x in Inputs(p, 7 + field.Length))
        {
            // x read as a Montgomery-form limb vector (any value below p is one).
            U256 a = ToU256(x);
            if (field == "Fq")
            {
                Assert.Equal(Mont<FqParams>.InverseFermat(a), SafeGcd<FqParams>.InverseMontgomery(a));
            }
            else
            {
                Assert.Equal(Mont<FrParams>.InverseFermat(a), SafeGcd<FrParams>.InverseMontgomery(a));
            }
        }
        Assert.Equal(default, SafeGcd<FqParams>.InverseMontgomery(default));
        Assert.Throws<DivideByZeroException>(() => Fq.Zero.Inverse());
    }
    [Fact]
    public void Acc128_matches_Int128_on_signed_products_sums_and_shifts()
    {
        // The accumulator that replaced Int128 in the limb updates, against Int128 itself, with the extremes of each
        // sign and random values (products of two 63-bit magnitudes, sums that carry across the words).
        var rng = new Random(62);
        long[] edge = [0, 1, -1, long.MaxValue, long.MinValue, long.MinValue + 1, 1L << 62, -(1L << 62), (1L << 62) - 1];
        for (int i = 0; i < 20000; i++)
        {
            long Pick() => i < edge.Length * edge.Length ? 0 : rng.NextInt64(long.MinValue, long.MaxValue);
            long a = i < 81 ? edge[i / 9] : Pick(), b = i < 81 ? edge[i % 9] : Pick();
            long c = Pick() >> rng.Next(64), d = Pick() >> rng.Next(64);
            var acc = Acc128.Product(a, b).MulAdd(c, d);
            Int128 expected = (Int128)a * b + (Int128)c * d;
            Assert.Equal((ulong)expected, acc.Lo);
            Assert.Equal((long)(expected >> 64), acc.Hi);
            var shifted = acc.Shift62();
            Assert.Equal((ulong)(expected >> 62), shifted.Lo);
            Assert.Equal((long)(expected >> 126), shifted.Hi);
        }
    }
}
