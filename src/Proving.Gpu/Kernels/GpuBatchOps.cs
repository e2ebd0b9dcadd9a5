using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Curves;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Kernels;

/// <summary>
/// Host side of the element-wise kernels: loads each kernel once per accelerator, uploads, runs, downloads.
/// Synchronous and unpipelined (no host/device overlap yet); meant for tests and as the building block of MSM/NTT.
/// </summary>
public sealed class GpuBatchOps
{
    private readonly Accelerator _acc;
    private readonly Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>> _frMul;
    private readonly Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>> _frAdd;
    private readonly Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>> _frSub;
    private readonly Action<Index1D, ArrayView<GpuFq>, ArrayView<GpuFq>, ArrayView<GpuFq>> _fqMul;
    private readonly Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Affine>, ArrayView<GpuG1Jacobian>> _g1AddMixed;
    private readonly Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>> _g1Add;
    private readonly Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>> _g1Double;
    private readonly Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>> _frFromMont;
    private readonly Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>> _frToMont;
    private readonly Action<Index1D, ArrayView<GpuFq2>, ArrayView<GpuFq2>, ArrayView<GpuFq2>> _fq2Mul;
    private readonly Action<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Affine>, ArrayView<GpuG2Jacobian>> _g2AddMixed;
    private readonly Action<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>> _g2Add;

    /// <summary>Compiles the kernels for the context's accelerator.</summary>
    public GpuBatchOps(GpuContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _acc = context.Accelerator;
        _frMul = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrMul);
        _frAdd = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrAdd);
        _frSub = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrSub);
        _fqMul = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFq>, ArrayView<GpuFq>, ArrayView<GpuFq>>(BatchKernels.FqMul);
        _g1AddMixed = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Affine>, ArrayView<GpuG1Jacobian>>(BatchKernels.G1AddMixed);
        _g1Add = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>>(BatchKernels.G1Add);
        _g1Double = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>>(BatchKernels.G1Double);
        _frFromMont = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrFromMontgomery);
        _frToMont = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrToMontgomery);
        _fq2Mul = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuFq2>, ArrayView<GpuFq2>, ArrayView<GpuFq2>>(BatchKernels.Fq2Mul);
        _g2AddMixed = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Affine>, ArrayView<GpuG2Jacobian>>(BatchKernels.G2AddMixed);
        _g2Add = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>>(BatchKernels.G2Add);
    }

    /// <summary>a[i] * b[i] in Fr.</summary>
    public GpuFr[] MulFr(GpuFr[] a, GpuFr[] b) => Binary(_frMul, a, b);

    /// <summary>a[i] + b[i] in Fr.</summary>
    public GpuFr[] AddFr(GpuFr[] a, GpuFr[] b) => Binary(_frAdd, a, b);

    /// <summary>a[i] - b[i] in Fr.</summary>
    public GpuFr[] SubFr(GpuFr[] a, GpuFr[] b) => Binary(_frSub, a, b);

    /// <summary>a[i] * b[i] in Fq.</summary>
    public GpuFq[] MulFq(GpuFq[] a, GpuFq[] b) => Binary(_fqMul, a, b);

    /// <summary>a[i] * b[i] in Fq2.</summary>
    public GpuFq2[] MulFq2(GpuFq2[] a, GpuFq2[] b) => Binary(_fq2Mul, a, b);

    /// <summary>p[i] + q[i], Jacobian plus affine.</summary>
    public GpuG1Jacobian[] AddMixedG1(GpuG1Jacobian[] p, GpuG1Affine[] q) => Binary(_g1AddMixed, p, q);

    /// <summary>p[i] + q[i], both Jacobian.</summary>
    public GpuG1Jacobian[] AddG1(GpuG1Jacobian[] p, GpuG1Jacobian[] q) => Binary(_g1Add, p, q);

    /// <summary>p[i] + q[i] in G2, Jacobian plus affine.</summary>
    public GpuG2Jacobian[] AddMixedG2(GpuG2Jacobian[] p, GpuG2Affine[] q) => Binary(_g2AddMixed, p, q);

    /// <summary>p[i] + q[i] in G2, both Jacobian.</summary>
    public GpuG2Jacobian[] AddG2(GpuG2Jacobian[] p, GpuG2Jacobian[] q) => Binary(_g2Add, p, q);

    /// <summary>2 p[i].</summary>
    public GpuG1Jacobian[] DoubleG1(GpuG1Jacobian[] p) => Unary(_g1Double, p);

    /// <summary>Canonical values of Montgomery-form elements (limbs hold x, not x*R).</summary>
    public GpuFr[] FromMontgomeryFr(GpuFr[] a) => Unary(_frFromMont, a);

    /// <summary>Montgomery form of canonical elements (each must be below r).</summary>
    public GpuFr[] ToMontgomeryFr(GpuFr[] a) => Unary(_frToMont, a);

    private TR[] Unary<TA, TR>(Action<Index1D, ArrayView<TA>, ArrayView<TR>> kernel, TA[] a)
        where TA : unmanaged where TR : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Length == 0)
        {
            return [];
        }
        using MemoryBuffer1D<TA, Stride1D.Dense> da = _acc.Allocate1D(a);
        using MemoryBuffer1D<TR, Stride1D.Dense> dr = _acc.Allocate1D<TR>(a.Length);
        kernel(a.Length, da.View, dr.View);
        _acc.Synchronize();
        return dr.GetAsArray1D();
    }

    private TR[] Binary<TA, TB, TR>(Action<Index1D, ArrayView<TA>, ArrayView<TB>, ArrayView<TR>> kernel, TA[] a, TB[] b)
        where TA : unmanaged where TB : unmanaged where TR : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Batch inputs differ in length: {a.Length} and {b.Length}.", nameof(b));
        }
        if (a.Length == 0)
        {
            return [];
        }
        using MemoryBuffer1D<TA, Stride1D.Dense> da = _acc.Allocate1D(a);
        using MemoryBuffer1D<TB, Stride1D.Dense> db = _acc.Allocate1D(b);
        using MemoryBuffer1D<TR, Stride1D.Dense> dr = _acc.Allocate1D<TR>(a.Length);
        kernel(a.Length, da.View, db.View, dr.View);
        _acc.Synchronize();
        return dr.GetAsArray1D();
    }
}
