namespace ProverMarketChain.Proving.Gpu.Msm;

/// <summary>
/// The shape of one sorted-bucket MSM: window width c, windows, buckets, the bucket-reduction slices and the segment
/// length that caps how many points one thread adds. A pure function of n and the caller's choices, so it is tested
/// without a device.
/// </summary>
internal readonly record struct MsmPlan
{
    /// <summary>Largest window width: keeps windows * 2^(c-1) below 2^24 (the widest sort key) and the buckets in memory.</summary>
    public const int MaxWindowBits = 16;

    /// <summary>Scalars are below r &lt; 2^254, so signed digits over 255 bits never carry out of the top window.</summary>
    public const int ScalarBits = 255;

    /// <summary>Largest sentinel (24-bit keys).</summary>
    public const uint MaxSentinelKey = 0xFFFFFF;

    /// <summary>Sign flag in a sorted value (the rest is the point's index in the section).</summary>
    public const uint NegativeFlag = 0x8000_0000u;

    private MsmPlan(int n, int c, int segmentLength)
    {
        N = n;
        WindowBits = c;
        Windows = (ScalarBits + c - 1) / c;
        BucketsPerWindow = 1 << (c - 1);
        SliceBits = (c - 1) / 2;
        SlicesPerWindow = BucketsPerWindow >> SliceBits;
        SegmentLength = segmentLength;
    }

    /// <summary>Number of (point, scalar) pairs.</summary>
    public int N { get; }

    /// <summary>Window width c in bits.</summary>
    public int WindowBits { get; }

    /// <summary>ceil(255 / c).</summary>
    public int Windows { get; }

    /// <summary>2^(c-1): signed digits have |d| in 1..2^(c-1); bucket |d|-1 holds digit |d|.</summary>
    public int BucketsPerWindow { get; }

    /// <summary>All buckets, windows * buckets per window.</summary>
    public int Buckets => Windows * BucketsPerWindow;

    /// <summary>Bits the radix sort orders: 16 while every key and the sentinel fit (fewer passes), else 24.</summary>
    public int KeyBits => Buckets < 0xFFFF ? 16 : 24;

    /// <summary>Sort key of a zero digit: all ones in <see cref="KeyBits"/>, above every real key, so those entries
    /// sort last and are skipped.</summary>
    public uint SentinelKey => (1u << KeyBits) - 1;

    /// <summary>log2 of the buckets one reduction thread folds.</summary>
    public int SliceBits { get; }

    /// <summary>Reduction slices per window (each folds 2^SliceBits buckets).</summary>
    public int SlicesPerWindow { get; }

    /// <summary>All slices.</summary>
    public int Slices => Windows * SlicesPerWindow;

    /// <summary>Sorted entries: one per (window, scalar).</summary>
    public int Entries => Windows * N;

    /// <summary>Most points one accumulation thread adds (longer bucket runs are split into segments).</summary>
    public int SegmentLength { get; }

    /// <summary>Segment slots: floor(E / L) + buckets + 1 (bucket b's slots start at floor(start_b / L) + b).</summary>
    public int MaxSegments => Buckets + Entries / SegmentLength + 1;

    /// <summary>Window width chosen for n points: about log2(n) - 3, within 3..16.</summary>
    public static int DefaultWindowBits(int n) => n <= 1 ? 3 : Math.Clamp(Log2Floor(n) - 3, 3, MaxWindowBits);

    /// <summary>Segment length chosen for n: about sqrt(n) (a power of two within 32..1024), balancing the longest
    /// accumulation thread (L additions) against the fold of the biggest bucket's n/L partial sums.</summary>
    public static int DefaultSegmentLength(int n) => Math.Clamp(1 << ((Log2Floor(Math.Max(n, 1)) + 1) / 2), 32, 1024);

    /// <summary>Builds the plan; 0 for <paramref name="windowBits"/> or <paramref name="segmentLength"/> picks the default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A window outside 0..16, a negative segment length, or n so large
    /// that windows * n does not fit the sort.</exception>
    public static MsmPlan Create(int n, int windowBits = 0, int segmentLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (windowBits is < 0 or > MaxWindowBits)
        {
            throw new ArgumentOutOfRangeException(nameof(windowBits), windowBits,
                $"Window must be 0 (choose by size) or 1..{MaxWindowBits} bits.");
        }
        if (segmentLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentLength), segmentLength, "Segment length must be 0 (default) or positive.");
        }
        int c = windowBits == 0 ? DefaultWindowBits(n) : windowBits;
        int l = segmentLength == 0 ? DefaultSegmentLength(n) : segmentLength;
        int windows = (ScalarBits + c - 1) / c;
        if ((long)windows * n + ((1L << (c - 1)) * windows) + (long)windows * n / l + 1 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n,
                $"MSM of {n} points with {c}-bit windows needs {(long)windows * n} sort entries, more than one sort holds; split it.");
        }
        return new MsmPlan(n, c, l);
    }

    private static int Log2Floor(int n) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
}
