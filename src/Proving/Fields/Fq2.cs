using System.Numerics;
using System.Runtime.CompilerServices;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Fields;

/// <summary>Quadratic extension Fq2 = Fq[u]/(u^2 + 1); the element is C0 + C1*u.</summary>
public readonly struct Fq2 : IEquatable<Fq2>
{
    /// <summary>Coefficient of 1.</summary>
    public readonly Fq C0;

    /// <summary>Coefficient of u.</summary>
    public readonly Fq C1;

    /// <summary>Creates C0 + C1*u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq2(Fq c0, Fq c1) { C0 = c0; C1 = c1; }

    /// <summary>Zero.</summary>
    public static Fq2 Zero => default;

    /// <summary>One.</summary>
    public static Fq2 One => new(Fq.One, Fq.Zero);

    /// <summary>The sextic non-residue xi = 9 + u defining Fq6 (v^3 = xi) and the twist.</summary>
    public static Fq2 NonResidue { get; } = new(Fq.FromBigInteger(9), Fq.One);

    /// <summary>True when zero.</summary>
    public bool IsZero => C0.IsZero && C1.IsZero;

    /// <summary>True when one.</summary>
    public bool IsOne => C0.IsOne && C1.IsZero;

    /// <summary>Sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator +(in Fq2 a, in Fq2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    /// <summary>Difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator -(in Fq2 a, in Fq2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    /// <summary>Negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator -(in Fq2 a) => new(-a.C0, -a.C1);

    /// <summary>Product (Karatsuba: 3 base multiplications).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator *(in Fq2 a, in Fq2 b)
    {
        Fq aa = a.C0 * b.C0;
        Fq bb = a.C1 * b.C1;
        Fq s = (a.C0 + a.C1) * (b.C0 + b.C1);
        return new Fq2(aa - bb, s - aa - bb);
    }

    /// <summary>Product with a base-field scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator *(in Fq2 a, Fq k) => new(a.C0 * k, a.C1 * k);

    /// <summary>Equality.</summary>
    public static bool operator ==(in Fq2 a, in Fq2 b) => a.C0 == b.C0 && a.C1 == b.C1;

    /// <summary>Inequality.</summary>
    public static bool operator !=(in Fq2 a, in Fq2 b) => !(a == b);

    /// <summary>Square (complex squaring: 2 base multiplications).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq2 Square()
    {
        Fq ab = C0 * C1;
        return new Fq2((C0 + C1) * (C0 - C1), ab.Double());
    }

    /// <summary>2*this.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq2 Double() => new(C0.Double(), C1.Double());

    /// <summary>Multiplies by xi = 9 + u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq2 MulByNonResidue()
    {
        // (c0 + c1 u)(9 + u) = (9 c0 - c1) + (c0 + 9 c1) u ; 9x = 8x + x via doublings.
        Fq c0x8 = C0.Double().Double().Double();
        Fq c1x8 = C1.Double().Double().Double();
        return new Fq2(c0x8 + C0 - C1, c1x8 + C1 + C0);
    }

    /// <summary>Conjugate C0 - C1*u (equals the q-power Frobenius).</summary>
    public Fq2 Conjugate() => new(C0, -C1);

    /// <summary>this^(q^power).</summary>
    public Fq2 Frobenius(int power) => (power & 1) == 0 ? this : Conjugate();

    /// <summary>Norm C0^2 + C1^2 in Fq.</summary>
    public Fq Norm() => C0.Square() + C1.Square();

    /// <summary>Multiplicative inverse.</summary>
    /// <exception cref="DivideByZeroException">This is zero.</exception>
    public Fq2 Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("Cannot invert zero in Fq2.");
        }
        Fq t = Norm().Inverse();
        return new Fq2(C0 * t, -(C1 * t));
    }

    /// <summary>Inverts every element in place with one inversion (Montgomery's trick); zeros stay zero.</summary>
    public static void BatchInverse(Span<Fq2> values)
    {
        if (values.Length == 0)
        {
            return;
        }
        Fq2[] prefix = Scratch<Fq2>.Rent(values.Length);
        try
        {
            Fq2 acc = One;
            for (int i = 0; i < values.Length; i++)
            {
                prefix[i] = acc;
                if (!values[i].IsZero)
                {
                    acc *= values[i];
                }
            }
            Fq2 inv = acc.Inverse();
            for (int i = values.Length - 1; i >= 0; i--)
            {
                Fq2 v = values[i];
                if (v.IsZero)
                {
                    continue;
                }
                values[i] = inv * prefix[i];
                inv *= v;
            }
        }
        finally
        {
            Scratch<Fq2>.Return(prefix);
        }
    }

    /// <summary><see cref="FrobeniusPowers"/>, computed once for <see cref="Fq6"/> and <see cref="Fq12"/> (read-only).</summary>
    internal static Fq2[] FrobeniusCoefficients => FrobeniusTable.Values;

    private static class FrobeniusTable
    {
        public static readonly Fq2[] Values = FrobeniusPowers();
    }

    /// <summary>xi^((q^k - 1)/6) for k = 0..11 (xi the non-residue 9 + u): the Frobenius coefficients of the tower.</summary>
    /// <remarks>From (q^k - 1)/6 = q (q^(k-1) - 1)/6 + (q - 1)/6 and x^q = conj(x) in F_q2, each power is the conjugate
    /// of the one before times xi^((q - 1)/6): one exponentiation by a 254-bit number instead of one per k by numbers
    /// of up to 2,800 bits (which took milliseconds and jitted BigInteger's buffer pool in every prove).</remarks>
    internal static Fq2[] FrobeniusPowers()
    {
        var powers = new Fq2[12];
        Fq2 first = NonResidue.Pow((Fq.Modulus - 1) / 6);
        powers[0] = One;
        for (int k = 1; k < 12; k++)
        {
            powers[k] = powers[k - 1].Conjugate() * first;
        }
        return powers;
    }

    /// <summary>this^e (e &gt;= 0; negative inverts first).</summary>
    public Fq2 Pow(BigInteger e)
    {
        if (e.Sign < 0)
        {
            return Inverse().Pow(-e);
        }
        Fq2 acc = One;
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

    /// <summary>Square root if one exists: for a = a0 + a1 u, with alpha = sqrt(a0^2 + a1^2), x0 = sqrt((a0 +/- alpha)/2),
    /// x1 = a1 / (2 x0).</summary>
    public bool TrySqrt(out Fq2 root)
    {
        root = default;
        if (IsZero)
        {
            return true;
        }
        if (C1.IsZero)
        {
            if (C0.TrySqrt(out Fq s))
            {
                root = new Fq2(s, Fq.Zero);
                return true;
            }
            // (t u)^2 = -t^2, so a0 = -t^2 when -a0 is a square.
            if ((-C0).TrySqrt(out Fq t))
            {
                root = new Fq2(Fq.Zero, t);
                return true;
            }
            return false;
        }
        if (!Norm().TrySqrt(out Fq alpha))
        {
            return false;
        }
        Fq half = Fq.FromBigInteger(2).Inverse();
        Fq delta = (C0 + alpha) * half;
        if (!delta.TrySqrt(out Fq x0))
        {
            delta = (C0 - alpha) * half;
            if (!delta.TrySqrt(out x0))
            {
                return false;
            }
        }
        Fq x1 = C1 * x0.Double().Inverse();
        var candidate = new Fq2(x0, x1);
        if (candidate.Square() != this)
        {
            return false;
        }
        root = candidate;
        return true;
    }

    /// <summary>A square root (either of the two).</summary>
    /// <exception cref="ArithmeticException">This is not a square in Fq2.</exception>
    public Fq2 Sqrt() => TrySqrt(out Fq2 r) ? r : throw new ArithmeticException($"{this} is not a square in Fq2.");

    /// <summary>Uniformly random element.</summary>
    public static Fq2 Random(Random rng) => new(Fq.Random(rng), Fq.Random(rng));

    /// <inheritdoc />
    public bool Equals(Fq2 other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fq2 o && this == o;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(C0, C1);

    /// <summary>"(c0, c1)" in decimal.</summary>
    public override string ToString() => $"({C0}, {C1})";
}
