using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Msm;

/// <summary>What the batch-affine window needs of a curve: its coordinate field's arithmetic and its point forms.
/// Implemented by empty structs so the JIT specialises <see cref="BatchAffineWindow{TF, TAff, TJac, TCurve}"/> per curve.</summary>
internal interface IBatchAffineCurve<TF, TAff, TJac>
    where TF : struct
    where TAff : struct
    where TJac : struct
{
    static abstract TF One { get; }
    static abstract TF Sub(in TF a, in TF b);
    static abstract TF Add(in TF a, in TF b);
    static abstract TF Mul(in TF a, in TF b);
    static abstract TF Square(in TF a);
    static abstract TF Double(in TF a);
    static abstract TF Neg(in TF a);
    static abstract TF Inverse(in TF a);
    static abstract bool IsZero(in TF a);
    static abstract bool Eq(in TF a, in TF b);
    static abstract TF X(in TAff p);
    static abstract TF Y(in TAff p);
    static abstract bool IsInfinity(in TAff p);
    static abstract TAff Affine(in TF x, in TF y);
    static abstract TJac AddMixed(in TJac a, in TAff p);
    static abstract TJac Add(in TJac a, in TJac b);
    static abstract TJac Double(in TJac a);
    static abstract bool IsInfinity(in TJac p);
}

/// <summary>BN254 G1 over Fq.</summary>
internal struct G1BatchCurve : IBatchAffineCurve<Fq, G1Affine, G1Jacobian>
{
    public static Fq One => Fq.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Sub(in Fq a, in Fq b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Add(in Fq a, in Fq b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Mul(in Fq a, in Fq b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Square(in Fq a) => a.Square();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Double(in Fq a) => a.Double();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Neg(in Fq a) => -a;
    public static Fq Inverse(in Fq a) => a.Inverse();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool IsZero(in Fq a) => a.IsZero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Eq(in Fq a, in Fq b) => a == b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq X(in G1Affine p) => p.X;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq Y(in G1Affine p) => p.Y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool IsInfinity(in G1Affine p) => p.IsInfinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static G1Affine Affine(in Fq x, in Fq y) => new(x, y);
    public static G1Jacobian AddMixed(in G1Jacobian a, in G1Affine p) => a.AddMixed(p);
    public static G1Jacobian Add(in G1Jacobian a, in G1Jacobian b) => a.Add(b);
    public static G1Jacobian Double(in G1Jacobian a) => a.Double();
    public static bool IsInfinity(in G1Jacobian p) => p.IsInfinity;
}

/// <summary>BN254 G2 over Fq2.</summary>
internal struct G2BatchCurve : IBatchAffineCurve<Fq2, G2Affine, G2Jacobian>
{
    public static Fq2 One => Fq2.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Sub(in Fq2 a, in Fq2 b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Add(in Fq2 a, in Fq2 b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Mul(in Fq2 a, in Fq2 b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Square(in Fq2 a) => a.Square();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Double(in Fq2 a) => a.Double();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Neg(in Fq2 a) => -a;
    public static Fq2 Inverse(in Fq2 a) => a.Inverse();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool IsZero(in Fq2 a) => a.IsZero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Eq(in Fq2 a, in Fq2 b) => a == b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 X(in G2Affine p) => p.X;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Fq2 Y(in G2Affine p) => p.Y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool IsInfinity(in G2Affine p) => p.IsInfinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static G2Affine Affine(in Fq2 x, in Fq2 y) => new(x, y);
    public static G2Jacobian AddMixed(in G2Jacobian a, in G2Affine p) => a.AddMixed(p);
    public static G2Jacobian Add(in G2Jacobian a, in G2Jacobian b) => a.Add(b);
    public static G2Jacobian Double(in G2Jacobian a) => a.Double();
    public static bool IsInfinity(in G2Jacobian p) => p.IsInfinity;
}

/// <summary>Settings of the batch-affine MSM windows (fields, so tests can force the rare paths; no setting changes the
/// result).</summary>
internal static class BatchAffineSettings
{
    /// <summary>Most additions per batch (per inversion); a window uses at most a quarter of its buckets per batch.</summary>
    internal static int BatchSize = 2048;

    /// <summary>Whether flushes (G1 and G2) use the 8-lane AVX-512 field arithmetic when the CPU has it (a field, so tests
    /// can force the scalar path; both paths give the same buckets).</summary>
    internal static bool UseVector = true;

    /// <summary>Fewest buckets for which the bucket sums are reduced in batch-affine segments (smaller windows keep the
    /// Jacobian running sums: too few segments to amortise an inversion per step). G2 uses a quarter of it. A field, so
    /// tests can force it.</summary>
    internal static int SegmentedMinBuckets = 2048;

    /// <summary>Most spilled points (bucket collisions beyond the deferral queue) held before they are summed into the
    /// buckets; bounds the spill's memory. A field, so tests can force mid-window spill reductions.</summary>
    internal static int SpillCap = 1 << 16;
}

/// <summary>
/// One Pippenger window with affine buckets updated in batches: the denominators of all additions in a batch are
/// inverted together (Montgomery's trick), so an affine addition costs about 6 field multiplications instead of 11 for a
/// Jacobian mixed addition. A bucket takes at most one affine addition per batch; a second hit in the same batch waits
/// for the next batch in a bounded queue, and when that queue is full (or at the end, when few additions per batch
/// remain) it is spilled: spilled points are sorted by bucket and summed pairwise in batches, so inputs that hammer one
/// bucket (repeated scalars, the top window) stay batch-affine and never degrade to one inversion per point.
/// </summary>
internal static class BatchAffineWindow<TF, TAff, TJac, TCurve>
    where TF : struct
    where TAff : struct
    where TJac : struct
    where TCurve : struct, IBatchAffineCurve<TF, TAff, TJac>
{
    /// <summary>An affine bucket: both coordinates together (one cache line on G1, one miss per random bucket access).</summary>
    private struct Bucket
    {
        public TF X, Y;
    }

    /// <summary>Buffers of <see cref="ReduceSegmented"/>, kept with the window state.</summary>
    private sealed class SegmentState
    {
        public required Bucket[] Acc;
        public required bool[] AccFilled;
        public required int[] Idx;
        public required Bucket[] Add;
        public required TF[] Den;
        public required TF[] Prefix;
        public required object? Scratch;
    }

    /// <summary>Per-window batch state shared by the rare paths (deferral, spill reduction) of <see cref="Process"/>.</summary>
    private sealed class Window
    {
        public required TAff[] Points;
        public required Bucket[] Buckets;
        public required bool[] Filled;
        public required int[] Stamp;
        public required int[] BIdx;
        public required Bucket[] Pts;
        public required TF[] Den;
        public required TF[] Prefix;
        public required object? Scratch;
        public required bool Vector;
        public required int BatchSize;
        public SegmentState? Segments;
        public int[]? SpillNext, RunStart, RunLen, RunBucket;
        public Bucket[]? SpillPoints;
        public bool[]? SpillFilled;
        public required long[] Deferred;
        public int DeferredCount;
        public long[] Spill = new long[64];
        public int SpillCount;
        public int Count;
        public int BatchId = 1;

        /// <summary>Flushes the current batch and starts the next one.</summary>
        public void FlushBatch()
        {
            FlushAny(Buckets, Filled, BIdx, Pts, Den, Prefix, Count, Scratch);
            Count = 0;
            BatchId++;
        }
    }

    /// <summary>This thread's window state, kept between windows of the same shape: a window allocates a few hundred
    /// kilobytes (large-object heap), and a fresh set per window meant a full collection every few windows and the pages
    /// faulted in again each time.</summary>
    [ThreadStatic]
    private static Window? t_window;

    private static Window RentWindow(TAff[] points, int bucketCount, int batchSize, bool vector)
    {
        var win = t_window;
        if (win is not null && win.Buckets.Length == bucketCount && win.BatchSize == batchSize && win.Vector == vector
            && win.BatchId < int.MaxValue / 2)
        {
            // Stamps of earlier windows are below the new batch id, so only the occupancy needs clearing.
            Array.Clear(win.Filled);
            win.BatchId++;
            win.Count = 0;
            win.DeferredCount = 0;
            win.SpillCount = 0;
            win.Points = points;
            return win;
        }
        var (idx, pts, den, prefix, scratch) = NewBatchBuffers(batchSize, vector);
        win = new Window
        {
            Points = points,
            // Plain allocations (not GC.AllocateUninitializedArray, whose instantiation over this struct would be jitted at
            // start-up): the window state is made once per thread and reused.
            Buckets = new Bucket[bucketCount],
            Filled = new bool[bucketCount],
            Stamp = new int[bucketCount],
            BIdx = idx,
            Pts = pts,
            Den = den,
            Prefix = prefix,
            Scratch = scratch,
            Vector = vector,
            BatchSize = batchSize,
            // A point whose bucket is already in the current batch waits for the next batch (as i << 32 | digit); the
            // queue is at most half a batch, so re-admitting it never fills a batch. When it is full (inputs hammering a
            // few buckets), the point is spilled: spilled points are summed per bucket by pairwise batch-affine additions.
            Deferred = new long[batchSize / 2],
        };
        if (t_window is { } previous)
        {
            // The spill buffers do not depend on the window's shape: keep them (their pages are already faulted in).
            win.Spill = previous.Spill;
            win.SpillPoints = previous.SpillPoints;
            win.SpillFilled = previous.SpillFilled;
        }
        t_window = win;
        return win;
    }

    public static TJac Process(TAff[] points, int n, ReadOnlySpan<ulong> recoded, int w, int c)
    {
        int bucketCount = 1 << (c - 1);
        // A batch takes each bucket at most once: at most a quarter of the buckets per batch keeps collisions (deferred
        // or spilled points) rare when the window has few buckets.
        int batchSize = Math.Min(BatchAffineSettings.BatchSize, Math.Max(64, bucketCount / 4));
        bool vector = (typeof(TF) == typeof(Fq) || typeof(TF) == typeof(Fq2))
            && BatchAffineSettings.UseVector && FqVector8Ops.IsSupported;
        var win = RentWindow(points, bucketCount, batchSize, vector);
        Bucket[] buckets = win.Buckets;
        bool[] filled = win.Filled;
        int[] stamp = win.Stamp;
        int[] bIdx = win.BIdx;
        Bucket[] pts = win.Pts;
        long[] deferred = win.Deferred;
        int count = 0;
        int batchId = win.BatchId;

        for (int i = 0; i < n; i++)
        {
            int d = SignedDigits.Digit(recoded, i, w, c);
            if (d == 0 || TCurve.IsInfinity(points[i]))
            {
                continue;
            }
            int b = (d > 0 ? d : -d) - 1;
            if (stamp[b] == batchId)
            {
                if (win.DeferredCount < deferred.Length)
                {
                    deferred[win.DeferredCount++] = ((long)i << 32) | (uint)d;
                }
                else
                {
                    win.Count = count;
                    win.BatchId = batchId;
                    SpillPoint(win, i, d);
                    count = win.Count;
                    batchId = win.BatchId;
                }
                continue;
            }
            Admit(points[i], d, b, buckets, filled, stamp, batchId, bIdx, pts, ref count);
            if (count == batchSize)
            {
                win.Count = count;
                win.BatchId = batchId;
                win.FlushBatch();
                Readmit(win);
                count = win.Count;
                batchId = win.BatchId;
            }
        }
        win.Count = count;
        win.BatchId = batchId;
        while (true)
        {
            int flushed = win.Count;
            win.FlushBatch();
            if (win.DeferredCount == 0)
            {
                break;
            }
            if (flushed < 32)
            {
                // Few additions per batch left (points piling onto a few buckets): sum the rest by spilling rather than
                // paying an inversion for each small batch.
                int left = win.DeferredCount;
                win.DeferredCount = 0; // a spill reduction inside SpillPoint re-admits nothing from here
                for (int j = 0; j < left; j++)
                {
                    long e = deferred[j];
                    SpillPoint(win, (int)(e >> 32), (int)e);
                }
                break;
            }
            Readmit(win);
        }
        if (win.SpillCount > 0)
        {
            ReduceSpill(win);
        }
        win.Points = null!; // the cached window must not keep the bases alive

        // A Jacobian G2 addition costs relatively more (against the batch's one F_q2 inversion) than on G1, so G2 segments
        // pay off from a quarter of G1's threshold (measured on a 2^16 prove: 2048-bucket G2 windows 25% cheaper).
        int segmentedMin = typeof(TF) == typeof(Fq2)
            ? Math.Max(16, BatchAffineSettings.SegmentedMinBuckets / 4)
            : BatchAffineSettings.SegmentedMinBuckets;
        if (bucketCount >= segmentedMin)
        {
            return ReduceSegmented(win, buckets, filled, bucketCount, vector);
        }
        // sum_j (j + 1) * bucket[j] by running sums from the top (default(TJac) is the point at infinity: Z = 0).
        TJac running = default;
        TJac total = default;
        for (int b = bucketCount - 1; b >= 0; b--)
        {
            if (filled[b])
            {
                running = TCurve.AddMixed(running, TCurve.Affine(buckets[b].X, buckets[b].Y));
            }
            total = TCurve.Add(total, running);
        }
        return total;
    }

    /// <summary>Adds point i with digit d to the spill; a full spill (at <see cref="BatchAffineSettings.SpillCap"/>) is
    /// first summed into the buckets, after flushing the current batch.</summary>
    private static void SpillPoint(Window win, int i, int d)
    {
        if (win.SpillCount == win.Spill.Length)
        {
            if (win.Spill.Length < BatchAffineSettings.SpillCap)
            {
                var grown = new long[win.Spill.Length * 2];
                win.Spill.CopyTo(grown, 0);
                win.Spill = grown;
            }
            else
            {
                win.FlushBatch();
                ReduceSpill(win);
                Readmit(win);
            }
        }
        int b = (d > 0 ? d : -d) - 1;
        // Bucket, point index, sign bit.
        win.Spill[win.SpillCount++] = ((long)b << 33) | ((long)i << 1) | (d < 0 ? 1L : 0L);
    }

    /// <summary>
    /// Sums the spilled points per bucket and adds each sum to its bucket. The spill is sorted by bucket (counting sort);
    /// each bucket's run of points is halved per round by pairwise affine additions (all runs' pairs together in full
    /// batches through the flush: P + P and P + (-P) are handled there), so k points cost k - 1 batch-affine additions
    /// instead of k Jacobian ones. Requires an empty current batch.
    /// </summary>
    private static void ReduceSpill(Window win)
    {
        int m = win.SpillCount;
        long[] spill = win.Spill;
        int bucketCount = win.Buckets.Length;
        // Counting sort by bucket: next[b] starts as the first slot of bucket b's run and ends one past its last. The
        // buffers stay with the thread's window state (grown as needed): per call they were large-object churn.
        var next = win.SpillNext ??= new int[bucketCount];
        Array.Clear(next);
        for (int j = 0; j < m; j++)
        {
            int b = (int)(spill[j] >> 33);
            if (b + 1 < bucketCount)
            {
                next[b + 1]++;
            }
        }
        for (int b = 1; b < bucketCount; b++)
        {
            next[b] += next[b - 1];
        }
        if (win.SpillPoints is null || win.SpillPoints.Length < m)
        {
            // Sized to the spill's capacity (m <= it; it grows by doubling), not to m: sized to m, every larger spill
            // allocated and faulted in a fresh array.
            win.SpillPoints = new Bucket[win.Spill.Length];
            win.SpillFilled = new bool[win.Spill.Length];
        }
        var tmp = win.SpillPoints;
        var tmpFilled = win.SpillFilled!;
        for (int j = 0; j < m; j++)
        {
            long e = spill[j];
            int k = next[(int)(e >> 33)]++;
            ref readonly TAff p = ref win.Points[(int)((e >> 1) & int.MaxValue)];
            tmp[k].X = TCurve.X(p);
            tmp[k].Y = (e & 1) != 0 ? TCurve.Neg(TCurve.Y(p)) : TCurve.Y(p);
            tmpFilled[k] = true;
        }
        int maxRuns = Math.Min(m, bucketCount);
        if (win.RunStart is null || win.RunStart.Length < maxRuns)
        {
            win.RunStart = new int[bucketCount];
            win.RunLen = new int[bucketCount];
            win.RunBucket = new int[bucketCount];
        }
        var runStart = win.RunStart;
        var runLen = win.RunLen!;
        var runBucket = win.RunBucket!;
        int runs = 0;
        for (int b = 0, prevEnd = 0; b < bucketCount; b++)
        {
            if (next[b] > prevEnd)
            {
                runStart[runs] = prevEnd;
                runLen[runs] = next[b] - prevEnd;
                runBucket[runs] = b;
                runs++;
                prevEnd = next[b];
            }
        }

        int[] bIdx = win.BIdx;
        Bucket[] pts = win.Pts;
        bool more = true;
        while (more)
        {
            int count = 0;
            for (int r = 0; r < runs; r++)
            {
                int st = runStart[r], len = runLen[r];
                for (int j = 0; j + 1 < len; j += 2)
                {
                    bIdx[count] = st + j;
                    pts[count] = tmp[st + j + 1];
                    if (++count == win.BatchSize)
                    {
                        FlushAny(tmp, tmpFilled, bIdx, pts, win.Den, win.Prefix, count, win.Scratch);
                        count = 0;
                    }
                }
            }
            FlushAny(tmp, tmpFilled, bIdx, pts, win.Den, win.Prefix, count, win.Scratch);
            more = false;
            for (int r = 0; r < runs; r++)
            {
                int st = runStart[r], len = runLen[r], kept = 0;
                for (int j = 0; j < len; j += 2)
                {
                    // Even positions hold the pair sums (or the odd one out); a sum P + (-P) emptied its slot.
                    if (tmpFilled[st + j])
                    {
                        tmp[st + kept] = tmp[st + j];
                        tmpFilled[st + kept] = true;
                        kept++;
                    }
                }
                runLen[r] = kept;
                more |= kept > 1;
            }
        }

        // One sum per bucket: distinct buckets, so plain batches of bucket additions.
        Bucket[] buckets = win.Buckets;
        bool[] filled = win.Filled;
        int n = 0;
        for (int r = 0; r < runs; r++)
        {
            if (runLen[r] == 0)
            {
                continue;
            }
            int b = runBucket[r];
            if (!filled[b])
            {
                buckets[b] = tmp[runStart[r]];
                filled[b] = true;
                continue;
            }
            bIdx[n] = b;
            pts[n] = tmp[runStart[r]];
            if (++n == win.BatchSize)
            {
                FlushAny(buckets, filled, bIdx, pts, win.Den, win.Prefix, n, win.Scratch);
                n = 0;
            }
        }
        FlushAny(buckets, filled, bIdx, pts, win.Den, win.Prefix, n, win.Scratch);
        win.SpillCount = 0;
    }

    /// <summary>
    /// sum_b (b + 1) * bucket[b] with the running sums themselves in batch-affine form: the buckets are cut into S
    /// segments of length L, and segment s keeps an affine running sum R_s and total T_s, so every step is one batch of up
    /// to 2S independent affine additions (one inversion, and the 8-lane flush on G1). With o = b - s L,
    /// sum_b (b + 1) B_b = sum_s T_s + L * sum_s s R_s, where T_s = sum_o (o + 1) B_b: the last part is a short Jacobian
    /// running sum over the segments.
    /// </summary>
    /// <remarks>T_s is accumulated from the running sum before each step's addition (so both additions of a step are
    /// independent), and R_s is added once more at the end: sum of the running sums after each step = sum of those before
    /// it + R_s.</remarks>
    private static TJac ReduceSegmented(Window win, Bucket[] buckets, bool[] filled, int bucketCount, bool vector)
    {
        int segments = Math.Min(1024, bucketCount / 16);
        int len = bucketCount / segments; // both powers of two
        int lanes = 2 * segments;
        // acc[s] = R_s, acc[segments + s] = T_s. The arrays live with the thread's window state (the window's shape
        // fixes their sizes): allocated per window they were large-object churn and a full collection every few windows.
        if (win.Segments is null)
        {
            var (segIdx, segAdd, segDen, segPrefix, segScratch) = NewBatchBuffers(lanes, vector);
            win.Segments = new SegmentState
            {
                Acc = new Bucket[segAdd.Length],
                AccFilled = new bool[lanes],
                Idx = segIdx,
                Add = segAdd,
                Den = segDen,
                Prefix = segPrefix,
                Scratch = segScratch,
            };
        }
        var seg = win.Segments;
        var acc = seg.Acc;
        var accFilled = seg.AccFilled;
        Array.Clear(accFilled);
        var idx = seg.Idx;
        var add = seg.Add;
        var den = seg.Den;
        var prefix = seg.Prefix;
        object? scratch = seg.Scratch;
        for (int j = len; j >= 0; j--)
        {
            int count = 0;
            for (int s = 0; s < segments; s++)
            {
                // T_s += R_s (its value before this step).
                if (accFilled[s])
                {
                    int t = segments + s;
                    if (!accFilled[t])
                    {
                        acc[t] = acc[s];
                        accFilled[t] = true;
                    }
                    else
                    {
                        idx[count] = t;
                        add[count] = acc[s];
                        count++;
                    }
                }
                // R_s += B_b (no bucket in the extra last step j = 0 of the loop, which only adds R_s to T_s).
                int b = s * len + j - 1;
                if (j > 0 && filled[b])
                {
                    if (!accFilled[s])
                    {
                        acc[s] = buckets[b];
                        accFilled[s] = true;
                    }
                    else
                    {
                        idx[count] = s;
                        add[count] = buckets[b];
                        count++;
                    }
                }
            }
            FlushAny(acc, accFilled, idx, add, den, prefix, count, scratch);
        }

        TJac totals = default, running = default, weighted = default;
        for (int s = segments - 1; s >= 0; s--)
        {
            if (accFilled[segments + s])
            {
                totals = TCurve.AddMixed(totals, TCurve.Affine(acc[segments + s].X, acc[segments + s].Y));
            }
            if (s > 0)
            {
                if (accFilled[s])
                {
                    running = TCurve.AddMixed(running, TCurve.Affine(acc[s].X, acc[s].Y));
                }
                weighted = TCurve.Add(weighted, running);
            }
        }
        for (int l = len; l > 1; l >>= 1)
        {
            weighted = TCurve.Double(weighted);
        }
        TJac total = TCurve.Add(totals, weighted);
        return total;
    }

    /// <summary>Puts sign(d) * p into empty bucket b, or queues bucket[b] += sign(d) * p in the current batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Admit(in TAff p, int d, int b, Bucket[] buckets, bool[] filled, int[] stamp, int batchId, int[] bIdx,
        Bucket[] pts, ref int count)
    {
        if (!filled[b])
        {
            ref Bucket e = ref buckets[b];
            e.X = TCurve.X(p);
            e.Y = d > 0 ? TCurve.Y(p) : TCurve.Neg(TCurve.Y(p));
            filled[b] = true;
            return;
        }
        stamp[b] = batchId;
        bIdx[count] = b;
        ref Bucket q = ref pts[count];
        q.X = TCurve.X(p);
        q.Y = d > 0 ? TCurve.Y(p) : TCurve.Neg(TCurve.Y(p));
        count++;
    }

    /// <summary>Moves the deferred points whose buckets are free in the new (empty) batch into it; the others stay
    /// queued.</summary>
    private static void Readmit(Window win)
    {
        long[] deferred = win.Deferred;
        int kept = 0, count = win.Count;
        for (int j = 0; j < win.DeferredCount; j++)
        {
            long e = deferred[j];
            int d = (int)e;
            int b = (d > 0 ? d : -d) - 1;
            if (win.Stamp[b] == win.BatchId)
            {
                deferred[kept++] = e;
                continue;
            }
            Admit(win.Points[(int)(e >> 32)], d, b, win.Buckets, win.Filled, win.Stamp, win.BatchId, win.BIdx, win.Pts, ref count);
        }
        win.DeferredCount = kept;
        win.Count = count;
    }

    /// <summary>The arrays of one batch of up to <paramref name="size"/> additions: bucket indices and addends (padded to
    /// a multiple of 8: the vector flush reads whole groups of eight), and the scalar flush's denominators and prefix
    /// products, or the vector flush's scratch.</summary>
    private static (int[] Idx, Bucket[] Points, TF[] Den, TF[] Prefix, object? Scratch) NewBatchBuffers(int size, bool vector)
    {
        int padded = (size + 7) & ~7;
        return (new int[padded], new Bucket[padded], vector ? [] : new TF[size], vector ? [] : new TF[size],
            vector ? NewVectorScratch(size) : null);
    }

    /// <summary>Scratch of the 8-lane flush for this curve's field.</summary>
    private static object NewVectorScratch(int size) => typeof(TF) == typeof(Fq)
        ? new BatchAffineVector<FqVector8, Fq, G1VectorField>.Scratch(size)
        : new BatchAffineVector<Fq2Vector8, Fq2, G2VectorField>.Scratch(size);

    /// <summary>The 8-lane AVX-512 flush (G1 over F_q, G2 over F_q2) when <paramref name="scratch"/> is given, else the
    /// scalar one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FlushAny(Bucket[] buckets, bool[] filled, int[] bIdx, Bucket[] pts, TF[] den, TF[] prefix, int count,
        object? scratch)
    {
        if (scratch != null)
        {
            // The vector flush reads whole groups of eight: entries past count must index a valid line (stale entries
            // may come from a differently sized target array).
            for (int k = count; k < ((count + 7) & ~7); k++)
            {
                bIdx[k] = 0;
            }
            ref ulong bucketWords = ref Unsafe.As<Bucket, ulong>(ref MemoryMarshal.GetArrayDataReference(buckets));
            ref ulong pointWords = ref Unsafe.As<Bucket, ulong>(ref MemoryMarshal.GetArrayDataReference(pts));
            if (typeof(TF) == typeof(Fq))
            {
                BatchAffineVector<FqVector8, Fq, G1VectorField>.Flush(ref bucketWords, filled, bIdx, ref pointWords, count,
                    Unsafe.As<BatchAffineVector<FqVector8, Fq, G1VectorField>.Scratch>(scratch));
                return;
            }
            if (typeof(TF) == typeof(Fq2))
            {
                BatchAffineVector<Fq2Vector8, Fq2, G2VectorField>.Flush(ref bucketWords, filled, bIdx, ref pointWords, count,
                    Unsafe.As<BatchAffineVector<Fq2Vector8, Fq2, G2VectorField>.Scratch>(scratch));
                return;
            }
        }
        Flush(buckets, filled, bIdx, pts, den, prefix, count);
    }

    /// <summary>Applies bucket[bIdx[k]] += pts[k] for k &lt; count with a single field inversion.</summary>
    /// <remarks>Montgomery's trick runs as two interleaved chains (even and odd k) so that two dependent
    /// multiplications are in flight at once; the inverse of the product of both chains gives each chain's inverse with
    /// two more multiplications. Bucket lines are prefetched a few additions ahead (random access into a table of up to
    /// 2^(c-1) buckets).</remarks>
    private static unsafe void Flush(Bucket[] buckets, bool[] filled, int[] bIdx, Bucket[] pts, TF[] den, TF[] prefix, int count)
    {
        if (count == 0)
        {
            return;
        }
        const int Ahead = 8;
        // Denominators: x2 - x1 for a chord, 2 y1 for a tangent (P + P); P + (-P) empties the bucket (denominator 1 as a
        // placeholder so the batch inversion stays defined). BN254 G1 and the order-r subgroup of G2 have no points of
        // order 2, so y1 != 0 on tangents.
        TF acc0 = TCurve.One, acc1 = TCurve.One;
        for (int k = 0; k < count; k++)
        {
            if (Sse.IsSupported && k + Ahead < count)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref buckets[bIdx[k + Ahead]]));
            }
            ref readonly Bucket q = ref buckets[bIdx[k]];
            TF dx = TCurve.Sub(pts[k].X, q.X);
            if (TCurve.IsZero(dx))
            {
                dx = TCurve.Eq(pts[k].Y, q.Y) ? TCurve.Double(q.Y) : TCurve.One;
            }
            den[k] = dx;
            if ((k & 1) == 0)
            {
                prefix[k] = acc0;
                acc0 = TCurve.Mul(acc0, dx);
            }
            else
            {
                prefix[k] = acc1;
                acc1 = TCurve.Mul(acc1, dx);
            }
        }
        TF both = TCurve.Inverse(TCurve.Mul(acc0, acc1));
        TF inv0 = TCurve.Mul(both, acc1); // = 1 / acc0
        TF inv1 = TCurve.Mul(both, acc0); // = 1 / acc1
        for (int k = count - 1; k >= 0; k--)
        {
            int b = bIdx[k];
            TF dInv;
            if ((k & 1) == 0)
            {
                dInv = TCurve.Mul(inv0, prefix[k]);
                inv0 = TCurve.Mul(inv0, den[k]);
            }
            else
            {
                dInv = TCurve.Mul(inv1, prefix[k]);
                inv1 = TCurve.Mul(inv1, den[k]);
            }
            ref Bucket q = ref buckets[b];
            TF x1 = q.X, y1 = q.Y, x2 = pts[k].X, y2 = pts[k].Y;
            TF lambda;
            if (TCurve.Eq(x1, x2))
            {
                if (!TCurve.Eq(y1, y2))
                {
                    filled[b] = false; // P + (-P) = infinity
                    continue;
                }
                TF xx = TCurve.Square(x1);
                lambda = TCurve.Mul(TCurve.Add(TCurve.Double(xx), xx), dInv);
            }
            else
            {
                lambda = TCurve.Mul(TCurve.Sub(y2, y1), dInv);
            }
            TF x3 = TCurve.Sub(TCurve.Sub(TCurve.Square(lambda), x1), x2);
            q.X = x3;
            q.Y = TCurve.Sub(TCurve.Mul(lambda, TCurve.Sub(x1, x3)), y1);
        }
    }
}

/// <summary>Signed-digit extraction shared by the Pippenger variants.</summary>
internal static class SignedDigits
{
    /// <summary>Limbs per recoded scalar (k + K can exceed 256 bits).</summary>
    public const int Limbs = 5;

    /// <summary>Fr-sized elements (four words each) that hold the digits of <paramref name="terms"/> terms: digits are
    /// stored in Fr arrays so that the prover's scratch arrays serve both the MSMs and the QAP.</summary>
    public static int FrElements(int terms) => (int)(((long)terms * Limbs + 3) / 4);

    /// <summary>Window <paramref name="w"/> of recoded scalar <paramref name="i"/> minus 2^(c-1): a digit in [-2^(c-1), 2^(c-1)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Digit(ReadOnlySpan<ulong> recoded, int i, int w, int c)
    {
        int bit = w * c;
        int limb = bit >> 6;
        int shift = bit & 63;
        int o = i * Limbs + limb;
        ulong v = recoded[o] >> shift;
        if (shift + c > 64 && limb + 1 < Limbs)
        {
            v |= recoded[o + 1] << (64 - shift);
        }
        return (int)(v & ((1UL << c) - 1)) - (1 << (c - 1));
    }
}
