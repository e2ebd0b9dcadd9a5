using ILGPU;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Ntt;

namespace ProverMarketChain.Proving.Gpu.Ntt;

/// <summary>
/// Device code of the Fr NTT. Every kernel works on up to three arrays of 2^log2n elements at once (x0, x1, x2; pass the
/// same view three times and launch for one array when there is only one): the thread or group index picks the array,
/// so the three cosets of the H computation run in one launch per step instead of three (they overlap on the device
/// without streams or events). The array choice is uniform over a warp because every array holds a multiple of 32
/// butterflies from n = 64 on.
/// <para>
/// The element-wise and one-stage kernels are grid-stride loops over <c>count</c> work items with the launched extent as
/// <c>stride</c>, and the shared-memory kernel's groups loop over blocks: the host launches at most as many threads as
/// the device runs at once (a GPU gets about one item per thread at the sizes that matter; ILGPU's CPU accelerator,
/// 16 threads, gets long loops instead of thousands of emulated thread groups).
/// </para>
/// <para>
/// Twiddles are in stage order (see <see cref="NttTables.StageTwiddles"/>): entry h + j is w_{2h}^j for half length h
/// and j &lt; h. The inverse twiddle w_{2h}^{-j} is read from the same table as -w_{2h}^{h-j} = -tw[2h - j] (j &gt; 0),
/// so no second table is held. Forward transforms are decimation in time (bit-reversed in, natural out), inverse ones
/// decimation in frequency (natural in, bit-reversed out); the odd-coset step chains the two with the coset factors
/// stored in bit-reversed order, so it needs no bit-reversal permutation at all.
/// </para>
/// </summary>
internal static class NttKernels
{
    /// <summary>Largest block handled in shared memory: 2^10 elements (32 KiB of Fr), 512 threads per group.</summary>
    public const int MaxLocalLog = 10;

    /// <summary>Local kernel mode bit: run the inverse DIF stages with half lengths 2^(blockLog-1) .. 1.</summary>
    public const int ModeDifInverse = 1;

    /// <summary>Local kernel mode bit: multiply each element by <c>factors</c> at its global index.</summary>
    public const int ModeScale = 2;

    /// <summary>Local kernel mode bit: run the forward DIT stages with half lengths 1 .. 2^(blockLog-1).</summary>
    public const int ModeDit = 4;

    private static ArrayView<GpuFr> Pick(int which, ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2) =>
        which == 0 ? x0 : which == 1 ? x1 : x2;

    /// <summary>w_{2h}^{-j} from the forward stage-order table.</summary>
    private static GpuFr InverseTwiddle(ArrayView<GpuFr> tw, int half, int j) =>
        j == 0 ? tw[half] : GpuFr.Neg(tw[2 * half - j]);

    /// <summary>Offset of butterfly k's first element for half length 2^halfLog (its partner is half further).</summary>
    private static int ButterflyIndex(int k, int halfLog) =>
        ((k >> halfLog) << (halfLog + 1)) + (k & ((1 << halfLog) - 1));

    /// <summary>
    /// Bit-reversal permutation, one work item per element (count = arrays * n): the lower index of each pair swaps, and
    /// when <paramref name="scale"/> is nonzero every element is also multiplied by <paramref name="factor"/> (the
    /// inverse transform's 1/n, fused into the permutation's pass over memory).
    /// </summary>
    public static void BitReverse(Index1D index, ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2,
        int log2n, GpuFr factor, int scale, int count, int stride)
    {
        for (int i = index; i < count; i += stride)
        {
            ArrayView<GpuFr> x = Pick(i >> log2n, x0, x1, x2);
            int a = i & ((1 << log2n) - 1);
            int b = (int)(BitReversal.Reverse32((uint)a) >> (32 - log2n));
            if (a < b)
            {
                GpuFr u = x[a], v = x[b];
                if (scale != 0)
                {
                    u = GpuFr.Mul(u, factor);
                    v = GpuFr.Mul(v, factor);
                }
                x[a] = v;
                x[b] = u;
            }
            else if (a == b && scale != 0)
            {
                x[a] = GpuFr.Mul(x[a], factor);
            }
        }
    }

    /// <summary>One forward DIT stage with half length 2^halfLog, one butterfly per work item (count = arrays * n/2):
    /// (u, v) -> (u + w v, u - w v).</summary>
    public static void DitStage(Index1D index, ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2,
        ArrayView<GpuFr> tw, int log2n, int halfLog, int count, int stride)
    {
        int half = 1 << halfLog;
        for (int i = index; i < count; i += stride)
        {
            ArrayView<GpuFr> x = Pick(i >> (log2n - 1), x0, x1, x2);
            int k = i & ((1 << (log2n - 1)) - 1);
            int j = k & (half - 1);
            int p = ButterflyIndex(k, halfLog);
            GpuFr u = x[p];
            GpuFr v = GpuFr.Mul(x[p + half], tw[half + j]);
            x[p] = GpuFr.Add(u, v);
            x[p + half] = GpuFr.Sub(u, v);
        }
    }

    /// <summary>One inverse DIF stage with half length 2^halfLog, one butterfly per work item (count = arrays * n/2):
    /// (u, v) -> (u + v, (u - v) w^-1).</summary>
    public static void DifInverseStage(Index1D index, ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2,
        ArrayView<GpuFr> tw, int log2n, int halfLog, int count, int stride)
    {
        int half = 1 << halfLog;
        for (int i = index; i < count; i += stride)
        {
            ArrayView<GpuFr> x = Pick(i >> (log2n - 1), x0, x1, x2);
            int k = i & ((1 << (log2n - 1)) - 1);
            int j = k & (half - 1);
            int p = ButterflyIndex(k, halfLog);
            GpuFr u = x[p], v = x[p + half];
            x[p] = GpuFr.Add(u, v);
            x[p + half] = GpuFr.Mul(GpuFr.Sub(u, v), InverseTwiddle(tw, half, j));
        }
    }

    /// <summary>
    /// The stages whose butterflies stay within blocks of 2^blockLog consecutive elements, in shared memory: one group
    /// of 2^(blockLog-1) threads per block (blocks = arrays * 2^(log2n - blockLog)), one global read and one global write
    /// per element for all of them. In order, as <paramref name="mode"/> asks: the last inverse DIF stages, the
    /// multiplication by <paramref name="factors"/> (indexed like the data), the first forward DIT stages. With all three
    /// this is the middle of the odd-coset step.
    /// </summary>
    public static void LocalStages(ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2, ArrayView<GpuFr> tw,
        ArrayView<GpuFr> factors, int log2n, int blockLog, int mode, int blocks)
    {
        ArrayView<GpuFr> s = SharedMemory.Allocate<GpuFr>(1 << MaxLocalLog);
        int t = Group.IdxX;
        int blocksLog = log2n - blockLog;
        int halfSize = 1 << (blockLog - 1);
        // Groups loop over blocks (grid-stride), so a launch of as many groups as fit on the device covers any size; the
        // loop bound is the same for every thread of a group, so the barriers inside are uniform.
        for (int g = Grid.IdxX; g < blocks; g += Grid.DimX)
        {
            ArrayView<GpuFr> x = Pick(g >> blocksLog, x0, x1, x2);
            int start = (g & ((1 << blocksLog) - 1)) << blockLog;
            s[t] = x[start + t];
            s[t + halfSize] = x[start + t + halfSize];
            Group.Barrier();

            if ((mode & ModeDifInverse) != 0)
            {
                for (int hl = blockLog - 1; hl >= 0; hl--)
                {
                    int half = 1 << hl;
                    int p = ButterflyIndex(t, hl);
                    GpuFr u = s[p], v = s[p + half];
                    s[p] = GpuFr.Add(u, v);
                    s[p + half] = GpuFr.Mul(GpuFr.Sub(u, v), InverseTwiddle(tw, half, t & (half - 1)));
                    Group.Barrier();
                }
            }
            if ((mode & ModeScale) != 0)
            {
                s[t] = GpuFr.Mul(s[t], factors[start + t]);
                s[t + halfSize] = GpuFr.Mul(s[t + halfSize], factors[start + t + halfSize]);
                Group.Barrier();
            }
            if ((mode & ModeDit) != 0)
            {
                for (int hl = 0; hl < blockLog; hl++)
                {
                    int half = 1 << hl;
                    int p = ButterflyIndex(t, hl);
                    GpuFr u = s[p];
                    GpuFr v = GpuFr.Mul(s[p + half], tw[half + (t & (half - 1))]);
                    s[p] = GpuFr.Add(u, v);
                    s[p + half] = GpuFr.Sub(u, v);
                    Group.Barrier();
                }
            }
            // Thread t writes back (and next loads) only s[t] and s[t + halfSize], which no other thread touches
            // before the next barrier.
            x[start + t] = s[t];
            x[start + t + halfSize] = s[t + halfSize];
        }
    }

    /// <summary>c[i] = a[i] * b[i].</summary>
    public static void Multiply(Index1D index, ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c, int count, int stride)
    {
        for (int i = index; i < count; i += stride)
        {
            c[i] = GpuFr.Mul(a[i], b[i]);
        }
    }

    /// <summary>a[i] = a[i] * b[i] - c[i] (H's scalars on the odd coset).</summary>
    public static void MultiplySubtract(Index1D index, ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c, int count, int stride)
    {
        for (int i = index; i < count; i += stride)
        {
            a[i] = GpuFr.Sub(GpuFr.Mul(a[i], b[i]), c[i]);
        }
    }
}
