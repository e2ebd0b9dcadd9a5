using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Msm;

/// <summary>
/// The curve-specific half of the sorted-bucket MSM: its kernels for one curve and the buffers sized to the largest
/// MSM seen so far (grown on demand, reused). Runs every step on the caller's stream and returns the window sums; the
/// scalar-side steps (digits, sort, bucket bounds) live in <see cref="SortStage"/>, shared by both curves.
/// </summary>
internal sealed class MsmPipeline<TAffine, TJacobian, TOps> : IDisposable
    where TAffine : unmanaged
    where TJacobian : unmanaged
    where TOps : struct, ICurveOps<TAffine, TJacobian>
{
    private readonly Accelerator _acc;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<TAffine>, ArrayView<uint>, ArrayView<int>, ArrayView<TJacobian>, int> _accumulate;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<TJacobian>, ArrayView<TJacobian>, int> _fold;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<TJacobian>, ArrayView<TJacobian>, ArrayView<TJacobian>, int, int> _reduceSlices;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<TJacobian>, ArrayView<TJacobian>, ArrayView<TJacobian>, int, int> _combineSlices;
    private readonly GrowableBuffer<TJacobian> _partials;
    private readonly GrowableBuffer<TJacobian> _buckets;
    private readonly GrowableBuffer<TJacobian> _sliceSums;
    private readonly GrowableBuffer<TJacobian> _sliceTotals;
    private readonly GrowableBuffer<TJacobian> _windowSums;

    public MsmPipeline(Accelerator acc)
    {
        _acc = acc;
        _accumulate = acc.LoadAutoGroupedKernel<Index1D, ArrayView<TAffine>, ArrayView<uint>, ArrayView<int>, ArrayView<TJacobian>, int>(
            SortedBucketMsmKernels.AccumulateSegments<TAffine, TJacobian, TOps>);
        _fold = acc.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<TJacobian>, ArrayView<TJacobian>, int>(
            SortedBucketMsmKernels.FoldSegments<TAffine, TJacobian, TOps>);
        _reduceSlices = acc.LoadAutoGroupedKernel<Index1D, ArrayView<TJacobian>, ArrayView<TJacobian>, ArrayView<TJacobian>, int, int>(
            SortedBucketMsmKernels.ReduceSlices<TAffine, TJacobian, TOps>);
        _combineSlices = acc.LoadAutoGroupedKernel<Index1D, ArrayView<TJacobian>, ArrayView<TJacobian>, ArrayView<TJacobian>, int, int>(
            SortedBucketMsmKernels.CombineSlices<TAffine, TJacobian, TOps>);
        _partials = new GrowableBuffer<TJacobian>(acc);
        _buckets = new GrowableBuffer<TJacobian>(acc);
        _sliceSums = new GrowableBuffer<TJacobian>(acc);
        _sliceTotals = new GrowableBuffer<TJacobian>(acc);
        _windowSums = new GrowableBuffer<TJacobian>(acc);
    }

    /// <summary>Device bytes held by this curve's scratch buffers.</summary>
    public long ScratchBytes =>
        _partials.Bytes + _buckets.Bytes + _sliceSums.Bytes + _sliceTotals.Bytes + _windowSums.Bytes;

    /// <summary>
    /// Accumulates the sorted entries of <paramref name="sorted"/> over <paramref name="bases"/> (the section, index 0 =
    /// scalar 0), reduces every window and returns the window sums, low window first (synchronizes the stream).
    /// </summary>
    public TJacobian[] WindowSums(in MsmPlan plan, ArrayView<TAffine> bases, SortedEntries sorted, AcceleratorStream stream)
    {
        ArrayView<TJacobian> partials = _partials.Get(plan.MaxSegments);
        ArrayView<TJacobian> buckets = _buckets.Get(plan.Buckets);
        ArrayView<TJacobian> sums = _sliceSums.Get(plan.Slices);
        ArrayView<TJacobian> totals = _sliceTotals.Get(plan.Slices);
        ArrayView<TJacobian> windows = _windowSums.Get(plan.Windows);

        _accumulate(stream, plan.MaxSegments, bases, sorted.Values, sorted.BucketStarts, partials, plan.SegmentLength);
        _fold(stream, plan.Buckets, sorted.BucketStarts, partials, buckets, plan.SegmentLength);
        _reduceSlices(stream, plan.Slices, buckets, sums, totals, plan.BucketsPerWindow, plan.SliceBits);
        _combineSlices(stream, plan.Windows, sums, totals, windows, plan.SlicesPerWindow, plan.SliceBits);

        var host = new TJacobian[plan.Windows];
        windows.CopyToCPU(stream, host);
        stream.Synchronize();
        return host;
    }

    public void Dispose()
    {
        _partials.Dispose();
        _buckets.Dispose();
        _sliceSums.Dispose();
        _sliceTotals.Dispose();
        _windowSums.Dispose();
    }
}

/// <summary>Views into the sort stage's buffers for one MSM: sorted values and bucket starts (buckets + 1 entries).</summary>
internal readonly record struct SortedEntries(ArrayView<uint> Values, ArrayView<int> BucketStarts);

/// <summary>
/// The curve-independent half of the MSM: signed digits into (key, value) pairs, ILGPU.Algorithms' radix sort by key (16 or 24 key bits),
/// bucket starts by binary search. Queues everything on the stream and does not synchronize.
/// </summary>
internal sealed class SortStage : IDisposable
{
    private readonly Accelerator _acc;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<GpuFr>, ArrayView<uint>, ArrayView<uint>, int, int, uint> _digits;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<uint>, ArrayView<int>> _bucketStarts;
    private readonly RadixSortPairs<uint, Stride1D.Dense, uint, Stride1D.Dense> _sort16;
    private readonly RadixSortPairs<uint, Stride1D.Dense, uint, Stride1D.Dense> _sort24;
    private readonly GrowableBuffer<uint> _keys;
    private readonly GrowableBuffer<uint> _values;
    private readonly GrowableBuffer<int> _sortTemp;
    private readonly GrowableBuffer<int> _starts;

    public SortStage(Accelerator acc)
    {
        _acc = acc;
        _digits = acc.LoadAutoGroupedKernel<Index1D, ArrayView<GpuFr>, ArrayView<uint>, ArrayView<uint>, int, int, uint>(SortedBucketMsmKernels.Digits);
        _bucketStarts = acc.LoadAutoGroupedKernel<Index1D, ArrayView<uint>, ArrayView<int>>(SortedBucketMsmKernels.BucketStarts);
        _sort16 = acc.CreateRadixSortPairs<uint, Stride1D.Dense, uint, Stride1D.Dense, Ascending16Bits>();
        _sort24 = acc.CreateRadixSortPairs<uint, Stride1D.Dense, uint, Stride1D.Dense, Ascending24Bits>();
        _keys = new GrowableBuffer<uint>(acc);
        _values = new GrowableBuffer<uint>(acc);
        _sortTemp = new GrowableBuffer<int>(acc);
        _starts = new GrowableBuffer<int>(acc);
    }

    /// <summary>Device bytes held by the sort stage's scratch buffers.</summary>
    public long ScratchBytes => _keys.Bytes + _values.Bytes + _sortTemp.Bytes + _starts.Bytes;

    /// <summary>Queues digits, sort and bucket starts for <paramref name="scalars"/> (n = plan.N).</summary>
    public SortedEntries Run(in MsmPlan plan, ArrayView<GpuFr> scalars, AcceleratorStream stream)
    {
        int entries = plan.Entries;
        int bounds = plan.Buckets + 1;
        ArrayView1D<uint, Stride1D.Dense> keys = _keys.Get(entries);
        ArrayView1D<uint, Stride1D.Dense> values = _values.Get(entries);
        ArrayView1D<int, Stride1D.Dense> starts = _starts.Get(bounds);
        bool narrow = plan.KeyBits == 16;
        ArrayView1D<int, Stride1D.Dense> sortTemp = _sortTemp.Get(Math.Max(1, narrow
            ? _acc.ComputeRadixSortPairsTempStorageSize<uint, uint, Ascending16Bits>((Index1D)entries)
            : _acc.ComputeRadixSortPairsTempStorageSize<uint, uint, Ascending24Bits>((Index1D)entries)));

        _digits(stream, plan.N, scalars, keys, values, plan.WindowBits, plan.Windows, plan.SentinelKey);
        (narrow ? _sort16 : _sort24)(stream, keys, values, sortTemp);
        _bucketStarts(stream, bounds, keys, starts);
        return new SortedEntries(values, starts);
    }

    public void Dispose()
    {
        _keys.Dispose();
        _values.Dispose();
        _sortTemp.Dispose();
        _starts.Dispose();
    }
}

/// <summary>A device buffer that is reallocated (never shrunk) when a larger view is asked for.</summary>
internal sealed class GrowableBuffer<T>(Accelerator acc) : IDisposable
    where T : unmanaged
{
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

    public long Bytes => _buffer is null ? 0 : _buffer.LengthInBytes;

    /// <summary>A view of exactly <paramref name="length"/> elements (contents undefined).</summary>
    public ArrayView1D<T, Stride1D.Dense> Get(long length)
    {
        if (_buffer is null || _buffer.Length < length)
        {
            // Grow by half again so that slowly growing sizes do not reallocate every call. Safe to free: every MSM
            // synchronizes its stream before returning, so no queued kernel still reads the old buffer.
            long capacity = Math.Max(length, (_buffer?.Length ?? 0) * 3 / 2);
            _buffer?.Dispose();
            _buffer = null;
            _buffer = acc.Allocate1D<T>(Math.Max(1, capacity));
        }
        return _buffer.View.SubView(0, length);
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
