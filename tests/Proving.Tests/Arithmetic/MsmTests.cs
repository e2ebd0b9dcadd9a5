using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using MsmApi = ProverMarketChain.Proving.Msm.Msm;
using Settings = ProverMarketChain.Proving.Msm.BatchAffineSettings;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

public class MsmTests
{
    /// <summary>
    /// Runs <paramref name="check"/> through the scalar and the 8-lane flush with <paramref name="batchSize"/> (and
    /// <paramref name="spillCap"/> when given), under both bucket reductions (Jacobian running sums, the default for small
    /// windows, and batch-affine segments) unless <paramref name="bothReductions"/> is false; restores the settings.
    /// </summary>
    private static void UnderEveryFlush(int batchSize, Action check, int? spillCap = null, bool bothReductions = true)
    {
        var saved = (Settings.BatchSize, Settings.UseVector, Settings.SegmentedMinBuckets, Settings.SpillCap);
        try
        {
            Settings.BatchSize = batchSize;
            if (spillCap is { } cap) Settings.SpillCap = cap;
            foreach (int segmentedMin in bothReductions ? new[] { saved.SegmentedMinBuckets, 16 } : [saved.SegmentedMinBuckets])
            {
                Settings.SegmentedMinBuckets = segmentedMin;
                foreach (bool useVector in new[] { false, true })
                {
                    Settings.UseVector = useVector;
                    check();
                }
            }
        }
        finally
        {
            (Settings.BatchSize, Settings.UseVector, Settings.SegmentedMinBuckets, Settings.SpillCap) = saved;
        }
    }

    private static G1Affine[] RandomG1Points(Random rng, int n)
    {
        var jac = new G1Jacobian[n];
        for (int i = 0; i < n; i++)
        {
            jac[i] = G1Jacobian.Generator.Multiply(Fr.Random(rng));
        }
        var aff = new G1Affine[n];
        G1Jacobian.BatchToAffine(jac, aff);
        return aff;
    }

    private static Fr EdgeOrRandom(Random rng)
    {
        return rng.Next(8) switch
        {
            0 => Fr.Zero,
            1 => Fr.One,
            2 => -Fr.One, // r - 1
            3 => Fr.FromBigInteger(System.Numerics.BigInteger.Pow(2, 253)),
            _ => Fr.Random(rng),
        };
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(17, 2)]
    [InlineData(100, 1)]
    [InlineData(300, 2)]
    public void G1_msm_matches_naive_with_edge_scalars_duplicates_and_infinity(int n, int threads)
    {
        var rng = new Random(1000 + n);
        G1Affine[] points = RandomG1Points(rng, n);
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            scalars[i] = EdgeOrRandom(rng);
            if (i > 0 && i % 5 == 0)
            {
                points[i] = points[i - 1]; // duplicate: same bucket sees P + P
                scalars[i] = scalars[i - 1];
            }
            if (i % 7 == 6)
            {
                points[i] = G1Affine.Infinity;
            }
            if (i % 11 == 10 && i > 0)
            {
                points[i] = points[i - 1].Negate(); // P + (-P) in a bucket
                scalars[i] = scalars[i - 1];
            }
        }
        Assert.Equal(MsmApi.MultiExpNaive(points, scalars), MsmApi.MultiExp(points, scalars, threads));
    }

    [Fact]
    public void G1_batch_affine_with_many_small_batches_matches_naive()
    {
        // Small batches force many mid-window flushes, bucket collisions within a batch (the Jacobian overflow path) and
        // buckets emptied by P + (-P) then refilled. A smaller batch size never changes the result, so tests running in
        // parallel are unaffected.
        var rng = new Random(77);
        int n = 400;
        G1Affine[] basePoints = RandomG1Points(rng, 20);
        var points = new G1Affine[n];
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            points[i] = rng.Next(3) == 0 ? basePoints[i % 20].Negate() : basePoints[i % 20];
            scalars[i] = rng.Next(2) == 0 ? Fr.FromBigInteger(rng.Next(1, 40)) : EdgeOrRandom(rng);
        }
        int saved = Settings.BatchSize;
        try
        {
            Settings.BatchSize = 8;
            Assert.Equal(MsmApi.MultiExpNaive(points, scalars), MsmApi.MultiExp(points, scalars, 2));
        }
        finally
        {
            Settings.BatchSize = saved;
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(2048)]
    public void G1_batch_affine_vector_and_scalar_flushes_both_match_naive(int batchSize)
    {
        // The same inputs through the 8-lane AVX-512 flush and the scalar flush (forced), each with both bucket reductions,
        // against the naive oracle: batch sizes that leave partial groups of eight, doublings (a bucket holding P meets P),
        // cancellations (P + (-P)) and random points. Where the CPU lacks AVX-512F both runs take the scalar path.
        var rng = new Random(91 + batchSize);
        int n = 1200;
        G1Affine[] pool = RandomG1Points(rng, 24);
        G1Affine[] fresh = RandomG1Points(rng, 400);
        var points = new G1Affine[n];
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            int kind = rng.Next(4);
            points[i] = kind switch
            {
                0 => pool[rng.Next(pool.Length)],
                1 => pool[rng.Next(pool.Length)].Negate(),
                _ => fresh[rng.Next(fresh.Length)],
            };
            scalars[i] = rng.Next(2) == 0 ? Fr.FromBigInteger(rng.Next(1, 64)) : EdgeOrRandom(rng);
        }
        G1Jacobian expected = MsmApi.MultiExpNaive(points, scalars);
        UnderEveryFlush(batchSize, () => Assert.Equal(expected, MsmApi.MultiExp(points, scalars, 1)));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(2048)]
    public void G2_batch_affine_vector_and_scalar_flushes_both_match_grouped_oracle(int batchSize)
    {
        // G2 through the 8-lane F_q2 flush and the scalar flush (forced), each with both bucket reductions: a small pool of
        // points (so buckets meet equal points and negations) and small scalars (many hits per bucket).
        var rng = new Random(515 + batchSize);
        var pool = new G2Affine[10];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
        }
        const int n = 900;
        var points = new G2Affine[n];
        var scalars = new Fr[n];
        var sums = new Fr[pool.Length];
        for (int i = 0; i < n; i++)
        {
            int j = rng.Next(pool.Length);
            bool negate = rng.Next(3) == 0;
            points[i] = negate ? pool[j].Negate() : pool[j];
            scalars[i] = rng.Next(2) == 0 ? Fr.FromBigInteger(rng.Next(1, 200)) : EdgeOrRandom(rng);
            sums[j] += negate ? -scalars[i] : scalars[i];
        }
        G2Jacobian expected = G2Jacobian.Infinity;
        for (int j = 0; j < pool.Length; j++)
        {
            expected += pool[j].ToJacobian().Multiply(sums[j]);
        }
        UnderEveryFlush(batchSize, () => Assert.Equal(expected, MsmApi.MultiExp(points, scalars, 1)));
    }

    [Theory]
    [InlineData(2048, 65536)]
    [InlineData(2048, 64)]
    [InlineData(8, 64)]
    public void G1_and_G2_msm_with_repeated_scalars_spill_and_match_oracle(int batchSize, int spillCap)
    {
        // Witness-like inputs: most scalars equal (every window sends those points to one bucket, far beyond the deferral
        // queue, so they are spilled and summed pairwise), with equal points (P + P in the pairwise sums) and negations
        // (P + (-P) = infinity), through both flushes; a small spill cap forces mid-window spill reductions.
        var rng = new Random(batchSize + spillCap);
        const int n = 3000;
        G1Affine[] pool = RandomG1Points(rng, 40);
        var g2Pool = new G2Affine[6];
        for (int i = 0; i < g2Pool.Length; i++)
        {
            g2Pool[i] = G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
        }
        Fr common = Fr.Random(rng), other = Fr.Random(rng);
        var points = new G1Affine[n];
        var g2 = new G2Affine[n];
        var scalars = new Fr[n];
        var sums = new Fr[pool.Length];
        var g2Sums = new Fr[g2Pool.Length];
        for (int i = 0; i < n; i++)
        {
            int j = rng.Next(pool.Length), k = rng.Next(g2Pool.Length);
            bool negate = rng.Next(4) == 0;
            points[i] = negate ? pool[j].Negate() : pool[j];
            g2[i] = negate ? g2Pool[k].Negate() : g2Pool[k];
            scalars[i] = rng.Next(10) switch { < 7 => common, 7 => other, _ => EdgeOrRandom(rng) };
            sums[j] += negate ? -scalars[i] : scalars[i];
            g2Sums[k] += negate ? -scalars[i] : scalars[i];
        }
        G1Jacobian expected = G1Jacobian.Infinity;
        for (int j = 0; j < pool.Length; j++)
        {
            expected += pool[j].ToJacobian().Multiply(sums[j]);
        }
        G2Jacobian expectedG2 = G2Jacobian.Infinity;
        for (int k = 0; k < g2Pool.Length; k++)
        {
            expectedG2 += g2Pool[k].ToJacobian().Multiply(g2Sums[k]);
        }
        UnderEveryFlush(batchSize, () =>
        {
            Assert.Equal(expected, MsmApi.MultiExp(points, scalars, 1));
            Assert.Equal(expectedG2, MsmApi.MultiExp(g2, scalars, 1));
        }, spillCap, bothReductions: false);
    }

    [Fact]
    public void G1_and_G2_prefix_msm_reads_only_the_first_count_terms()
    {
        var rng = new Random(78);
        G1Affine[] points = RandomG1Points(rng, 600);
        var scalars = new Fr[600];
        for (int i = 0; i < scalars.Length; i++) scalars[i] = Fr.Random(rng);
        Assert.Equal(MsmApi.MultiExp(points.AsSpan(0, 500), scalars.AsSpan(0, 500)), MsmApi.MultiExpPrefix(points, scalars, 500));
        Assert.Equal(G1Jacobian.Infinity, MsmApi.MultiExpPrefix(points, scalars, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MsmApi.MultiExpPrefix(points, scalars, 601));

        var g2 = new G2Affine[40];
        for (int i = 0; i < g2.Length; i++) g2[i] = G2Jacobian.Generator.Multiply(Fr.Random(rng)).ToAffine();
        Assert.Equal(MsmApi.MultiExpNaive(g2.AsSpan(0, 30), scalars.AsSpan(0, 30)), MsmApi.MultiExpPrefix(g2, scalars, 30));
    }

    [Fact]
    public void G1_msm_all_zero_scalars_is_infinity_and_single_term_is_scalar_mul()
    {
        var rng = new Random(2);
        G1Affine[] points = RandomG1Points(rng, 40);
        Assert.True(MsmApi.MultiExp(points, new Fr[40]).IsInfinity);
        Fr k = Fr.Random(rng);
        Assert.Equal(points[0].ToJacobian().Multiply(k), MsmApi.MultiExp(points.AsSpan(0, 1), new[] { k }));
        Assert.Throws<ArgumentException>(() => MsmApi.MultiExp(points, new Fr[3]));
    }

    [Fact]
    public void G1_msm_random_sizes_cover_several_window_sizes()
    {
        var rng = new Random(77);
        G1Affine[] pool = RandomG1Points(rng, 64);
        foreach (int n in new[] { 5, 33, 1500, 5000 })
        {
            var points = new G1Affine[n];
            var scalars = new Fr[n];
            for (int i = 0; i < n; i++)
            {
                points[i] = pool[rng.Next(pool.Length)]; // many duplicates
                scalars[i] = EdgeOrRandom(rng);
            }
            // Oracle: group by point, sum scalars in Fr, then one scalar multiplication per distinct point.
            var sums = new Dictionary<G1Affine, Fr>();
            for (int i = 0; i < n; i++)
            {
                sums[points[i]] = sums.TryGetValue(points[i], out Fr s) ? s + scalars[i] : scalars[i];
            }
            G1Jacobian expected = G1Jacobian.Infinity;
            foreach (var kv in sums)
            {
                expected += kv.Key.ToJacobian().Multiply(kv.Value);
            }
            Assert.True(MsmApi.ChooseWindow(n) >= 2);
            Assert.Equal(expected, MsmApi.MultiExp(points, scalars));
        }
    }

    [Fact]
    public void Window_choice_keeps_a_preferred_size_only_when_nearly_as_cheap()
    {
        // 2^16 terms: c = 13 is best; 12 is within 3% and kept when preferred; 9 is not.
        Assert.Equal(13, MsmApi.ChooseWindow(65536));
        Assert.Equal(12, MsmApi.ChooseWindow(65536, preferred: 12));
        Assert.Equal(13, MsmApi.ChooseWindow(65536, preferred: 9));
        // 43,136 terms (a compacted witness): 12 is best, and 13 is close enough to keep the threads' window state.
        Assert.Equal(12, MsmApi.ChooseWindow(43136));
        Assert.Equal(13, MsmApi.ChooseWindow(43136, preferred: 13));
        // Out-of-range hints are ignored.
        Assert.Equal(MsmApi.ChooseWindow(1000), MsmApi.ChooseWindow(1000, preferred: 40));
        Assert.Equal(2, MsmApi.ChooseWindow(3, preferred: 13));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(25)]
    public void G2_msm_matches_naive(int n)
    {
        var rng = new Random(500 + n);
        var points = new G2Affine[n];
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            points[i] = i % 6 == 5 ? G2Affine.Infinity
                : i % 4 == 3 ? points[i - 1]
                : G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
            scalars[i] = EdgeOrRandom(rng);
        }
        Assert.Equal(MsmApi.MultiExpNaive(points, scalars), MsmApi.MultiExp(points, scalars));
    }

    [Fact]
    public void G2_batch_affine_path_matches_grouped_oracle_with_duplicates_negations_and_infinity()
    {
        var rng = new Random(4242);
        var pool = new G2Affine[12];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
        }
        const int n = 700; // above the batch-affine threshold
        var points = new G2Affine[n];
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            G2Affine p = pool[rng.Next(pool.Length)];
            points[i] = i % 13 == 0 ? G2Affine.Infinity : i % 9 == 0 ? p.Negate() : p;
            scalars[i] = EdgeOrRandom(rng);
        }
        // Oracle: fold negations into the scalar, sum scalars per distinct point, one scalar multiplication each.
        var sums = new Dictionary<G2Affine, Fr>();
        foreach (var (p, s) in points.Zip(scalars))
        {
            if (p.IsInfinity)
            {
                continue;
            }
            G2Affine key = Array.IndexOf(pool, p) >= 0 ? p : p.Negate();
            Fr signed = key == p ? s : -s;
            sums[key] = sums.TryGetValue(key, out Fr acc) ? acc + signed : signed;
        }
        G2Jacobian expected = G2Jacobian.Infinity;
        foreach (var kv in sums)
        {
            expected += kv.Key.ToJacobian().Multiply(kv.Value);
        }
        Assert.Equal(expected, MsmApi.MultiExp(points, scalars, 2));
        Assert.Equal(expected, MsmApi.MultiExp(points, scalars, 1));
        int savedSegmented = Settings.SegmentedMinBuckets;
        try
        {
            Settings.SegmentedMinBuckets = 16; // batch-affine bucket reduction
            Assert.Equal(expected, MsmApi.MultiExp(points, scalars, 1));
        }
        finally
        {
            Settings.SegmentedMinBuckets = savedSegmented;
        }
    }
}
