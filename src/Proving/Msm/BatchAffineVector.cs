using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Msm;

/// <summary>What the 8-lane flush needs of a coordinate field: its 8-lane arithmetic (<typeparamref name="TV"/>), the
/// scalar element (<typeparamref name="TF"/>) for the rare special lanes, and how a bucket line (x then y, Montgomery
/// words) is transposed into lanes. Implemented by empty structs so the JIT specialises the flush per field.</summary>
internal interface IVectorFlushField<TV, TF>
    where TV : struct
    where TF : unmanaged
{
    /// <summary>64-bit words per bucket line (x and y).</summary>
    static abstract int LineWords { get; }
    static abstract TV One { get; }
    static abstract void Mul(in TV a, in TV b, out TV r);
    /// <summary>A product that only feeds further products (may be left partly reduced).</summary>
    static abstract void MulLazy(in TV a, in TV b, out TV r);
    /// <summary>Two independent products in one call (interleaved: faster than two calls); outputs may alias inputs.</summary>
    static abstract void Mul2(in TV a, in TV b, out TV r, in TV c, in TV d, out TV s);
    /// <summary><see cref="Mul2"/> leaving the results partly reduced, as <see cref="MulLazy"/>.</summary>
    static abstract void MulLazy2(in TV a, in TV b, out TV r, in TV c, in TV d, out TV s);
    /// <summary>Canonical form of a <see cref="MulLazy"/> result.</summary>
    static abstract void Reduce(in TV a, out TV r);
    static abstract void Square(in TV a, out TV r);
    /// <summary>Two independent squares (canonical), as fast as the field allows.</summary>
    static abstract void Square2(in TV a, out TV r, in TV c, out TV s);
    static abstract void Sub(in TV a, in TV b, out TV r);
    static abstract void Add(in TV a, in TV b, out TV r);
    static abstract uint ZeroMask(in TV a);
    /// <summary>Loads the eight lines starting at the given words into lanes 0..7 of x and y.</summary>
    static abstract void LoadLines(ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4, ref ulong l5,
        ref ulong l6, ref ulong l7, out TV x, out TV y);
    /// <summary>Stores lanes 0..7 of x and y as the eight lines starting at the given words.</summary>
    static abstract void StoreLines(in TV x, in TV y, ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4,
        ref ulong l5, ref ulong l6, ref ulong l7);
    static abstract TF GetLane(in TV a, int lane);
    static abstract void SetLane(ref TV a, int lane, in TF value);
    /// <summary>Lane i of r is lane i ^ distance of a (distance 1, 2 or 4).</summary>
    static abstract void SwapLanes(in TV a, int distance, out TV r);
    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TV Broadcast(in TF value);
    static abstract TF ScalarInverse(in TF a);
    static abstract TF ScalarOne { get; }
    static abstract bool ScalarEq(in TF a, in TF b);
    static abstract TF ScalarAdd(in TF a, in TF b);
    static abstract TF ScalarDouble(in TF a);
    static abstract TF ScalarSquare(in TF a);
    static abstract void ScalarBatchInverse(Span<TF> values);
}

/// <summary>G1: F_q in <see cref="FqVector8"/>; a line is x0..x3, y0..y3 (one 8 x 8 transpose).</summary>
internal struct G1VectorField : IVectorFlushField<FqVector8, Fq>
{
    public static int LineWords => 8;
    public static FqVector8 One => FqVector8Ops.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Mul(in FqVector8 a, in FqVector8 b, out FqVector8 r) => FqVector8Ops.Mul(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void MulLazy(in FqVector8 a, in FqVector8 b, out FqVector8 r) => FqVector8Ops.MulLazy(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul2(in FqVector8 a, in FqVector8 b, out FqVector8 r, in FqVector8 c, in FqVector8 d, out FqVector8 s) =>
        MontVector8Ops<FqParams>.Mul2(a, b, out r, c, d, out s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MulLazy2(in FqVector8 a, in FqVector8 b, out FqVector8 r, in FqVector8 c, in FqVector8 d, out FqVector8 s) =>
        MontVector8Ops<FqParams>.MulLazy2(a, b, out r, c, d, out s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Reduce(in FqVector8 a, out FqVector8 r) => FqVector8Ops.Reduce(a, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Square(in FqVector8 a, out FqVector8 r) => FqVector8Ops.Mul(a, a, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square2(in FqVector8 a, out FqVector8 r, in FqVector8 c, out FqVector8 s) =>
        MontVector8Ops<FqParams>.Mul2(a, a, out r, c, c, out s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Sub(in FqVector8 a, in FqVector8 b, out FqVector8 r) => FqVector8Ops.Sub(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Add(in FqVector8 a, in FqVector8 b, out FqVector8 r) => FqVector8Ops.Add(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint ZeroMask(in FqVector8 a) => FqVector8Ops.ZeroMask(a);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void LoadLines(ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4, ref ulong l5,
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreLines(in FqVector8 x, in FqVector8 y, ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3,
        ref ulong l4, ref ulong l5, ref ulong l6, ref ulong l7)
    {
        FqVector8Ops.ToWords(x, out Vector512<ulong> r0, out Vector512<ulong> r1, out Vector512<ulong> r2, out Vector512<ulong> r3);
        FqVector8Ops.ToWords(y, out Vector512<ulong> r4, out Vector512<ulong> r5, out Vector512<ulong> r6, out Vector512<ulong> r7);
        FqVector8Ops.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        r0.StoreUnsafe(ref l0);
        r1.StoreUnsafe(ref l1);
        r2.StoreUnsafe(ref l2);
        r3.StoreUnsafe(ref l3);
        r4.StoreUnsafe(ref l4);
        r5.StoreUnsafe(ref l5);
        r6.StoreUnsafe(ref l6);
        r7.StoreUnsafe(ref l7);
    }

    public static Fq GetLane(in FqVector8 a, int lane) => FqVector8Ops.GetLane(a, lane);
    public static void SetLane(ref FqVector8 a, int lane, in Fq value) => FqVector8Ops.SetLane(ref a, lane, value);
    public static void SwapLanes(in FqVector8 a, int distance, out FqVector8 r) => MontVector8Ops<FqParams>.SwapLanes(a, distance, out r);
    public static FqVector8 Broadcast(in Fq value) => FqVector8Ops.Broadcast(value);
    public static Fq ScalarInverse(in Fq a) => a.Inverse();
    public static Fq ScalarOne => Fq.One;
    public static bool ScalarEq(in Fq a, in Fq b) => a == b;
    public static Fq ScalarAdd(in Fq a, in Fq b) => a + b;
    public static Fq ScalarDouble(in Fq a) => a.Double();
    public static Fq ScalarSquare(in Fq a) => a.Square();
    public static void ScalarBatchInverse(Span<Fq> values) => Fq.BatchInverse(values);
}

/// <summary>G2: F_q2 in <see cref="Fq2Vector8"/>; a line is x.c0, x.c1, y.c0, y.c1 (four words each): the x half and the
/// y half of eight lines are two 8 x 8 transposes.</summary>
internal struct G2VectorField : IVectorFlushField<Fq2Vector8, Fq2>
{
    public static int LineWords => 16;
    public static Fq2Vector8 One => Fq2Vector8Ops.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Mul(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r) => Fq2Vector8Ops.Mul(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void MulLazy(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r) => Fq2Vector8Ops.Mul(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul2(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r, in Fq2Vector8 c, in Fq2Vector8 d, out Fq2Vector8 s) =>
        Fq2Vector8Ops.Mul2(a, b, out r, c, d, out s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MulLazy2(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r, in Fq2Vector8 c, in Fq2Vector8 d, out Fq2Vector8 s) =>
        Fq2Vector8Ops.Mul2(a, b, out r, c, d, out s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Reduce(in Fq2Vector8 a, out Fq2Vector8 r) => r = a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Square(in Fq2Vector8 a, out Fq2Vector8 r) => Fq2Vector8Ops.Square(a, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square2(in Fq2Vector8 a, out Fq2Vector8 r, in Fq2Vector8 c, out Fq2Vector8 s)
    {
        // Each F_q2 square already pairs its two F_q products.
        Fq2Vector8Ops.Square(a, out r);
        Fq2Vector8Ops.Square(c, out s);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Sub(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r) => Fq2Vector8Ops.Sub(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Add(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r) => Fq2Vector8Ops.Add(a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint ZeroMask(in Fq2Vector8 a) => Fq2Vector8Ops.ZeroMask(a);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void LoadLines(ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4, ref ulong l5,
        ref ulong l6, ref ulong l7, out Fq2Vector8 x, out Fq2Vector8 y)
    {
        Half(ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref l6, ref l7, 0, out x);
        Half(ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref l6, ref l7, 8, out y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Half(ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4, ref ulong l5, ref ulong l6,
        ref ulong l7, nuint offset, out Fq2Vector8 v)
    {
        Vector512<ulong> r0 = Vector512.LoadUnsafe(ref l0, offset), r1 = Vector512.LoadUnsafe(ref l1, offset);
        Vector512<ulong> r2 = Vector512.LoadUnsafe(ref l2, offset), r3 = Vector512.LoadUnsafe(ref l3, offset);
        Vector512<ulong> r4 = Vector512.LoadUnsafe(ref l4, offset), r5 = Vector512.LoadUnsafe(ref l5, offset);
        Vector512<ulong> r6 = Vector512.LoadUnsafe(ref l6, offset), r7 = Vector512.LoadUnsafe(ref l7, offset);
        FqVector8Ops.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        FqVector8Ops.FromWords(r0, r1, r2, r3, out v.C0);
        FqVector8Ops.FromWords(r4, r5, r6, r7, out v.C1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreLines(in Fq2Vector8 x, in Fq2Vector8 y, ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3,
        ref ulong l4, ref ulong l5, ref ulong l6, ref ulong l7)
    {
        StoreHalf(x, ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref l6, ref l7, 0);
        StoreHalf(y, ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref l6, ref l7, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreHalf(in Fq2Vector8 v, ref ulong l0, ref ulong l1, ref ulong l2, ref ulong l3, ref ulong l4,
        ref ulong l5, ref ulong l6, ref ulong l7, nuint offset)
    {
        FqVector8Ops.ToWords(v.C0, out Vector512<ulong> r0, out Vector512<ulong> r1, out Vector512<ulong> r2, out Vector512<ulong> r3);
        FqVector8Ops.ToWords(v.C1, out Vector512<ulong> r4, out Vector512<ulong> r5, out Vector512<ulong> r6, out Vector512<ulong> r7);
        FqVector8Ops.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        r0.StoreUnsafe(ref l0, offset);
        r1.StoreUnsafe(ref l1, offset);
        r2.StoreUnsafe(ref l2, offset);
        r3.StoreUnsafe(ref l3, offset);
        r4.StoreUnsafe(ref l4, offset);
        r5.StoreUnsafe(ref l5, offset);
        r6.StoreUnsafe(ref l6, offset);
        r7.StoreUnsafe(ref l7, offset);
    }

    public static Fq2 GetLane(in Fq2Vector8 a, int lane) => Fq2Vector8Ops.GetLane(a, lane);
    public static void SetLane(ref Fq2Vector8 a, int lane, in Fq2 value) => Fq2Vector8Ops.SetLane(ref a, lane, value);
    public static void SwapLanes(in Fq2Vector8 a, int distance, out Fq2Vector8 r)
    {
        MontVector8Ops<FqParams>.SwapLanes(a.C0, distance, out r.C0);
        MontVector8Ops<FqParams>.SwapLanes(a.C1, distance, out r.C1);
    }
    public static Fq2Vector8 Broadcast(in Fq2 value) => Fq2Vector8Ops.Broadcast(value);
    public static Fq2 ScalarInverse(in Fq2 a) => a.Inverse();
    public static Fq2 ScalarOne => Fq2.One;
    public static bool ScalarEq(in Fq2 a, in Fq2 b) => a == b;
    public static Fq2 ScalarAdd(in Fq2 a, in Fq2 b) => a + b;
    public static Fq2 ScalarDouble(in Fq2 a) => a.Double();
    public static Fq2 ScalarSquare(in Fq2 a) => a.Square();
    public static void ScalarBatchInverse(Span<Fq2> values) => Fq2.BatchInverse(values);
}

/// <summary>
/// The batch-affine bucket update (<see cref="BatchAffineWindow{TF, TAff, TJac, TCurve}"/>'s flush) with eight
/// additions per AVX-512 instruction stream: additions k = 8g .. 8g + 7 of a batch are the lanes of group g. Montgomery's
/// trick runs as sixteen independent chains (two interleaved vector chains, even and odd groups, eight lanes each), whose
/// sixteen totals are inverted together with one scalar inversion. Only called when <see cref="FqVector8Ops.IsSupported"/>.
/// </summary>
/// <remarks>Buckets and batch points are lines of <c>LineWords</c> 64-bit words (x then y, Montgomery limbs): eight
/// lines are loaded and transposed so that each word becomes one vector of eight lanes, then re-cut into 29-bit limbs,
/// and the reverse on the way out. Lanes past the batch end and lanes that meet a special case (same x: a doubling or
/// P + (-P)) are patched through the scalar path; they are rare on real data.</remarks>
internal static class BatchAffineVector<TV, TF, TField>
    where TV : struct
    where TF : unmanaged
    where TField : struct, IVectorFlushField<TV, TF>
{
    /// <summary>Per-window scratch for the vector flush, sized for a batch.</summary>
    internal sealed class Scratch
    {
        public readonly TV[] Den;
        public readonly TV[] Num;
        public readonly TV[] Prefix;
        /// <summary>Per group, in lane form for the second pass: the buckets' x and y, and x1 + x2.</summary>
        public readonly TV[] X1, Y1, Sum;
        /// <summary>Per group: lanes that must not be written back (past the end, or P + (-P)).</summary>
        public readonly byte[] Skip;
        /// <summary>Per group: lanes whose bucket becomes empty (P + (-P)).</summary>
        public readonly byte[] Cancel;

        public Scratch(int batchSize)
        {
            int groups = (batchSize + 7) / 8;
            Den = new TV[groups];
            Num = new TV[groups];
            Prefix = new TV[groups];
            X1 = new TV[groups];
            Y1 = new TV[groups];
            Sum = new TV[groups];
            Skip = new byte[groups];
            Cancel = new byte[groups];
        }
    }

    /// <summary>Groups ahead whose bucket lines are prefetched in the first pass.</summary>
    private const int PrefetchGroups = 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong BucketLine(ref ulong buckets, int[] bIdx, int k) => ref Unsafe.Add(ref buckets, (nint)bIdx[k] * TField.LineWords);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadBuckets(ref ulong buckets, int[] bIdx, int k0, out TV x, out TV y) =>
        TField.LoadLines(ref BucketLine(ref buckets, bIdx, k0), ref BucketLine(ref buckets, bIdx, k0 + 1),
            ref BucketLine(ref buckets, bIdx, k0 + 2), ref BucketLine(ref buckets, bIdx, k0 + 3),
            ref BucketLine(ref buckets, bIdx, k0 + 4), ref BucketLine(ref buckets, bIdx, k0 + 5),
            ref BucketLine(ref buckets, bIdx, k0 + 6), ref BucketLine(ref buckets, bIdx, k0 + 7), out x, out y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadPoints(ref ulong pts, int k0, out TV x, out TV y)
    {
        int line = TField.LineWords;
        ref ulong p = ref Unsafe.Add(ref pts, (nint)k0 * line);
        TField.LoadLines(ref p, ref Unsafe.Add(ref p, line), ref Unsafe.Add(ref p, 2 * line), ref Unsafe.Add(ref p, 3 * line),
            ref Unsafe.Add(ref p, 4 * line), ref Unsafe.Add(ref p, 5 * line), ref Unsafe.Add(ref p, 6 * line),
            ref Unsafe.Add(ref p, 7 * line), out x, out y);
    }

    /// <summary>The x (<paramref name="y"/> false) or y coordinate of a line as a scalar element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref TF Coordinate(ref ulong line, bool y) =>
        ref Unsafe.As<ulong, TF>(ref Unsafe.Add(ref line, y ? TField.LineWords / 2 : 0));

    /// <summary>Applies bucket[bIdx[k]] += pts[k] for k &lt; <paramref name="count"/> (bucket indices distinct).</summary>
    /// <param name="buckets">First word of the bucket lines (x then y per bucket).</param>
    /// <param name="filled">Bucket occupancy; a bucket hit by its own negation is cleared.</param>
    /// <param name="bIdx">Bucket of each addition; readable up to the next multiple of 8 past <paramref name="count"/>
    /// with any in-range bucket index there.</param>
    /// <param name="pts">First word of the point lines, readable up to the next multiple of 8 past count.</param>
    /// <param name="count">Additions in the batch.</param>
    /// <param name="s">Scratch sized for the batch.</param>
    public static void Flush(ref ulong buckets, bool[] filled, int[] bIdx, ref ulong pts, int count, Scratch s)
    {
        if (count == 0)
        {
            return;
        }
        int groups = (count + 7) >> 3;
        TV acc0 = TField.One, acc1 = acc0;
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
                        ref ulong line = ref BucketLine(ref buckets, bIdx, k);
                        Sse.Prefetch0(Unsafe.AsPointer(ref line));
                        if (TField.LineWords > 8)
                        {
                            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref line, 8)));
                        }
                    }
                }
            }
            LoadBuckets(ref buckets, bIdx, k0, out TV x1, out TV y1);
            LoadPoints(ref pts, k0, out TV x2, out TV y2);
            ref TV den = ref s.Den[g];
            ref TV num = ref s.Num[g];
            TField.Sub(x2, x1, out den);
            TField.Sub(y2, y1, out num);
            // Kept in lane form for the second pass (converting lines to lanes again costs more than storing them).
            s.X1[g] = x1;
            s.Y1[g] = y1;
            TField.Add(x1, x2, out s.Sum[g]);
            int valid = Math.Min(8, count - k0);
            uint special = TField.ZeroMask(den) | (0xFFu << valid & 0xFFu);
            uint skip = 0, cancel = 0;
            if (special != 0)
            {
                PatchSpecialLanes(ref buckets, bIdx, ref pts, k0, valid, special, ref den, ref num, out skip, out cancel);
            }
            s.Skip[g] = (byte)skip;
            s.Cancel[g] = (byte)cancel;
            // Even groups extend chain 0 and odd groups chain 1; a pair of groups extends both in one paired product.
            if ((g & 1) == 1)
            {
                s.Prefix[g - 1] = acc0;
                s.Prefix[g] = acc1;
                TField.MulLazy2(acc0, s.Den[g - 1], out acc0, acc1, den, out acc1);
            }
        }
        if ((groups & 1) == 1)
        {
            s.Prefix[groups - 1] = acc0;
            TField.MulLazy(acc0, s.Den[groups - 1], out acc0);
        }

        // One scalar inversion for the sixteen chain totals (never zero: every denominator lane is non-zero).
        TField.Reduce(acc0, out acc0);
        TField.Reduce(acc1, out acc1);
        InvertLanes(acc0, acc1, out TV inv0, out TV inv1);

        // Backwards, a pair of groups (one odd, one even: one from each chain) at a time, every product paired; with an odd
        // number of groups the last (even) one goes alone first.
        int gi = groups - 1;
        if ((groups & 1) == 1)
        {
            TField.MulLazy(inv0, s.Prefix[gi], out TV dInv);
            TField.MulLazy(inv0, s.Den[gi], out inv0);
            TField.MulLazy(s.Num[gi], dInv, out TV lambda);
            // x3 = lambda^2 - (x1 + x2), y3 = lambda (x1 - x3) - y1 (a doubling lane has x2 = x1, so the sum is 2 x1).
            TField.Square(lambda, out TV t);
            TField.Sub(t, s.Sum[gi], out TV x3);
            TField.Sub(s.X1[gi], x3, out t);
            TField.Mul(lambda, t, out t);
            TField.Sub(t, s.Y1[gi], out TV y3);
            WriteBack(ref buckets, filled, bIdx, s, gi, x3, y3);
            gi--;
        }
        for (; gi >= 1; gi -= 2)
        {
            int go = gi, ge = gi - 1;
            // The chain products and lambda only feed further products, so they may stay partly reduced (MulLazy);
            // lambda^2 and lambda (x1 - x3) feed subtractions and are canonical.
            TField.MulLazy2(inv1, s.Prefix[go], out TV dInvO, inv0, s.Prefix[ge], out TV dInvE);
            TField.MulLazy2(inv1, s.Den[go], out inv1, inv0, s.Den[ge], out inv0);
            TField.MulLazy2(s.Num[go], dInvO, out TV lambdaO, s.Num[ge], dInvE, out TV lambdaE);
            TField.Square2(lambdaO, out TV tO, lambdaE, out TV tE);
            TField.Sub(tO, s.Sum[go], out TV x3O);
            TField.Sub(tE, s.Sum[ge], out TV x3E);
            TField.Sub(s.X1[go], x3O, out tO);
            TField.Sub(s.X1[ge], x3E, out tE);
            TField.Mul2(lambdaO, tO, out tO, lambdaE, tE, out tE);
            TField.Sub(tO, s.Y1[go], out TV y3O);
            TField.Sub(tE, s.Y1[ge], out TV y3E);
            WriteBack(ref buckets, filled, bIdx, s, go, x3O, y3O);
            WriteBack(ref buckets, filled, bIdx, s, ge, x3E, y3E);
        }
    }

    /// <summary>Stores group <paramref name="g"/>'s sums into its buckets (all eight lines, or lane by lane when some
    /// lanes are skipped or cancelled).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBack(ref ulong buckets, bool[] filled, int[] bIdx, Scratch s, int g, in TV x3, in TV y3)
    {
        int k0 = g * 8;
        uint skip = s.Skip[g];
        if (skip == 0)
        {
            TField.StoreLines(x3, y3, ref BucketLine(ref buckets, bIdx, k0), ref BucketLine(ref buckets, bIdx, k0 + 1),
                ref BucketLine(ref buckets, bIdx, k0 + 2), ref BucketLine(ref buckets, bIdx, k0 + 3),
                ref BucketLine(ref buckets, bIdx, k0 + 4), ref BucketLine(ref buckets, bIdx, k0 + 5),
                ref BucketLine(ref buckets, bIdx, k0 + 6), ref BucketLine(ref buckets, bIdx, k0 + 7));
        }
        else
        {
            StoreSomeLanes(ref buckets, filled, bIdx, k0, skip, s.Cancel[g], x3, y3);
        }
    }

    /// <summary>
    /// The inverses of the sixteen lanes of <paramref name="a"/> and <paramref name="b"/> (none zero) with one scalar
    /// inversion, by a product tree across the lanes: t = a b, then the products of lane pairs, quads and all eight (each
    /// left in every lane of its group by swapping lanes), the inverse of the total, and back down the tree. Nine vector
    /// products in place of the 45 scalar ones of a Montgomery trick over the lanes and the 32 lane extractions and
    /// insertions around it.
    /// </summary>
    internal static void InvertLanes(in TV a, in TV b, out TV aInv, out TV bInv)
    {
        TField.Mul(a, b, out TV t);
        TField.SwapLanes(t, 1, out TV t1);
        TField.Mul(t, t1, out TV u);
        TField.SwapLanes(u, 2, out TV u2);
        TField.Mul(u, u2, out TV v);
        TField.SwapLanes(v, 4, out TV v4);
        TField.Mul(v, v4, out TV w);
        TV wInv = TField.Broadcast(TField.ScalarInverse(TField.GetLane(w, 0)));
        // Down: (v v4)^-1 v4 = v^-1, (u u2)^-1 u2 = u^-1, (t t1)^-1 t1 = t^-1, then (a b)^-1 b = a^-1 and likewise b^-1.
        TField.Mul(wInv, v4, out TV vInv);
        TField.Mul(vInv, u2, out TV uInv);
        TField.Mul(uInv, t1, out TV tInv);
        TField.Mul2(tInv, b, out aInv, tInv, a, out bInv);
    }

    /// <summary>Slow path for a group with lanes past the batch end or with x1 = x2: such a lane gets denominator one
    /// and is skipped on write-back, except a doubling (y1 = y2), which gets lambda = 3 x1^2 / (2 y1).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PatchSpecialLanes(ref ulong buckets, int[] bIdx, ref ulong pts, int k0, int valid, uint special,
        ref TV den, ref TV num, out uint skip, out uint cancel)
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
                TField.SetLane(ref den, lane, TField.ScalarOne);
                continue;
            }
            ref ulong line = ref BucketLine(ref buckets, bIdx, k0 + lane);
            TF x1 = Coordinate(ref line, false), y1 = Coordinate(ref line, true);
            TF y2 = Coordinate(ref Unsafe.Add(ref pts, (nint)(k0 + lane) * TField.LineWords), true);
            if (TField.ScalarEq(y1, y2))
            {
                // BN254 G1 and the order-r subgroup of G2 have no point of order 2, so y1 != 0 here.
                TF xx = TField.ScalarSquare(x1);
                TField.SetLane(ref den, lane, TField.ScalarDouble(y1));
                TField.SetLane(ref num, lane, TField.ScalarAdd(TField.ScalarDouble(xx), xx));
            }
            else
            {
                skip |= 1u << lane;
                cancel |= 1u << lane;
                TField.SetLane(ref den, lane, TField.ScalarOne);
            }
        }
    }

    /// <summary>Writes back only the lanes not in <paramref name="skip"/> and clears the buckets in
    /// <paramref name="cancel"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreSomeLanes(ref ulong buckets, bool[] filled, int[] bIdx, int k0, uint skip, uint cancel,
        in TV x3, in TV y3)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            if (((cancel >> lane) & 1) != 0)
            {
                filled[bIdx[k0 + lane]] = false; // P + (-P) = infinity
            }
            else if (((skip >> lane) & 1) == 0)
            {
                ref ulong line = ref BucketLine(ref buckets, bIdx, k0 + lane);
                Coordinate(ref line, false) = TField.GetLane(x3, lane);
                Coordinate(ref line, true) = TField.GetLane(y3, lane);
            }
        }
    }
}
