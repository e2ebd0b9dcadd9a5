using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Msm;

/// <summary>
/// The G1 batch-affine bucket update (<see cref="BatchAffineWindow{TF, TAff, TJac, TCurve}"/>'s flush) with eight
/// additions per AVX-512 instruction stream: additions k = 8g .. 8g + 7 of a batch are the lanes of group g. Montgomery's
/// trick runs as sixteen independent chains (two interleaved vector chains, even and odd groups, eight lanes each), whose
/// sixteen totals are inverted together with one scalar inversion. Only called when <see cref="FqVector8Ops.IsSupported"/>.
/// </summary>
/// <remarks>Buckets and batch points are lines of eight 64-bit words (x then y, Montgomery limbs): eight lines are
/// loaded and transposed so that each word becomes one vector of eight lanes, then re-cut into 29-bit limbs, and the
/// reverse on the way out. Lanes past the batch end and lanes that meet a special case (same x: a doubling or
/// P + (-P)) are patched through the scalar path; they are rare on real data.</remarks>
internal static class BatchAffineVector
{
    /// <summary>Per-window scratch for the vector flush, sized for a batch.</summary>
    internal sealed class Scratch
    {
        public readonly FqVector8[] Den;
        public readonly FqVector8[] Num;
        public readonly FqVector8[] Prefix;
        /// <summary>Per group: lanes that must not be written back (past the end, or P + (-P)).</summary>
        public readonly byte[] Skip;
        /// <summary>Per group: lanes whose bucket becomes empty (P + (-P)).</summary>
        public readonly byte[] Cancel;

        public Scratch(int batchSize)
        {
            int groups = (batchSize + 7) / 8;
            Den = new FqVector8[groups];
            Num = new FqVector8[groups];
            Prefix = new FqVector8[groups];
            Skip = new byte[groups];
            Cancel = new byte[groups];
        }
    }

    /// <summary>Words per bucket or point line (x: 4, y: 4).</summary>
    private const int Line = 8;

    /// <summary>Groups ahead whose bucket lines are prefetched in the first pass.</summary>
    private const int PrefetchGroups = 2;

    /// <summary>Loads eight lines (x, y) and transposes them into two 8-lane elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadLines(ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4, ref ulong l5,
        ref ulong l6, ref ulong l7, out FqVector8 x, out FqVector8 y)
    {
        Vector512<ulong> r0 = Vector512.LoadUnsafe(ref l0), r1 = Vector512.LoadUnsafe(ref l1);
        Vector512<ulong> r2 = Vector512.LoadUnsafe(ref l2), r3 = Vector512.LoadUnsafe(ref l3);
        Vector512<ulong> r4 = Vector512.LoadUnsafe(ref l4), r5 = Vector512.LoadUnsafe(ref l5);
        Vector512<ulong> r6 = Vector512.LoadUnsafe(ref l6), r7 = Vector512.LoadUnsafe(ref l7);
        FqVector8Ops.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        FqVector8Ops.FromWords(r0, r1, r2, r3, out x);
        FqVector8Ops.FromWords(r4, r5, r6, r7, out y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong BucketLine(ref ulong buckets, int[] bIdx, int k) => ref Unsafe.Add(ref buckets, (nint)bIdx[k] * Line);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadBuckets(ref ulong buckets, int[] bIdx, int k0, out FqVector8 x, out FqVector8 y) =>
        LoadLines(ref BucketLine(ref buckets, bIdx, k0), ref BucketLine(ref buckets, bIdx, k0 + 1),
            ref BucketLine(ref buckets, bIdx, k0 + 2), ref BucketLine(ref buckets, bIdx, k0 + 3),
            ref BucketLine(ref buckets, bIdx, k0 + 4), ref BucketLine(ref buckets, bIdx, k0 + 5),
            ref BucketLine(ref buckets, bIdx, k0 + 6), ref BucketLine(ref buckets, bIdx, k0 + 7), out x, out y);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadPoints(ref ulong pts, int k0, out FqVector8 x, out FqVector8 y)
    {
        ref ulong p = ref Unsafe.Add(ref pts, (nint)k0 * Line);
        LoadLines(ref p, ref Unsafe.Add(ref p, Line), ref Unsafe.Add(ref p, 2 * Line), ref Unsafe.Add(ref p, 3 * Line),
            ref Unsafe.Add(ref p, 4 * Line), ref Unsafe.Add(ref p, 5 * Line), ref Unsafe.Add(ref p, 6 * Line),
            ref Unsafe.Add(ref p, 7 * Line), out x, out y);
    }

    /// <summary>The scalar element at word offset <paramref name="offset"/> of a line array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Fq At(ref ulong lines, nint offset) => ref Unsafe.As<ulong, Fq>(ref Unsafe.Add(ref lines, offset));

    /// <summary>Applies bucket[bIdx[k]] += pts[k] for k &lt; <paramref name="count"/> (bucket indices distinct).</summary>
    /// <param name="buckets">First word of the bucket lines (x0..x3, y0..y3 per bucket).</param>
    /// <param name="filled">Bucket occupancy; a bucket hit by its own negation is cleared.</param>
    /// <param name="bIdx">Bucket of each addition; readable up to the next multiple of 8 past <paramref name="count"/>
    /// with any in-range bucket index there.</param>
    /// <param name="pts">First word of the point lines, readable up to the next multiple of 8 past count.</param>
    /// <param name="count">Additions in the batch.</param>
    /// <param name="s">Scratch sized for the batch.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Flush(ref ulong buckets, bool[] filled, int[] bIdx, ref ulong pts, int count, Scratch s)
    {
        if (count == 0)
        {
            return;
        }
        int groups = (count + 7) >> 3;
        FqVector8 one = FqVector8Ops.One;
        FqVector8 acc0 = one, acc1 = one;
        for (int g = 0; g < groups; g++)
        {
            int k0 = g * 8;
            if (Sse.IsSupported && g + PrefetchGroups < groups)
            {
                int kp = k0 + 8 * PrefetchGroups;
                int end = Math.Min(count, kp + 8);
                for (int k = kp; k < end; k++)
                {
                    unsafe
                    {
                        Sse.Prefetch0(Unsafe.AsPointer(ref BucketLine(ref buckets, bIdx, k)));
                    }
                }
            }
            LoadBuckets(ref buckets, bIdx, k0, out FqVector8 x1, out FqVector8 y1);
            LoadPoints(ref pts, k0, out FqVector8 x2, out FqVector8 y2);
            ref FqVector8 den = ref s.Den[g];
            ref FqVector8 num = ref s.Num[g];
            FqVector8Ops.Sub(x2, x1, out den);
            FqVector8Ops.Sub(y2, y1, out num);
            int valid = Math.Min(8, count - k0);
            uint special = FqVector8Ops.ZeroMask(den) | (0xFFu << valid & 0xFFu);
            uint skip = 0, cancel = 0;
            if (special != 0)
            {
                PatchSpecialLanes(ref buckets, bIdx, ref pts, k0, valid, special, ref den, ref num, out skip, out cancel);
            }
            s.Skip[g] = (byte)skip;
            s.Cancel[g] = (byte)cancel;
            if ((g & 1) == 0)
            {
                s.Prefix[g] = acc0;
                FqVector8Ops.MulLazy(acc0, den, out acc0);
            }
            else
            {
                s.Prefix[g] = acc1;
                FqVector8Ops.MulLazy(acc1, den, out acc1);
            }
        }

        // One scalar inversion for the sixteen chain totals (never zero: every denominator lane is non-zero).
        Span<Fq> totals = stackalloc Fq[16];
        FqVector8Ops.Reduce(acc0, out acc0);
        FqVector8Ops.Reduce(acc1, out acc1);
        FqVector8Ops.Store(acc0, totals);
        FqVector8Ops.Store(acc1, totals[8..]);
        Fq.BatchInverse(totals);
        FqVector8 inv0 = FqVector8Ops.Load(totals), inv1 = FqVector8Ops.Load(totals[8..]);

        for (int g = groups - 1; g >= 0; g--)
        {
            int k0 = g * 8;
            FqVector8 dInv;
            if ((g & 1) == 0)
            {
                FqVector8Ops.MulLazy(inv0, s.Prefix[g], out dInv);
                FqVector8Ops.MulLazy(inv0, s.Den[g], out inv0);
            }
            else
            {
                FqVector8Ops.MulLazy(inv1, s.Prefix[g], out dInv);
                FqVector8Ops.MulLazy(inv1, s.Den[g], out inv1);
            }
            // The chain products and lambda only feed further products, so they stay in [0, 2q) (MulLazy); lambda^2 and
            // lambda (x1 - x3) feed subtractions and are made canonical.
            FqVector8Ops.MulLazy(s.Num[g], dInv, out FqVector8 lambda);
            LoadBuckets(ref buckets, bIdx, k0, out FqVector8 x1, out FqVector8 y1);
            LoadPoints(ref pts, k0, out FqVector8 x2, out _);
            // x3 = lambda^2 - x1 - x2, y3 = lambda (x1 - x3) - y1.
            FqVector8Ops.Square(lambda, out FqVector8 t);
            FqVector8Ops.Sub(t, x1, out t);
            FqVector8Ops.Sub(t, x2, out FqVector8 x3);
            FqVector8Ops.Sub(x1, x3, out t);
            FqVector8Ops.Mul(lambda, t, out t);
            FqVector8Ops.Sub(t, y1, out FqVector8 y3);

            StoreBuckets(ref buckets, filled, bIdx, k0, s.Skip[g], s.Cancel[g], x3, y3);
        }
    }

    /// <summary>Writes lanes (x3, y3) back to their bucket lines: whole lines when no lane is skipped, else lane by lane.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreBuckets(ref ulong buckets, bool[] filled, int[] bIdx, int k0, uint skip, uint cancel,
        in FqVector8 x3, in FqVector8 y3)
    {
        FqVector8Ops.ToWords(x3, out Vector512<ulong> r0, out Vector512<ulong> r1, out Vector512<ulong> r2, out Vector512<ulong> r3);
        FqVector8Ops.ToWords(y3, out Vector512<ulong> r4, out Vector512<ulong> r5, out Vector512<ulong> r6, out Vector512<ulong> r7);
        FqVector8Ops.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        if (skip == 0)
        {
            r0.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0));
            r1.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 1));
            r2.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 2));
            r3.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 3));
            r4.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 4));
            r5.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 5));
            r6.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 6));
            r7.StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + 7));
        }
        else
        {
            StoreSomeLanes(ref buckets, filled, bIdx, k0, skip, cancel, r0, r1, r2, r3, r4, r5, r6, r7);
        }
    }

    /// <summary>Slow path for a group with lanes past the batch end or with x1 = x2: such a lane gets denominator one
    /// and is skipped on write-back, except a doubling (y1 = y2), which gets lambda = 3 x1^2 / (2 y1).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PatchSpecialLanes(ref ulong buckets, int[] bIdx, ref ulong pts, int k0, int valid, uint special,
        ref FqVector8 den, ref FqVector8 num, out uint skip, out uint cancel)
    {
        skip = 0;
        cancel = 0;
        for (int lane = 0; lane < 8; lane++)
        {
            if (((special >> lane) & 1) == 0)
            {
                continue;
            }
            if (lane >= valid)
            {
                skip |= 1u << lane;
                FqVector8Ops.SetLane(ref den, lane, Fq.One);
                continue;
            }
            ref ulong line = ref BucketLine(ref buckets, bIdx, k0 + lane);
            Fq x1 = At(ref line, 0), y1 = At(ref line, 4);
            Fq y2 = At(ref pts, (nint)(k0 + lane) * Line + 4);
            if (y1 == y2)
            {
                // BN254 G1 has no point of order 2, so y1 != 0 here.
                Fq xx = x1.Square();
                FqVector8Ops.SetLane(ref den, lane, y1.Double());
                FqVector8Ops.SetLane(ref num, lane, xx.Double() + xx);
            }
            else
            {
                skip |= 1u << lane;
                cancel |= 1u << lane;
                FqVector8Ops.SetLane(ref den, lane, Fq.One);
            }
        }
    }

    /// <summary>Writes back only the lanes not in <paramref name="skip"/> (rows of the transposed result) and clears the
    /// buckets in <paramref name="cancel"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreSomeLanes(ref ulong buckets, bool[] filled, int[] bIdx, int k0, uint skip, uint cancel,
        Vector512<ulong> r0, Vector512<ulong> r1, Vector512<ulong> r2, Vector512<ulong> r3, Vector512<ulong> r4,
        Vector512<ulong> r5, Vector512<ulong> r6, Vector512<ulong> r7)
    {
        ReadOnlySpan<Vector512<ulong>> rows = [r0, r1, r2, r3, r4, r5, r6, r7];
        for (int lane = 0; lane < 8; lane++)
        {
            if (((cancel >> lane) & 1) != 0)
            {
                filled[bIdx[k0 + lane]] = false; // P + (-P) = infinity
            }
            else if (((skip >> lane) & 1) == 0)
            {
                rows[lane].StoreUnsafe(ref BucketLine(ref buckets, bIdx, k0 + lane));
            }
        }
    }
}
