using System.Numerics;
using FsCheck.Fluent;
using ProverMarketChain.Proving.Fields;
using static ProverMarketChain.Proving.Tests.Arithmetic.PropertyHelpers;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

public class TowerTests
{
    [Fact]
    public void Fq2_laws_and_schoolbook_product()
    {
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            Fq2 a = Fq2.Random(rng), b = Fq2.Random(rng), c = Fq2.Random(rng);
            // Independent oracle: (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u.
            var school = new Fq2(a.C0 * b.C0 - a.C1 * b.C1, a.C0 * b.C1 + a.C1 * b.C0);
            return a * b == school && a * b == b * a && (a * b) * c == a * (b * c) && a * (b + c) == a * b + a * c
                && a.Square() == a * a && (a.IsZero || (a * a.Inverse()).IsOne)
                && a.MulByNonResidue() == a * Fq2.NonResidue && a.Frobenius(1) == a.Pow(Fq.Modulus)
                && a - a == Fq2.Zero && a.Double() == a + a;
        }), 50);
    }

    [Fact]
    public void Frobenius_coefficients_by_recurrence_equal_the_direct_powers()
    {
        // The tower's constants xi^((q^k - 1)/6) come from a conjugate-and-multiply recurrence; the oracle is the power
        // itself, with BigInteger exponents of up to 2,800 bits.
        var powers = Fq2.FrobeniusPowers();
        for (int k = 0; k < 12; k++)
        {
            Assert.Equal(Fq2.NonResidue.Pow((BigInteger.Pow(Fq.Modulus, k) - 1) / 6), powers[k]);
        }
    }

    [Fact]
    public void Fq2_sqrt_round_trips_and_detects_non_squares()
    {
        var rng = new Random(3);
        int nonSquares = 0;
        for (int i = 0; i < 20; i++)
        {
            Fq2 a = Fq2.Random(rng);
            Fq2 sq = a.Square();
            Assert.Equal(sq, sq.Sqrt().Square());
            // In Fq2, a is a square iff its norm is a square in Fq.
            bool expected = a.Norm().IsSquare();
            Assert.Equal(expected, a.TrySqrt(out Fq2 r));
            if (expected)
            {
                Assert.Equal(a, r.Square());
            }
            else
            {
                nonSquares++;
                Assert.Throws<ArithmeticException>(() => a.Sqrt());
            }
        }
        Assert.True(nonSquares > 0);
        // Purely real and purely imaginary inputs take special paths.
        Fq2 minusFour = new(-Fq.FromBigInteger(4), Fq.Zero);
        Assert.Equal(minusFour, minusFour.Sqrt().Square());
        Fq2 nine = new(Fq.FromBigInteger(9), Fq.Zero);
        Assert.Equal(nine, nine.Sqrt().Square());
        Assert.True(Fq2.Zero.Sqrt().IsZero);
    }

    [Fact]
    public void Fq6_laws_and_frobenius()
    {
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            Fq6 a = Fq6.Random(rng), b = Fq6.Random(rng), c = Fq6.Random(rng);
            Fq2 d0 = Fq2.Random(rng), d1 = Fq2.Random(rng);
            return a * b == b * a && (a * b) * c == a * (b * c) && a * (b + c) == a * b + a * c
                && a.Square() == a * a && (a * a.Inverse()).IsOne
                && a.MulBy01(d0, d1) == a * new Fq6(d0, d1, Fq2.Zero)
                && a.MulBy1(d1) == a * new Fq6(Fq2.Zero, d1, Fq2.Zero)
                && a.MulByV() == a * new Fq6(Fq2.Zero, Fq2.One, Fq2.Zero)
                && a.Frobenius(1) == a.Pow6(Fq.Modulus) && a.Frobenius(2) == a.Frobenius(1).Frobenius(1)
                && a.Frobenius(6) == a;
        }), 15);
    }

    [Fact]
    public void Fq12_laws_frobenius_and_sparse_products()
    {
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            Fq12 a = Fq12.Random(rng), b = Fq12.Random(rng), c = Fq12.Random(rng);
            Fq2 d0 = Fq2.Random(rng), d3 = Fq2.Random(rng), d4 = Fq2.Random(rng);
            var sparse = new Fq12(new Fq6(d0, Fq2.Zero, Fq2.Zero), new Fq6(d3, d4, Fq2.Zero));
            return a * b == b * a && (a * b) * c == a * (b * c) && a * (b + c) == a * b + a * c
                && a.Square() == a * a && (a * a.Inverse()).IsOne
                && a.MulBy034(d0, d3, d4) == a * sparse
                && a.Frobenius(1) == a.Pow(Fq.Modulus)
                && a.Frobenius(2) == a.Frobenius(1).Frobenius(1) && a.Frobenius(3) == a.Frobenius(2).Frobenius(1)
                && a.Frobenius(6) == a.Conjugate() && a.Frobenius(12) == a;
        }), 8);
    }

    [Fact]
    public void Cyclotomic_square_matches_square_in_the_cyclotomic_subgroup()
    {
        var rng = new Random(11);
        for (int i = 0; i < 10; i++)
        {
            Fq12 f = Fq12.Random(rng);
            // f^((q^6 - 1)(q^2 + 1)) lies in the cyclotomic subgroup.
            Fq12 t = f.Conjugate() * f.Inverse();
            Fq12 g = t.Frobenius(2) * t;
            Assert.Equal(g.Square(), g.CyclotomicSquare());
            Assert.True((g * g.Conjugate()).IsOne);
            // Outside the subgroup the shortcut is not a square, which is why it is only used there.
            Assert.NotEqual(f.Square(), f.CyclotomicSquare());
        }
    }

    [Fact]
    public void Inverting_zero_throws()
    {
        Assert.Throws<DivideByZeroException>(() => Fq2.Zero.Inverse());
        Assert.Throws<DivideByZeroException>(() => Fq6.Zero.Inverse());
        Assert.Throws<DivideByZeroException>(() => Fq12.Zero.Inverse());
    }
}

internal static class Fq6TestExtensions
{
    /// <summary>Square-and-multiply power used as an oracle for the Frobenius.</summary>
    public static Fq6 Pow6(this Fq6 a, BigInteger e)
    {
        Fq6 acc = Fq6.One;
        for (long i = (long)e.GetBitLength() - 1; i >= 0; i--)
        {
            acc = acc.Square();
            if (!(e >> (int)i).IsEven)
            {
                acc *= a;
            }
        }
        return acc;
    }
}
