using System.Runtime.CompilerServices;
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
internal static class G2BatchAffineWindow
{
    internal const int BatchSize = 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static G2Jacobian Process(G2Affine[] points, int n, ulong[] recoded, int w, int c)
    {
        int bucketCount = 1 << (c - 1);
        var bx = new Fq2[bucketCount];
        var by = new Fq2[bucketCount];
        var filled = new bool[bucketCount];
        var stamp = new int[bucketCount];
        G2Jacobian[]? overflow = null;

        var bIdx = new int[BatchSize];
        var px = new Fq2[BatchSize];
        var py = new Fq2[BatchSize];
        var den = new Fq2[BatchSize];
        var prefix = new Fq2[BatchSize];
        int count = 0;
        int batchId = 1;

        for (int i = 0; i < n; i++)
        {
            int d = SignedDigits.Digit(recoded, i, w, c);
            if (d == 0)
            {
                continue;
            }
            ref readonly G2Affine p = ref points[i];
            if (p.IsInfinity)
            {
                continue;
            }
            int b = (d > 0 ? d : -d) - 1;
            Fq2 y = d > 0 ? p.Y : -p.Y;
            if (stamp[b] == batchId)
            {
                overflow ??= new G2Jacobian[bucketCount];
                overflow[b] = overflow[b].AddMixed(new G2Affine(p.X, y));
                continue;
            }
            if (!filled[b])
            {
                bx[b] = p.X;
                by[b] = y;
                filled[b] = true;
                continue;
            }
            stamp[b] = batchId;
            bIdx[count] = b;
            px[count] = p.X;
            py[count] = y;
            count++;
            if (count == BatchSize)
            {
                Flush(bx, by, filled, bIdx, px, py, den, prefix, count);
                count = 0;
                batchId++;
            }
        }
        Flush(bx, by, filled, bIdx, px, py, den, prefix, count);

        // sum_j (j + 1) * bucket[j] by running sums from the top.
        G2Jacobian running = default;
        G2Jacobian total = default;
        for (int b = bucketCount - 1; b >= 0; b--)
        {
            if (filled[b])
            {
                running = running.AddMixed(new G2Affine(bx[b], by[b]));
            }
            if (overflow != null && !overflow[b].IsInfinity)
            {
                running = running.Add(overflow[b]);
            }
            total = total.Add(running);
        }
        return total;
    }

    /// <summary>Applies bucket[bIdx[k]] += (px[k], py[k]) for k &lt; count with a single field inversion.</summary>
    private static void Flush(Fq2[] bx, Fq2[] by, bool[] filled, int[] bIdx, Fq2[] px, Fq2[] py, Fq2[] den, Fq2[] prefix, int count)
    {
        if (count == 0)
        {
            return;
        }
        // Denominators: x2 - x1 for a chord, 2 y1 for a tangent (P + P); P + (-P) empties the bucket (denominator 1 as a
        // placeholder so the batch inversion stays defined). The order-r subgroup G2 has no points of order 2, so y1 != 0 on tangents.
        Fq2 acc = Fq2.One;
        for (int k = 0; k < count; k++)
        {
            int b = bIdx[k];
            Fq2 dx = px[k] - bx[b];
            if (dx.IsZero)
            {
                dx = py[k] == by[b] ? by[b].Double() : Fq2.One;
            }
            den[k] = dx;
            prefix[k] = acc;
            acc *= dx;
        }
        Fq2 inv = acc.Inverse();
        for (int k = count - 1; k >= 0; k--)
        {
            int b = bIdx[k];
            Fq2 dInv = inv * prefix[k];
            inv *= den[k];
            Fq2 x1 = bx[b], y1 = by[b], x2 = px[k], y2 = py[k];
            Fq2 lambda;
            if (x1 == x2)
            {
                if (y1 != y2)
                {
                    filled[b] = false; // P + (-P) = infinity
                    continue;
                }
                Fq2 xx = x1.Square();
                lambda = (xx.Double() + xx) * dInv;
            }
            else
            {
                lambda = (y2 - y1) * dInv;
            }
            Fq2 x3 = lambda.Square() - x1 - x2;
            bx[b] = x3;
            by[b] = lambda * (x1 - x3) - y1;
        }
    }
}

