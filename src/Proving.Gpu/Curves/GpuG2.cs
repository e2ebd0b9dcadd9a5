using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Curves;

/// <summary>
/// The G2 counterpart of Curves/GpuG1.cs: the same code over <see cref="GpuFq2"/> (a mechanical copy: ILGPU
/// has not been tried with static-abstract generic math, so the curve code is not generic yet).
/// Affine BN254 G2 point for kernels. Infinity is flagged by <see cref="Infinity"/> = 1 (a uint, since kernel
/// structs must be blittable); the coordinates are then ignored.
/// </summary>
public readonly struct GpuG2Affine
{
    /// <summary>x in Montgomery form.</summary>
    public readonly GpuFq2 X;
    /// <summary>y in Montgomery form.</summary>
    public readonly GpuFq2 Y;
    /// <summary>1 for the point at infinity, else 0.</summary>
    public readonly uint Infinity;

    /// <summary>Builds a point; no curve check (host code converts checked CPU points).</summary>
    public GpuG2Affine(GpuFq2 x, GpuFq2 y, uint infinity) { X = x; Y = y; Infinity = infinity; }

    /// <summary>Converts a CPU point (its coordinates are reinterpreted, not re-encoded).</summary>
    public static GpuG2Affine FromCpu(in G2Affine p) =>
        p.IsInfinity ? new(GpuFq2.Zero, GpuFq2.Zero, 1) : new(GpuFq2.FromCpu(p.X), GpuFq2.FromCpu(p.Y), 0);

    /// <summary>Converts many CPU points.</summary>
    public static GpuG2Affine[] FromCpu(ReadOnlySpan<G2Affine> ps)
    {
        var r = new GpuG2Affine[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            r[i] = FromCpu(ps[i]);
        }
        return r;
    }
}

/// <summary>
/// Jacobian BN254 G2 point for kernels: (X, Y, Z) stands for (X/Z^2, Y/Z^3); Z = 0 is infinity.
/// </summary>
public readonly struct GpuG2Jacobian
{
    /// <summary>X coordinate.</summary>
    public readonly GpuFq2 X;
    /// <summary>Y coordinate.</summary>
    public readonly GpuFq2 Y;
    /// <summary>Z coordinate; zero means infinity.</summary>
    public readonly GpuFq2 Z;

    /// <summary>Builds a point from its coordinates.</summary>
    public GpuG2Jacobian(GpuFq2 x, GpuFq2 y, GpuFq2 z) { X = x; Y = y; Z = z; }

    /// <summary>The point at infinity (1, 1, 0), as on the CPU.</summary>
    public static GpuG2Jacobian Infinity => new(GpuFq2.One, GpuFq2.One, GpuFq2.Zero);

    /// <summary>True for the point at infinity.</summary>
    public bool IsInfinity => Z.IsZero;

    /// <summary>Converts a CPU point.</summary>
    public static GpuG2Jacobian FromCpu(in G2Jacobian p) => new(GpuFq2.FromCpu(p.X), GpuFq2.FromCpu(p.Y), GpuFq2.FromCpu(p.Z));

    /// <summary>Converts back to a CPU point (same coordinates).</summary>
    public G2Jacobian ToCpu() => new(X.ToCpu(), Y.ToCpu(), Z.ToCpu());
}

/// <summary>
/// Kernel-safe G1 group law on short Weierstrass y^2 = x^3 + 3 (a = 0), Jacobian coordinates.
/// Formulas from the Explicit-Formulas Database: dbl-2009-l, add-2007-bl, madd-2007-bl; the special cases
/// (infinity, P = Q, P = -Q) are handled by branches, which diverge on a GPU but are rare in an MSM.
/// </summary>
public static class GpuG2
{
    /// <summary>2P (dbl-2009-l).</summary>
    public static GpuG2Jacobian Double(GpuG2Jacobian p)
    {
        if (p.Z.IsZero)
        {
            return p;
        }
        GpuFq2 a = GpuFq2.Square(p.X);
        GpuFq2 b = GpuFq2.Square(p.Y);
        GpuFq2 c = GpuFq2.Square(b);
        GpuFq2 d = GpuFq2.Double(GpuFq2.Sub(GpuFq2.Sub(GpuFq2.Square(GpuFq2.Add(p.X, b)), a), c));
        GpuFq2 e = GpuFq2.Add(GpuFq2.Double(a), a);
        GpuFq2 f = GpuFq2.Square(e);
        GpuFq2 x3 = GpuFq2.Sub(f, GpuFq2.Double(d));
        GpuFq2 c8 = GpuFq2.Double(GpuFq2.Double(GpuFq2.Double(c)));
        GpuFq2 y3 = GpuFq2.Sub(GpuFq2.Mul(e, GpuFq2.Sub(d, x3)), c8);
        GpuFq2 z3 = GpuFq2.Double(GpuFq2.Mul(p.Y, p.Z));
        return new GpuG2Jacobian(x3, y3, z3);
    }

    /// <summary>P + Q, both Jacobian (add-2007-bl).</summary>
    public static GpuG2Jacobian Add(GpuG2Jacobian p, GpuG2Jacobian q)
    {
        if (p.Z.IsZero)
        {
            return q;
        }
        if (q.Z.IsZero)
        {
            return p;
        }
        GpuFq2 z1z1 = GpuFq2.Square(p.Z);
        GpuFq2 z2z2 = GpuFq2.Square(q.Z);
        GpuFq2 u1 = GpuFq2.Mul(p.X, z2z2);
        GpuFq2 u2 = GpuFq2.Mul(q.X, z1z1);
        GpuFq2 s1 = GpuFq2.Mul(GpuFq2.Mul(p.Y, q.Z), z2z2);
        GpuFq2 s2 = GpuFq2.Mul(GpuFq2.Mul(q.Y, p.Z), z1z1);
        GpuFq2 h = GpuFq2.Sub(u2, u1);
        GpuFq2 rr = GpuFq2.Double(GpuFq2.Sub(s2, s1));
        if (h.IsZero)
        {
            return rr.IsZero ? Double(p) : GpuG2Jacobian.Infinity;
        }
        GpuFq2 i = GpuFq2.Square(GpuFq2.Double(h));
        GpuFq2 j = GpuFq2.Mul(h, i);
        GpuFq2 v = GpuFq2.Mul(u1, i);
        GpuFq2 x3 = GpuFq2.Sub(GpuFq2.Sub(GpuFq2.Square(rr), j), GpuFq2.Double(v));
        GpuFq2 y3 = GpuFq2.Sub(GpuFq2.Mul(rr, GpuFq2.Sub(v, x3)), GpuFq2.Double(GpuFq2.Mul(s1, j)));
        GpuFq2 z3 = GpuFq2.Mul(GpuFq2.Sub(GpuFq2.Sub(GpuFq2.Square(GpuFq2.Add(p.Z, q.Z)), z1z1), z2z2), h);
        return new GpuG2Jacobian(x3, y3, z3);
    }

    /// <summary>P + Q with Q affine (madd-2007-bl), the bucket-accumulation step.</summary>
    public static GpuG2Jacobian AddMixed(GpuG2Jacobian p, GpuG2Affine q)
    {
        if (q.Infinity != 0)
        {
            return p;
        }
        if (p.Z.IsZero)
        {
            return new GpuG2Jacobian(q.X, q.Y, GpuFq2.One);
        }
        GpuFq2 z1z1 = GpuFq2.Square(p.Z);
        GpuFq2 u2 = GpuFq2.Mul(q.X, z1z1);
        GpuFq2 s2 = GpuFq2.Mul(GpuFq2.Mul(q.Y, p.Z), z1z1);
        GpuFq2 h = GpuFq2.Sub(u2, p.X);
        GpuFq2 rr = GpuFq2.Double(GpuFq2.Sub(s2, p.Y));
        if (h.IsZero)
        {
            return rr.IsZero ? Double(p) : GpuG2Jacobian.Infinity;
        }
        GpuFq2 hh = GpuFq2.Square(h);
        GpuFq2 i = GpuFq2.Double(GpuFq2.Double(hh));
        GpuFq2 j = GpuFq2.Mul(h, i);
        GpuFq2 v = GpuFq2.Mul(p.X, i);
        GpuFq2 x3 = GpuFq2.Sub(GpuFq2.Sub(GpuFq2.Square(rr), j), GpuFq2.Double(v));
        GpuFq2 y3 = GpuFq2.Sub(GpuFq2.Mul(rr, GpuFq2.Sub(v, x3)), GpuFq2.Double(GpuFq2.Mul(p.Y, j)));
        GpuFq2 z3 = GpuFq2.Sub(GpuFq2.Sub(GpuFq2.Square(GpuFq2.Add(p.Z, h)), z1z1), hh);
        return new GpuG2Jacobian(x3, y3, z3);
    }
}
