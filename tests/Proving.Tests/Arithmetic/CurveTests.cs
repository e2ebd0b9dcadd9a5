using System.Numerics;
using FsCheck.Fluent;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using static ProverMarketChain.Proving.Tests.Arithmetic.PropertyHelpers;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

public class CurveTests
{
    private static G1Jacobian RandomG1(Random rng) => G1Jacobian.Generator.Multiply(Fr.Random(rng));

    private static G2Jacobian RandomG2(Random rng) => G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng));

    [Fact]
    public void Generators_are_on_curve_and_have_order_r()
    {
        Assert.True(G1Affine.Generator.IsOnCurve());
        Assert.True(G2Affine.Generator.IsOnCurve());
        Assert.True(G1Jacobian.Generator.Multiply(Fr.Modulus).IsInfinity);
        Assert.True(G2Affine.Generator.ToJacobian().Multiply(Fr.Modulus).IsInfinity);
        Assert.False(G1Jacobian.Generator.Multiply(Fr.Modulus - 1).IsInfinity);
        Assert.Equal(G1Jacobian.Generator.Negate(), G1Jacobian.Generator.Multiply(Fr.Modulus - 1));
        Assert.True(G2Affine.Generator.IsInSubgroup());
        // Twist coefficient b' = 3 / (9 + u).
        Assert.Equal(new Fq2(Fq.FromBigInteger(3), Fq.Zero), G2Affine.B * Fq2.NonResidue);
        Assert.Throws<ArgumentException>(() => G1Affine.FromXY(Fq.One, Fq.One));
    }

    [Fact]
    public void Known_multiple_of_G1_generator_matches_EIP196_vector()
    {
        // 2 * (1, 2) on alt_bn128, a classic ecAdd/ecMul precompile vector.
        G1Affine twoG = G1Jacobian.Generator.Double().ToAffine();
        Assert.Equal(BigInteger.Parse("1368015179489954701390400359078579693043519447331113978918064868415326638035"), twoG.X.ToBigInteger());
        Assert.Equal(BigInteger.Parse("9918110051302171585080402603319702774565515993150576347155970296011118125764"), twoG.Y.ToBigInteger());
    }

    [Fact]
    public void G1_group_law()
    {
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            G1Jacobian a = RandomG1(rng), b = RandomG1(rng), c = RandomG1(rng);
            G1Affine bAff = b.ToAffine();
            return a + b == b + a && (a + b) + c == a + (b + c) && a + G1Jacobian.Infinity == a
                && (a - a).IsInfinity && a.Double() == a + a && a.AddMixed(bAff) == a + b
                && a.AddMixed(a.ToAffine()) == a.Double() && a.AddMixed(a.ToAffine().Negate()).IsInfinity
                && (a + b).IsOnCurve() && (a + b).ToAffine().IsOnCurve()
                && G1Jacobian.Infinity.AddMixed(bAff) == b && a.AddMixed(G1Affine.Infinity) == a;
        }), 30);
    }

    [Fact]
    public void G2_group_law()
    {
        Check(Prop.ForAll(Seeds(), seed =>
        {
            var rng = new Random(seed);
            G2Jacobian a = RandomG2(rng), b = RandomG2(rng), c = RandomG2(rng);
            G2Affine bAff = b.ToAffine();
            return a + b == b + a && (a + b) + c == a + (b + c) && a + G2Jacobian.Infinity == a
                && (a - a).IsInfinity && a.Double() == a + a && a.AddMixed(bAff) == a + b
                && a.AddMixed(a.ToAffine()) == a.Double() && (a + b).ToAffine().IsOnCurve()
                && (a + b).ToAffine().IsInSubgroup();
        }), 10);
    }

    [Fact]
    public void Scalar_multiplication_is_linear()
    {
        Check(Prop.ForAll(Below(Fr.Modulus), Below(Fr.Modulus), (x, y) =>
        {
            Fr a = Fr.FromBigInteger(x), b = Fr.FromBigInteger(y);
            G1Jacobian g = G1Jacobian.Generator;
            G2Jacobian h = G2Affine.Generator.ToJacobian();
            return g.Multiply(a + b) == g.Multiply(a) + g.Multiply(b)
                && g.Multiply(a * b) == g.Multiply(a).Multiply(b)
                && g.Multiply(x) == g.Multiply(a)
                && g.Multiply(-x) == g.Multiply(a).Negate()
                && h.Multiply(a + b) == h.Multiply(a) + h.Multiply(b);
        }), 10);
    }

    [Fact]
    public void Batch_to_affine_matches_single_conversions()
    {
        var rng = new Random(5);
        var pts = new G1Jacobian[20];
        var pts2 = new G2Jacobian[6];
        for (int i = 0; i < pts.Length; i++)
        {
            pts[i] = i % 6 == 2 ? G1Jacobian.Infinity : RandomG1(rng);
        }
        for (int i = 0; i < pts2.Length; i++)
        {
            pts2[i] = i == 3 ? G2Jacobian.Infinity : RandomG2(rng);
        }
        var aff = new G1Affine[pts.Length];
        G1Jacobian.BatchToAffine(pts, aff);
        for (int i = 0; i < pts.Length; i++)
        {
            Assert.Equal(pts[i].ToAffine(), aff[i]);
            Assert.Equal(pts[i].IsInfinity, aff[i].IsInfinity);
        }
        var aff2 = new G2Affine[pts2.Length];
        G2Jacobian.BatchToAffine(pts2, aff2);
        for (int i = 0; i < pts2.Length; i++)
        {
            Assert.Equal(pts2[i].ToAffine(), aff2[i]);
        }
        Assert.Throws<ArgumentException>(() => G1Jacobian.BatchToAffine(pts, new G1Affine[3]));
    }

    [Fact]
    public void G2_subgroup_check_rejects_twist_points_outside_G2()
    {
        // Find a point on the twist by trying x = 1, 2, ...; the twist's cofactor is huge, so such a point is
        // outside G2 with overwhelming probability, and clearing the cofactor is not what we test here.
        for (int i = 1; ; i++)
        {
            var x = new Fq2(Fq.FromBigInteger(i), Fq.One);
            Fq2 rhs = x.Square() * x + G2Affine.B;
            if (rhs.TrySqrt(out Fq2 y))
            {
                var p = new G2Affine(x, y);
                Assert.True(p.IsOnCurve());
                Assert.False(p.IsInSubgroup());
                Assert.Throws<ArgumentException>(() => G2Affine.FromXY(x, y));
                break;
            }
        }
        G2Affine g = G2Affine.Generator;
        Assert.Equal(g, G2Affine.FromXY(g.X, g.Y));
        Assert.Throws<ArgumentException>(() => G2Affine.FromXY(g.X, g.Y + Fq2.One));
    }
}
