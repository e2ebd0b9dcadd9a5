using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Msm;

namespace ProverMarketChain.Proving.Tests.Formats;

/// <summary>The bulk point decoders (eight curve checks per vector step) against the per-point reader.</summary>
public class PointDecodeTests
{
    private static byte[] EncodeG1(G1Affine[] points)
    {
        var bytes = new byte[points.Length * Bn254Constants.G1Size];
        for (int i = 0; i < points.Length; i++) PointCodec.WriteG1(points[i], bytes.AsSpan(i * Bn254Constants.G1Size));
        return bytes;
    }

    private static byte[] EncodeG2(G2Affine[] points)
    {
        var bytes = new byte[points.Length * Bn254Constants.G2Size];
        for (int i = 0; i < points.Length; i++) PointCodec.WriteG2(points[i], bytes.AsSpan(i * Bn254Constants.G2Size));
        return bytes;
    }

    private static G1Affine[] G1Points(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n)
            .Select(i => i % 5 == 2 ? G1Affine.Infinity : G1Jacobian.Generator.Multiply(Fr.Random(rng)).ToAffine()).ToArray();
    }

    private static G2Affine[] G2Points(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n)
            .Select(i => i % 6 == 1 ? G2Affine.Infinity : G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng)).ToAffine()).ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(43)]
    public void Valid_points_decode_to_themselves_on_both_paths(int n)
    {
        var g1 = G1Points(n, n);
        var g2 = G2Points(n, n + 1);
        foreach (bool vector in new[] { false, true })
        {
            var d1 = new G1Affine[n];
            Assert.Equal(-1, PointCodec.DecodeG1(EncodeG1(g1), d1, vector));
            Assert.Equal(g1, d1);
            var d2 = new G2Affine[n];
            Assert.Equal(-1, PointCodec.DecodeG2(EncodeG2(g2), d2, vector));
            Assert.Equal(g2, d2);
        }
    }

    /// <summary>A damaged point anywhere (inside a group of eight, or in the scalar tail) is named by its index, on both
    /// paths: off the curve (a flipped bit), or a coordinate not below q (all ones).</summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(13, false)]
    [InlineData(41, false)]
    [InlineData(3, true)]
    [InlineData(40, true)]
    public void The_first_invalid_point_is_reported_on_both_paths(int bad, bool outOfRange)
    {
        const int n = 43;
        var e1 = EncodeG1(G1Points(n, 99));
        var e2 = EncodeG2(G2Points(n, 98));
        if (outOfRange)
        {
            e1.AsSpan(bad * Bn254Constants.G1Size, 32).Fill(0xFF);
            e2.AsSpan(bad * Bn254Constants.G2Size + 96, 32).Fill(0xFF);
        }
        else
        {
            e1[bad * Bn254Constants.G1Size + 40] ^= 0x10;
            e2[bad * Bn254Constants.G2Size + 70] ^= 0x10;
        }
        // A later damaged point must not mask the first one.
        e1[42 * Bn254Constants.G1Size + 3] ^= 1;
        e2[42 * Bn254Constants.G2Size + 3] ^= 1;
        foreach (bool vector in new[] { false, true })
        {
            // A flipped bit in an infinity point (all zeros) gives (0, y) with y != 0: off the curve too.
            Assert.Equal(bad, PointCodec.DecodeG1(e1, new G1Affine[n], vector));
            Assert.Equal(bad, PointCodec.DecodeG2(e2, new G2Affine[n], vector));
        }
    }

    [Fact]
    public void Array_stack_reuses_arrays_and_refuses_foreign_or_oversized_requests()
    {
        var stack = new ArrayStack<ulong>(100);
        var a = stack.Rent(10);
        Assert.Equal(100, a.Length);
        stack.Return(a);
        Assert.Same(a, stack.Rent(100));
        Assert.NotSame(a, stack.Rent(1)); // the only free one is out
        Assert.Throws<ArgumentOutOfRangeException>(() => stack.Rent(101));
        Assert.Throws<ArgumentException>(() => stack.Return(new ulong[99]));
    }
}
