using ILGPU;
using ProverMarketChain.Proving.Gpu.Curves;

namespace ProverMarketChain.Proving.Gpu.Kernels;

/// <summary>
/// Kernels of the naive bucket MSM: one thread per (window, bucket) scans every point, then one thread per window
/// folds its buckets. O(n * buckets) work, no sorting: a correctness reference for the sorted bucket MSM to come.
/// </summary>
internal static class NaiveBucketMsmKernels
{
    /// <summary>
    /// Thread t = w * (2^c - 1) + (b - 1) sums the points whose window-w digit is b.
    /// <paramref name="scalars"/> holds canonical scalars as 8 little-endian uints each; c divides 32.
    /// </summary>
    public static void Accumulate(
        Index1D t, ArrayView<GpuG1Affine> points, ArrayView<uint> scalars, ArrayView<GpuG1Jacobian> buckets, int c)
    {
        int perWindow = (1 << c) - 1;
        int w = t / perWindow;
        uint b = (uint)(t % perWindow + 1);
        int bit = w * c;
        int limb = bit >> 5;
        int shift = bit & 31;
        uint mask = (uint)perWindow;
        GpuG1Jacobian acc = GpuG1Jacobian.Infinity;
        int n = (int)points.Length;
        for (int i = 0; i < n; i++)
        {
            uint digit = (scalars[i * 8 + limb] >> shift) & mask;
            if (digit == b)
            {
                acc = GpuG1.AddMixed(acc, points[i]);
            }
        }
        buckets[t] = acc;
    }

    /// <summary>Thread w computes sum_b b * bucket[w][b] with the running-sum trick (2 adds per bucket).</summary>
    public static void ReduceWindows(Index1D w, ArrayView<GpuG1Jacobian> buckets, ArrayView<GpuG1Jacobian> windows, int c)
    {
        int perWindow = (1 << c) - 1;
        int baseIndex = w * perWindow;
        GpuG1Jacobian running = GpuG1Jacobian.Infinity;
        GpuG1Jacobian sum = GpuG1Jacobian.Infinity;
        for (int b = perWindow - 1; b >= 0; b--)
        {
            running = GpuG1.Add(running, buckets[baseIndex + b]);
            sum = GpuG1.Add(sum, running);
        }
        windows[w] = sum;
    }

    /// <summary>
    /// G2 copy of <see cref="Accumulate"/>.
    /// Thread t = w * (2^c - 1) + (b - 1) sums the points whose window-w digit is b.
    /// <paramref name="scalars"/> holds canonical scalars as 8 little-endian uints each; c divides 32.
    /// </summary>
    public static void AccumulateG2(
        Index1D t, ArrayView<GpuG2Affine> points, ArrayView<uint> scalars, ArrayView<GpuG2Jacobian> buckets, int c)
    {
        int perWindow = (1 << c) - 1;
        int w = t / perWindow;
        uint b = (uint)(t % perWindow + 1);
        int bit = w * c;
        int limb = bit >> 5;
        int shift = bit & 31;
        uint mask = (uint)perWindow;
        GpuG2Jacobian acc = GpuG2Jacobian.Infinity;
        int n = (int)points.Length;
        for (int i = 0; i < n; i++)
        {
            uint digit = (scalars[i * 8 + limb] >> shift) & mask;
            if (digit == b)
            {
                acc = GpuG2.AddMixed(acc, points[i]);
            }
        }
        buckets[t] = acc;
    }

    /// <summary>Thread w computes sum_b b * bucket[w][b] with the running-sum trick (2 adds per bucket).</summary>
    public static void ReduceWindowsG2(Index1D w, ArrayView<GpuG2Jacobian> buckets, ArrayView<GpuG2Jacobian> windows, int c)
    {
        int perWindow = (1 << c) - 1;
        int baseIndex = w * perWindow;
        GpuG2Jacobian running = GpuG2Jacobian.Infinity;
        GpuG2Jacobian sum = GpuG2Jacobian.Infinity;
        for (int b = perWindow - 1; b >= 0; b--)
        {
            running = GpuG2.Add(running, buckets[baseIndex + b]);
            sum = GpuG2.Add(sum, running);
        }
        windows[w] = sum;
    }
}
