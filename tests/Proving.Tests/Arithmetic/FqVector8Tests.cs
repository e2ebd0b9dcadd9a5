using FqVector8 = ProverMarketChain.Proving.Fields.MontVector8<ProverMarketChain.Proving.Fields.FqParams>;
using System.Numerics;
using System.Runtime.Intrinsics;
using FsCheck.Fluent;
using ProverMarketChain.Proving.Fields;
using static ProverMarketChain.Proving.Tests.Arithmetic.PropertyHelpers;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

/// <summary>The 8-lane AVX-512 F_q arithmetic against the scalar <see cref="Fq"/> (the portable reference). Skipped in
/// effect (returns early) on machines without AVX-512F, where the vector type is never used.</summary>
public class FqVector8Tests
{
    private static readonly BigInteger Q = Fq.Modulus;

    /// <summary>Edge values: 0, 1, 2, q-1, q-2, (q-1)/2, (q+1)/2, limb boundaries of both cuts (64 and 29 bits).</summary>
    private static readonly Fq[] Edges =
    {
        Fq.Zero, Fq.One, Fq.FromBigInteger(2), Fq.FromBigInteger(Q - 1), Fq.FromBigInteger(Q - 2),
        Fq.FromBigInteger((Q - 1) / 2), Fq.FromBigInteger((Q + 1) / 2), Fq.FromBigInteger(BigInteger.Pow(2, 64) - 1),
        Fq.FromBigInteger(BigInteger.Pow(2, 29)), Fq.FromBigInteger(BigInteger.Pow(2, 232) - 1), Fq.FromBigInteger(BigInteger.Pow(2, 253)),
        Fq.FromMontgomery(0, 0, 0, 0), Fq.FromMontgomery(1, 0, 0, 0),
        // Raw Montgomery limbs q - 1 and q - 2 (the largest canonical limb patterns).
        Fq.FromMontgomery(FqParams.P0 - 1, FqParams.P1, FqParams.P2, FqParams.P3),
        Fq.FromMontgomery(FqParams.P0 - 2, FqParams.P1, FqParams.P2, FqParams.P3),
    };

    private static void AssertLanesMatch(Fq[] a, Fq[] b)
    {
        FqVector8 va = FqVector8Ops.Load(a), vb = FqVector8Ops.Load(b);
        FqVector8Ops.Mul(va, vb, out FqVector8 prod);
        FqVector8Ops.Square(va, out FqVector8 sq);
        FqVector8Ops.Add(va, vb, out FqVector8 sum);
        FqVector8Ops.Sub(va, vb, out FqVector8 diff);
        FqVector8Ops.MulLazy(va, vb, out FqVector8 lazy);
        FqVector8Ops.Reduce(lazy, out FqVector8 reduced);
        uint zeros = FqVector8Ops.ZeroMask(va);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(a[i] * b[i], FqVector8Ops.GetLane(prod, i));
            Assert.Equal(a[i] * b[i], FqVector8Ops.GetLane(reduced, i));
            Assert.Equal(a[i].Square(), FqVector8Ops.GetLane(sq, i));
            Assert.Equal(a[i] + b[i], FqVector8Ops.GetLane(sum, i));
            Assert.Equal(a[i] - b[i], FqVector8Ops.GetLane(diff, i));
            Assert.Equal(a[i].IsZero, ((zeros >> i) & 1) != 0);
        }
    }

    [Fact]
    public void Mul_add_sub_match_scalar_on_random_lanes()
    {
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            var a = new Fq[8];
            var b = new Fq[8];
            for (int i = 0; i < 8; i++)
            {
                a[i] = rng.Next(4) == 0 ? Edges[rng.Next(Edges.Length)] : Fq.Random(rng);
                b[i] = rng.Next(4) == 0 ? Edges[rng.Next(Edges.Length)] : Fq.Random(rng);
            }
            AssertLanesMatch(a, b);
        }), 300);
    }

    /// <summary>The interleaved two-product kernel gives exactly the single products (canonical and lazy), also when
    /// the outputs alias the inputs.</summary>
    [Fact]
    public void Paired_products_equal_two_single_products()
    {
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            Fq Pick() => rng.Next(3) == 0 ? Edges[rng.Next(Edges.Length)] : Fq.Random(rng);
            var vs = new FqVector8[4];
            for (int k = 0; k < 4; k++)
            {
                var lanes = new Fq[8];
                for (int i = 0; i < 8; i++) lanes[i] = Pick();
                vs[k] = FqVector8Ops.Load(lanes);
            }
            FqVector8Ops.Mul(vs[0], vs[1], out var r1);
            FqVector8Ops.Mul(vs[2], vs[3], out var s1);
            MontVector8Ops<FqParams>.Mul2(vs[0], vs[1], out var r2, vs[2], vs[3], out var s2);
            FqVector8Ops.MulLazy(vs[0], vs[1], out var r3);
            FqVector8Ops.MulLazy(vs[2], vs[3], out var s3);
            MontVector8Ops<FqParams>.MulLazy2(vs[0], vs[1], out var r4, vs[2], vs[3], out var s4);
            FqVector8 x = vs[0], z = vs[2];
            MontVector8Ops<FqParams>.Mul2(x, vs[1], out x, z, vs[3], out z);
            for (int lane = 0; lane < 8; lane++)
            {
                Assert.Equal(FqVector8Ops.GetLane(r1, lane), FqVector8Ops.GetLane(r2, lane));
                Assert.Equal(FqVector8Ops.GetLane(s1, lane), FqVector8Ops.GetLane(s2, lane));
                Assert.Equal(LaneValue(r3, lane), LaneValue(r4, lane));
                Assert.Equal(LaneValue(s3, lane), LaneValue(s4, lane));
                Assert.Equal(FqVector8Ops.GetLane(r1, lane), FqVector8Ops.GetLane(x, lane));
                Assert.Equal(FqVector8Ops.GetLane(s1, lane), FqVector8Ops.GetLane(z, lane));
            }
        }), 200);
    }

    [Fact]
    public void Mul_add_sub_match_scalar_on_every_pair_of_edge_values()
    {
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        var a = new Fq[8];
        var b = new Fq[8];
        int lane = 0;
        foreach (Fq x in Edges)
        {
            foreach (Fq y in Edges)
            {
                a[lane] = x;
                b[lane] = y;
                if (++lane == 8)
                {
                    AssertLanesMatch(a, b);
                    lane = 0;
                }
            }
        }
        for (; lane < 8; lane++)
        {
            a[lane] = Fq.One;
            b[lane] = Fq.Zero;
        }
        AssertLanesMatch(a, b);
    }

    [Fact]
    public void Long_dependent_chains_stay_equal_to_scalar()
    {
        // Errors that only show on rare carry patterns compound in a chain: 2,000 dependent steps per lane.
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        var rng = new Random(12);
        var x = new Fq[8];
        var y = new Fq[8];
        for (int i = 0; i < 8; i++)
        {
            x[i] = Fq.Random(rng);
            y[i] = Fq.Random(rng);
        }
        FqVector8 vx = FqVector8Ops.Load(x), vy = FqVector8Ops.Load(y);
        for (int step = 0; step < 2000; step++)
        {
            FqVector8Ops.Mul(vx, vy, out vx);
            FqVector8Ops.Add(vy, vx, out vy);
            FqVector8Ops.Sub(vx, vy, out FqVector8 d);
            FqVector8Ops.Square(d, out vy);
            for (int i = 0; i < 8; i++)
            {
                x[i] *= y[i];
                y[i] += x[i];
                y[i] = (x[i] - y[i]).Square();
            }
        }
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(x[i], FqVector8Ops.GetLane(vx, i));
            Assert.Equal(y[i], FqVector8Ops.GetLane(vy, i));
        }
    }

    [Fact]
    public void Fq2_mul_square_add_sub_match_scalar_Fq2()
    {
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            Fq Pick() => rng.Next(3) == 0 ? Edges[rng.Next(Edges.Length)] : Fq.Random(rng);
            var a = new Fq2[8];
            var b = new Fq2[8];
            for (int i = 0; i < 8; i++)
            {
                a[i] = new Fq2(Pick(), Pick());
                b[i] = new Fq2(Pick(), Pick());
            }
            Fq2Vector8 va = Fq2Vector8Ops.Load(a), vb = Fq2Vector8Ops.Load(b);
            Fq2Vector8Ops.Mul(va, vb, out Fq2Vector8 prod);
            Fq2Vector8Ops.Square(va, out Fq2Vector8 sq);
            Fq2Vector8Ops.Add(va, vb, out Fq2Vector8 sum);
            Fq2Vector8Ops.Sub(va, vb, out Fq2Vector8 diff);
            uint zeros = Fq2Vector8Ops.ZeroMask(va);
            var back = new Fq2[8];
            Fq2Vector8Ops.Store(va, back);
            Assert.Equal(a, back);
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(a[i] * b[i], Fq2Vector8Ops.GetLane(prod, i));
                Assert.Equal(a[i].Square(), Fq2Vector8Ops.GetLane(sq, i));
                Assert.Equal(a[i] + b[i], Fq2Vector8Ops.GetLane(sum, i));
                Assert.Equal(a[i] - b[i], Fq2Vector8Ops.GetLane(diff, i));
                Assert.Equal(a[i].IsZero, ((zeros >> i) & 1) != 0);
            }
            Fq2Vector8 one = Fq2Vector8Ops.One;
            Fq2Vector8Ops.SetLane(ref one, 2, a[2]);
            Assert.Equal(a[2], Fq2Vector8Ops.GetLane(one, 2));
            Assert.Equal(Fq2.One, Fq2Vector8Ops.GetLane(one, 3));
        }), 200);
    }

    /// <summary>Lane values as integers (any limbs, canonical or not).</summary>
    private static BigInteger LaneValue(in FqVector8 v, int lane)
    {
        FqVector8Ops.ToWords(v, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3);
        return new U256(w0.GetElement(lane), w1.GetElement(lane), w2.GetElement(lane), w3.GetElement(lane)).ToBigInteger();
    }

    [Fact]
    public void Lazy_product_chains_stay_below_2q_and_reduce_to_the_scalar_products()
    {
        // Both operands of every step are themselves lazy (in [0, 2q)), the worst case the bound allows; lanes start at
        // q - 1 and random values.
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        var rng = new Random(21);
        var x = new Fq[8];
        var y = new Fq[8];
        for (int i = 0; i < 8; i++)
        {
            x[i] = i == 0 ? Fq.FromBigInteger(Q - 1) : Fq.Random(rng);
            y[i] = i == 1 ? Fq.FromBigInteger(Q - 1) : Fq.Random(rng);
        }
        FqVector8 vx = FqVector8Ops.Load(x), vy = FqVector8Ops.Load(y);
        for (int step = 0; step < 3000; step++)
        {
            FqVector8Ops.MulLazy(vx, vy, out vx);
            FqVector8Ops.MulLazy(vy, vy, out vy);
            for (int i = 0; i < 8; i++)
            {
                x[i] *= y[i];
                y[i] = y[i].Square();
            }
            for (int i = 0; i < 8; i++)
            {
                Assert.True(LaneValue(vx, i) < 2 * Q);
                Assert.True(LaneValue(vy, i) < 2 * Q);
            }
        }
        FqVector8Ops.Reduce(vx, out FqVector8 rx);
        FqVector8Ops.Mul(vy, FqVector8Ops.One, out FqVector8 ry); // the canonical product also accepts inputs below 2q
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(x[i], FqVector8Ops.GetLane(rx, i));
            Assert.Equal(y[i], FqVector8Ops.GetLane(ry, i));
        }
    }

    [Fact]
    public void Word_cut_lane_access_one_and_transpose_round_trip()
    {
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        var rng = new Random(5);
        var a = new Fq[8];
        for (int i = 0; i < 8; i++)
        {
            a[i] = Fq.Random(rng);
        }
        FqVector8 v = FqVector8Ops.Load(a);
        var back = new Fq[8];
        FqVector8Ops.Store(v, back);
        Assert.Equal(a, back);
        Fq extra = Fq.FromBigInteger(Q - 1);
        FqVector8Ops.SetLane(ref v, 3, extra);
        Assert.Equal(extra, FqVector8Ops.GetLane(v, 3));
        Assert.Equal(a[4], FqVector8Ops.GetLane(v, 4));
        FqVector8 one = FqVector8Ops.One;
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(Fq.One, FqVector8Ops.GetLane(one, i));
        }

        var m = new ulong[64];
        for (int i = 0; i < 64; i++)
        {
            m[i] = (ulong)i * 0x0101_0101_0101_0101UL + 7;
        }
        Vector512<ulong> r0 = Vector512.Create(m.AsSpan(0, 8)), r1 = Vector512.Create(m.AsSpan(8, 8)),
            r2 = Vector512.Create(m.AsSpan(16, 8)), r3 = Vector512.Create(m.AsSpan(24, 8)), r4 = Vector512.Create(m.AsSpan(32, 8)),
            r5 = Vector512.Create(m.AsSpan(40, 8)), r6 = Vector512.Create(m.AsSpan(48, 8)), r7 = Vector512.Create(m.AsSpan(56, 8));
        FqVector8Ops.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Vector512<ulong>[] cols = { r0, r1, r2, r3, r4, r5, r6, r7 };
        for (int c = 0; c < 8; c++)
        {
            for (int r = 0; r < 8; r++)
            {
                Assert.Equal(m[r * 8 + c], cols[c].GetElement(r));
            }
        }
    }
    [Fact]
    public void Lane_swaps_broadcast_and_lane_tree_inversion_match_the_scalar_field()
    {
        if (!FqVector8Ops.IsSupported)
        {
            return;
        }
        var rng = new Random(16);
        for (int round = 0; round < 50; round++)
        {
            // Edge values (but not zero: the flush never inverts zero) in some rounds, random ones in the others.
            Fq Pick() => round % 5 == 0 ? Edges[1 + rng.Next(Edges.Length - 1)] : Fq.Random(rng);
            Fq[] a = Enumerable.Range(0, 8).Select(_ => Pick()).ToArray(), b = Enumerable.Range(0, 8).Select(_ => Pick()).ToArray();
            if (a.Concat(b).Any(x => x.IsZero))
            {
                continue;
            }
            FqVector8 va = FqVector8Ops.Load(a), vb = FqVector8Ops.Load(b);
            foreach (int distance in new[] { 1, 2, 4 })
            {
                MontVector8Ops<FqParams>.SwapLanes(va, distance, out FqVector8 swapped);
                for (int i = 0; i < 8; i++) Assert.Equal(a[i ^ distance], FqVector8Ops.GetLane(swapped, i));
            }
            var all = FqVector8Ops.Broadcast(a[3]);
            for (int i = 0; i < 8; i++) Assert.Equal(a[3], FqVector8Ops.GetLane(all, i));
            ProverMarketChain.Proving.Msm.BatchAffineVector<FqVector8, Fq, ProverMarketChain.Proving.Msm.G1VectorField>
                .InvertLanes(va, vb, out FqVector8 ia, out FqVector8 ib);
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(a[i].Inverse(), FqVector8Ops.GetLane(ia, i));
                Assert.Equal(b[i].Inverse(), FqVector8Ops.GetLane(ib, i));
            }
            // The same over F_q2 (G2's flush): lanes a + b u and b + a u.
            Fq2[] c = Enumerable.Range(0, 8).Select(i => new Fq2(a[i], b[i])).ToArray(), d = c.Select(x => new Fq2(x.C1, x.C0)).ToArray();
            ProverMarketChain.Proving.Msm.BatchAffineVector<Fq2Vector8, Fq2, ProverMarketChain.Proving.Msm.G2VectorField>
                .InvertLanes(Fq2Vector8Ops.Load(c), Fq2Vector8Ops.Load(d), out Fq2Vector8 ic, out Fq2Vector8 id);
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(c[i].Inverse(), Fq2Vector8Ops.GetLane(ic, i));
                Assert.Equal(d[i].Inverse(), Fq2Vector8Ops.GetLane(id, i));
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => FqVector8Ops.GetLane(FqVector8Ops.One, 8));
    }
}
