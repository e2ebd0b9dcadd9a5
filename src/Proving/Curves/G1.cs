using System.Numerics;
using System.Runtime.CompilerServices;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Curves;

/// <summary>Affine point of BN254 G1: y^2 = x^3 + 3 over Fq, or the point at infinity.</summary>
public readonly struct G1Affine : IEquatable<G1Affine>
{
    /// <summary>x coordinate (meaningless at infinity).</summary>
    public readonly Fq X;

    /// <summary>y coordinate (meaningless at infinity).</summary>
    public readonly Fq Y;

    /// <summary>True for the point at infinity.</summary>
    public readonly bool IsInfinity;

    /// <summary>Curve coefficient b = 3.</summary>
    public static Fq B { get; } = Fq.FromBigInteger(3);

    /// <summary>Creates an affine point without validation (see <see cref="FromXY"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public G1Affine(Fq x, Fq y)
    {
        X = x; Y = y; IsInfinity = false;
    }

    private G1Affine(Fq x, Fq y, bool infinity)
    {
        X = x; Y = y; IsInfinity = infinity;
    }

    /// <summary>The point at infinity.</summary>
    public static G1Affine Infinity { get; } = new(Fq.Zero, Fq.Zero, true);

    /// <summary>The standard generator (1, 2).</summary>
    public static G1Affine Generator { get; } = new(Fq.One, Fq.FromBigInteger(2));

    /// <summary>Creates a point and checks it is on the curve (G1 has cofactor 1, so that is also the subgroup check).</summary>
    /// <exception cref="ArgumentException">The coordinates do not satisfy y^2 = x^3 + 3.</exception>
    public static G1Affine FromXY(Fq x, Fq y)
    {
        var p = new G1Affine(x, y);
        if (!p.IsOnCurve())
        {
            throw new ArgumentException($"Point ({x}, {y}) is not on BN254 G1 (y^2 = x^3 + 3).");
        }
        return p;
    }

    /// <summary>True for infinity or when y^2 = x^3 + 3.</summary>
    public bool IsOnCurve() => IsInfinity || Y.Square() == X.Square() * X + B;

    /// <summary>Jacobian form (Z = 1, or the Jacobian infinity).</summary>
    public G1Jacobian ToJacobian() => IsInfinity ? G1Jacobian.Infinity : new G1Jacobian(X, Y, Fq.One);

    /// <summary>-P = (x, -y).</summary>
    public G1Affine Negate() => IsInfinity ? this : new G1Affine(X, -Y);

    /// <summary>Equality (all infinities are equal).</summary>
    public static bool operator ==(in G1Affine a, in G1Affine b) =>
        a.IsInfinity || b.IsInfinity ? a.IsInfinity == b.IsInfinity : a.X == b.X && a.Y == b.Y;

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G1Affine a, in G1Affine b) => !(a == b);

    /// <inheritdoc />
    public bool Equals(G1Affine other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G1Affine o && this == o;

    /// <inheritdoc />
    public override int GetHashCode() => IsInfinity ? 0 : HashCode.Combine(X, Y);

    /// <summary>"(x, y)" in decimal or "infinity".</summary>
    public override string ToString() => IsInfinity ? "infinity" : $"({X}, {Y})";
}

/// <summary>BN254 G1 point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is infinity (also the default value).</summary>
public readonly struct G1Jacobian : IEquatable<G1Jacobian>
{
    /// <summary>Jacobian X.</summary>
    public readonly Fq X;

    /// <summary>Jacobian Y.</summary>
    public readonly Fq Y;

    /// <summary>Jacobian Z (zero at infinity).</summary>
    public readonly Fq Z;

    /// <summary>Creates a point from Jacobian coordinates without validation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public G1Jacobian(Fq x, Fq y, Fq z) { X = x; Y = y; Z = z; }

    /// <summary>The point at infinity (1, 1, 0).</summary>
    public static G1Jacobian Infinity => new(Fq.One, Fq.One, Fq.Zero);

    /// <summary>The generator in Jacobian form.</summary>
    public static G1Jacobian Generator => G1Affine.Generator.ToJacobian();

    /// <summary>True at infinity.</summary>
    public bool IsInfinity => Z.IsZero;

    /// <summary>True when the point satisfies Y^2 = X^3 + 3 Z^6 (infinity included).</summary>
    public bool IsOnCurve()
    {
        if (IsInfinity)
        {
            return true;
        }
        Fq z2 = Z.Square();
        Fq z6 = z2.Square() * z2;
        return Y.Square() == X.Square() * X + G1Affine.B * z6;
    }

    /// <summary>Point doubling (dbl-2009-l, a = 0).</summary>
    public G1Jacobian Double()
    {
        if (IsInfinity)
        {
            return this;
        }
        Fq a = X.Square();
        Fq b = Y.Square();
        Fq c = b.Square();
        Fq d = ((X + b).Square() - a - c).Double();
        Fq e = a.Double() + a;
        Fq f = e.Square();
        Fq x3 = f - d.Double();
        Fq c8 = c.Double().Double().Double();
        Fq y3 = e * (d - x3) - c8;
        Fq z3 = (Y * Z).Double();
        return new G1Jacobian(x3, y3, z3);
    }

    /// <summary>General addition (add-2007-bl), handling infinity and P + P.</summary>
    public G1Jacobian Add(in G1Jacobian q)
    {
        if (IsInfinity)
        {
            return q;
        }
        if (q.IsInfinity)
        {
            return this;
        }
        Fq z1z1 = Z.Square();
        Fq z2z2 = q.Z.Square();
        Fq u1 = X * z2z2;
        Fq u2 = q.X * z1z1;
        Fq s1 = Y * q.Z * z2z2;
        Fq s2 = q.Y * Z * z1z1;
        Fq h = u2 - u1;
        Fq rr = s2 - s1;
        if (h.IsZero)
        {
            return rr.IsZero ? Double() : Infinity;
        }
        Fq i = h.Double().Square();
        Fq j = h * i;
        rr = rr.Double();
        Fq v = u1 * i;
        Fq x3 = rr.Square() - j - v.Double();
        Fq y3 = rr * (v - x3) - (s1 * j).Double();
        Fq z3 = ((Z + q.Z).Square() - z1z1 - z2z2) * h;
        return new G1Jacobian(x3, y3, z3);
    }

    /// <summary>Mixed addition with an affine point (madd-2007-bl), handling infinity and P + P.</summary>
    public G1Jacobian AddMixed(in G1Affine q)
    {
        if (q.IsInfinity)
        {
            return this;
        }
        if (IsInfinity)
        {
            return new G1Jacobian(q.X, q.Y, Fq.One);
        }
        Fq z1z1 = Z.Square();
        Fq u2 = q.X * z1z1;
        Fq s2 = q.Y * Z * z1z1;
        Fq h = u2 - X;
        Fq rr = s2 - Y;
        if (h.IsZero)
        {
            return rr.IsZero ? Double() : Infinity;
        }
        Fq hh = h.Square();
        Fq i = hh.Double().Double();
        Fq j = h * i;
        rr = rr.Double();
        Fq v = X * i;
        Fq x3 = rr.Square() - j - v.Double();
        Fq y3 = rr * (v - x3) - (Y * j).Double();
        Fq z3 = (Z + h).Square() - z1z1 - hh;
        return new G1Jacobian(x3, y3, z3);
    }

    /// <summary>-P.</summary>
    public G1Jacobian Negate() => new(X, -Y, Z);

    /// <summary>Sum.</summary>
    public static G1Jacobian operator +(in G1Jacobian a, in G1Jacobian b) => a.Add(b);

    /// <summary>Difference.</summary>
    public static G1Jacobian operator -(in G1Jacobian a, in G1Jacobian b) => a.Add(b.Negate());

    /// <summary>Negation.</summary>
    public static G1Jacobian operator -(in G1Jacobian a) => a.Negate();

    /// <summary>Affine form (one inversion).</summary>
    public G1Affine ToAffine()
    {
        if (IsInfinity)
        {
            return G1Affine.Infinity;
        }
        Fq zi = Z.Inverse();
        Fq zi2 = zi.Square();
        return new G1Affine(X * zi2, Y * zi2 * zi);
    }

    /// <summary>Converts many points with a single inversion (Montgomery's trick).</summary>
    /// <exception cref="ArgumentException">The output span is shorter than the input.</exception>
    public static void BatchToAffine(ReadOnlySpan<G1Jacobian> points, Span<G1Affine> result)
    {
        if (result.Length < points.Length)
        {
            throw new ArgumentException($"Output has {result.Length} slots for {points.Length} points.", nameof(result));
        }
        if (points.Length == 0)
        {
            return;
        }
        Fq[] zs = Scratch<Fq>.Rent(points.Length);
        try
        {
            Span<Fq> z = zs.AsSpan(0, points.Length);
            for (int i = 0; i < points.Length; i++)
            {
                z[i] = points[i].Z;
            }
            Fq.BatchInverse(z);
            for (int i = 0; i < points.Length; i++)
            {
                if (points[i].IsInfinity)
                {
                    result[i] = G1Affine.Infinity;
                    continue;
                }
                Fq zi = z[i];
                Fq zi2 = zi.Square();
                result[i] = new G1Affine(points[i].X * zi2, points[i].Y * zi2 * zi);
            }
        }
        finally
        {
            Scratch<Fq>.Return(zs);
        }
    }

    /// <summary>[k]P for a field scalar.</summary>
    public G1Jacobian Multiply(in Fr scalar)
    {
        var k = scalar.ToCanonicalLimbs();
        Span<ulong> limbs = stackalloc ulong[4] { k.L0, k.L1, k.L2, k.L3 };
        return MultiplyLimbs(limbs);
    }

    /// <summary>[k]P for any integer k (not reduced: [r]P is infinity only for points of order r).</summary>
    public G1Jacobian Multiply(BigInteger k)
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

    private G1Jacobian MultiplyLimbs(ReadOnlySpan<ulong> k)
    {
        G1Jacobian acc = Infinity;
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
    public static bool operator ==(in G1Jacobian a, in G1Jacobian b)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            return a.IsInfinity && b.IsInfinity;
        }
        Fq z1z1 = a.Z.Square();
        Fq z2z2 = b.Z.Square();
        return a.X * z2z2 == b.X * z1z1 && a.Y * z2z2 * b.Z == b.Y * z1z1 * a.Z;
    }

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G1Jacobian a, in G1Jacobian b) => !(a == b);

    /// <inheritdoc />
    public bool Equals(G1Jacobian other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G1Jacobian o && this == o;

    /// <summary>Hash of the affine form (consistent with projective equality).</summary>
    public override int GetHashCode() => ToAffine().GetHashCode();

    /// <summary>Affine rendering.</summary>
    public override string ToString() => ToAffine().ToString();
}
