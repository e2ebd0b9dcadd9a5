using System.Numerics;
using System.Runtime.CompilerServices;

namespace ProverMarketChain.Proving.Fields;

/// <summary>Quadratic extension Fq12 = Fq6[w]/(w^2 - v); the element is C0 + C1 w. Pairing values live here.</summary>
public readonly struct Fq12 : IEquatable<Fq12>
{
    /// <summary>Coefficient of 1.</summary>
    public readonly Fq6 C0;

    /// <summary>Coefficient of w.</summary>
    public readonly Fq6 C1;

    /// <summary>Creates C0 + C1 w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq12(in Fq6 c0, in Fq6 c1) { C0 = c0; C1 = c1; }

    /// <summary>Zero.</summary>
    public static Fq12 Zero => default;

    /// <summary>One.</summary>
    public static Fq12 One => new(Fq6.One, Fq6.Zero);

    // FrobW[k] = xi^((q^k - 1)/6) = w^(q^k - 1), k = 0..11.
    private static readonly Fq2[] FrobW = Fq2.FrobeniusCoefficients;

    /// <summary>True when zero.</summary>
    public bool IsZero => C0.IsZero && C1.IsZero;

    /// <summary>True when one.</summary>
    public bool IsOne => C0.IsOne && C1.IsZero;

    /// <summary>Sum.</summary>
    public static Fq12 operator +(in Fq12 a, in Fq12 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    /// <summary>Difference.</summary>
    public static Fq12 operator -(in Fq12 a, in Fq12 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    /// <summary>Negation.</summary>
    public static Fq12 operator -(in Fq12 a) => new(-a.C0, -a.C1);

    /// <summary>Product (Karatsuba over Fq6).</summary>
    public static Fq12 operator *(in Fq12 a, in Fq12 b)
    {
        Fq6 aa = a.C0 * b.C0;
        Fq6 bb = a.C1 * b.C1;
        Fq6 c1 = (a.C0 + a.C1) * (b.C0 + b.C1) - aa - bb;
        return new Fq12(aa + bb.MulByV(), c1);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(in Fq12 a, in Fq12 b) => a.C0 == b.C0 && a.C1 == b.C1;

    /// <summary>Inequality.</summary>
    public static bool operator !=(in Fq12 a, in Fq12 b) => !(a == b);

    /// <summary>Square (complex method, 2 Fq6 multiplications).</summary>
    public Fq12 Square()
    {
        Fq6 ab = C0 * C1;
        Fq6 c0 = (C0 + C1) * (C0 + C1.MulByV()) - ab - ab.MulByV();
        return new Fq12(c0, ab.Double());
    }

    /// <summary>Conjugate C0 - C1 w (= this^(q^6); the inverse for elements of the cyclotomic subgroup).</summary>
    public Fq12 Conjugate() => new(C0, -C1);

    /// <summary>this^(q^power).</summary>
    public Fq12 Frobenius(int power)
    {
        int k = ((power % 12) + 12) % 12;
        Fq6 c0 = C0.Frobenius(k);
        Fq6 c1 = C1.Frobenius(k);
        Fq2 g = FrobW[k];
        return new Fq12(c0, new Fq6(c1.C0 * g, c1.C1 * g, c1.C2 * g));
    }

    /// <summary>Multiplies by the sparse element (d0) + (d3 + d4 v) w, the shape of a D-twist line evaluation.</summary>
    public Fq12 MulBy034(in Fq2 d0, in Fq2 d3, in Fq2 d4)
    {
        var a = new Fq6(C0.C0 * d0, C0.C1 * d0, C0.C2 * d0);
        Fq6 b = C1.MulBy01(d3, d4);
        Fq6 e = (C0 + C1).MulBy01(d0 + d3, d4);
        return new Fq12(b.MulByV() + a, e - a - b);
    }

    /// <summary>Multiplicative inverse: (c0 - c1 w) / (c0^2 - v c1^2).</summary>
    /// <exception cref="DivideByZeroException">This is zero.</exception>
    public Fq12 Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("Cannot invert zero in Fq12.");
        }
        Fq6 t = (C0.Square() - C1.Square().MulByV()).Inverse();
        return new Fq12(C0 * t, -(C1 * t));
    }

    /// <summary>this^e (e &gt;= 0; negative inverts first).</summary>
    public Fq12 Pow(BigInteger e)
    {
        if (e.Sign < 0)
        {
            return Inverse().Pow(-e);
        }
        Fq12 acc = One;
        for (long i = (long)e.GetBitLength() - 1; i >= 0; i--)
        {
            acc = acc.Square();
            if (!(e >> (int)i).IsEven)
            {
                acc *= this;
            }
        }
        return acc;
    }

    /// <summary>Granger-Scott squaring, valid only in the cyclotomic subgroup (e.g. after the easy part of the final
    /// exponentiation); 6 Fq2 squarings instead of a full Fq12 squaring.</summary>
    public Fq12 CyclotomicSquare()
    {
        // Coefficients by power of w (w^2 = v, w^6 = xi): C0 = g0 + g2 w^2 + g4 w^4, C1 = g1 w + g3 w^3 + g5 w^5.
        // The pairs (g0, g3), (g1, g4), (g2, g5) are elements of Fq4 = Fq2[s]/(s^2 - xi) with s = w^3.
        Fq2 g0 = C0.C0, g2 = C0.C1, g4 = C0.C2, g1 = C1.C0, g3 = C1.C1, g5 = C1.C2;

        Fq4Square(g0, g3, out Fq2 t0, out Fq2 t1);
        Fq4Square(g1, g4, out Fq2 t2, out Fq2 t3);
        Fq4Square(g2, g5, out Fq2 t4, out Fq2 t5);

        Fq2 z0 = (t0 - g0).Double() + t0;   // 3 t0 - 2 g0
        Fq2 z1 = (t1 + g3).Double() + t1;   // 3 t1 + 2 g3
        Fq2 xt5 = t5.MulByNonResidue();
        Fq2 z2 = (xt5 + g1).Double() + xt5; // 3 xi t5 + 2 g1
        Fq2 z3 = (t4 - g4).Double() + t4;   // 3 t4 - 2 g4
        Fq2 z4 = (t2 - g2).Double() + t2;   // 3 t2 - 2 g2
        Fq2 z5 = (t3 + g5).Double() + t3;   // 3 t3 + 2 g5

        return new Fq12(new Fq6(z0, z4, z3), new Fq6(z2, z1, z5));
    }

    /// <summary>(a + b s)^2 with s^2 = xi: returns (a^2 + xi b^2, 2ab).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fq4Square(in Fq2 a, in Fq2 b, out Fq2 c0, out Fq2 c1)
    {
        Fq2 a2 = a.Square();
        Fq2 b2 = b.Square();
        c0 = b2.MulByNonResidue() + a2;
        c1 = (a + b).Square() - a2 - b2;
    }

    /// <summary>Uniformly random element.</summary>
    public static Fq12 Random(Random rng) => new(Fq6.Random(rng), Fq6.Random(rng));

    /// <inheritdoc />
    public bool Equals(Fq12 other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fq12 o && this == o;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(C0, C1);

    /// <summary>"{c0; c1}".</summary>
    public override string ToString() => $"{{{C0}; {C1}}}";
}
