using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using CpuMsm = ProverMarketChain.Proving.Msm.Msm;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Msm;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The sorted-bucket MSM on ILGPU's CPU accelerator agrees with the CPU prover's MSM (G1 and G2).</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class SortedBucketMsmTests(IlgpuCpuFixture fx)
{
    private static readonly Fr RMinus1 = Fr.FromBigInteger(Fr.Modulus - 1);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(17, 0)]
    [InlineData(17, 1)]
    [InlineData(256, 0)]
    [InlineData(256, 5)]
    [InlineData(256, 16)]
    [InlineData(1000, 0)]
    [InlineData(1000, 13)]
    public void G1_msm_equals_the_cpu_msm_for_random_and_edge_scalars(int n, int windowBits)
    {
        G1Affine[] points = TestValues.Points(n, 1000 + n);
        Fr[] scalars = TestValues.Frs(n, 2000 + n); // starts with 0, 1, 2, r-1, r-2, ...
        Assert.Equal(CpuMsm.MultiExp(points, scalars), fx.Sorted.MultiExp(points, scalars, windowBits));
    }

    [Fact]
    public void Empty_and_all_zero_msms_are_infinity()
    {
        Assert.True(fx.Sorted.MultiExp(ReadOnlySpan<G1Affine>.Empty, ReadOnlySpan<Fr>.Empty).IsInfinity);
        Assert.True(fx.Sorted.MultiExp(ReadOnlySpan<G2Affine>.Empty, ReadOnlySpan<Fr>.Empty).IsInfinity);
        G1Affine[] points = TestValues.Points(40, 3);
        Assert.True(fx.Sorted.MultiExp(points, new Fr[40]).IsInfinity);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0)]
    public void Large_scalars_near_r_and_powers_of_two_are_exact(int windowBits)
    {
        // r-1 and 2^253 have a top window whose signed digit takes the carry of every window below.
        BigInteger[] values =
        [
            Fr.Modulus - 1, Fr.Modulus - 2, BigInteger.One << 253, (BigInteger.One << 253) - 1, (Fr.Modulus - 1) / 2,
            (BigInteger.One << 128) - 1, BigInteger.One << 16, (BigInteger.One << 15) + 1,
        ];
        Fr[] scalars = [.. values.Select(Fr.FromBigInteger)];
        G1Affine[] points = TestValues.Points(scalars.Length, 4);
        Assert.Equal(CpuMsm.MultiExpNaive(points, scalars), fx.Sorted.MultiExp(points, scalars, windowBits));
        G1Affine[] same = [.. Enumerable.Repeat(points[0], 6)];
        Fr[] allRMinus1 = [.. Enumerable.Repeat(RMinus1, 6)];
        // 6 * (r-1) * P = -6P
        Assert.Equal(points[0].ToJacobian().Multiply(Fr.FromBigInteger(6)).Negate(), fx.Sorted.MultiExp(same, allRMinus1, windowBits));
    }

    [Fact]
    public void Repeated_opposite_and_infinity_bases_land_in_one_bucket_correctly()
    {
        G1Affine p = TestValues.Points(1, 5)[0];
        G1Affine q = TestValues.Points(2, 6)[1];
        // Same scalar everywhere: one bucket per window gets P, P (a doubling), -P (back to P), inf, Q, -Q, -P, -P ...
        G1Affine[] points = [p, p, p.Negate(), G1Affine.Infinity, q, q.Negate(), p.Negate(), p.Negate(), G1Affine.Infinity, p];
        foreach (Fr k in new[] { Fr.FromBigInteger(5), RMinus1, Fr.FromBigInteger(1) })
        {
            Fr[] scalars = [.. Enumerable.Repeat(k, points.Length)];
            Assert.Equal(CpuMsm.MultiExpNaive(points, scalars), fx.Sorted.MultiExp(points, scalars, 4));
        }
        // P and -P with equal scalars cancel to infinity.
        Assert.True(fx.Sorted.MultiExp([p, p.Negate()], [Fr.FromBigInteger(77), Fr.FromBigInteger(77)]).IsInfinity);
        // Only infinity bases.
        Assert.True(fx.Sorted.MultiExp([G1Affine.Infinity, G1Affine.Infinity], [RMinus1, Fr.FromBigInteger(3)]).IsInfinity);
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(3, 6)]
    [InlineData(0, 0)]
    public void Skewed_witness_with_one_huge_bucket_is_split_into_segments_and_stays_exact(int segmentLength, int windowBits)
    {
        // 90% zeros and ones (one bucket of window 0 holds ~450 points), the rest random: as in circuit witnesses.
        const int n = 1000;
        var rng = new Random(7);
        G1Affine[] points = TestValues.Points(n, 8);
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            scalars[i] = u < 0.45 ? Fr.Zero : u < 0.9 ? Fr.One : Fr.Random(rng);
        }
        using var msm = new SortedBucketMsm(fx.Context) { SegmentLength = segmentLength };
        Assert.Equal(CpuMsm.MultiExp(points, scalars), msm.MultiExp(points, scalars, windowBits));
    }

    [Fact]
    public void Two_msms_over_slices_of_bases_uploaded_once_match_the_cpu_on_each_slice()
    {
        const int n = 300;
        G1Affine[] points = TestValues.Points(n, 9);
        Fr[] scalars = TestValues.Frs(n, 10);
        Accelerator acc = fx.Context.Accelerator;
        using AcceleratorStream stream = acc.CreateStream();
        using GpuG1Bases bases = GpuG1Bases.Upload(fx.Context, points, stream);
        stream.Synchronize();
        Assert.Equal(n, bases.Count);
        Assert.Equal(n * (long)ILGPU.Interop.SizeOf<Curves.GpuG1Affine>(), bases.Bytes);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> dScalars = acc.Allocate1D(GpuFr.FromCpu(scalars));

        G1Jacobian first = fx.Sorted.MultiExp(bases, 0, dScalars.View.SubView(0, 100), stream);
        G1Jacobian rest = fx.Sorted.MultiExp(bases, 100, dScalars.View.SubView(100, 200), stream);
        G1Jacobian middle = fx.Sorted.MultiExp(bases, 150, dScalars.View.SubView(10, 50), stream, 7);

        Assert.Equal(CpuMsm.MultiExp(points.AsSpan(0, 100), scalars.AsSpan(0, 100)), first);
        Assert.Equal(CpuMsm.MultiExp(points.AsSpan(100, 200), scalars.AsSpan(100, 200)), rest);
        Assert.Equal(CpuMsm.MultiExp(points.AsSpan(150, 50), scalars.AsSpan(10, 50)), middle);
        Assert.True(fx.Sorted.MultiExp(bases, n, dScalars.View.SubView(0, 0), stream).IsInfinity); // empty slice at the end
    }

    [Fact]
    public void Bad_slices_offsets_windows_and_lengths_are_refused_with_the_problem_named()
    {
        G1Affine[] points = TestValues.Points(10, 11);
        using GpuG1Bases bases = GpuG1Bases.Upload(fx.Context, points);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> dScalars = fx.Context.Accelerator.Allocate1D(GpuFr.FromCpu(TestValues.Frs(10, 12)));
        AcceleratorStream stream = fx.Context.Accelerator.DefaultStream;

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => fx.Sorted.MultiExp(bases, -1, dScalars.View.SubView(0, 2), stream));
        Assert.Equal("offset", negative.ParamName);
        var beyond = Assert.Throws<ArgumentException>(() => fx.Sorted.MultiExp(bases, 5, dScalars.View.SubView(0, 6), stream));
        Assert.Contains("beyond the 10 bases", beyond.Message);
        Assert.Throws<ArgumentException>(() => fx.Sorted.MultiExp(bases, 11, dScalars.View.SubView(0, 0), stream));
        foreach (int bad in new[] { -1, 17, 64 })
        {
            var window = Assert.Throws<ArgumentOutOfRangeException>(() => fx.Sorted.MultiExp(bases, 0, dScalars.View.SubView(0, 4), stream, bad));
            Assert.Equal("windowBits", window.ParamName);
        }
        var lengths = Assert.Throws<ArgumentException>(() => fx.Sorted.MultiExp(points, new Fr[9]));
        Assert.Contains("10 points, 9 scalars", lengths.Message);
        Assert.Throws<ArgumentException>(() => fx.Sorted.MultiExp(TestValuesG2.Points(1, 13), new Fr[2]));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(17, 0)]
    [InlineData(64, 3)]
    public void G2_msm_equals_the_cpu_g2_msm(int n, int windowBits)
    {
        G2Affine[] points = TestValuesG2.Points(n, 1400 + n);
        Fr[] scalars = TestValues.Frs(n, 1500 + n);
        Assert.Equal(CpuMsm.MultiExp(points, scalars), fx.Sorted.MultiExp(points, scalars, windowBits));
    }

    [Fact]
    public void G2_skewed_repeated_opposite_and_infinity_bases_and_slices_are_exact()
    {
        const int n = 120;
        var rng = new Random(14);
        G2Affine[] points = TestValuesG2.Points(n, 15);
        points[1] = points[0];
        points[2] = points[0].Negate();
        points[3] = G2Affine.Infinity;
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            scalars[i] = u < 0.45 ? Fr.Zero : u < 0.9 ? Fr.One : Fr.Random(rng);
        }
        scalars[0] = scalars[1] = scalars[2] = scalars[3] = RMinus1;

        using var msm = new SortedBucketMsm(fx.Context) { SegmentLength = 4 };
        Assert.Equal(CpuMsm.MultiExp(points, scalars), msm.MultiExp(points, scalars));

        using GpuG2Bases bases = GpuG2Bases.Upload(fx.Context, points);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> dScalars = fx.Context.Accelerator.Allocate1D(GpuFr.FromCpu(scalars));
        AcceleratorStream stream = fx.Context.Accelerator.DefaultStream;
        Assert.Equal(CpuMsm.MultiExp(points.AsSpan(40, 80), scalars.AsSpan(40, 80)),
            msm.MultiExp(bases, 40, dScalars.View.SubView(40, 80), stream, 5));
        var beyond = Assert.Throws<ArgumentException>(() => msm.MultiExp(bases, 100, dScalars.View.SubView(0, 21), stream));
        Assert.Contains("beyond the 120 bases", beyond.Message);
    }
}

/// <summary>The MSM's shape (windows, buckets, sort keys, segment bound) as a pure function of n.</summary>
public sealed class MsmPlanTests
{
    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(64, 3)]
    [InlineData(1 << 14, 11)]
    [InlineData(1 << 16, 13)]
    [InlineData(1 << 20, 16)]
    [InlineData(1 << 24, 16)]
    public void Window_width_follows_log2_n_minus_3_within_3_to_16(int n, int expected) =>
        Assert.Equal(expected, MsmPlan.Create(n).WindowBits);

    [Fact]
    public void Every_window_width_covers_255_bits_and_its_keys_fit_below_the_24_bit_sentinel()
    {
        for (int c = 1; c <= MsmPlan.MaxWindowBits; c++)
        {
            MsmPlan plan = MsmPlan.Create(1000, c);
            Assert.True(plan.Windows * c >= 255, $"c={c}");
            Assert.True((plan.Windows - 1) * c < 255, $"c={c}: a window too many");
            Assert.True((uint)plan.Buckets - 1 < plan.SentinelKey, $"c={c}: the largest key must sort below the sentinel");
            Assert.True(plan.SentinelKey <= MsmPlan.MaxSentinelKey);
            Assert.Equal(plan.BucketsPerWindow, plan.SlicesPerWindow << plan.SliceBits);
        }
    }

    [Theory]
    [InlineData(1000, 8, 1)]
    [InlineData(1000, 1, 2)]
    [InlineData(5000, 3, 3)]
    [InlineData(1 << 12, 0, 4)]
    public void Segment_slots_from_bucket_starts_give_every_bucket_enough_disjoint_slots_within_the_bound(int n, int segmentLength, int seed)
    {
        MsmPlan plan = MsmPlan.Create(n, 0, segmentLength);
        int l = plan.SegmentLength;
        // Random bucket runs, with a few huge ones (skewed witnesses) and many empty ones.
        var rng = new Random(seed);
        var starts = new int[plan.Buckets + 1];
        int remaining = plan.Entries - rng.Next(plan.Entries / 2); // the rest are zero digits (sentinels)
        for (int b = 0; b < plan.Buckets; b++)
        {
            starts[b + 1] = starts[b];
            if (remaining > 0 && rng.Next(4) == 0)
            {
                int len = Math.Min(remaining, rng.Next(20) == 0 ? rng.Next(remaining + 1) : rng.Next(3 * l));
                starts[b + 1] += len;
                remaining -= len;
            }
        }
        for (int b = 0; b < plan.Buckets; b++)
        {
            int first = SortedBucketMsmKernels.SlotStart(starts[b], b, l);
            int next = SortedBucketMsmKernels.SlotStart(starts[b + 1], b + 1, l);
            int needed = (starts[b + 1] - starts[b] + l - 1) / l;
            Assert.True(next - first >= Math.Max(1, needed), $"bucket {b}: {next - first} slots for {needed} segments");
        }
        Assert.True(SortedBucketMsmKernels.SlotStart(starts[^1], plan.Buckets, l) <= plan.MaxSegments);
        Assert.InRange(plan.SegmentLength, 1, 1024);
    }

    [Fact]
    public void Sizes_beyond_one_sort_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MsmPlan.Create(int.MaxValue / 4, 16));
        Assert.Contains("split it", e.Message);
    }
}
