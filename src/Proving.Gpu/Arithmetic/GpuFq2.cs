using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Gpu.Arithmetic;

/// <summary>
/// Element c0 + c1*u of F_q2 = F_q[u]/(u^2 + 1) for kernels, over <see cref="GpuFq"/>; the same tower as
/// <see cref="Fq2"/> on the CPU. The base of the G2 group law in <c>Curves/GpuG2.cs</c>.
/// </summary>
public readonly struct GpuFq2
{
    /// <summary>Real part.</summary>
    public readonly GpuFq C0;
    /// <summary>Coefficient of u.</summary>
    public readonly GpuFq C1;

    /// <summary>Builds c0 + c1*u.</summary>
    public GpuFq2(GpuFq c0, GpuFq c1) { C0 = c0; C1 = c1; }

    /// <summary>Zero.</summary>
    public static GpuFq2 Zero => default;

    /// <summary>One (Montgomery).</summary>
    public static GpuFq2 One => new(GpuFq.One, GpuFq.Zero);

    /// <summary>2a.</summary>
    public static GpuFq2 Double(GpuFq2 a) => Add(a, a);

    /// <summary>True when both parts are zero.</summary>
    public bool IsZero => C0.IsZero && C1.IsZero;

    /// <summary>a + b.</summary>
    public static GpuFq2 Add(GpuFq2 a, GpuFq2 b) => new(GpuFq.Add(a.C0, b.C0), GpuFq.Add(a.C1, b.C1));

    /// <summary>a - b.</summary>
    public static GpuFq2 Sub(GpuFq2 a, GpuFq2 b) => new(GpuFq.Sub(a.C0, b.C0), GpuFq.Sub(a.C1, b.C1));

    /// <summary>a * b with three base-field products (Karatsuba; u^2 = -1).</summary>
    public static GpuFq2 Mul(GpuFq2 a, GpuFq2 b)
    {
        GpuFq v0 = GpuFq.Mul(a.C0, b.C0);
        GpuFq v1 = GpuFq.Mul(a.C1, b.C1);
        GpuFq cross = GpuFq.Mul(GpuFq.Add(a.C0, a.C1), GpuFq.Add(b.C0, b.C1));
        return new(GpuFq.Sub(v0, v1), GpuFq.Sub(GpuFq.Sub(cross, v0), v1));
    }

    /// <summary>a^2 with two base-field products: (c0 + c1)(c0 - c1) + 2 c0 c1 u.</summary>
    public static GpuFq2 Square(GpuFq2 a) =>
        new(GpuFq.Mul(GpuFq.Add(a.C0, a.C1), GpuFq.Sub(a.C0, a.C1)), GpuFq.Double(GpuFq.Mul(a.C0, a.C1)));

    /// <summary>Reinterprets a CPU element.</summary>
    public static GpuFq2 FromCpu(in Fq2 x) => new(GpuFq.FromCpu(x.C0), GpuFq.FromCpu(x.C1));

    /// <summary>Back to a CPU element.</summary>
    public Fq2 ToCpu() => new(C0.ToCpu(), C1.ToCpu());
}
