using System.Runtime.CompilerServices;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Msm;

/// <summary>
/// Multi-scalar multiplication sum_i [s_i] P_i on BN254 G1 and G2 with Pippenger's bucket method over signed
/// c-bit digits (buckets 1..2^(c-1)), the window size chosen from the input size, windows processed in parallel.
/// </summary>
public static class Msm
{
    /// <summary>sum_i [scalars[i]] points[i] on G1.</summary>
    /// <param name="points">Affine bases; infinity allowed.</param>
    /// <param name="scalars">Scalars (any Fr value, zero allowed).</param>
    /// <param name="maxDegreeOfParallelism">Worker count; -1 uses all processors, 1 runs inline.</param>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G1Jacobian MultiExp(ReadOnlySpan<G1Affine> points, ReadOnlySpan<Fr> scalars, int maxDegreeOfParallelism = -1)
    {
        CheckLengths(points.Length, scalars.Length);
        return Pippenger<G1Affine, G1Jacobian, G1Ops>.Run(points.ToArray(), scalars.ToArray(), points.Length, maxDegreeOfParallelism);
    }

    /// <summary>sum_i [scalars[i]] points[i] for i &lt; <paramref name="count"/> on G1, reading the arrays in place (no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds either array.</exception>
    public static G1Jacobian MultiExpPrefix(G1Affine[] points, Fr[] scalars, int count, int maxDegreeOfParallelism = -1)
    {
        CheckCount(points.Length, scalars.Length, count);
        return Pippenger<G1Affine, G1Jacobian, G1Ops>.Run(points, scalars, count, maxDegreeOfParallelism);
    }

    /// <summary>sum_i [scalars[i]] points[i] for i &lt; <paramref name="count"/> on G2, reading the arrays in place (no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds either array.</exception>
    public static G2Jacobian MultiExpPrefix(G2Affine[] points, Fr[] scalars, int count, int maxDegreeOfParallelism = -1)
    {
        CheckCount(points.Length, scalars.Length, count);
        return Pippenger<G2Affine, G2Jacobian, G2Ops>.Run(points, scalars, count, maxDegreeOfParallelism);
    }

    private static void CheckCount(int points, int scalars, int count)
    {
        if (count < 0 || count > points || count > scalars)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"MSM over {count} terms, but only {points} points and {scalars} scalars were given.");
        }
    }

    /// <summary>sum_i [scalars[i]] points[i] on G2.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G2Jacobian MultiExp(ReadOnlySpan<G2Affine> points, ReadOnlySpan<Fr> scalars, int maxDegreeOfParallelism = -1)
    {
        CheckLengths(points.Length, scalars.Length);
        return Pippenger<G2Affine, G2Jacobian, G2Ops>.Run(points.ToArray(), scalars.ToArray(), points.Length, maxDegreeOfParallelism);
    }

    /// <summary>Reference implementation: independent double-and-add per term. For tests only (slow).</summary>
    public static G1Jacobian MultiExpNaive(ReadOnlySpan<G1Affine> points, ReadOnlySpan<Fr> scalars)
    {
        CheckLengths(points.Length, scalars.Length);
        G1Jacobian acc = G1Jacobian.Infinity;
        for (int i = 0; i < points.Length; i++)
        {
            acc = acc.Add(points[i].ToJacobian().Multiply(scalars[i]));
        }
        return acc;
    }

    /// <summary>Reference implementation on G2. For tests only (slow).</summary>
    public static G2Jacobian MultiExpNaive(ReadOnlySpan<G2Affine> points, ReadOnlySpan<Fr> scalars)
    {
        CheckLengths(points.Length, scalars.Length);
        G2Jacobian acc = G2Jacobian.Infinity;
        for (int i = 0; i < points.Length; i++)
        {
            acc = acc.Add(points[i].ToJacobian().Multiply(scalars[i]));
        }
        return acc;
    }

    internal static void CheckLengths(int points, int scalars)
    {
        if (points != scalars)
        {
            throw new ArgumentException($"MSM needs as many scalars as points: {points} points, {scalars} scalars.");
        }
    }

    /// <summary>Window size minimising ceil(255/c) * (n + 3 * 2^(c-1)) (bucket sums cost ~1.5 mixed additions each, twice).
    /// A <paramref name="preferred"/> size (the previous MSM's, whose per-thread window state is already allocated and
    /// faulted in) is kept when its cost is within 3% of the best.</summary>
    internal static int ChooseWindow(int n, int preferred = 0)
    {
        if (n < 4)
        {
            return 2;
        }
        static double Cost(int n, int c) => (255 + c - 1) / c * (n + 3.0 * (1 << (c - 1)));
        int best = 2;
        double bestCost = double.MaxValue;
        for (int c = 2; c <= 20; c++)
        {
            double cost = Cost(n, c);
            if (cost < bestCost)
            {
                bestCost = cost;
                best = c;
            }
        }
        return preferred is >= 2 and <= 20 && Cost(n, preferred) <= 1.03 * bestCost ? preferred : best;
    }
}

/// <summary>Group operations the generic Pippenger needs; implemented by structs so the JIT specialises per curve.</summary>
internal interface ICurveOps<TAff, TJac>
    where TAff : struct
    where TJac : struct
{
    static abstract TJac Infinity { get; }
    static abstract bool IsInfinity(in TAff p);
    static abstract TJac AddMixed(in TJac a, in TAff p);
    static abstract TJac AddMixedNeg(in TJac a, in TAff p);
    static abstract TJac Add(in TJac a, in TJac b);
    static abstract TJac Double(in TJac a);
}

internal struct G1Ops : ICurveOps<G1Affine, G1Jacobian>
{
    public static G1Jacobian Infinity => G1Jacobian.Infinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInfinity(in G1Affine p) => p.IsInfinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static G1Jacobian AddMixed(in G1Jacobian a, in G1Affine p) => a.AddMixed(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static G1Jacobian AddMixedNeg(in G1Jacobian a, in G1Affine p) => a.AddMixed(p.Negate());
    public static G1Jacobian Add(in G1Jacobian a, in G1Jacobian b) => a.Add(b);
    public static G1Jacobian Double(in G1Jacobian a) => a.Double();
}

internal struct G2Ops : ICurveOps<G2Affine, G2Jacobian>
{
    public static G2Jacobian Infinity => G2Jacobian.Infinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInfinity(in G2Affine p) => p.IsInfinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static G2Jacobian AddMixed(in G2Jacobian a, in G2Affine p) => a.AddMixed(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static G2Jacobian AddMixedNeg(in G2Jacobian a, in G2Affine p) => a.AddMixed(p.Negate());
    public static G2Jacobian Add(in G2Jacobian a, in G2Jacobian b) => a.Add(b);
    public static G2Jacobian Double(in G2Jacobian a) => a.Double();
}

/// <summary>Generic Pippenger. Scalars are converted once to canonical form plus the offset
/// K = sum_w 2^(c-1) 2^(cw), so that window w of (k + K), minus 2^(c-1), is the w-th signed digit of k in
/// [-2^(c-1), 2^(c-1)): each window's digits can then be read independently, which lets windows run in parallel.</summary>
internal static class Pippenger<TAff, TJac, TOps>
    where TAff : struct
    where TJac : struct
    where TOps : struct, ICurveOps<TAff, TJac>
{
    private const int Limbs = SignedDigits.Limbs;

    /// <summary>Below this many points the Jacobian buckets are used (batches would be too small to amortise).</summary>
    internal static int BatchAffineThreshold = 256;

    /// <summary>The MSM over the first <paramref name="n"/> terms of the arrays (read, never written).</summary>
    public static TJac Run(TAff[] pts, Fr[] sc, int n, int maxDegreeOfParallelism)
    {
        int threads = maxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        var job = new MsmJob<TAff, TJac, TOps>("msm", () => pts, sc, n, compact: false);
        job.Prepare(threads);
        if (threads == 1 || job.Windows <= 1)
        {
            for (int w = 0; w < job.Windows; w++)
            {
                job.RunWindow(w);
            }
        }
        else
        {
            ParallelLoop.For(0, job.Windows, threads, job.RunWindow);
        }
        return job.Result;
    }

    /// <summary>Recodes scalars[i] (Montgomery form) into recoded[i] as canonical k + K (five limbs); see the class
    /// remarks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RecodeOne(in Fr scalar, Span<ulong> recoded, int slot, ulong[] offset)
    {
        U256 k = scalar.ToCanonicalLimbs();
        int o = slot * Limbs;
        // Five-limb addition k + K with carry propagation (k < 2^254 and K < 2^(c*windows) so no overflow of 320 bits).
        ulong carry = 0;
        recoded[o] = AddWithCarry(k.L0, offset[0], ref carry);
        recoded[o + 1] = AddWithCarry(k.L1, offset[1], ref carry);
        recoded[o + 2] = AddWithCarry(k.L2, offset[2], ref carry);
        recoded[o + 3] = AddWithCarry(k.L3, offset[3], ref carry);
        recoded[o + 4] = AddWithCarry(0, offset[4], ref carry);
    }

    /// <summary>sum over the windows, most significant first: acc = acc * 2^c + S_w.</summary>
    internal static TJac Combine(TJac[] windowSums, int c)
    {
        int windows = windowSums.Length;
        if (windows == 0)
        {
            return TOps.Infinity;
        }
        TJac acc = windowSums[windows - 1];
        for (int w = windows - 2; w >= 0; w--)
        {
            for (int i = 0; i < c; i++)
            {
                acc = TOps.Double(acc);
            }
            acc = TOps.Add(acc, windowSums[w]);
        }
        return acc;
    }

    internal static ulong[] BuildOffset(int c, int windows)
    {
        var k = new ulong[Limbs];
        for (int w = 0; w < windows; w++)
        {
            int bit = c * w + c - 1;
            k[bit >> 6] |= 1UL << (bit & 63);
        }
        return k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddWithCarry(ulong a, ulong b, ref ulong carry)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        ulong r = s + carry;
        carry = c1 | (r < s ? 1UL : 0UL);
        return r;
    }

    internal static TJac ProcessWindow(TAff[] points, int n, ReadOnlySpan<ulong> recoded, int w, int c)
    {
        if (typeof(TAff) == typeof(G1Affine) && n >= BatchAffineThreshold)
        {
            G1Jacobian r = BatchAffineWindow<Fq, G1Affine, G1Jacobian, G1BatchCurve>.Process(Unsafe.As<G1Affine[]>(points), n, recoded, w, c);
            return Unsafe.As<G1Jacobian, TJac>(ref r);
        }
        if (typeof(TAff) == typeof(G2Affine) && n >= BatchAffineThreshold)
        {
            G2Jacobian r = BatchAffineWindow<Fq2, G2Affine, G2Jacobian, G2BatchCurve>.Process(Unsafe.As<G2Affine[]>(points), n, recoded, w, c);
            return Unsafe.As<G2Jacobian, TJac>(ref r);
        }
        int bucketCount = 1 << (c - 1);
        var buckets = new TJac[bucketCount];
        for (int b = 0; b < bucketCount; b++)
        {
            buckets[b] = TOps.Infinity;
        }
        for (int i = 0; i < n; i++)
        {
            int d = SignedDigits.Digit(recoded, i, w, c);
            if (d == 0 || TOps.IsInfinity(points[i]))
            {
                continue;
            }
            if (d > 0)
            {
                ref TJac bucket = ref buckets[d - 1];
                bucket = TOps.AddMixed(bucket, points[i]);
            }
            else
            {
                ref TJac bucket = ref buckets[-d - 1];
                bucket = TOps.AddMixedNeg(bucket, points[i]);
            }
        }
        // sum_j (j + 1) * bucket[j] by running sums from the top.
        TJac running = TOps.Infinity;
        TJac total = TOps.Infinity;
        for (int b = bucketCount - 1; b >= 0; b--)
        {
            running = TOps.Add(running, buckets[b]);
            total = TOps.Add(total, running);
        }
        return total;
    }
}
