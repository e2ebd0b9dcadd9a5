using System.Numerics;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The 8x32-bit Montgomery arithmetic, called on the host, against BigInteger and the CPU fields.</summary>
public sealed class GpuFieldArithmeticTests
{
    private static readonly BigInteger R = BigInteger.One << 256;

    [Fact]
    public void Constants_match_the_moduli_and_montgomery_radix_of_the_cpu_fields()
    {
        Assert.Equal(Fr.Modulus, ToBig(GpuFr.Modulus));
        Assert.Equal(Fq.Modulus, ToBig(GpuFq.Modulus));
        Assert.Equal(Fr.One, GpuFr.One.ToCpu());
        Assert.Equal(Fq.One, GpuFq.One.ToCpu());
        Assert.Equal(BigInteger.ModPow(2, 512, Fr.Modulus), ToBig(GpuFr.R2));
        Assert.Equal(BigInteger.ModPow(2, 512, Fq.Modulus), ToBig(GpuFq.R2));
        BigInteger word = BigInteger.One << 32;
        Assert.Equal(word - 1, new BigInteger(GpuFr.NInv) * Fr.Modulus % word);
        Assert.Equal(word - 1, new BigInteger(GpuFq.NInv) * Fq.Modulus % word);
    }

    [Fact]
    public void Conversion_reinterprets_cpu_montgomery_limbs_without_reencoding()
    {
        foreach (Fr x in TestValues.Frs(200, 1))
        {
            GpuFr g = GpuFr.FromCpu(x);
            Assert.Equal(x, g.ToCpu());
            Assert.Equal(x.ToBigInteger() * R % Fr.Modulus, ToBig(g));
        }
        foreach (Fq x in TestValues.Fqs(200, 2))
        {
            GpuFq g = GpuFq.FromCpu(x);
            Assert.Equal(x, g.ToCpu());
            Assert.Equal(x.ToBigInteger() * R % Fq.Modulus, ToBig(g));
        }
    }

    [Fact]
    public void Fr_add_sub_mul_agree_with_biginteger_and_the_cpu_field_on_edges_and_random_values()
    {
        Fr[] xs = TestValues.Frs(60, 3);
        BigInteger p = Fr.Modulus;
        foreach (Fr a in xs)
        {
            foreach (Fr b in xs)
            {
                GpuFr ga = GpuFr.FromCpu(a), gb = GpuFr.FromCpu(b);
                BigInteger ba = a.ToBigInteger(), bb = b.ToBigInteger();
                Assert.Equal((ba + bb) % p, GpuFr.Add(ga, gb).ToCpu().ToBigInteger());
                Assert.Equal(((ba - bb) % p + p) % p, GpuFr.Sub(ga, gb).ToCpu().ToBigInteger());
                Assert.Equal(ba * bb % p, GpuFr.Mul(ga, gb).ToCpu().ToBigInteger());
                Assert.Equal(a * b, GpuFr.Mul(ga, gb).ToCpu());
            }
        }
    }

    [Fact]
    public void Fq_add_sub_mul_agree_with_biginteger_and_the_cpu_field_on_edges_and_random_values()
    {
        Fq[] xs = TestValues.Fqs(60, 4);
        BigInteger p = Fq.Modulus;
        foreach (Fq a in xs)
        {
            foreach (Fq b in xs)
            {
                GpuFq ga = GpuFq.FromCpu(a), gb = GpuFq.FromCpu(b);
                BigInteger ba = a.ToBigInteger(), bb = b.ToBigInteger();
                Assert.Equal((ba + bb) % p, GpuFq.Add(ga, gb).ToCpu().ToBigInteger());
                Assert.Equal(((ba - bb) % p + p) % p, GpuFq.Sub(ga, gb).ToCpu().ToBigInteger());
                Assert.Equal(ba * bb % p, GpuFq.Mul(ga, gb).ToCpu().ToBigInteger());
                Assert.Equal(a - b, GpuFq.Sub(ga, gb).ToCpu());
            }
        }
    }

    [Fact]
    public void Results_stay_fully_reduced_so_limb_equality_is_field_equality()
    {
        GpuFr pm1 = GpuFr.FromCpu(Fr.FromBigInteger(Fr.Modulus - 1));
        Assert.True(ToBig(GpuFr.Add(pm1, pm1)) < Fr.Modulus);
        Assert.True(ToBig(GpuFr.Mul(pm1, pm1)) < Fr.Modulus);
        Assert.True(GpuFr.Add(pm1, GpuFr.One).IsZero);
        Assert.True(GpuFq.Sub(GpuFq.Zero, GpuFq.Zero).IsZero);
        Assert.True(GpuFq.Add(GpuFq.Neg(GpuFq.One), GpuFq.One).IsZero);
        GpuFq x = GpuFq.FromCpu(Fq.FromBigInteger(Fq.Modulus - 1));
        Assert.Equal(Fq.One, GpuFq.Mul(x, x).ToCpu());
    }

    [Fact]
    public void To_and_from_montgomery_convert_between_canonical_limbs_and_the_cpu_encoding()
    {
        foreach (Fr x in TestValues.Frs(100, 5))
        {
            GpuFr canonical = GpuFr.FromMontgomery(GpuFr.FromCpu(x));
            Assert.Equal(x.ToBigInteger(), ToBig(canonical));
            Assert.Equal(x, GpuFr.ToMontgomery(canonical).ToCpu());
        }
        foreach (Fq x in TestValues.Fqs(100, 6))
        {
            GpuFq canonical = GpuFq.FromMontgomery(GpuFq.FromCpu(x));
            Assert.Equal(x.ToBigInteger(), ToBig(canonical));
            Assert.Equal(x, GpuFq.ToMontgomery(canonical).ToCpu());
        }
    }

    private static BigInteger ToBig(GpuFr x) => Limbs(x.L0, x.L1, x.L2, x.L3, x.L4, x.L5, x.L6, x.L7);

    private static BigInteger ToBig(GpuFq x) => Limbs(x.L0, x.L1, x.L2, x.L3, x.L4, x.L5, x.L6, x.L7);

    private static BigInteger Limbs(params uint[] l)
    {
        BigInteger r = 0;
        for (int i = l.Length - 1; i >= 0; i--)
        {
            r = (r << 32) | l[i];
        }
        return r;
    }
}
