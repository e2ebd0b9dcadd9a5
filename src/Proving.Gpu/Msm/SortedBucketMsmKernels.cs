using ILGPU;
using ILGPU.Algorithms.RadixSortOperations;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Msm;

/// <summary>Ascending sort on the low 24 bits of a uint (the MSM's keys fit; 6 radix passes instead of 8).</summary>
public readonly struct Ascending24Bits : IRadixSortOperation<uint>
{
    /// <summary>Bits sorted (a multiple of 8, as ILGPU's radix sort requires).</summary>
    public int NumBits => 24;

    /// <summary>Padding value.</summary>
    public uint DefaultValue => 0;

    /// <summary>The radix digit at <paramref name="shift"/>.</summary>
    public int ExtractRadixBits(uint value, int shift, int bitMask) => (int)(value >> shift) & bitMask;
}

/// <summary>Ascending sort on the low 16 bits of a uint, for MSMs with fewer than 2^16 buckets (4 radix passes).</summary>
public readonly struct Ascending16Bits : IRadixSortOperation<uint>
{
    /// <summary>Bits sorted (a multiple of 8, as ILGPU's radix sort requires).</summary>
    public int NumBits => 16;

    /// <summary>Padding value.</summary>
    public uint DefaultValue => 0;

    /// <summary>The radix digit at <paramref name="shift"/>.</summary>
    public int ExtractRadixBits(uint value, int shift, int bitMask) => (int)(value >> shift) & bitMask;
}

/// <summary>
/// Kernels of the sorted-bucket MSM, in pipeline order: signed digits and sort keys, bucket bounds (binary search in
/// the sorted keys), segment accumulation with mixed additions (long bucket runs split into slots computed from the
/// bounds, no scan), per-bucket fold of the segments, per-slice running sums and per-window combination of the slices.
/// The curve kernels are generic over <see cref="ICurveOps{TAffine,TJacobian}"/>, so G1 and G2 share them.
/// </summary>
internal static class SortedBucketMsmKernels
{
    /// <summary>
    /// Thread i: scalar i (Montgomery form) to canonical, then signed c-bit digits (d in (-2^(c-1), 2^(c-1)], the carry
    /// going up) written as keys[w*n+i] = w*buckets + |d|-1 (zero digits: the sentinel, above every real key) and values[w*n+i] = i | sign.
    /// </summary>
    public static void Digits(Index1D i, ArrayView<GpuFr> scalars, ArrayView<uint> keys, ArrayView<uint> values,
        int c, int windows, uint sentinel)
    {
        int n = (int)scalars.Length;
        GpuFr s = GpuFr.FromMontgomery(scalars[i]);
        uint half = 1u << (c - 1);
        uint full = 1u << c;
        uint mask = full - 1;
        uint carry = 0;
        for (int w = 0; w < windows; w++)
        {
            int bit = w * c;
            int limb = bit >> 5;
            int shift = bit & 31;
            ulong pair = Limb(s, limb) | ((ulong)Limb(s, limb + 1) << 32);
            uint raw = (uint)(pair >> shift) & mask;
            raw += carry;
            uint magnitude;
            uint sign;
            if (raw > half)
            {
                magnitude = full - raw;
                sign = MsmPlan.NegativeFlag;
                carry = 1;
            }
            else
            {
                magnitude = raw;
                sign = 0;
                carry = 0;
            }
            int at = w * n + i;
            keys[at] = magnitude == 0 ? sentinel : (uint)w * half + magnitude - 1;
            values[at] = (uint)i.X | sign;
        }
    }

    /// <summary>Limb k of a canonical scalar, 0 past the top (kernel-safe: no arrays).</summary>
    private static uint Limb(GpuFr s, int k) => k switch
    {
        0 => s.L0,
        1 => s.L1,
        2 => s.L2,
        3 => s.L3,
        4 => s.L4,
        5 => s.L5,
        6 => s.L6,
        7 => s.L7,
        _ => 0,
    };

    /// <summary>Thread b (0..buckets inclusive): first sorted entry whose key is at least b.</summary>
    public static void BucketStarts(Index1D b, ArrayView<uint> sortedKeys, ArrayView<int> starts)
    {
        int lo = 0;
        int hi = (int)sortedKeys.Length;
        uint key = (uint)b.X;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (sortedKeys[mid] < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        starts[b] = lo;
    }

    /// <summary>
    /// First segment slot of bucket b: floor(start_b / L) + b. No scan is needed: the slots of bucket b,
    /// floor(start_(b+1)/L) - floor(start_b/L) + 1 of them, are at least ceil(len_b / L), since
    /// floor((a + len)/L) - floor(a/L) &gt;= floor(len/L); all slots together are at most floor(E/L) + buckets + 1.
    /// </summary>
    public static int SlotStart(int start, int b, int segmentLength) => start / segmentLength + b;

    /// <summary>
    /// Thread s (one per segment slot): finds the bucket b owning slot s (the last b with SlotStart(b) &lt;= s; slot
    /// starts rise strictly), and if slot k = s - SlotStart(b) is used (k * L &lt; len_b) sums its at most L points,
    /// negated where the digit was. Unused slots write nothing and are never read.
    /// </summary>
    public static void AccumulateSegments<TAffine, TJacobian, TOps>(Index1D s, ArrayView<TAffine> bases,
        ArrayView<uint> sortedValues, ArrayView<int> starts, ArrayView<TJacobian> partials, int segmentLength)
        where TAffine : unmanaged
        where TJacobian : unmanaged
        where TOps : struct, ICurveOps<TAffine, TJacobian>
    {
        int buckets = (int)starts.Length - 1;
        int lo = 0;
        int hi = buckets - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (SlotStart(starts[mid], mid, segmentLength) <= s)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        int b = lo;
        int k = s - SlotStart(starts[b], b, segmentLength);
        int from = starts[b] + k * segmentLength;
        int end = starts[b + 1];
        if (k < 0 || from >= end)
        {
            return;
        }
        int to = Math.Min(from + segmentLength, end);
        TOps ops = default;
        TJacobian acc = ops.Infinity();
        for (int j = from; j < to; j++)
        {
            uint v = sortedValues[j];
            TAffine p = bases[(int)(v & ~MsmPlan.NegativeFlag)];
            acc = ops.AddMixed(acc, (v & MsmPlan.NegativeFlag) != 0 ? ops.Negate(p) : p);
        }
        partials[s] = acc;
    }

    /// <summary>Thread b: bucket b = the sum of its ceil(len_b / L) used segment slots (infinity for an empty bucket).</summary>
    public static void FoldSegments<TAffine, TJacobian, TOps>(Index1D b, ArrayView<int> starts,
        ArrayView<TJacobian> partials, ArrayView<TJacobian> buckets, int segmentLength)
        where TAffine : unmanaged
        where TJacobian : unmanaged
        where TOps : struct, ICurveOps<TAffine, TJacobian>
    {
        TOps ops = default;
        int from = SlotStart(starts[b], b, segmentLength);
        int used = (starts[b + 1] - starts[b] + segmentLength - 1) / segmentLength;
        TJacobian acc = ops.Infinity();
        if (used > 0)
        {
            acc = partials[from];
            for (int s = from + 1; s < from + used; s++)
            {
                acc = ops.Add(acc, partials[s]);
            }
        }
        buckets[b] = acc;
    }

    /// <summary>
    /// Thread t = w * slices + k folds the 2^sliceBits buckets of slice k of window w (digits j = k*S+1 .. (k+1)*S, S =
    /// 2^sliceBits) with the running sum: sums[t] = sum (j - k*S) * B_j, totals[t] = sum B_j.
    /// </summary>
    public static void ReduceSlices<TAffine, TJacobian, TOps>(Index1D t, ArrayView<TJacobian> buckets,
        ArrayView<TJacobian> sums, ArrayView<TJacobian> totals, int bucketsPerWindow, int sliceBits)
        where TAffine : unmanaged
        where TJacobian : unmanaged
        where TOps : struct, ICurveOps<TAffine, TJacobian>
    {
        TOps ops = default;
        int size = 1 << sliceBits;
        int slices = bucketsPerWindow >> sliceBits;
        int w = t / slices;
        int k = t - w * slices;
        int first = w * bucketsPerWindow + k * size;
        TJacobian running = ops.Infinity();
        TJacobian sum = ops.Infinity();
        for (int j = size - 1; j >= 0; j--)
        {
            running = ops.Add(running, buckets[first + j]);
            sum = ops.Add(sum, running);
        }
        sums[t] = sum;
        totals[t] = running;
    }

    /// <summary>
    /// Thread w: window w's sum over all digits, sum_k sums[k] + S * sum_k k * totals[k] (S = 2^sliceBits), the second
    /// term again by a running sum.
    /// </summary>
    public static void CombineSlices<TAffine, TJacobian, TOps>(Index1D w, ArrayView<TJacobian> sums,
        ArrayView<TJacobian> totals, ArrayView<TJacobian> windowSums, int slices, int sliceBits)
        where TAffine : unmanaged
        where TJacobian : unmanaged
        where TOps : struct, ICurveOps<TAffine, TJacobian>
    {
        TOps ops = default;
        int first = w * slices;
        TJacobian running = ops.Infinity();
        TJacobian weighted = ops.Infinity();
        for (int k = slices - 1; k >= 1; k--)
        {
            running = ops.Add(running, totals[first + k]);
            weighted = ops.Add(weighted, running);
        }
        for (int d = 0; d < sliceBits; d++)
        {
            weighted = ops.Double(weighted);
        }
        for (int k = 0; k < slices; k++)
        {
            weighted = ops.Add(weighted, sums[first + k]);
        }
        windowSums[w] = weighted;
    }
}
