using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using CpuMsm = ProverMarketChain.Proving.Msm.Msm;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The naive bucket MSM on ILGPU's CPU accelerator agrees with the CPU prover's MSM.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class NaiveBucketMsmTests(IlgpuCpuFixture fx)
{
    [Theory]
    [InlineData(1, 4)]
    [InlineData(13, 4)]
    [InlineData(40, 8)]
    [InlineData(9, 2)]
    public void Msm_equals_the_cpu_msm_for_random_and_edge_scalars(int n, int windowBits)
    {
        G1Affine[] points = TestValues.Points(n, 100 + n);
        Fr[] scalars = TestValues.Frs(n, 200 + n); // starts with 0, 1, 2, r-1, ...
        G1Jacobian expected = CpuMsm.MultiExp(points, scalars);
        Assert.Equal(expected, fx.Msm.MultiExp(points, scalars, windowBits));
    }

    [Fact]
    public void Msm_handles_repeated_and_opposite_points_and_infinity()
    {
        G1Affine p = TestValues.Points(1, 300)[0];
        G1Affine[] points = [p, p, p.Negate(), G1Affine.Infinity, p];
        Fr[] scalars = [Fr.FromBigInteger(5), Fr.FromBigInteger(5), Fr.FromBigInteger(5), Fr.FromBigInteger(9), Fr.FromBigInteger(Fr.Modulus - 1)];
        Assert.Equal(CpuMsm.MultiExpNaive(points, scalars), fx.Msm.MultiExp(points, scalars));
    }

    [Fact]
    public void Msm_refuses_mismatched_lengths_and_windows_that_do_not_divide_32()
    {
        G1Affine[] points = TestValues.Points(2, 301);
        Assert.Throws<ArgumentException>(() => fx.Msm.MultiExp(points, new Fr[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => fx.Msm.MultiExp(points, new Fr[2], 5));
        Assert.True(fx.Msm.MultiExp(ReadOnlySpan<G1Affine>.Empty, ReadOnlySpan<Fr>.Empty).IsInfinity);
        Assert.True(fx.Msm.MultiExp(ReadOnlySpan<G2Affine>.Empty, ReadOnlySpan<Fr>.Empty).IsInfinity);
        Assert.Throws<ArgumentException>(() => fx.Msm.MultiExp(TestValuesG2.Points(1, 302), new Fr[2]));
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(12, 8)]
    public void G2_msm_equals_the_cpu_g2_msm_for_random_and_edge_scalars(int n, int windowBits)
    {
        G2Affine[] points = TestValuesG2.Points(n, 400 + n);
        points[0] = n > 1 ? points[1] : points[0]; // a repeated point
        Fr[] scalars = TestValues.Frs(n, 500 + n);
        Assert.Equal(CpuMsm.MultiExpNaive(points, scalars), fx.Msm.MultiExp(points, scalars, windowBits));
    }
}
