using System.Numerics;
using System.Runtime.Intrinsics.X86;
using FsCheck.Fluent;
using ProverMarketChain.Proving.Fields;
using static ProverMarketChain.Proving.Tests.Arithmetic.PropertyHelpers;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

public class FieldTests
{
    private static readonly BigInteger R = BigInteger.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static readonly BigInteger Q = BigInteger.Parse("21888242871839275222246405745257275088696311157297823662689037894645226208583");

    private static BigInteger Mod(BigInteger x, BigInteger m) => ((x % m) + m) % m;

    [Fact]
    public void Constants_match_independent_derivation()
    {
        Assert.Equal(R, Fr.Modulus);
        Assert.Equal(Q, Fq.Modulus);
        BigInteger two64 = BigInteger.One << 64;
        BigInteger r256 = BigInteger.One << 256;
        Assert.Equal(Mod(-InversePow2(R, two64), two64), (BigInteger)FrParams.Inv);
        Assert.Equal(Mod(-InversePow2(Q, two64), two64), (BigInteger)FqParams.Inv);
        Assert.Equal(BigInteger.One, R * InversePow2(R, two64) % two64);
        Assert.Equal(r256 % R, FrParams.R.ToBigInteger());
        Assert.Equal(r256 * r256 % R, FrParams.R2.ToBigInteger());
        Assert.Equal(r256 % Q, FqParams.R.ToBigInteger());
        Assert.Equal(r256 * r256 % Q, FqParams.R2.ToBigInteger());
        Assert.Equal(R, Mont<FrParams>.Modulus.ToBigInteger());
        Assert.Equal(Q, Mont<FqParams>.Modulus.ToBigInteger());
    }

    // Inverse of an odd a modulo m = 2^k: the unit group has order 2^(k-1).
    private static BigInteger InversePow2(BigInteger a, BigInteger m) => BigInteger.ModPow(a, m / 2 - 1, m);

    // Inverse modulo a prime p by Fermat.
    private static BigInteger InversePrime(BigInteger a, BigInteger p) => BigInteger.ModPow(a, p - 2, p);

    [Fact]
    public void Fr_add_sub_mul_neg_match_BigInteger()
    {
        Check(Prop.ForAll(Below(R), Below(R), (a, b) =>
        {
            Fr x = Fr.FromBigInteger(a), y = Fr.FromBigInteger(b);
            return (x + y).ToBigInteger() == Mod(a + b, R)
                && (x - y).ToBigInteger() == Mod(a - b, R)
                && (x * y).ToBigInteger() == Mod(a * b, R)
                && (-x).ToBigInteger() == Mod(-a, R)
                && x.Square().ToBigInteger() == Mod(a * a, R)
                && x.Double().ToBigInteger() == Mod(2 * a, R);
        }), 200);
    }

    [Fact]
    public void Fq_add_sub_mul_neg_match_BigInteger()
    {
        Check(Prop.ForAll(Below(Q), Below(Q), (a, b) =>
        {
            Fq x = Fq.FromBigInteger(a), y = Fq.FromBigInteger(b);
            return (x + y).ToBigInteger() == Mod(a + b, Q)
                && (x - y).ToBigInteger() == Mod(a - b, Q)
                && (x * y).ToBigInteger() == Mod(a * b, Q)
                && (-x).ToBigInteger() == Mod(-a, Q)
                && x.Square().ToBigInteger() == Mod(a * a, Q)
                && x.Double().ToBigInteger() == Mod(2 * a, Q);
        }), 200);
    }

    [Fact]
    public void Fr_ring_laws()
    {
        Check(Prop.ForAll(Below(R), Below(R), Below(R), (a, b, c) =>
        {
            Fr x = Fr.FromBigInteger(a), y = Fr.FromBigInteger(b), z = Fr.FromBigInteger(c);
            return x + y == y + x && x * y == y * x && (x + y) + z == x + (y + z) && (x * y) * z == x * (y * z)
                && x * (y + z) == x * y + x * z && x + Fr.Zero == x && x * Fr.One == x && x - x == Fr.Zero
                && x + (-x) == Fr.Zero;
        }));
    }

    [Fact]
    public void Fq_ring_laws()
    {
        Check(Prop.ForAll(Below(Q), Below(Q), Below(Q), (a, b, c) =>
        {
            Fq x = Fq.FromBigInteger(a), y = Fq.FromBigInteger(b), z = Fq.FromBigInteger(c);
            return x + y == y + x && x * y == y * x && (x + y) + z == x + (y + z) && (x * y) * z == x * (y * z)
                && x * (y + z) == x * y + x * z && x + Fq.Zero == x && x * Fq.One == x && x + (-x) == Fq.Zero;
        }));
    }

    [Fact]
    public void Inverse_and_pow_match_BigInteger()
    {
        Check(Prop.ForAll(Below(R), Below(Q), Below(R), (a, b, e) =>
        {
            Fr x = Fr.FromBigInteger(a);
            Fq y = Fq.FromBigInteger(b);
            bool inv = (a.IsZero || ((x.Inverse() * x).IsOne && x.Inverse().ToBigInteger() == BigInteger.ModPow(a, R - 2, R)))
                && (b.IsZero || (y.Inverse() * y).IsOne);
            bool pow = x.Pow(e).ToBigInteger() == BigInteger.ModPow(a, e, R) && y.Pow(e).ToBigInteger() == BigInteger.ModPow(b, e, Q);
            bool negPow = a.IsZero || x.Pow(-e) == x.Pow(e).Inverse();
            return inv && pow && negPow;
        }), 50);
        Assert.Throws<DivideByZeroException>(() => Fr.Zero.Inverse());
        Assert.Throws<DivideByZeroException>(() => Fq.Zero.Inverse());
        Assert.True(Fr.FromBigInteger(7).Pow(0).IsOne);
    }

    [Fact]
    public void Fq_sqrt_agrees_with_Euler_criterion()
    {
        Check(Prop.ForAll(Below(Q), a =>
        {
            Fq x = Fq.FromBigInteger(a);
            bool isResidue = a.IsZero || BigInteger.ModPow(a, (Q - 1) / 2, Q).IsOne;
            bool ok = x.TrySqrt(out Fq s);
            Fq sq = x.Square();
            return ok == isResidue && (!ok || s.Square() == x) && sq.Sqrt().Square() == sq && x.IsSquare() == isResidue;
        }), 60);
        Assert.Throws<ArithmeticException>(() => (-Fq.One).Sqrt()); // q = 3 mod 4, so -1 is a non-residue.
    }

    [Fact]
    public void Montgomery_and_byte_round_trips()
    {
        Check(Prop.ForAll(Below(R), Below(Q), (a, b) =>
        {
            Fr x = Fr.FromBigInteger(a);
            Fq y = Fq.FromBigInteger(b);
            Span<byte> buf = stackalloc byte[32];
            x.WriteLittleEndian(buf, montgomery: false);
            bool canon = new BigInteger(buf, isUnsigned: true) == a && Fr.TryReadLittleEndian(buf, false, out Fr x1) && x1 == x;
            x.WriteLittleEndian(buf, montgomery: true);
            bool mont = new BigInteger(buf, isUnsigned: true) == a * (BigInteger.One << 256) % R
                && Fr.TryReadLittleEndian(buf, true, out Fr x2) && x2 == x;
            y.WriteLittleEndian(buf, montgomery: false);
            bool qcanon = Fq.TryReadLittleEndian(buf, false, out Fq y1) && y1 == y && new BigInteger(buf, isUnsigned: true) == b;
            var limbs = Limbs(a);
            bool fromCanon = Fr.FromCanonical(limbs[0], limbs[1], limbs[2], limbs[3]) == x;
            var m = Limbs(a * (BigInteger.One << 256) % R);
            bool fromMont = Fr.FromMontgomery(m[0], m[1], m[2], m[3]) == x;
            return canon && mont && qcanon && fromCanon && fromMont && x.ToString() == a.ToString();
        }));
    }

    private static ulong[] Limbs(BigInteger v)
    {
        var r = new ulong[4];
        for (int i = 0; i < 4; i++)
        {
            r[i] = (ulong)((v >> (64 * i)) & ulong.MaxValue);
        }
        return r;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12345)]
    public void Values_at_or_above_modulus_are_rejected(int offset)
    {
        Span<byte> buf = stackalloc byte[32];
        (R + offset).TryWriteBytes(buf, out _, isUnsigned: true);
        Assert.False(Fr.TryReadLittleEndian(buf, false, out _));
        Assert.False(Fr.TryReadLittleEndian(buf, true, out _));
        buf.Clear();
        (Q + offset).TryWriteBytes(buf, out _, isUnsigned: true);
        Assert.False(Fq.TryReadLittleEndian(buf, false, out _));
        var l = Limbs(R + offset);
        Assert.Throws<ArgumentOutOfRangeException>(() => Fr.FromCanonical(l[0], l[1], l[2], l[3]));
        buf.Fill(0xFF);
        Assert.False(Fq.TryReadLittleEndian(buf, false, out _));
        Assert.Throws<ArgumentException>(() => Fr.TryReadLittleEndian(new byte[31], false, out _));
        Assert.Equal(Fr.FromBigInteger(offset - 5), Fr.FromBigInteger(R + offset - 5));
    }

    [Fact]
    public void Wide_multiply_paths_agree()
    {
        Check(Prop.ForAll(Below(Q), Below(Q), (a, b) =>
        {
            var x = U256.FromBigInteger(a);
            var y = U256.FromBigInteger(b);
            var portable = Mont<FqParams>.Mul<PortableWide>(x, y);
            var bigmul = Mont<FqParams>.Mul<BigMulWide>(x, y);
            var bigmul128 = Mont<FqParams>.Mul<BigMul128Wide>(x, y);
            bool ok = Mont<FqParams>.Eq(portable, bigmul) && Mont<FqParams>.Eq(portable, bigmul128)
                && Mont<FqParams>.Eq(Mont<FqParams>.Mul(x, y), portable)
                && portable.ToBigInteger() == a * b * InversePrime(BigInteger.One << 256, Q) % Q;
            if (Bmi2.X64.IsSupported)
            {
                ok &= Mont<FqParams>.Eq(Mont<FqParams>.Mul<Bmi2Wide>(x, y), portable);
            }
            ok &= Mont<FqParams>.Eq(Mont<FqParams>.Mul<SplitWide>(x, y), portable);
            ulong u = (ulong)(a & ulong.MaxValue), v = (ulong)(b & ulong.MaxValue);
            ulong hiS = SplitWide.Mul(u, v, out ulong loS);
            ok &= hiS == PortableWide.Mul(u, v, out ulong loS2) && loS == loS2;
            ulong hiP = PortableWide.Mul(u, v, out ulong loP);
            ulong hiB = BigMulWide.Mul(u, v, out ulong loB);
            ulong hi128 = BigMul128Wide.Mul(u, v, out ulong lo128);
            return ok && hiP == hiB && loP == loB && hi128 == hiP && lo128 == loP && (((BigInteger)hiP << 64) | loP) == (BigInteger)u * v;
        }), 200);
    }

    [Fact]
    public void Dedicated_squaring_matches_multiplication_and_BigInteger_in_both_fields()
    {
        BigInteger rInvQ = InversePrime(BigInteger.One << 256, Q);
        BigInteger rInvR = InversePrime(BigInteger.One << 256, R);
        Check(Prop.ForAll(Below(Q), Below(R), (a, b) =>
        {
            var x = U256.FromBigInteger(a);
            var y = U256.FromBigInteger(b);
            var sq = Mont<FqParams>.Square(x);
            bool ok = Mont<FqParams>.Eq(sq, Mont<FqParams>.Mul<PortableWide>(x, x))
                && Mont<FqParams>.Eq(Mont<FqParams>.Square<PortableWide>(x), sq)
                && sq.ToBigInteger() == a * a * rInvQ % Q;
            var sr = Mont<FrParams>.Square(y);
            ok &= Mont<FrParams>.Eq(sr, Mont<FrParams>.Mul<PortableWide>(y, y))
                && Mont<FrParams>.Eq(Mont<FrParams>.Square<PortableWide>(y), sr)
                && sr.ToBigInteger() == b * b * rInvR % R;
            return ok;
        }), 300);
        // Largest inputs: (P - 1)^2 exercises every carry of the doubling and of the final addition.
        foreach (BigInteger m in new[] { Q, R })
        {
            var top = U256.FromBigInteger(m - 1);
            bool isQ = m == Q;
            U256 s = isQ ? Mont<FqParams>.Square(top) : Mont<FrParams>.Square(top);
            Assert.Equal((m - 1) * (m - 1) * InversePrime(BigInteger.One << 256, m) % m, s.ToBigInteger());
        }
    }

    [Fact]
    public void Batch_inverse_matches_single_inversions_and_keeps_zeros()
    {
        var rng = new Random(7);
        foreach (int n in new[] { 0, 1, 2, 5, 64, 65, 300 })
        {
            var values = new Fr[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = i % 7 == 3 ? Fr.Zero : Fr.Random(rng);
            }
            var copy = (Fr[])values.Clone();
            Fr.BatchInverse(values);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(copy[i].IsZero ? Fr.Zero : copy[i].Inverse(), values[i]);
            }
        }
    }

    [Fact]
    public void Roots_of_unity_have_exact_order_and_match_snarkjs()
    {
        Assert.Equal(
            BigInteger.Parse("19103219067921713944291392827692070036145651957329286315305642004821462161904"),
            Fr.RootOfUnity(28).ToBigInteger());
        for (int k = 1; k <= Fr.TwoAdicity; k++)
        {
            Fr w = Fr.RootOfUnity(k);
            Assert.True(w.Pow(BigInteger.One << k).IsOne);
            Assert.False(w.Pow(BigInteger.One << (k - 1)).IsOne);
        }
        Assert.True(Fr.RootOfUnity(0).IsOne);
        Assert.Throws<ArgumentOutOfRangeException>(() => Fr.RootOfUnity(29));
    }

    [Fact]
    public void Random_elements_are_reduced_and_vary()
    {
        var rng = new Random(1);
        var seen = new HashSet<Fr>();
        for (int i = 0; i < 100; i++)
        {
            Fr x = Fr.Random(rng);
            Assert.True(x.ToBigInteger() < R);
            seen.Add(x);
        }
        Assert.Equal(100, seen.Count);
    }
}
