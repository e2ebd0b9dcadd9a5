using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Curves;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Kernels;

/// <summary>
/// A naive G1 and G2 bucket MSM on the accelerator, for small sizes: buckets and per-window sums on the device, the final
/// window combination (c doublings per window) on the host with the CPU group law. Correctness reference only:
/// every bucket thread scans all n points, so work is n * (256/c) * (2^c - 1) digit checks.
/// </summary>
public sealed class NaiveBucketMsm
{
    private readonly Accelerator _acc;
    private readonly Action<Index1D, ArrayView<GpuG1Affine>, ArrayView<uint>, ArrayView<GpuG1Jacobian>, int> _accumulate;
    private readonly Action<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>, int> _reduce;
    private readonly Action<Index1D, ArrayView<GpuG2Affine>, ArrayView<uint>, ArrayView<GpuG2Jacobian>, int> _accumulateG2;
    private readonly Action<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>, int> _reduceG2;

    /// <summary>Compiles the kernels for the context's accelerator.</summary>
    public NaiveBucketMsm(GpuContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _acc = context.Accelerator;
        _accumulate = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG1Affine>, ArrayView<uint>, ArrayView<GpuG1Jacobian>, int>(
            NaiveBucketMsmKernels.Accumulate);
        _reduce = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG1Jacobian>, ArrayView<GpuG1Jacobian>, int>(
            NaiveBucketMsmKernels.ReduceWindows);
        _accumulateG2 = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG2Affine>, ArrayView<uint>, ArrayView<GpuG2Jacobian>, int>(
            NaiveBucketMsmKernels.AccumulateG2);
        _reduceG2 = _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<GpuG2Jacobian>, ArrayView<GpuG2Jacobian>, int>(
            NaiveBucketMsmKernels.ReduceWindowsG2);
    }

    /// <summary>sum_i scalars[i] * points[i], with windows of <paramref name="windowBits"/> bits (1, 2, 4, 8 or 16).</summary>
    /// <exception cref="ArgumentException">Lengths differ or the window does not divide 32.</exception>
    public G1Jacobian MultiExp(ReadOnlySpan<G1Affine> points, ReadOnlySpan<Fr> scalars, int windowBits = 4)
    {
        Validate(points.Length, scalars.Length, windowBits);
        if (points.Length == 0)
        {
            return G1Jacobian.Infinity;
        }
        int windows = 256 / windowBits;
        int perWindow = (1 << windowBits) - 1;
        GpuG1Affine[] hostPoints = GpuG1Affine.FromCpu(points);
        uint[] hostScalars = CanonicalLimbs(scalars);

        using MemoryBuffer1D<GpuG1Affine, Stride1D.Dense> dPoints = _acc.Allocate1D(hostPoints);
        using MemoryBuffer1D<uint, Stride1D.Dense> dScalars = _acc.Allocate1D(hostScalars);
        using MemoryBuffer1D<GpuG1Jacobian, Stride1D.Dense> dBuckets = _acc.Allocate1D<GpuG1Jacobian>(windows * perWindow);
        using MemoryBuffer1D<GpuG1Jacobian, Stride1D.Dense> dWindows = _acc.Allocate1D<GpuG1Jacobian>(windows);
        _accumulate(windows * perWindow, dPoints.View, dScalars.View, dBuckets.View, windowBits);
        _reduce(windows, dBuckets.View, dWindows.View, windowBits);
        _acc.Synchronize();
        GpuG1Jacobian[] sums = dWindows.GetAsArray1D();

        G1Jacobian result = G1Jacobian.Infinity;
        for (int w = windows - 1; w >= 0; w--)
        {
            for (int k = 0; k < windowBits; k++)
            {
                result = result.Double();
            }
            result = result.Add(sums[w].ToCpu());
        }
        return result;
    }

    /// <summary>sum_i scalars[i] * points[i] in G2 (the B element's MSM), same windows as the G1 overload.</summary>
    /// <exception cref="ArgumentException">Lengths differ or the window does not divide 32.</exception>
    public G2Jacobian MultiExp(ReadOnlySpan<G2Affine> points, ReadOnlySpan<Fr> scalars, int windowBits = 4)
    {
        Validate(points.Length, scalars.Length, windowBits);
        if (points.Length == 0)
        {
            return G2Jacobian.Infinity;
        }
        int windows = 256 / windowBits;
        int perWindow = (1 << windowBits) - 1;
        GpuG2Affine[] hostPoints = GpuG2Affine.FromCpu(points);
        uint[] hostScalars = CanonicalLimbs(scalars);

        using MemoryBuffer1D<GpuG2Affine, Stride1D.Dense> dPoints = _acc.Allocate1D(hostPoints);
        using MemoryBuffer1D<uint, Stride1D.Dense> dScalars = _acc.Allocate1D(hostScalars);
        using MemoryBuffer1D<GpuG2Jacobian, Stride1D.Dense> dBuckets = _acc.Allocate1D<GpuG2Jacobian>(windows * perWindow);
        using MemoryBuffer1D<GpuG2Jacobian, Stride1D.Dense> dWindows = _acc.Allocate1D<GpuG2Jacobian>(windows);
        _accumulateG2(windows * perWindow, dPoints.View, dScalars.View, dBuckets.View, windowBits);
        _reduceG2(windows, dBuckets.View, dWindows.View, windowBits);
        _acc.Synchronize();
        GpuG2Jacobian[] sums = dWindows.GetAsArray1D();

        G2Jacobian result = G2Jacobian.Infinity;
        for (int w = windows - 1; w >= 0; w--)
        {
            for (int k = 0; k < windowBits; k++)
            {
                result = result.Double();
            }
            result = result.Add(sums[w].ToCpu());
        }
        return result;
    }

    private static void Validate(int points, int scalars, int windowBits)
    {
        if (points != scalars)
        {
            throw new ArgumentException($"MSM needs one scalar per point: {points} points, {scalars} scalars.", nameof(scalars));
        }
        if (windowBits is not (1 or 2 or 4 or 8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(windowBits), windowBits, "Window must be 1, 2, 4, 8 or 16 bits (it must divide 32).");
        }
    }

    /// <summary>Canonical (non-Montgomery) scalars as 8 little-endian uints each.</summary>
    internal static uint[] CanonicalLimbs(ReadOnlySpan<Fr> scalars)
    {
        var limbs = new uint[scalars.Length * 8];
        Span<byte> b = stackalloc byte[32];
        for (int i = 0; i < scalars.Length; i++)
        {
            scalars[i].WriteLittleEndian(b, montgomery: false);
            for (int j = 0; j < 8; j++)
            {
                limbs[i * 8 + j] = BitConverter.ToUInt32(b[(j * 4)..]);
            }
        }
        return limbs;
    }
}
