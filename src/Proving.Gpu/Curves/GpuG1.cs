using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Curves;

/// <summary>
/// Affine BN254 G1 point for kernels. Infinity is flagged by <see cref="Infinity"/> = 1 (a uint, since kernel
/// structs must be blittable); the coordinates are then ignored.
/// </summary>
public readonly struct GpuG1Affine
{
    /// <summary>x in Montgomery form.</summary>
    public readonly GpuFq X;
    /// <summary>y in Montgomery form.</summary>
    public readonly GpuFq Y;
    /// <summary>1 for the point at infinity, else 0.</summary>
    public readonly uint Infinity;

    /// <summary>Builds a point; no curve check (host code converts checked CPU points).</summary>
    public GpuG1Affine(GpuFq x, GpuFq y, uint infinity) { X = x; Y = y; Infinity = infinity; }

    /// <summary>Converts a CPU point (its coordinates are reinterpreted, not re-encoded).</summary>
    public static GpuG1Affine FromCpu(in G1Affine p) =>
        p.IsInfinity ? new(GpuFq.Zero, GpuFq.Zero, 1) : new(GpuFq.FromCpu(p.X), GpuFq.FromCpu(p.Y), 0);

    /// <summary>Converts many CPU points.</summary>
    public static GpuG1Affine[] FromCpu(ReadOnlySpan<G1Affine> ps)
    {
        var r = new GpuG1Affine[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            r[i] = FromCpu(ps[i]);
        }
        return r;
    }
}

/// <summary>
/// Jacobian BN254 G1 point for kernels: (X, Y, Z) stands for (X/Z^2, Y/Z^3); Z = 0 is infinity.
/// </summary>
public readonly struct GpuG1Jacobian
{
    /// <summary>X coordinate.</summary>
    public readonly GpuFq X;
    /// <summary>Y coordinate.</summary>
    public readonly GpuFq Y;
    /// <summary>Z coordinate; zero means infinity.</summary>
    public readonly GpuFq Z;

    /// <summary>Builds a point from its coordinates.</summary>
    public GpuG1Jacobian(GpuFq x, GpuFq y, GpuFq z) { X = x; Y = y; Z = z; }

    /// <summary>The point at infinity (1, 1, 0), as on the CPU.</summary>
    public static GpuG1Jacobian Infinity => new(GpuFq.One, GpuFq.One, GpuFq.Zero);

    /// <summary>True for the point at infinity.</summary>
    public bool IsInfinity => Z.IsZero;

    /// <summary>Converts a CPU point.</summary>
    public static GpuG1Jacobian FromCpu(in G1Jacobian p) => new(GpuFq.FromCpu(p.X), GpuFq.FromCpu(p.Y), GpuFq.FromCpu(p.Z));

    /// <summary>Converts back to a CPU point (same coordinates).</summary>
    public G1Jacobian ToCpu() => new(X.ToCpu(), Y.ToCpu(), Z.ToCpu());
}

/// <summary>
/// Kernel-safe G1 group law on short Weierstrass y^2 = x^3 + 3 (a = 0), Jacobian coordinates.
/// Formulas from the Explicit-Formulas Database: dbl-2009-l, add-2007-bl, madd-2007-bl; the special cases
/// (infinity, P = Q, P = -Q) are handled by branches, which diverge on a GPU but are rare in an MSM.
/// </summary>
public static class GpuG1
{
    /// <summary>2P (dbl-2009-l).</summary>
    public static GpuG1Jacobian Double(GpuG1Jacobian p)
    {
        if (p.Z.IsZero)
        {
            return p;
        }
        GpuFq a = GpuFq.Square(p.X);
        GpuFq b = GpuFq.Square(p.Y);
        GpuFq c = GpuFq.Square(b);
        GpuFq d = GpuFq.Double(GpuFq.Sub(GpuFq.Sub(GpuFq.Square(GpuFq.Add(p.X, b)), a), c));
        GpuFq e = GpuFq.Add(GpuFq.Double(a), a);
        GpuFq f = GpuFq.Square(e);
        GpuFq x3 = GpuFq.Sub(f, GpuFq.Double(d));
        GpuFq c8 = GpuFq.Double(GpuFq.Double(GpuFq.Double(c)));
        GpuFq y3 = GpuFq.Sub(GpuFq.Mul(e, GpuFq.Sub(d, x3)), c8);
        GpuFq z3 = GpuFq.Double(GpuFq.Mul(p.Y, p.Z));
        return new GpuG1Jacobian(x3, y3, z3);
    }

    /// <summary>P + Q, both Jacobian (add-2007-bl).</summary>
    public static GpuG1Jacobian Add(GpuG1Jacobian p, GpuG1Jacobian q)
    {
        if (p.Z.IsZero)
        {
            return q;
        }
        if (q.Z.IsZero)
        {
            return p;
        }
        GpuFq z1z1 = GpuFq.Square(p.Z);
        GpuFq z2z2 = GpuFq.Square(q.Z);
        GpuFq u1 = GpuFq.Mul(p.X, z2z2);
        GpuFq u2 = GpuFq.Mul(q.X, z1z1);
        GpuFq s1 = GpuFq.Mul(GpuFq.Mul(p.Y, q.Z), z2z2);
        GpuFq s2 = GpuFq.Mul(GpuFq.Mul(q.Y, p.Z), z1z1);
        GpuFq h = GpuFq.Sub(u2, u1);
        GpuFq rr = GpuFq.Double(GpuFq.Sub(s2, s1));
        if (h.IsZero)
        {
            return rr.IsZero ? Double(p) : GpuG1Jacobian.Infinity;
        }
        GpuFq i = GpuFq.Square(GpuFq.Double(h));
        GpuFq j = GpuFq.Mul(h, i);
        GpuFq v = GpuFq.Mul(u1, i);
        GpuFq x3 = GpuFq.Sub(GpuFq.Sub(GpuFq.Square(rr), j), GpuFq.Double(v));
        GpuFq y3 = GpuFq.Sub(GpuFq.Mul(rr, GpuFq.Sub(v, x3)), GpuFq.Double(GpuFq.Mul(s1, j)));
        GpuFq z3 = GpuFq.Mul(GpuFq.Sub(GpuFq.Sub(GpuFq.Square(GpuFq.Add(p.Z, q.Z)), z1z1), z2z2), h);
        return new GpuG1Jacobian(x3, y3, z3);
    }

    /// <summary>P + Q with Q affine (madd-2007-bl), the bucket-accumulation step.</summary>
    public static GpuG1Jacobian AddMixed(GpuG1Jacobian p, GpuG1Affine q)
    {
        if (q.Infinity != 0)
        {
            return p;
        }
        if (p.Z.IsZero)
        {
            return new GpuG1Jacobian(q.X, q.Y, GpuFq.One);
        }
        GpuFq z1z1 = GpuFq.Square(p.Z);
        GpuFq u2 = GpuFq.Mul(q.X, z1z1);
        GpuFq s2 = GpuFq.Mul(GpuFq.Mul(q.Y, p.Z), z1z1);
        GpuFq h = GpuFq.Sub(u2, p.X);
        GpuFq rr = GpuFq.Double(GpuFq.Sub(s2, p.Y));
        if (h.IsZero)
        {
            return rr.IsZero ? Double(p) : GpuG1Jacobian.Infinity;
        }
        GpuFq hh = GpuFq.Square(h);
        GpuFq i = GpuFq.Double(GpuFq.Double(hh));
        GpuFq j = GpuFq.Mul(h, i);
        GpuFq v = GpuFq.Mul(p.X, i);
        GpuFq x3 = GpuFq.Sub(GpuFq.Sub(GpuFq.Square(rr), j), GpuFq.Double(v));
        GpuFq y3 = GpuFq.Sub(GpuFq.Mul(rr, GpuFq.Sub(v, x3)), GpuFq.Double(GpuFq.Mul(p.Y, j)));
        GpuFq z3 = GpuFq.Sub(GpuFq.Sub(GpuFq.Square(GpuFq.Add(p.Z, h)), z1z1), hh);
        return new GpuG1Jacobian(x3, y3, z3);
    }
}
