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
}
