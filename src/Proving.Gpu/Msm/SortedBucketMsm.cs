using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Curves;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Msm;

/// <summary>
/// Sorted-bucket multi-scalar multiplication on the accelerator, for G1 and G2 (the B element). Per MSM: signed c-bit
/// digits into (bucket key, point index | sign) pairs, one radix sort by key, bucket runs found by binary search,
/// long runs split into segments of at most L points (witnesses are skewed: a bucket may hold half the points), one
/// thread per segment adds its points with mixed additions, one thread per bucket folds its segments, bucket slices
/// reduced in parallel and combined per window on the device; the host combines the ceil(255/c) window sums.
/// Not thread-safe: use one instance per stream (it owns scratch buffers, grown on demand and reused).
/// </summary>
public sealed class SortedBucketMsm : IDisposable
{
    private readonly GpuContext _context;
    private readonly SortStage _sort;
    private readonly MsmPipeline<GpuG1Affine, GpuG1Jacobian, G1CurveOps> _g1;
    private readonly MsmPipeline<GpuG2Affine, GpuG2Jacobian, G2CurveOps> _g2;
    private bool _disposed;

    /// <summary>Compiles the kernels (G1, G2 and the shared sort stage) once for the context's accelerator.</summary>
    public SortedBucketMsm(GpuContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        Accelerator acc = context.Accelerator;
        _sort = new SortStage(acc);
        _g1 = new MsmPipeline<GpuG1Affine, GpuG1Jacobian, G1CurveOps>(acc);
        _g2 = new MsmPipeline<GpuG2Affine, GpuG2Jacobian, G2CurveOps>(acc);
    }

    /// <summary>
    /// Most points one accumulation thread adds; 0 (the default) picks about sqrt(n). Tests set it small to force the
    /// segmentation of long bucket runs.
    /// </summary>
    internal int SegmentLength { get; set; }

    /// <summary>Device bytes held in scratch buffers (they keep the size of the largest MSM run so far).</summary>
    public long ScratchBytes => _sort.ScratchBytes + _g1.ScratchBytes + _g2.ScratchBytes;

    /// <summary>
    /// sum_i scalars[i] * bases[offset + i] in G1. <paramref name="scalars"/> are Montgomery-form Fr on the device
    /// (reduced, as <see cref="GpuFr.FromCpu(in Fr)"/> gives). Runs on <paramref name="stream"/>, synchronizes it and
    /// returns the result on the host.
    /// </summary>
    /// <param name="bases">The device-resident bases.</param>
    /// <param name="offset">Index in <paramref name="bases"/> of the point that scalar 0 multiplies.</param>
    /// <param name="scalars">One scalar per point of bases[offset .. offset + scalars.Length).</param>
    /// <param name="stream">Stream every step is queued on; synchronized before the method returns.</param>
    /// <param name="windowBits">Window width 1..16, or 0 to choose by size.</param>
    /// <exception cref="ArgumentException">Negative offset, a slice beyond the bases, or a bad window.</exception>
    public G1Jacobian MultiExp(GpuG1Bases bases, int offset, ArrayView<GpuFr> scalars, AcceleratorStream stream, int windowBits = 0)
    {
        ArgumentNullException.ThrowIfNull(bases);
        MsmPlan? plan = Prepare(bases.Count, offset, scalars, stream, windowBits);
        if (plan is not { } p)
        {
            return G1Jacobian.Infinity;
        }
        SortedEntries sorted = _sort.Run(p, scalars, stream);
        GpuG1Jacobian[] windows = _g1.WindowSums(p, bases.View.SubView(offset, p.N), sorted, stream);
        return CombineWindows(windows, p.WindowBits, G1Jacobian.Infinity, static w => w.ToCpu(), static x => x.Double(), static (x, y) => x.Add(y));
    }

    /// <summary>sum_i scalars[i] * bases[offset + i] in G2; otherwise as the G1 overload.</summary>
    /// <param name="bases">The device-resident bases.</param>
    /// <param name="offset">Index in <paramref name="bases"/> of the point that scalar 0 multiplies.</param>
    /// <param name="scalars">One scalar per point of bases[offset .. offset + scalars.Length).</param>
    /// <param name="stream">Stream every step is queued on; synchronized before the method returns.</param>
    /// <param name="windowBits">Window width 1..16, or 0 to choose by size.</param>
    /// <exception cref="ArgumentException">Negative offset, a slice beyond the bases, or a bad window.</exception>
    public G2Jacobian MultiExp(GpuG2Bases bases, int offset, ArrayView<GpuFr> scalars, AcceleratorStream stream, int windowBits = 0)
    {
        ArgumentNullException.ThrowIfNull(bases);
        MsmPlan? plan = Prepare(bases.Count, offset, scalars, stream, windowBits);
        if (plan is not { } p)
        {
            return G2Jacobian.Infinity;
        }
        SortedEntries sorted = _sort.Run(p, scalars, stream);
        GpuG2Jacobian[] windows = _g2.WindowSums(p, bases.View.SubView(offset, p.N), sorted, stream);
        return CombineWindows(windows, p.WindowBits, G2Jacobian.Infinity, static w => w.ToCpu(), static x => x.Double(), static (x, y) => x.Add(y));
    }

    /// <summary>
    /// The host's last step, for either group: Σ_w 2^(c·w)·windows[w] by Horner's rule (c doublings per window, from the
    /// top window down) with the CPU group law.
    /// </summary>
    private static TCpu CombineWindows<TGpu, TCpu>(TGpu[] windows, int windowBits, TCpu infinity, Func<TGpu, TCpu> toCpu,
        Func<TCpu, TCpu> doubled, Func<TCpu, TCpu, TCpu> add)
    {
        TCpu result = infinity;
        for (int w = windows.Length - 1; w >= 0; w--)
        {
            for (int k = 0; k < windowBits; k++)
            {
                result = doubled(result);
            }
            result = add(result, toCpu(windows[w]));
        }
        return result;
    }

    /// <summary>Host convenience: uploads points and scalars, runs on the default stream, frees the uploads.</summary>
    /// <exception cref="ArgumentException">Lengths differ or a bad window.</exception>
    public G1Jacobian MultiExp(ReadOnlySpan<G1Affine> points, ReadOnlySpan<Fr> scalars, int windowBits = 0)
    {
        RequireSameLength(points.Length, scalars.Length);
        using GpuG1Bases bases = GpuG1Bases.Upload(_context, points);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> dScalars = UploadScalars(scalars);
        return MultiExp(bases, 0, dScalars.View.SubView(0, scalars.Length), _context.Accelerator.DefaultStream, windowBits);
    }

    /// <summary>Host convenience for G2: uploads points and scalars, runs on the default stream, frees the uploads.</summary>
    /// <exception cref="ArgumentException">Lengths differ or a bad window.</exception>
    public G2Jacobian MultiExp(ReadOnlySpan<G2Affine> points, ReadOnlySpan<Fr> scalars, int windowBits = 0)
    {
        RequireSameLength(points.Length, scalars.Length);
        using GpuG2Bases bases = GpuG2Bases.Upload(_context, points);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> dScalars = UploadScalars(scalars);
        return MultiExp(bases, 0, dScalars.View.SubView(0, scalars.Length), _context.Accelerator.DefaultStream, windowBits);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _sort.Dispose();
        _g1.Dispose();
        _g2.Dispose();
    }

    /// <summary>Validates the call and plans it; null when there is nothing to add (n = 0).</summary>
    private MsmPlan? Prepare(int baseCount, int offset, ArrayView<GpuFr> scalars, AcceleratorStream stream, int windowBits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "Offset into the bases must not be negative.");
        }
        if (scalars.Length > baseCount - (long)offset)
        {
            throw new ArgumentException(
                $"MSM slice [{offset}, {offset + scalars.Length}) lies beyond the {baseCount} bases.", nameof(scalars));
        }
        MsmPlan plan = MsmPlan.Create((int)scalars.Length, windowBits, SegmentLength);
        return plan.N == 0 ? null : plan;
    }

    private static void RequireSameLength(int points, int scalars)
    {
        if (points != scalars)
        {
            throw new ArgumentException($"MSM needs one scalar per point: {points} points, {scalars} scalars.", nameof(scalars));
        }
    }

    private MemoryBuffer1D<GpuFr, Stride1D.Dense> UploadScalars(ReadOnlySpan<Fr> scalars)
    {
        // Fr and GpuFr hold the same Montgomery limbs in the same byte order (4 x 64 vs 8 x 32 bits, little-endian).
        ReadOnlySpan<GpuFr> limbs = MemoryMarshal.Cast<Fr, GpuFr>(scalars);
        MemoryBuffer1D<GpuFr, Stride1D.Dense> buffer = _context.Accelerator.Allocate1D<GpuFr>(Math.Max(1, limbs.Length));
        if (limbs.Length > 0)
        {
            buffer.View.SubView(0, limbs.Length).AsContiguous().CopyFromCPU(limbs);
        }
        return buffer;
    }
}
