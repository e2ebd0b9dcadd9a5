using System.Numerics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Pairing;

/// <summary>
/// Optimal ate pairing on BN254 (alt_bn128, the EIP-197 curve). Miller loop over the signed digits of 6x+2 with G2 in
/// homogeneous projective coordinates and sparse line multiplication, followed by the final exponentiation
/// f^((q^12 - 1)/r): easy part with a Frobenius, hard part with the Fuentes-Castaneda et al. addition chain in x.
/// </summary>
/// <remarks>The hard part chain raises to a fixed multiple m*(q^4 - q^2 + 1)/r with gcd(m, r) = 1 (as arkworks and gnark
/// do), so results are bilinear, non-degenerate and agree with every implementation using the same chain; product checks
/// (the Groth16 verifier, EIP-197) are unaffected by the choice.</remarks>
public static class Bn254Pairing
{
    /// <summary>The BN parameter x (u in some papers) for BN254: 4965661367192848881.</summary>
    public const ulong X = 4965661367192848881UL;

    // Signed binary digits of 6x + 2, least significant first (non-adjacent form).
    private static readonly sbyte[] AteLoopNaf = ComputeNaf(6 * (BigInteger)X + 2);

    private static readonly Fq TwoInv = Fq.FromBigInteger(2).Inverse();

    // Constants for the twist Frobenius psi(x, y) = (conj(x) * xi^((q-1)/3), conj(y) * xi^((q-1)/2)).
    private static readonly Fq2 FrobTwistX = Fq2.NonResidue.Pow((Fq.Modulus - 1) / 3);
    private static readonly Fq2 FrobTwistY = Fq2.NonResidue.Pow((Fq.Modulus - 1) / 2);

    private struct G2Proj
    {
        public Fq2 X, Y, Z;
    }

    private readonly struct Line
    {
        public readonly Fq2 C0, C1, C2;

        public Line(in Fq2 c0, in Fq2 c1, in Fq2 c2) { C0 = c0; C1 = c1; C2 = c2; }
    }

    /// <summary>e(P, Q). Returns one if either point is infinity.</summary>
    public static Fq12 Pair(in G1Affine p, in G2Affine q)
    {
        Span<G1Affine> ps = stackalloc G1Affine[1] { p };
        Span<G2Affine> qs = stackalloc G2Affine[1] { q };
        return FinalExponentiation(MillerLoop(ps, qs));
    }

    /// <summary>True when prod e(ps[i], qs[i]) == 1, computed with one shared Miller loop accumulator and a single final
    /// exponentiation. Inputs are not validated here: callers must ensure points are on their curves and G2 points are in
    /// the subgroup (see <see cref="G2Affine.FromXY"/>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static bool PairingCheck(ReadOnlySpan<G1Affine> ps, ReadOnlySpan<G2Affine> qs)
    {
        if (ps.Length != qs.Length)
        {
            throw new ArgumentException($"PairingCheck needs equally many G1 ({ps.Length}) and G2 ({qs.Length}) points.");
        }
        return FinalExponentiation(MillerLoop(ps, qs)).IsOne;
    }

    /// <summary>Product of Miller loop values f_{6x+2,Q}(P) times the two Frobenius lines (before final exponentiation).</summary>
    public static Fq12 MillerLoop(ReadOnlySpan<G1Affine> ps, ReadOnlySpan<G2Affine> qs)
    {
        if (ps.Length != qs.Length)
        {
            throw new ArgumentException($"MillerLoop needs equally many G1 ({ps.Length}) and G2 ({qs.Length}) points.");
        }
        // Pairs with an infinity contribute 1 and are skipped.
        int n = 0;
        var pp = new G1Affine[ps.Length];
        var qq = new G2Affine[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            if (!ps[i].IsInfinity && !qs[i].IsInfinity)
            {
                pp[n] = ps[i];
                qq[n] = qs[i];
                n++;
            }
        }
        var r = new G2Proj[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = new G2Proj { X = qq[i].X, Y = qq[i].Y, Z = Fq2.One };
        }

        Fq12 f = Fq12.One;
        for (int bit = AteLoopNaf.Length - 1; bit >= 1; bit--)
        {
            if (bit != AteLoopNaf.Length - 1)
            {
                f = f.Square();
            }
            for (int i = 0; i < n; i++)
            {
                f = Ell(f, DoublingStep(ref r[i]), pp[i]);
            }
            sbyte d = AteLoopNaf[bit - 1];
            if (d != 0)
            {
                for (int i = 0; i < n; i++)
                {
                    G2Affine addend = d > 0 ? qq[i] : qq[i].Negate();
                    f = Ell(f, AdditionStep(ref r[i], addend), pp[i]);
                }
            }
        }
        for (int i = 0; i < n; i++)
        {
            G2Affine q1 = FrobeniusTwist(qq[i]);
            G2Affine q2 = FrobeniusTwist(q1).Negate();
            f = Ell(f, AdditionStep(ref r[i], q1), pp[i]);
            f = Ell(f, AdditionStep(ref r[i], q2), pp[i]);
        }
        return f;
    }

    /// <summary>f^((q^12 - 1)/r) up to the fixed coprime multiple described on the class.</summary>
    public static Fq12 FinalExponentiation(in Fq12 f)
    {
        if (f.IsZero)
        {
            throw new ArgumentException("Final exponentiation of zero is undefined (Miller loop output is never zero).", nameof(f));
        }
        // Easy part: f^((q^6 - 1)(q^2 + 1)).
        Fq12 t = f.Conjugate() * f.Inverse();
        Fq12 r = t.Frobenius(2) * t;

        // Hard part (Fuentes-Castaneda, Knapp, Rodriguez-Henriquez), all in the cyclotomic subgroup.
        Fq12 y0 = ExpByNegX(r);
        Fq12 y1 = y0.CyclotomicSquare();
        Fq12 y2 = y1.CyclotomicSquare();
        Fq12 y3 = y2 * y1;
        Fq12 y4 = ExpByNegX(y3);
        Fq12 y5 = y4.CyclotomicSquare();
        Fq12 y6 = ExpByNegX(y5);
        y3 = y3.Conjugate();
        y6 = y6.Conjugate();
        Fq12 y7 = y6 * y4;
        Fq12 y8 = y7 * y3;
        Fq12 y9 = y8 * y1;
        Fq12 y10 = y8 * y4;
        Fq12 y11 = y10 * r;
        Fq12 y12 = y9.Frobenius(1);
        Fq12 y13 = y12 * y11;
        y8 = y8.Frobenius(2);
        Fq12 y14 = y8 * y13;
        r = r.Conjugate();
        Fq12 y15 = (r * y9).Frobenius(3);
        return y15 * y14;
    }

    /// <summary>f^(-x) for f in the cyclotomic subgroup (inverse = conjugate).</summary>
    private static Fq12 ExpByNegX(in Fq12 f)
    {
        Fq12 acc = Fq12.One;
        for (int bit = 63 - System.Numerics.BitOperations.LeadingZeroCount(X); bit >= 0; bit--)
        {
            acc = acc.CyclotomicSquare();
            if (((X >> bit) & 1) != 0)
            {
                acc *= f;
            }
        }
        return acc.Conjugate();
    }

    /// <summary>Multiplies f by the line (c0, c1, c2) evaluated at P: c0 * yP + (c1 * xP) w + c2 v w.</summary>
    private static Fq12 Ell(in Fq12 f, in Line l, in G1Affine p) =>
        f.MulBy034(l.C0 * p.Y, l.C1 * p.X, l.C2);

    /// <summary>R &lt;- 2R and returns the tangent line at R (scaled by a factor in Fq2, killed by the final exponentiation).</summary>
    private static Line DoublingStep(ref G2Proj r)
    {
        Fq2 a = (r.X * r.Y) * TwoInv;
        Fq2 b = r.Y.Square();
        Fq2 c = r.Z.Square();
        Fq2 e = G2Affine.B * (c.Double() + c);
        Fq2 f = e.Double() + e;
        Fq2 g = (b + f) * TwoInv;
        Fq2 h = (r.Y + r.Z).Square() - (b + c);
        Fq2 i = e - b;
        Fq2 j = r.X.Square();
        Fq2 eSq = e.Square();
        r.X = a * (b - f);
        r.Y = g.Square() - (eSq.Double() + eSq);
        r.Z = b * h;
        return new Line(-h, j.Double() + j, i);
    }

    /// <summary>R &lt;- R + Q and returns the line through R and Q (scaled by a factor in Fq2).</summary>
    private static Line AdditionStep(ref G2Proj r, in G2Affine q)
    {
        Fq2 theta = r.Y - q.Y * r.Z;
        Fq2 lambda = r.X - q.X * r.Z;
        Fq2 c = theta.Square();
        Fq2 d = lambda.Square();
        Fq2 e = lambda * d;
        Fq2 f = r.Z * c;
        Fq2 g = r.X * d;
        Fq2 h = e + f - g.Double();
        r.X = lambda * h;
        r.Y = theta * (g - h) - e * r.Y;
        r.Z *= e;
        Fq2 j = theta * q.X - lambda * q.Y;
        return new Line(lambda, -theta, j);
    }

    /// <summary>The q-power Frobenius transported to the twist: (conj(x) xi^((q-1)/3), conj(y) xi^((q-1)/2)).</summary>
    internal static G2Affine FrobeniusTwist(in G2Affine q) =>
        new(q.X.Conjugate() * FrobTwistX, q.Y.Conjugate() * FrobTwistY);

    private static sbyte[] ComputeNaf(BigInteger k)
    {
        // At most one digit more than k has bits. An array, not a List<sbyte>: that instantiation is jitted at start-up.
        var digits = new sbyte[(int)k.GetBitLength() + 1];
        int n = 0;
        while (!k.IsZero)
        {
            sbyte d = 0;
            if (!k.IsEven)
            {
                d = (int)(k & 3) == 1 ? (sbyte)1 : (sbyte)-1;
                k -= d;
            }
            digits[n++] = d;
            k >>= 1;
        }
        var result = new sbyte[n];
        for (int i = 0; i < n; i++) result[i] = digits[i];
        return result;
    }
}
