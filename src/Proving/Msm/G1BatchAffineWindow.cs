using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Msm;

/// <summary>
/// One Pippenger window on G1 with affine buckets updated in batches: the denominators of all additions in a batch are
/// inverted together (Montgomery's trick), so an affine addition costs about 6 field multiplications instead of 11 for a
/// Jacobian mixed addition. A bucket takes at most one affine addition per batch; a second hit in the same batch goes to
/// a per-bucket Jacobian accumulator (mixed addition) merged at the end, so inputs that hammer one bucket stay correct
/// and never degrade to one inversion per point.
/// </summary>
internal static class G1BatchAffineWindow
{
    internal static int BatchSize = 2048;

    /// <summary>An affine bucket: both coordinates in one 64-byte cache line (one miss per random bucket access).</summary>
    private struct Bucket
    {
        public Fq X, Y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static G1Jacobian Process(G1Affine[] points, int n, ulong[] recoded, int w, int c)
    {
        int bucketCount = 1 << (c - 1);
        int batchSize = BatchSize;
        var buckets = GC.AllocateUninitializedArray<Bucket>(bucketCount);
        var filled = new bool[bucketCount];
        var stamp = new int[bucketCount];
        G1Jacobian[]? overflow = null;

        var bIdx = new int[batchSize];
        var pts = new Bucket[batchSize];
        var den = new Fq[batchSize];
        var prefix = new Fq[batchSize];
        int count = 0;
        int batchId = 1;

        for (int i = 0; i < n; i++)
        {
            int d = SignedDigits.Digit(recoded, i, w, c);
            if (d == 0)
            {
                continue;
            }
            ref readonly G1Affine p = ref points[i];
            if (p.IsInfinity)
            {
                continue;
            }
            int b = (d > 0 ? d : -d) - 1;
            Fq y = d > 0 ? p.Y : -p.Y;
            if (stamp[b] == batchId)
            {
                overflow ??= new G1Jacobian[bucketCount];
                overflow[b] = overflow[b].AddMixed(new G1Affine(p.X, y));
                continue;
            }
            if (!filled[b])
            {
                ref Bucket e = ref buckets[b];
                e.X = p.X;
                e.Y = y;
                filled[b] = true;
                continue;
            }
            stamp[b] = batchId;
            bIdx[count] = b;
            pts[count].X = p.X;
            pts[count].Y = y;
            count++;
            if (count == batchSize)
            {
                Flush(buckets, filled, bIdx, pts, den, prefix, count);
                count = 0;
                batchId++;
            }
        }
        Flush(buckets, filled, bIdx, pts, den, prefix, count);

        // sum_j (j + 1) * bucket[j] by running sums from the top.
        G1Jacobian running = default;
        G1Jacobian total = default;
        for (int b = bucketCount - 1; b >= 0; b--)
        {
            if (filled[b])
            {
                running = running.AddMixed(new G1Affine(buckets[b].X, buckets[b].Y));
            }
            if (overflow != null && !overflow[b].IsInfinity)
            {
                running = running.Add(overflow[b]);
            }
            total = total.Add(running);
        }
        return total;
    }

    /// <summary>Applies bucket[bIdx[k]] += pts[k] for k &lt; count with a single field inversion.</summary>
    /// <remarks>Montgomery's trick runs as two interleaved chains (even and odd k) so that two dependent
    /// multiplications are in flight at once; the inverse of the product of both chains gives each chain's inverse with
    /// two more multiplications. Bucket lines are prefetched a few additions ahead (random access into a table of up to
    /// 2^(c-1) x 64 bytes).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Flush(Bucket[] buckets, bool[] filled, int[] bIdx, Bucket[] pts, Fq[] den, Fq[] prefix, int count)
    {
        if (count == 0)
        {
            return;
        }
        const int Ahead = 8;
        // Denominators: x2 - x1 for a chord, 2 y1 for a tangent (P + P); P + (-P) empties the bucket (denominator 1 as a
        // placeholder so the batch inversion stays defined). BN254 G1 has no points of order 2, so y1 != 0 on tangents.
        Fq acc0 = Fq.One, acc1 = Fq.One;
        for (int k = 0; k < count; k++)
        {
            if (Sse.IsSupported && k + Ahead < count)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref buckets[bIdx[k + Ahead]]));
            }
            ref readonly Bucket q = ref buckets[bIdx[k]];
            Fq dx = pts[k].X - q.X;
            if (dx.IsZero)
            {
                dx = pts[k].Y == q.Y ? q.Y.Double() : Fq.One;
            }
            den[k] = dx;
            if ((k & 1) == 0)
            {
                prefix[k] = acc0;
                acc0 *= dx;
            }
            else
            {
                prefix[k] = acc1;
                acc1 *= dx;
            }
        }
        Fq both = (acc0 * acc1).Inverse();
        Fq inv0 = both * acc1; // = 1 / acc0
        Fq inv1 = both * acc0; // = 1 / acc1
        for (int k = count - 1; k >= 0; k--)
        {
            int b = bIdx[k];
            Fq dInv;
            if ((k & 1) == 0)
            {
                dInv = inv0 * prefix[k];
                inv0 *= den[k];
            }
            else
            {
                dInv = inv1 * prefix[k];
                inv1 *= den[k];
            }
            ref Bucket q = ref buckets[b];
            Fq x1 = q.X, y1 = q.Y, x2 = pts[k].X, y2 = pts[k].Y;
            Fq lambda;
            if (x1 == x2)
            {
                if (y1 != y2)
                {
                    filled[b] = false; // P + (-P) = infinity
                    continue;
                }
                Fq xx = x1.Square();
                lambda = (xx.Double() + xx) * dInv;
            }
            else
            {
                lambda = (y2 - y1) * dInv;
            }
            Fq x3 = lambda.Square() - x1 - x2;
            q.X = x3;
            q.Y = lambda * (x1 - x3) - y1;
        }
    }
}

/// <summary>Signed-digit extraction shared by the Pippenger variants.</summary>
internal static class SignedDigits
{
    /// <summary>Limbs per recoded scalar (k + K can exceed 256 bits).</summary>
    public const int Limbs = 5;

    /// <summary>Window <paramref name="w"/> of recoded scalar <paramref name="i"/> minus 2^(c-1): a digit in [-2^(c-1), 2^(c-1)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Digit(ulong[] recoded, int i, int w, int c)
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
