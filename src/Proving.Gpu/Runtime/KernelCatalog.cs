using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Curves;
using ProverMarketChain.Proving.Gpu.Kernels;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Ntt;

namespace ProverMarketChain.Proving.Gpu.Runtime;

/// <summary>How a kernel's threads are grouped: ILGPU's auto-grouped kernels take an index first, explicitly grouped
/// ones a <see cref="KernelConfig"/> at launch and no index parameter.</summary>
internal enum KernelGrouping
{
    /// <summary>Loaded with <c>LoadAutoGroupedKernel</c>/<c>LoadAutoGroupedStreamKernel</c>; first parameter an index.</summary>
    Implicit,

    /// <summary>Loaded with <c>LoadKernel</c> and launched with a grid and group size (shared memory, barriers).</summary>
    Explicit,
}

/// <summary>One kernel the backend loads: its method (generic kernels closed over the curve they run on).</summary>
/// <param name="Name">A readable name, e.g. <c>SortedBucketMsmKernels.AccumulateSegments[G1]</c>.</param>
/// <param name="Method">The closed kernel method.</param>
/// <param name="Grouping">How it is loaded and launched.</param>
internal sealed record KernelEntry(string Name, MethodInfo Method, KernelGrouping Grouping);

/// <summary>
/// Every kernel of this project the GPU backend loads (<see cref="GpuBatchOps"/>, <see cref="NttKernelSet"/>, the
/// sorted-bucket MSM's <see cref="SortStage"/> and <see cref="MsmPipeline{TAffine, TJacobian, TOps}"/> for G1 and G2),
/// so that they can be compiled for CUDA without a GPU (<see cref="PtxKernelCompiler"/>). ILGPU.Algorithms' radix sort
/// is not listed: its kernels are that library's. A test cross-checks this list against the kernels' declaring types,
/// so a new kernel method that is not listed fails it.
/// </summary>
internal static class KernelCatalog
{
    /// <summary>The types that declare kernels (every public static method whose first parameter is an
    /// <see cref="Index1D"/> or an <see cref="ArrayView{T}"/> is one).</summary>
    public static IReadOnlyList<Type> KernelTypes { get; } =
        [typeof(BatchKernels), typeof(NttKernels), typeof(SortedBucketMsmKernels)];

    /// <summary>The kernels, generic ones once per curve.</summary>
    public static IReadOnlyList<KernelEntry> All { get; } = Build();

    private static List<KernelEntry> Build()
    {
        var list = new List<KernelEntry>();
        void Implicit(Delegate kernel) => list.Add(Entry(kernel.Method, KernelGrouping.Implicit, null));
        void Explicit(Delegate kernel) => list.Add(Entry(kernel.Method, KernelGrouping.Explicit, null));

        // GpuBatchOps
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrMul));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrAdd));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrSub));
        Implicit(new Action<Index1D, ArrayView<GpuFq>, ArrayView<GpuFq>, ArrayView<GpuFq>>(BatchKernels.FqMul));
        Implicit(new Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Affine>, ArrayView<GpuG1Jacobian>>(BatchKernels.G1AddMixed));
        Implicit(new Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>>(BatchKernels.G1Add));
        Implicit(new Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>>(BatchKernels.G1Double));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrFromMontgomery));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>>(BatchKernels.FrToMontgomery));
        Implicit(new Action<Index1D, ArrayView<GpuFq2>, ArrayView<GpuFq2>, ArrayView<GpuFq2>>(BatchKernels.Fq2Mul));
        Implicit(new Action<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Affine>, ArrayView<GpuG2Jacobian>>(BatchKernels.G2AddMixed));
        Implicit(new Action<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>>(BatchKernels.G2Add));

        // NttKernelSet
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, GpuFr, int, int, int>(NttKernels.BitReverse));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int>(NttKernels.DitStage));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int>(NttKernels.DifInverseStage));
        Explicit(new Action<ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int>(NttKernels.LocalStages));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int>(NttKernels.Multiply));
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int>(NttKernels.MultiplySubtract));

        // SortStage
        Implicit(new Action<Index1D, ArrayView<GpuFr>, ArrayView<uint>, ArrayView<uint>, int, int, uint>(SortedBucketMsmKernels.Digits));
        Implicit(new Action<Index1D, ArrayView<uint>, ArrayView<int>>(SortedBucketMsmKernels.BucketStarts));

        // MsmPipeline, once per curve
        AddCurve<GpuG1Affine, GpuG1Jacobian, G1CurveOps>(list, "G1");
        AddCurve<GpuG2Affine, GpuG2Jacobian, G2CurveOps>(list, "G2");
        return list;
    }

    private static void AddCurve<TAffine, TJacobian, TOps>(List<KernelEntry> list, string curve)
        where TAffine : unmanaged
        where TJacobian : unmanaged
        where TOps : struct, ICurveOps<TAffine, TJacobian>
    {
        list.Add(Entry(new Action<Index1D, ArrayView<TAffine>, ArrayView<uint>, ArrayView<int>, ArrayView<TJacobian>, int>(
            SortedBucketMsmKernels.AccumulateSegments<TAffine, TJacobian, TOps>).Method, KernelGrouping.Implicit, curve));
        list.Add(Entry(new Action<Index1D, ArrayView<int>, ArrayView<TJacobian>, ArrayView<TJacobian>, int>(
            SortedBucketMsmKernels.FoldSegments<TAffine, TJacobian, TOps>).Method, KernelGrouping.Implicit, curve));
        list.Add(Entry(new Action<Index1D, ArrayView<TJacobian>, ArrayView<TJacobian>, ArrayView<TJacobian>, int, int>(
            SortedBucketMsmKernels.ReduceSlices<TAffine, TJacobian, TOps>).Method, KernelGrouping.Implicit, curve));
        list.Add(Entry(new Action<Index1D, ArrayView<TJacobian>, ArrayView<TJacobian>, ArrayView<TJacobian>, int, int>(
            SortedBucketMsmKernels.CombineSlices<TAffine, TJacobian, TOps>).Method, KernelGrouping.Implicit, curve));
    }

    private static KernelEntry Entry(MethodInfo method, KernelGrouping grouping, string? curve) =>
        new($"{method.DeclaringType!.Name}.{method.Name}{(curve is null ? "" : $"[{curve}]")}", method, grouping);
}
