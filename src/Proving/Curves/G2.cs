using System.Numerics;
using System.Runtime.CompilerServices;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Curves;

/// <summary>Affine point of BN254 G2, on the sextic D-twist y^2 = x^3 + 3/(9+u) over Fq2, or the point at infinity.</summary>
public readonly struct G2Affine : IEquatable<G2Affine>
{
    /// <summary>x coordinate (meaningless at infinity).</summary>
    public readonly Fq2 X;

    /// <summary>y coordinate (meaningless at infinity).</summary>
    public readonly Fq2 Y;

    /// <summary>True for the point at infinity.</summary>
    public readonly bool IsInfinity;

    /// <summary>Twist coefficient b' = 3 / (9 + u).</summary>
    public static Fq2 B { get; } = new Fq2(Fq.FromBigInteger(3), Fq.Zero) * Fq2.NonResidue.Inverse();

    /// <summary>Creates an affine point without validation (see <see cref="FromXY"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public G2Affine(Fq2 x, Fq2 y)
    {
        X = x; Y = y; IsInfinity = false;
    }

    private G2Affine(Fq2 x, Fq2 y, bool infinity)
    {
        X = x; Y = y; IsInfinity = infinity;
    }

    /// <summary>The point at infinity.</summary>
    public static G2Affine Infinity { get; } = new(Fq2.Zero, Fq2.Zero, true);

    /// <summary>The standard generator (as used by EIP-197, snarkjs and gnark).</summary>
    public static G2Affine Generator { get; } = new(
        new Fq2(
            Fq.FromBigInteger(BigInteger.Parse("10857046999023057135944570762232829481370756359578518086990519993285655852781", System.Globalization.CultureInfo.InvariantCulture)),
            Fq.FromBigInteger(BigInteger.Parse("11559732032986387107991004021392285783925812861821192530917403151452391805634", System.Globalization.CultureInfo.InvariantCulture))),
        new Fq2(
            Fq.FromBigInteger(BigInteger.Parse("8495653923123431417604973247489272438418190587263600148770280649306958101930", System.Globalization.CultureInfo.InvariantCulture)),
            Fq.FromBigInteger(BigInteger.Parse("4082367875863433681332203403145435568316851327593401208105741076214120093531", System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>Creates a point and checks it is on the twist and in the order-r subgroup (the twist has a large cofactor).</summary>
    /// <exception cref="ArgumentException">The coordinates are not on the twist or not in the r-torsion subgroup.</exception>
    public static G2Affine FromXY(Fq2 x, Fq2 y)
    {
        var p = new G2Affine(x, y);
        if (!p.IsOnCurve())
        {
            throw new ArgumentException($"Point ({x}, {y}) is not on the BN254 G2 twist y^2 = x^3 + 3/(9+u).");
        }
        if (!p.IsInSubgroup())
        {
            throw new ArgumentException($"Point ({x}, {y}) is on the twist but not in the order-r subgroup G2.");
        }
        return p;
    }

    /// <summary>Subgroup check: [r]P is infinity (P must be on the curve for this to mean P is in G2).</summary>
    public bool IsInSubgroup() => IsInfinity || ToJacobian().Multiply(Fr.Modulus).IsInfinity;

    /// <summary>True for infinity or when y^2 = x^3 + b'.</summary>
    public bool IsOnCurve() => IsInfinity || Y.Square() == X.Square() * X + B;

    /// <summary>Jacobian form (Z = 1, or the Jacobian infinity).</summary>
    public G2Jacobian ToJacobian() => IsInfinity ? G2Jacobian.Infinity : new G2Jacobian(X, Y, Fq2.One);

    /// <summary>-P = (x, -y).</summary>
    public G2Affine Negate() => IsInfinity ? this : new G2Affine(X, -Y);

    /// <summary>Equality (all infinities are equal).</summary>
    public static bool operator ==(in G2Affine a, in G2Affine b) =>
        a.IsInfinity || b.IsInfinity ? a.IsInfinity == b.IsInfinity : a.X == b.X && a.Y == b.Y;

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G2Affine a, in G2Affine b) => !(a == b);

    /// <inheritdoc />
    public bool Equals(G2Affine other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G2Affine o && this == o;

    /// <inheritdoc />
    public override int GetHashCode() => IsInfinity ? 0 : HashCode.Combine(X, Y);

    /// <summary>"(x, y)" in decimal or "infinity".</summary>
    public override string ToString() => IsInfinity ? "infinity" : $"({X}, {Y})";
}

/// <summary>BN254 G2 (twist) point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is infinity (also the default value).</summary>
public readonly struct G2Jacobian : IEquatable<G2Jacobian>
{
    /// <summary>Jacobian X.</summary>
    public readonly Fq2 X;

    /// <summary>Jacobian Y.</summary>
    public readonly Fq2 Y;

    /// <summary>Jacobian Z (zero at infinity).</summary>
    public readonly Fq2 Z;

    /// <summary>Creates a point from Jacobian coordinates without validation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public G2Jacobian(Fq2 x, Fq2 y, Fq2 z) { X = x; Y = y; Z = z; }

    /// <summary>The point at infinity (1, 1, 0).</summary>
    public static G2Jacobian Infinity => new(Fq2.One, Fq2.One, Fq2.Zero);

    /// <summary>The generator in Jacobian form.</summary>
    public static G2Jacobian Generator => G2Affine.Generator.ToJacobian();

    /// <summary>True at infinity.</summary>
    public bool IsInfinity => Z.IsZero;

    /// <summary>True when the point satisfies Y^2 = X^3 + b' Z^6 (infinity included).</summary>
    public bool IsOnCurve()
    {
        if (IsInfinity)
        {
            return true;
        }
        Fq2 z2 = Z.Square();
        Fq2 z6 = z2.Square() * z2;
        return Y.Square() == X.Square() * X + G2Affine.B * z6;
    }

    /// <summary>Point doubling (dbl-2009-l, a = 0).</summary>
    public G2Jacobian Double()
    {
        if (IsInfinity)
        {
            return this;
        }
        Fq2 a = X.Square();
        Fq2 b = Y.Square();
        Fq2 c = b.Square();
        Fq2 d = ((X + b).Square() - a - c).Double();
        Fq2 e = a.Double() + a;
        Fq2 f = e.Square();
        Fq2 x3 = f - d.Double();
        Fq2 c8 = c.Double().Double().Double();
        Fq2 y3 = e * (d - x3) - c8;
        Fq2 z3 = (Y * Z).Double();
        return new G2Jacobian(x3, y3, z3);
    }

    /// <summary>General addition (add-2007-bl), handling infinity and P + P.</summary>
    public G2Jacobian Add(in G2Jacobian q)
    {
        if (IsInfinity)
        {
            return q;
        }
        if (q.IsInfinity)
        {
            return this;
        }
        Fq2 z1z1 = Z.Square();
        Fq2 z2z2 = q.Z.Square();
        Fq2 u1 = X * z2z2;
        Fq2 u2 = q.X * z1z1;
        Fq2 s1 = Y * q.Z * z2z2;
        Fq2 s2 = q.Y * Z * z1z1;
        Fq2 h = u2 - u1;
        Fq2 rr = s2 - s1;
        if (h.IsZero)
        {
            return rr.IsZero ? Double() : Infinity;
        }
        Fq2 i = h.Double().Square();
        Fq2 j = h * i;
        rr = rr.Double();
        Fq2 v = u1 * i;
        Fq2 x3 = rr.Square() - j - v.Double();
        Fq2 y3 = rr * (v - x3) - (s1 * j).Double();
        Fq2 z3 = ((Z + q.Z).Square() - z1z1 - z2z2) * h;
        return new G2Jacobian(x3, y3, z3);
    }

    /// <summary>Mixed addition with an affine point (madd-2007-bl), handling infinity and P + P.</summary>
    public G2Jacobian AddMixed(in G2Affine q)
    {
        if (q.IsInfinity)
        {
            return this;
        }
        if (IsInfinity)
        {
            return new G2Jacobian(q.X, q.Y, Fq2.One);
        }
        Fq2 z1z1 = Z.Square();
        Fq2 u2 = q.X * z1z1;
        Fq2 s2 = q.Y * Z * z1z1;
        Fq2 h = u2 - X;
        Fq2 rr = s2 - Y;
        if (h.IsZero)
        {
            return rr.IsZero ? Double() : Infinity;
        }
        Fq2 hh = h.Square();
        Fq2 i = hh.Double().Double();
        Fq2 j = h * i;
        rr = rr.Double();
        Fq2 v = X * i;
        Fq2 x3 = rr.Square() - j - v.Double();
        Fq2 y3 = rr * (v - x3) - (Y * j).Double();
        Fq2 z3 = (Z + h).Square() - z1z1 - hh;
        return new G2Jacobian(x3, y3, z3);
    }

    /// <summary>-P.</summary>
    public G2Jacobian Negate() => new(X, -Y, Z);

    /// <summary>Sum.</summary>
    public static G2Jacobian operator +(in G2Jacobian a, in G2Jacobian b) => a.Add(b);

    /// <summary>Difference.</summary>
    public static G2Jacobian operator -(in G2Jacobian a, in G2Jacobian b) => a.Add(b.Negate());

    /// <summary>Negation.</summary>
    public static G2Jacobian operator -(in G2Jacobian a) => a.Negate();

    /// <summary>Affine form (one inversion).</summary>
    public G2Affine ToAffine()
    {
        if (IsInfinity)
        {
            return G2Affine.Infinity;
        }
        Fq2 zi = Z.Inverse();
        Fq2 zi2 = zi.Square();
        return new G2Affine(X * zi2, Y * zi2 * zi);
    }

    /// <summary>Converts many points with a single inversion (Montgomery's trick).</summary>
    /// <exception cref="ArgumentException">The output span is shorter than the input.</exception>
    public static void BatchToAffine(ReadOnlySpan<G2Jacobian> points, Span<G2Affine> result)
    {
        if (result.Length < points.Length)
        {
            throw new ArgumentException($"Output has {result.Length} slots for {points.Length} points.", nameof(result));
        }
        if (points.Length == 0)
        {
            return;
        }
        Fq2[] zs = Scratch<Fq2>.Rent(points.Length);
        try
        {
            Span<Fq2> z = zs.AsSpan(0, points.Length);
            for (int i = 0; i < points.Length; i++)
            {
                z[i] = points[i].Z;
            }
            Fq2.BatchInverse(z);
            for (int i = 0; i < points.Length; i++)
            {
                if (points[i].IsInfinity)
                {
                    result[i] = G2Affine.Infinity;
                    continue;
                }
                Fq2 zi = z[i];
                Fq2 zi2 = zi.Square();
                result[i] = new G2Affine(points[i].X * zi2, points[i].Y * zi2 * zi);
            }
        }
        finally
        {
            Scratch<Fq2>.Return(zs);
        }
    }

    /// <summary>[k]P for a field scalar.</summary>
    public G2Jacobian Multiply(in Fr scalar)
    {
        var k = scalar.ToCanonicalLimbs();
        Span<ulong> limbs = stackalloc ulong[4] { k.L0, k.L1, k.L2, k.L3 };
        return MultiplyLimbs(limbs);
    }

    /// <summary>[k]P for any integer k (not reduced: [r]P is infinity only for points of order r).</summary>
    public G2Jacobian Multiply(BigInteger k)
    {
        if (k.Sign < 0)
        {
            return Negate().Multiply(-k);
        }
        byte[] bytes = k.ToByteArray(isUnsigned: true, isBigEndian: false);
        var limbs = new ulong[(bytes.Length + 7) / 8];
        for (int i = 0; i < bytes.Length; i++)
        {
            limbs[i >> 3] |= (ulong)bytes[i] << (8 * (i & 7));
        }
        return MultiplyLimbs(limbs);
    }

    private G2Jacobian MultiplyLimbs(ReadOnlySpan<ulong> k)
    {
        G2Jacobian acc = Infinity;
        for (int i = k.Length - 1; i >= 0; i--)
        {
            for (int bit = 63; bit >= 0; bit--)
            {
                acc = acc.Double();
                if (((k[i] >> bit) & 1) != 0)
                {
                    acc = acc.Add(this);
                }
            }
        }
        return acc;
    }

    /// <summary>Projective equality: X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3.</summary>
    public static bool operator ==(in G2Jacobian a, in G2Jacobian b)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            return a.IsInfinity && b.IsInfinity;
        }
        Fq2 z1z1 = a.Z.Square();
        Fq2 z2z2 = b.Z.Square();
        return a.X * z2z2 == b.X * z1z1 && a.Y * z2z2 * b.Z == b.Y * z1z1 * a.Z;
    }

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G2Jacobian a, in G2Jacobian b) => !(a == b);

    /// <inheritdoc />
    public bool Equals(G2Jacobian other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G2Jacobian o && this == o;

    /// <summary>Hash of the affine form (consistent with projective equality).</summary>
    public override int GetHashCode() => ToAffine().GetHashCode();

    /// <summary>Affine rendering.</summary>
    public override string ToString() => ToAffine().ToString();
}
