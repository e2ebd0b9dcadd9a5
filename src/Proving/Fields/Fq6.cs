using System.Numerics;
using System.Runtime.CompilerServices;

namespace ProverMarketChain.Proving.Fields;

/// <summary>Cubic extension Fq6 = Fq2[v]/(v^3 - xi), xi = 9 + u; the element is C0 + C1 v + C2 v^2.</summary>
public readonly struct Fq6 : IEquatable<Fq6>
{
    /// <summary>Coefficient of 1.</summary>
    public readonly Fq2 C0;

    /// <summary>Coefficient of v.</summary>
    public readonly Fq2 C1;

    /// <summary>Coefficient of v^2.</summary>
    public readonly Fq2 C2;

    /// <summary>Creates C0 + C1 v + C2 v^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq6(in Fq2 c0, in Fq2 c1, in Fq2 c2) { C0 = c0; C1 = c1; C2 = c2; }

    /// <summary>Zero.</summary>
    public static Fq6 Zero => default;

    /// <summary>One.</summary>
    public static Fq6 One => new(Fq2.One, Fq2.Zero, Fq2.Zero);

    // FrobC1[k] = xi^((q^k - 1)/3), FrobC2[k] = xi^(2(q^k - 1)/3), k = 0..5.
    private static readonly Fq2[] FrobC1 = new Fq2[6];
    private static readonly Fq2[] FrobC2 = new Fq2[6];

    static Fq6()
    {
        // xi^((q^k - 1)/3) is the square of xi^((q^k - 1)/6).
        var sixth = Fq2.FrobeniusCoefficients;
        for (int k = 0; k < 6; k++)
        {
            FrobC1[k] = sixth[k].Square();
            FrobC2[k] = FrobC1[k].Square();
        }
    }

    /// <summary>True when zero.</summary>
    public bool IsZero => C0.IsZero && C1.IsZero && C2.IsZero;

    /// <summary>True when one.</summary>
    public bool IsOne => C0.IsOne && C1.IsZero && C2.IsZero;

    /// <summary>Sum.</summary>
    public static Fq6 operator +(in Fq6 a, in Fq6 b) => new(a.C0 + b.C0, a.C1 + b.C1, a.C2 + b.C2);

    /// <summary>Difference.</summary>
    public static Fq6 operator -(in Fq6 a, in Fq6 b) => new(a.C0 - b.C0, a.C1 - b.C1, a.C2 - b.C2);

    /// <summary>Negation.</summary>
    public static Fq6 operator -(in Fq6 a) => new(-a.C0, -a.C1, -a.C2);

    /// <summary>Product (Karatsuba-style, 6 Fq2 multiplications).</summary>
    public static Fq6 operator *(in Fq6 a, in Fq6 b)
    {
        Fq2 aa = a.C0 * b.C0;
        Fq2 bb = a.C1 * b.C1;
        Fq2 cc = a.C2 * b.C2;
        Fq2 c0 = ((a.C1 + a.C2) * (b.C1 + b.C2) - bb - cc).MulByNonResidue() + aa;
        Fq2 c1 = (a.C0 + a.C1) * (b.C0 + b.C1) - aa - bb + cc.MulByNonResidue();
        Fq2 c2 = (a.C0 + a.C2) * (b.C0 + b.C2) - aa - cc + bb;
        return new Fq6(c0, c1, c2);
    }

    /// <summary>Product with an Fq2 scalar.</summary>
    public static Fq6 operator *(in Fq6 a, in Fq2 k) => new(a.C0 * k, a.C1 * k, a.C2 * k);

    /// <summary>Equality.</summary>
    public static bool operator ==(in Fq6 a, in Fq6 b) => a.C0 == b.C0 && a.C1 == b.C1 && a.C2 == b.C2;

    /// <summary>Inequality.</summary>
    public static bool operator !=(in Fq6 a, in Fq6 b) => !(a == b);

    /// <summary>Square (Chung-Hasan SQR2).</summary>
    public Fq6 Square()
    {
        Fq2 s0 = C0.Square();
        Fq2 ab = C0 * C1;
        Fq2 s1 = ab.Double();
        Fq2 s2 = (C0 - C1 + C2).Square();
        Fq2 bc = C1 * C2;
        Fq2 s3 = bc.Double();
        Fq2 s4 = C2.Square();
        return new Fq6(s3.MulByNonResidue() + s0, s4.MulByNonResidue() + s1, s1 + s2 + s3 - s0 - s4);
    }

    /// <summary>2*this.</summary>
    public Fq6 Double() => new(C0.Double(), C1.Double(), C2.Double());

    /// <summary>Multiplies by v: (c0, c1, c2) -> (xi c2, c0, c1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq6 MulByV() => new(C2.MulByNonResidue(), C0, C1);

    /// <summary>Multiplies by the sparse element b0 + b1 v.</summary>
    public Fq6 MulBy01(in Fq2 b0, in Fq2 b1)
    {
        Fq2 aa = C0 * b0;
        Fq2 bb = C1 * b1;
        Fq2 t1 = (C2 * b1).MulByNonResidue() + aa;
        Fq2 t3 = C2 * b0 + bb;
        Fq2 t2 = (C0 + C1) * (b0 + b1) - aa - bb;
        return new Fq6(t1, t2, t3);
    }

    /// <summary>Multiplies by the sparse element b1 v.</summary>
    public Fq6 MulBy1(in Fq2 b1) => new((C2 * b1).MulByNonResidue(), C0 * b1, C1 * b1);

    /// <summary>this^(q^power).</summary>
    public Fq6 Frobenius(int power)
    {
        int k = ((power % 6) + 6) % 6;
        return new Fq6(C0.Frobenius(k), C1.Frobenius(k) * FrobC1[k], C2.Frobenius(k) * FrobC2[k]);
    }

    /// <summary>Multiplicative inverse.</summary>
    /// <exception cref="DivideByZeroException">This is zero.</exception>
    public Fq6 Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("Cannot invert zero in Fq6.");
        }
        Fq2 t0 = C0.Square() - (C1 * C2).MulByNonResidue();
        Fq2 t1 = C2.Square().MulByNonResidue() - C0 * C1;
        Fq2 t2 = C1.Square() - C0 * C2;
        Fq2 denom = C0 * t0 + (C2 * t1 + C1 * t2).MulByNonResidue();
        Fq2 inv = denom.Inverse();
        return new Fq6(t0 * inv, t1 * inv, t2 * inv);
    }

    /// <summary>Uniformly random element.</summary>
    public static Fq6 Random(Random rng) => new(Fq2.Random(rng), Fq2.Random(rng), Fq2.Random(rng));

    /// <inheritdoc />
    public bool Equals(Fq6 other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fq6 o && this == o;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(C0, C1, C2);

    /// <summary>"[c0, c1, c2]".</summary>
    public override string ToString() => $"[{C0}, {C1}, {C2}]";
}
