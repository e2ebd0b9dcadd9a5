using System.Numerics;
using FsCheck.Fluent;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Ntt;
using static ProverMarketChain.Proving.Tests.Arithmetic.PropertyHelpers;
using FrVector8 = ProverMarketChain.Proving.Fields.MontVector8<ProverMarketChain.Proving.Fields.FrParams>;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

/// <summary>The 8-lane F_r arithmetic (the generic <see cref="MontVector8Ops{TP}"/> over F_r), its span kernels and the
/// NTT's vector path against the scalar <see cref="Fr"/> path. The lane tests return early on machines without
/// AVX-512F; the kernel and NTT tests then compare the scalar path with itself.</summary>
public class FrVector8Tests
{
    private static readonly BigInteger R = Fr.Modulus;

    /// <summary>Edge values: 0, 1, 2, r-1, r-2, (r-1)/2, (r+1)/2, limb boundaries of both cuts, raw limbs r-1, r-2.</summary>
    private static readonly Fr[] Edges =
    {
        Fr.Zero, Fr.One, Fr.FromBigInteger(2), Fr.FromBigInteger(R - 1), Fr.FromBigInteger(R - 2),
        Fr.FromBigInteger((R - 1) / 2), Fr.FromBigInteger((R + 1) / 2), Fr.FromBigInteger(BigInteger.Pow(2, 64) - 1),
        Fr.FromBigInteger(BigInteger.Pow(2, 29)), Fr.FromBigInteger(BigInteger.Pow(2, 232) - 1), Fr.FromBigInteger(BigInteger.Pow(2, 253)),
        Fr.FromMontgomery(0, 0, 0, 0), Fr.FromMontgomery(1, 0, 0, 0),
        Fr.FromMontgomery(FrParams.P0 - 1, FrParams.P1, FrParams.P2, FrParams.P3),
        Fr.FromMontgomery(FrParams.P0 - 2, FrParams.P1, FrParams.P2, FrParams.P3),
    };

    private static Fr RandomOrEdge(Random rng) => rng.Next(4) == 0 ? Edges[rng.Next(Edges.Length)] : Fr.Random(rng);

    private static Fr[] RandomVector(Random rng, int n)
    {
        var v = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = RandomOrEdge(rng);
        }
        return v;
    }

    private static unsafe void AssertLanesMatch(Fr[] a, Fr[] b)
    {
        var prod = new Fr[8];
        var sum = new Fr[8];
        var diff = new Fr[8];
        var lazy = new Fr[8];
        var roundTrip = new Fr[8];
        fixed (Fr* pa = a, pb = b, pp = prod, ps = sum, pd = diff, pl = lazy, pr = roundTrip)
        {
            MontVector8Ops<FrParams>.LoadPacked((ulong*)pa, out FrVector8 va);
            MontVector8Ops<FrParams>.LoadPacked((ulong*)pb, out FrVector8 vb);
            MontVector8Ops<FrParams>.StorePacked(va, (ulong*)pr);
            MontVector8Ops<FrParams>.Mul(va, vb, out FrVector8 vp);
            MontVector8Ops<FrParams>.Add(va, vb, out FrVector8 vs);
            MontVector8Ops<FrParams>.Sub(va, vb, out FrVector8 vd);
            MontVector8Ops<FrParams>.MulLazy(va, vb, out FrVector8 vl);
            MontVector8Ops<FrParams>.Reduce(vl, out vl);
            MontVector8Ops<FrParams>.StorePacked(vp, (ulong*)pp);
            MontVector8Ops<FrParams>.StorePacked(vs, (ulong*)ps);
            MontVector8Ops<FrParams>.StorePacked(vd, (ulong*)pd);
            MontVector8Ops<FrParams>.StorePacked(vl, (ulong*)pl);
        }
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(a[i], roundTrip[i]);
            Assert.Equal(a[i] * b[i], prod[i]);
            Assert.Equal(a[i] * b[i], lazy[i]);
            Assert.Equal(a[i] + b[i], sum[i]);
            Assert.Equal(a[i] - b[i], diff[i]);
        }
    }

    [Fact]
    public void Mul_add_sub_match_scalar_on_random_lanes()
    {
        if (!FrVector8Ops.IsSupported)
        {
            return;
        }
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            AssertLanesMatch(RandomVector(rng, 8), RandomVector(rng, 8));
        }), 300);
    }

    [Fact]
    public void Mul_add_sub_match_scalar_on_every_pair_of_edge_values()
    {
        if (!FrVector8Ops.IsSupported)
        {
            return;
        }
        var pairs = new List<(Fr, Fr)>();
        foreach (Fr x in Edges)
        {
            foreach (Fr y in Edges)
            {
                pairs.Add((x, y));
            }
        }
        while (pairs.Count % 8 != 0)
        {
            pairs.Add((Fr.One, Fr.Zero));
        }
        for (int i = 0; i < pairs.Count; i += 8)
        {
            AssertLanesMatch(pairs.Skip(i).Take(8).Select(p => p.Item1).ToArray(), pairs.Skip(i).Take(8).Select(p => p.Item2).ToArray());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1000)]
    public void Span_kernels_vector_and_scalar_paths_equal_the_operators(int n)
    {
        var rng = new Random(n + 5);
        Fr[] a = RandomVector(rng, n), b = RandomVector(rng, n), c = RandomVector(rng, n);
        Fr k = Fr.Random(rng);
        foreach (bool vector in new[] { true, false })
        {
            var prod = new Fr[n];
            FrVector8Ops.Multiply(a, b, prod, vector);
            var fused = new Fr[n];
            FrVector8Ops.MultiplySubtract(a, b, c, fused, vector);
            var scaled = (Fr[])a.Clone();
            FrVector8Ops.Scale(scaled, k, vector);
            var powers = new Fr[n];
            FrVector8Ops.Powers(powers, c.Length > 0 ? c[0] : Fr.One, k, vector);
            Fr expected = c.Length > 0 ? c[0] : Fr.One;
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(expected, powers[i]);
                expected *= k;
            }
            var byPowers = (Fr[])a.Clone();
            Fr start = c.Length > 1 ? c[1] : Fr.One;
            FrVector8Ops.MultiplyByPowers(byPowers, start, k, vector);
            Fr power = start;
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(a[i] * power, byPowers[i]);
                power *= k;
            }
            var inPlace = (Fr[])a.Clone();
            FrVector8Ops.MultiplySubtract(inPlace, b, c, inPlace, vector);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(a[i] * b[i], prod[i]);
                Assert.Equal(a[i] * b[i] - c[i], fused[i]);
                Assert.Equal(a[i] * b[i] - c[i], inPlace[i]);
                Assert.Equal(a[i] * k, scaled[i]);
            }
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(9, 3)]
    [InlineData(12, 1)]
    [InlineData(14, 2)]
    [InlineData(14, 3)]
    public void Vector_and_scalar_NTT_paths_give_identical_results(int log, int threads)
    {
        // 2^12 and up cross the local block size and the parallel threshold; 3 threads give ranges not aligned to 8.
        var rng = new Random(log * 17 + threads);
        var vec = new EvaluationDomain(log, threads);
        var sca = new EvaluationDomain(log, threads) { UseVector = false };
        Fr[] input = RandomVector(rng, vec.Size);
        Fr shift = Fr.Random(rng);
        var steps = new (string Name, Action<EvaluationDomain, Fr[]> Run)[]
        {
            ("forward", (d, v) => d.Forward(v)),
            ("inverse", (d, v) => d.Inverse(v)),
            ("coset forward", (d, v) => d.CosetForward(v, shift)),
            ("coset inverse", (d, v) => d.CosetInverse(v, shift)),
            ("odd coset", (d, v) => d.ToOddCoset(v)),
        };
        foreach (var (name, run) in steps)
        {
            var x = (Fr[])input.Clone();
            var y = (Fr[])input.Clone();
            run(vec, x);
            run(sca, y);
            Assert.True(x.AsSpan().SequenceEqual(y), name);
        }
        var back = (Fr[])input.Clone();
        vec.Forward(back);
        vec.Inverse(back);
        Assert.Equal(input, back);
    }
}
