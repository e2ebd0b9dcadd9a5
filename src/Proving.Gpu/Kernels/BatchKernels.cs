using ILGPU;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Curves;

namespace ProverMarketChain.Proving.Gpu.Kernels;

/// <summary>Element-wise kernels: one thread per element; inputs and output have the same length.</summary>
internal static class BatchKernels
{
    /// <summary>c[i] = a[i] * b[i] in Fr (Montgomery).</summary>
    public static void FrMul(Index1D i, ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c) =>
        c[i] = GpuFr.Mul(a[i], b[i]);

    /// <summary>c[i] = a[i] + b[i] in Fr.</summary>
    public static void FrAdd(Index1D i, ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c) =>
        c[i] = GpuFr.Add(a[i], b[i]);

    /// <summary>c[i] = a[i] - b[i] in Fr.</summary>
    public static void FrSub(Index1D i, ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c) =>
        c[i] = GpuFr.Sub(a[i], b[i]);

    /// <summary>r[i] = canonical value of a[i] (e.g. scalars for MSM digit extraction).</summary>
    public static void FrFromMontgomery(Index1D i, ArrayView<GpuFr> a, ArrayView<GpuFr> r) =>
        r[i] = GpuFr.FromMontgomery(a[i]);

    /// <summary>r[i] = Montgomery form of canonical a[i] (e.g. witness values uploaded as integers).</summary>
    public static void FrToMontgomery(Index1D i, ArrayView<GpuFr> a, ArrayView<GpuFr> r) =>
        r[i] = GpuFr.ToMontgomery(a[i]);

    /// <summary>c[i] = a[i] * b[i] in Fq (Montgomery).</summary>
    public static void FqMul(Index1D i, ArrayView<GpuFq> a, ArrayView<GpuFq> b, ArrayView<GpuFq> c) =>
        c[i] = GpuFq.Mul(a[i], b[i]);

    /// <summary>c[i] = a[i] * b[i] in Fq2.</summary>
    public static void Fq2Mul(Index1D i, ArrayView<GpuFq2> a, ArrayView<GpuFq2> b, ArrayView<GpuFq2> c) =>
        c[i] = GpuFq2.Mul(a[i], b[i]);

    /// <summary>r[i] = p[i] + q[i] (Jacobian + affine, the bucket step).</summary>
    public static void G1AddMixed(Index1D i, ArrayView<GpuG1Jacobian> p, ArrayView<GpuG1Affine> q, ArrayView<GpuG1Jacobian> r) =>
        r[i] = GpuG1.AddMixed(p[i], q[i]);

    /// <summary>r[i] = p[i] + q[i] (both Jacobian).</summary>
    public static void G1Add(Index1D i, ArrayView<GpuG1Jacobian> p, ArrayView<GpuG1Jacobian> q, ArrayView<GpuG1Jacobian> r) =>
        r[i] = GpuG1.Add(p[i], q[i]);

    /// <summary>r[i] = 2 p[i].</summary>
    public static void G1Double(Index1D i, ArrayView<GpuG1Jacobian> p, ArrayView<GpuG1Jacobian> r) =>
        r[i] = GpuG1.Double(p[i]);

    /// <summary>r[i] = p[i] + q[i] in G2 (Jacobian + affine).</summary>
    public static void G2AddMixed(Index1D i, ArrayView<GpuG2Jacobian> p, ArrayView<GpuG2Affine> q, ArrayView<GpuG2Jacobian> r) =>
        r[i] = GpuG2.AddMixed(p[i], q[i]);

    /// <summary>r[i] = p[i] + q[i] in G2 (both Jacobian).</summary>
    public static void G2Add(Index1D i, ArrayView<GpuG2Jacobian> p, ArrayView<GpuG2Jacobian> q, ArrayView<GpuG2Jacobian> r) =>
        r[i] = GpuG2.Add(p[i], q[i]);
}
