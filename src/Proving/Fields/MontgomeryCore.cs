using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ProverMarketChain.Proving.Fields;

/// <summary>A 256-bit unsigned integer as four little-endian 64-bit limbs (the raw storage of a field element).</summary>
internal readonly struct U256
{
    public readonly ulong L0, L1, L2, L3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public U256(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3;
    }

    public bool IsZero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (L0 | L1 | L2 | L3) == 0;
    }

    public System.Numerics.BigInteger ToBigInteger()
    {
        Span<byte> b = stackalloc byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b, L0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b[8..], L1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b[16..], L2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b[24..], L3);
        return new System.Numerics.BigInteger(b, isUnsigned: true, isBigEndian: false);
    }

    /// <summary>Converts a non-negative integer below 2^256.</summary>
    public static U256 FromBigInteger(System.Numerics.BigInteger x)
    {
        if (x.Sign < 0 || x.GetBitLength() > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(x), "Value must be in [0, 2^256).");
        }
        Span<byte> b = stackalloc byte[32];
        b.Clear();
        x.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
        return new U256(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[8..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[16..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[24..]));
    }
}

/// <summary>Compile-time parameters of a 4-limb Montgomery field (R = 2^256). Implemented by empty structs so the JIT
/// specialises <see cref="Mont{TP}"/> per field and folds the constants.</summary>
internal interface IMontParams
{
    static abstract ulong P0 { get; }
    static abstract ulong P1 { get; }
    static abstract ulong P2 { get; }
    static abstract ulong P3 { get; }
    /// <summary>-P^-1 mod 2^64.</summary>
    static abstract ulong Inv { get; }
    /// <summary>R mod P (Montgomery form of one).</summary>
    static abstract U256 R { get; }
    /// <summary>R^2 mod P (used to enter Montgomery form).</summary>
    static abstract U256 R2 { get; }
}

/// <summary>Full 64x64 -> 128-bit multiply primitive. Implementations are structs so generic code is specialised.</summary>
internal interface IWideMul
{
    /// <summary>Returns the high 64 bits of a*b and stores the low 64 bits in <paramref name="lo"/>.</summary>
    static abstract ulong Mul(ulong a, ulong b, out ulong lo);
}

/// <summary><see cref="Math.BigMul(ulong, ulong, out ulong)"/>: the JIT lowers it to MULX/MUL on x64 and UMULH on Arm64.</summary>
internal struct BigMulWide : IWideMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mul(ulong a, ulong b, out ulong lo) => Math.BigMul(a, b, out lo);
}

/// <summary>The UInt128-returning <see cref="Math.BigMul(ulong, ulong)"/>: same MULX/UMULH lowering, but no address-taken
/// out local, so both halves stay in registers after inlining.</summary>
internal struct BigMul128Wide : IWideMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mul(ulong a, ulong b, out ulong lo)
    {
        UInt128 p = Math.BigMul(a, b);
        lo = (ulong)p;
        return (ulong)(p >> 64);
    }
}

/// <summary>Explicit BMI2 MULX. Only call when <see cref="Bmi2.X64.IsSupported"/> is true.</summary>
internal struct Bmi2Wide : IWideMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ulong Mul(ulong a, ulong b, out ulong lo)
    {
        ulong l;
        ulong h = Bmi2.X64.MultiplyNoFlags(a, b, &l);
        lo = l;
        return h;
    }
}

/// <summary>Low and high halves computed separately: the low half by an ordinary 64-bit multiply (IMUL/MUL), the high
/// half by the high-only intrinsic (MULX on x64 with BMI2, UMULH on Arm64) or <see cref="PortableWide"/>. Neither half
/// goes through an address-taken out local, so the JIT keeps the whole Montgomery product in registers; on x64 this is
/// about twice as fast as <see cref="BigMul128Wide"/> despite issuing two multiplies.</summary>
internal struct SplitWide : IWideMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mul(ulong a, ulong b, out ulong lo)
    {
        lo = a * b;
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }
        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }
        return PortableWide.Mul(a, b, out _);
    }
}

/// <summary>Pure portable schoolbook 64x64 multiply on 32-bit halves (reference for the hardware paths).</summary>
internal struct PortableWide : IWideMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mul(ulong a, ulong b, out ulong lo)
    {
        ulong aL = (uint)a, aH = a >> 32, bL = (uint)b, bH = b >> 32;
        ulong ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
        // Each partial product is < 2^64; mid = (ll >> 32) + low32(lh) + low32(hl) < 3 * 2^32, so it cannot overflow.
        ulong mid = (ll >> 32) + (uint)lh + (uint)hl;
        lo = (mid << 32) | (uint)ll;
        return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    }
}

/// <summary>Montgomery arithmetic (CIOS, R = 2^256) for a 254-bit prime modulus whose top limb is below 2^62, which lets
/// the "no final carry" CIOS variant be used: intermediate values never exceed 2P &lt; 2^256.</summary>
internal static class Mont<TP> where TP : struct, IMontParams
{
    public static U256 Modulus => new(TP.P0, TP.P1, TP.P2, TP.P3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddC(ulong a, ulong b, ref ulong carry)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        ulong r = s + carry;
        ulong c2 = r < s ? 1UL : 0UL;
        carry = c1 | c2;
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubB(ulong a, ulong b, ref ulong borrow)
    {
        ulong d = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        ulong r = d - borrow;
        ulong b2 = d < borrow ? 1UL : 0UL;
        borrow = b1 | b2;
        return r;
    }

    /// <summary>(hi, lo) = a*b + c + d; cannot overflow 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd2<TW>(ulong a, ulong b, ulong c, ulong d, out ulong lo) where TW : struct, IWideMul
    {
        ulong hi = TW.Mul(a, b, out ulong l);
        l += c;
        hi += l < c ? 1UL : 0UL;
        l += d;
        hi += l < d ? 1UL : 0UL;
        lo = l;
        return hi;
    }

    /// <summary>High word of m*P0 + t where m = t * Inv mod 2^64: the low word of the sum is 0 by the choice of m, so the
    /// addition carries out exactly when t is non-zero and the low half need not be computed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FirstReduce<TW>(ulong m, ulong t) where TW : struct, IWideMul
    {
        ulong hi = TW.Mul(m, TP.P0, out _);
        return hi + (t != 0 ? 1UL : 0UL);
    }

    /// <summary>Reduces a value known to be below 2P into [0, P), without a branch: a data-dependent branch here is
    /// mispredicted about half the time on random field elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static U256 ReduceOnce(ulong t0, ulong t1, ulong t2, ulong t3)
    {
        ulong br = 0;
        ulong s0 = SubB(t0, TP.P0, ref br);
        ulong s1 = SubB(t1, TP.P1, ref br);
        ulong s2 = SubB(t2, TP.P2, ref br);
        ulong s3 = SubB(t3, TP.P3, ref br);
        // keep = all ones when t < P (the subtraction borrowed): select t, else t - P.
        ulong keep = 0UL - br;
        return new U256((t0 & keep) | (s0 & ~keep), (t1 & keep) | (s1 & ~keep), (t2 & keep) | (s2 & ~keep), (t3 & keep) | (s3 & ~keep));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Add(in U256 a, in U256 b)
    {
        // a, b < P < 2^254 so the sum is < 2^255 and never carries out of the top limb.
        ulong c = 0;
        ulong t0 = AddC(a.L0, b.L0, ref c);
        ulong t1 = AddC(a.L1, b.L1, ref c);
        ulong t2 = AddC(a.L2, b.L2, ref c);
        ulong t3 = AddC(a.L3, b.L3, ref c);
        return ReduceOnce(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Double(in U256 a)
    {
        ulong t0 = a.L0 << 1;
        ulong t1 = (a.L1 << 1) | (a.L0 >> 63);
        ulong t2 = (a.L2 << 1) | (a.L1 >> 63);
        ulong t3 = (a.L3 << 1) | (a.L2 >> 63);
        return ReduceOnce(t0, t1, t2, t3);
    }

    /// <summary>a - b mod P, branch-free: P is added back under a mask when the subtraction borrows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Sub(in U256 a, in U256 b)
    {
        ulong br = 0;
        ulong t0 = SubB(a.L0, b.L0, ref br);
        ulong t1 = SubB(a.L1, b.L1, ref br);
        ulong t2 = SubB(a.L2, b.L2, ref br);
        ulong t3 = SubB(a.L3, b.L3, ref br);
        ulong mask = 0UL - br;
        ulong c = 0;
        t0 = AddC(t0, TP.P0 & mask, ref c);
        t1 = AddC(t1, TP.P1 & mask, ref c);
        t2 = AddC(t2, TP.P2 & mask, ref c);
        t3 = AddC(t3, TP.P3 & mask, ref c);
        return new U256(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Neg(in U256 a)
    {
        if (a.IsZero)
        {
            return a;
        }
        ulong br = 0;
        ulong t0 = SubB(TP.P0, a.L0, ref br);
        ulong t1 = SubB(TP.P1, a.L1, ref br);
        ulong t2 = SubB(TP.P2, a.L2, ref br);
        ulong t3 = SubB(TP.P3, a.L3, ref br);
        return new U256(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Mul(in U256 a, in U256 b) => Mul<SplitWide>(a, b);

    /// <summary>CIOS Montgomery product a*b*R^-1 mod P, no-final-carry variant (valid because P3 &lt; 2^62).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Mul<TW>(in U256 a, in U256 b) where TW : struct, IWideMul
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong t0, t1, t2, t3, A, C, m, bi;

        // Round 0 (t = 0).
        bi = b.L0;
        A = TW.Mul(a0, bi, out t0);
        m = t0 * TP.Inv;
        C = FirstReduce<TW>(m, t0);
        A = MulAdd2<TW>(a1, bi, A, 0, out t1);
        C = MulAdd2<TW>(m, TP.P1, t1, C, out t0);
        A = MulAdd2<TW>(a2, bi, A, 0, out t2);
        C = MulAdd2<TW>(m, TP.P2, t2, C, out t1);
        A = MulAdd2<TW>(a3, bi, A, 0, out t3);
        C = MulAdd2<TW>(m, TP.P3, t3, C, out t2);
        t3 = C + A;

        Round<TW>(a0, a1, a2, a3, b.L1, ref t0, ref t1, ref t2, ref t3);
        Round<TW>(a0, a1, a2, a3, b.L2, ref t0, ref t1, ref t2, ref t3);
        Round<TW>(a0, a1, a2, a3, b.L3, ref t0, ref t1, ref t2, ref t3);
        return ReduceOnce(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<TW>(ulong a0, ulong a1, ulong a2, ulong a3, ulong bi,
        ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3) where TW : struct, IWideMul
    {
        ulong A, C, m, u0, u1, u2;
        A = MulAdd2<TW>(a0, bi, t0, 0, out u0);
        m = u0 * TP.Inv;
        C = FirstReduce<TW>(m, u0);
        A = MulAdd2<TW>(a1, bi, t1, A, out u1);
        C = MulAdd2<TW>(m, TP.P1, u1, C, out t0);
        A = MulAdd2<TW>(a2, bi, t2, A, out u2);
        C = MulAdd2<TW>(m, TP.P2, u2, C, out t1);
        A = MulAdd2<TW>(a3, bi, t3, A, out ulong u3);
        C = MulAdd2<TW>(m, TP.P3, u3, C, out t2);
        // With P3 < 2^62 the top word cannot overflow (gnark-crypto "no carry" argument).
        t3 = C + A;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Square(in U256 a) => Square<SplitWide>(a);

    /// <summary>Dedicated Montgomery squaring a^2*R^-1 mod P: the six cross products are computed once and doubled, then
    /// the low half of the 512-bit square is Montgomery-reduced on its own and the high half added (26 word products
    /// instead of the 32 of <see cref="Mul{TW}"/>).</summary>
    /// <remarks>With T = Tlo + 2^256 Thi: the reduction of Tlo gives u = (Tlo + M P) / 2^256 &lt;= P, and Thi = floor(a^2 /
    /// 2^256) &lt; P, so u + Thi &lt; 2P &lt; 2^256 and one conditional subtraction lands in [0, P).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Square<TW>(in U256 a) where TW : struct, IWideMul
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong r1, r2, r3, r4, r5, r6, r7, h;

        // Cross products a_i a_j (i < j) into r1..r6.
        h = TW.Mul(a0, a1, out r1);
        h = MulAdd2<TW>(a0, a2, h, 0, out r2);
        r4 = MulAdd2<TW>(a0, a3, h, 0, out r3);
        h = MulAdd2<TW>(a1, a2, r3, 0, out r3);
        r5 = MulAdd2<TW>(a1, a3, r4, h, out r4);
        r6 = MulAdd2<TW>(a2, a3, r5, 0, out r5);

        // Double them (the sum of cross products is below 2^383, so nothing is shifted out).
        r7 = r6 >> 63;
        r6 = (r6 << 1) | (r5 >> 63);
        r5 = (r5 << 1) | (r4 >> 63);
        r4 = (r4 << 1) | (r3 >> 63);
        r3 = (r3 << 1) | (r2 >> 63);
        r2 = (r2 << 1) | (r1 >> 63);
        r1 <<= 1;

        // Add the squares a_i^2 on the diagonal; a^2 < 2^508 so the top word cannot overflow.
        ulong h0 = TW.Mul(a0, a0, out ulong r0);
        ulong h1 = TW.Mul(a1, a1, out ulong l1);
        ulong h2 = TW.Mul(a2, a2, out ulong l2);
        ulong h3 = TW.Mul(a3, a3, out ulong l3);
        ulong c = 0;
        r1 = AddC(r1, h0, ref c);
        r2 = AddC(r2, l1, ref c);
        r3 = AddC(r3, h1, ref c);
        r4 = AddC(r4, l2, ref c);
        r5 = AddC(r5, h2, ref c);
        r6 = AddC(r6, l3, ref c);
        r7 = r7 + h3 + c;

        // Montgomery-reduce the low half (r0..r3): four rounds t <- (t + m P) / 2^64, each staying below 2^256.
        ReduceRound<TW>(ref r0, ref r1, ref r2, ref r3);
        ReduceRound<TW>(ref r0, ref r1, ref r2, ref r3);
        ReduceRound<TW>(ref r0, ref r1, ref r2, ref r3);
        ReduceRound<TW>(ref r0, ref r1, ref r2, ref r3);

        // u + Thi < 2P < 2^256: no carry out of the top word.
        c = 0;
        r0 = AddC(r0, r4, ref c);
        r1 = AddC(r1, r5, ref c);
        r2 = AddC(r2, r6, ref c);
        r3 = AddC(r3, r7, ref c);
        return ReduceOnce(r0, r1, r2, r3);
    }

    /// <summary>One word of Montgomery reduction of a 256-bit value: t &lt;- (t + m P) / 2^64 with m = t0 * Inv.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceRound<TW>(ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3) where TW : struct, IWideMul
    {
        ulong m = t0 * TP.Inv;
        ulong C = FirstReduce<TW>(m, t0);
        C = MulAdd2<TW>(m, TP.P1, t1, C, out t0);
        C = MulAdd2<TW>(m, TP.P2, t2, C, out t1);
        C = MulAdd2<TW>(m, TP.P3, t3, C, out t2);
        t3 = C;
    }

    /// <summary>Enters Montgomery form: x -> x*R mod P (x must be &lt; P).</summary>
    public static U256 ToMont(in U256 x) => Mul(x, TP.R2);

    /// <summary>Leaves Montgomery form: x*R -> x.</summary>
    public static U256 FromMont(in U256 x) => Mul(x, new U256(1, 0, 0, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBelowModulus(in U256 x)
    {
        ulong br = 0;
        SubB(x.L0, TP.P0, ref br);
        SubB(x.L1, TP.P1, ref br);
        SubB(x.L2, TP.P2, ref br);
        SubB(x.L3, TP.P3, ref br);
        return br != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Eq(in U256 a, in U256 b) =>
        ((a.L0 ^ b.L0) | (a.L1 ^ b.L1) | (a.L2 ^ b.L2) | (a.L3 ^ b.L3)) == 0;

    /// <summary>a^e for an exponent given as little-endian limbs (left-to-right square and multiply).</summary>
    public static U256 PowLimbs(in U256 a, ReadOnlySpan<ulong> e)
    {
        U256 acc = TP.R;
        for (int i = e.Length - 1; i >= 0; i--)
        {
            ulong w = e[i];
            for (int bit = 63; bit >= 0; bit--)
            {
                acc = Square(acc);
                if (((w >> bit) & 1) != 0)
                {
                    acc = Mul(acc, a);
                }
            }
        }
        return acc;
    }

    /// <summary>Inverse of a nonzero Montgomery-form value, by safegcd (<see cref="SafeGcd{TP}"/>, variable time).
    /// Caller must reject zero.</summary>
    public static U256 Inverse(in U256 a) => SafeGcd<TP>.InverseMontgomery(a);

    /// <summary>Fermat inverse a^(P-2) (constant sequence of operations; the reference the tests check
    /// <see cref="Inverse"/> against). Caller must reject zero.</summary>
    public static U256 InverseFermat(in U256 a)
    {
        Span<ulong> e = stackalloc ulong[4] { TP.P0 - 2, TP.P1, TP.P2, TP.P3 };
        return PowLimbs(a, e);
    }

    public static U256 Pow(in U256 a, System.Numerics.BigInteger e)
    {
        if (e.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(e), "Exponent must be non-negative here.");
        }
        if (e.IsZero)
        {
            return TP.R;
        }
        byte[] bytes = e.ToByteArray(isUnsigned: true, isBigEndian: false);
        int limbCount = (bytes.Length + 7) / 8;
        Span<ulong> limbs = limbCount <= 16 ? stackalloc ulong[limbCount] : new ulong[limbCount];
        limbs.Clear();
        for (int i = 0; i < bytes.Length; i++)
        {
            limbs[i >> 3] |= (ulong)bytes[i] << (8 * (i & 7));
        }
        return PowLimbs(a, limbs);
    }

    /// <summary>Uniform element from a random source (rejection sampling on 254-bit values).</summary>
    public static U256 Random(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Span<byte> b = stackalloc byte[32];
        int topBits = 64 - System.Numerics.BitOperations.LeadingZeroCount(TP.P3);
        ulong mask = topBits == 64 ? ulong.MaxValue : (1UL << topBits) - 1;
        while (true)
        {
            rng.NextBytes(b);
            var x = new U256(
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[8..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[16..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[24..]) & mask);
            if (IsBelowModulus(x))
            {
                return x;
            }
        }
    }
}

/// <summary>BN254 scalar field parameters.</summary>
internal struct FrParams : IMontParams
{
    public static ulong P0 => 0x43E1F593F0000001UL;
    public static ulong P1 => 0x2833E84879B97091UL;
    public static ulong P2 => 0xB85045B68181585DUL;
    public static ulong P3 => 0x30644E72E131A029UL;
    public static ulong Inv => 0xC2E1F593EFFFFFFFUL;
    public static U256 R => new(0xAC96341C4FFFFFFBUL, 0x36FC76959F60CD29UL, 0x666EA36F7879462EUL, 0x0E0A77C19A07DF2FUL);
    public static U256 R2 => new(0x1BB8E645AE216DA7UL, 0x53FE3AB1E35C59E3UL, 0x8C49833D53BB8085UL, 0x0216D0B17F4E44A5UL);
}

/// <summary>BN254 base field parameters.</summary>
internal struct FqParams : IMontParams
{
    public static ulong P0 => 0x3C208C16D87CFD47UL;
    public static ulong P1 => 0x97816A916871CA8DUL;
    public static ulong P2 => 0xB85045B68181585DUL;
    public static ulong P3 => 0x30644E72E131A029UL;
    public static ulong Inv => 0x87D20782E4866389UL;
    public static U256 R => new(0xD35D438DC58F0D9DUL, 0x0A78EB28F5C70B3DUL, 0x666EA36F7879462CUL, 0x0E0A77C19A07DF2FUL);
    public static U256 R2 => new(0xF32CFC5B538AFA89UL, 0xB5E71911D44501FBUL, 0x47AB1EFF0A417FF6UL, 0x06D89F71CAB8351FUL);
}
