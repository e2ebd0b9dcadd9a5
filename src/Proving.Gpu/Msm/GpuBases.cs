using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Gpu.Curves;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Msm;

/// <summary>
/// Device-resident affine points of one kind (shared code of <see cref="GpuG1Bases"/> and <see cref="GpuG2Bases"/>).
/// </summary>
internal sealed class DeviceBases<T> : IDisposable
    where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _buffer;

    /// <summary>
    /// Allocates and copies. With a stream the copy is queued on it (the caller synchronizes before using the view;
    /// CUDA stages a pageable source before the call returns, so <paramref name="host"/> may be dropped at once);
    /// without one the copy is synchronous.
    /// </summary>
    public DeviceBases(GpuContext context, T[] host, AcceleratorStream? stream)
    {
        ArgumentNullException.ThrowIfNull(context);
        Count = host.Length;
        // A 1-element minimum so that an empty section still owns a valid buffer; View is then empty.
        _buffer = context.Accelerator.Allocate1D<T>(Math.Max(1, host.Length));
        if (host.Length > 0)
        {
            ArrayView1D<T, Stride1D.Dense> target = _buffer.View.SubView(0, host.Length);
            if (stream is null)
            {
                target.CopyFromCPU(host);
            }
            else
            {
                target.CopyFromCPU(stream, host);
            }
        }
    }

    public int Count { get; }

    public ArrayView<T> View => _buffer.View.SubView(0, Count);

    public long Bytes => (long)Count * Interop.SizeOf<T>();

    public void Dispose() => _buffer.Dispose();
}

/// <summary>
/// Device-resident affine G1 bases: a proving-key section uploaded once and reused across proofs.
/// Dispose it to free the device memory.
/// </summary>
public sealed class GpuG1Bases : IDisposable
{
    private readonly DeviceBases<GpuG1Affine> _bases;

    private GpuG1Bases(DeviceBases<GpuG1Affine> bases) => _bases = bases;

    /// <summary>
    /// Converts <paramref name="points"/> with <see cref="GpuG1Affine.FromCpu(ReadOnlySpan{G1Affine})"/> and copies them
    /// to the device: queued on <paramref name="stream"/> when one is given (the caller synchronizes it before use),
    /// else synchronously.
    /// </summary>
    public static GpuG1Bases Upload(GpuContext context, ReadOnlySpan<G1Affine> points, AcceleratorStream? stream = null) =>
        new(new DeviceBases<GpuG1Affine>(context, GpuG1Affine.FromCpu(points), stream));

    /// <summary>Number of points.</summary>
    public int Count => _bases.Count;

    /// <summary>The points on the device.</summary>
    public ArrayView<GpuG1Affine> View => _bases.View;

    /// <summary>Device bytes the points take.</summary>
    public long Bytes => _bases.Bytes;

    /// <inheritdoc />
    public void Dispose() => _bases.Dispose();
}

/// <summary>
/// Device-resident affine G2 bases (the B element's key section): uploaded once and reused across proofs.
/// Dispose it to free the device memory.
/// </summary>
public sealed class GpuG2Bases : IDisposable
{
    private readonly DeviceBases<GpuG2Affine> _bases;

    private GpuG2Bases(DeviceBases<GpuG2Affine> bases) => _bases = bases;

    /// <summary>
    /// Converts <paramref name="points"/> with <see cref="GpuG2Affine.FromCpu(ReadOnlySpan{G2Affine})"/> and copies them
    /// to the device: queued on <paramref name="stream"/> when one is given (the caller synchronizes it before use),
    /// else synchronously.
    /// </summary>
    public static GpuG2Bases Upload(GpuContext context, ReadOnlySpan<G2Affine> points, AcceleratorStream? stream = null) =>
        new(new DeviceBases<GpuG2Affine>(context, GpuG2Affine.FromCpu(points), stream));

    /// <summary>Number of points.</summary>
    public int Count => _bases.Count;

    /// <summary>The points on the device.</summary>
    public ArrayView<GpuG2Affine> View => _bases.View;

    /// <summary>Device bytes the points take.</summary>
    public long Bytes => _bases.Bytes;

    /// <inheritdoc />
    public void Dispose() => _bases.Dispose();
}
