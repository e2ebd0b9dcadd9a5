using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ProverMarketChain.Proving.Fields;

/// <summary>
/// Eight elements of F_q side by side (structure of arrays) for AVX-512: limb i of all eight elements is one
/// <see cref="Vector512{T}"/> of 64-bit lanes. Nine limbs of 29 bits (261 bits) hold values in [0, 2^261), normally
/// canonical in [0, q). The value held is the same Montgomery form as <see cref="Fq"/> (x * 2^256 mod q), so converting
/// is only re-cutting 4 x 64 bits into 9 x 29 bits.
/// </summary>
/// <remarks>29-bit limbs make every partial product 58 bits, so a column of up to 18 products (nine of a*b and nine of
/// m*q in the Montgomery reduction) fits in 64 bits without carry handling: the multiply is VPMULUDQ (32 x 32 -&gt; 64 bits
/// per lane) and plain 64-bit adds, with one carry per reduction round. The operations are calls on purpose
/// (NoInlining): inlined into a large caller they exhaust the JIT's inlining budget, and the intrinsics inside them then
/// stop being expanded.</remarks>
internal struct FqVector8
{
    /// <summary>Limbs, least significant first: bits 29i .. 29i + 28 of each lane's value.</summary>
    public Vector512<ulong> L0, L1, L2, L3, L4, L5, L6, L7, L8;
}

/// <summary>Arithmetic on <see cref="FqVector8"/> (eight independent F_q operations per call). Every method requires
/// <see cref="IsSupported"/>; callers keep a scalar <see cref="Fq"/> path for machines without AVX-512F.</summary>
internal static class FqVector8Ops
{
    /// <summary>True when the 8-lane arithmetic runs in hardware (AVX-512F with 512-bit vectors accelerated).</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    private const ulong Mask29 = (1UL << 29) - 1;
    private const ulong Mask24 = (1UL << 24) - 1;

    /// <summary>-q^-1 mod 2^29 (its low 24 bits are -q^-1 mod 2^24, used by the last, 24-bit reduction round).</summary>
    private const ulong PInv29 = 0x4866389UL;

    // q in 29-bit limbs.
    private const ulong P0 = 0x187CFD47UL;
    private const ulong P1 = 0x10460B6UL;
    private const ulong P2 = 0x1C72A34FUL;
    private const ulong P3 = 0x2D522D0UL;
    private const ulong P4 = 0x1585D978UL;
    private const ulong P5 = 0x2DB40C0UL;
    private const ulong P6 = 0xA6E141UL;
    private const ulong P7 = 0xE5C2634UL;
    private const ulong P8 = 0x30644EUL;

    /// <summary>One (2^256 mod q, the Montgomery form of 1) in every lane.</summary>
    public static FqVector8 One
    {
        get
        {
            U256 r = FqParams.R;
            FromWords(Vector512.Create(r.L0), Vector512.Create(r.L1), Vector512.Create(r.L2), Vector512.Create(r.L3), out FqVector8 one);
            return one;
        }
    }

    /// <summary>Arithmetic (sign-extending) right shift by 29 of 64-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Sar29(Vector512<ulong> x) => (x.AsInt64() >> 29).AsUInt64();

    /// <summary>Montgomery product r = a * b * 2^-256 mod q per lane, canonical for inputs below 2q (same result as
    /// <see cref="Fq"/>'s multiplication). Operand-scanning: eight rounds reduce by 2^29 each and a ninth by 2^24.</summary>
    /// <remarks>Column bound: at most nine products a_j b_i and nine m q_j of under 2^58 each, plus small carries, stay
    /// below 2^63. The unreduced result (a b + M q) / 2^256 with M &lt; 2^256 is below q (a b / (q 2^256) + 1), under 2q
    /// for a, b &lt; 2q, so one conditional subtraction makes it canonical. <paramref name="r"/> may alias an input.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul(in FqVector8 a, in FqVector8 b, out FqVector8 r) => MulCore(a, b, out r, canonical: true);

    /// <summary>Montgomery product left in [0, 2q) (no final subtraction), for a product that only feeds further
    /// products: inputs below 2q give a result below q (4q / 2^256 + 1) &lt; 1.76 q. Use <see cref="Reduce"/> or
    /// <see cref="Mul"/> before an addition, subtraction, comparison or conversion.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void MulLazy(in FqVector8 a, in FqVector8 b, out FqVector8 r) => MulCore(a, b, out r, canonical: false);

    /// <summary>Canonical form of a value below 2q (one conditional subtraction of q).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Reduce(in FqVector8 a, out FqVector8 r) =>
        ReduceOnce(a.L0, a.L1, a.L2, a.L3, a.L4, a.L5, a.L6, a.L7, a.L8, out r);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulCore(in FqVector8 a, in FqVector8 b, out FqVector8 r, bool canonical)
    {
        Vector512<ulong> mask = Vector512.Create(Mask29);
        Vector512<ulong> pinv = Vector512.Create(PInv29);
        Vector512<ulong> bi, m;
        // Round 0: t += a * b0, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L0;
        Vector512<ulong> t0 = Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t1 = Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t2 = Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t3 = Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t4 = Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t5 = Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t6 = Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t7 = Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        Vector512<ulong> t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 1: t += a * b1, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L1;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 2: t += a * b2, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L2;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 3: t += a * b3, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L3;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 4: t += a * b4, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L4;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 5: t += a * b5, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L5;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 6: t += a * b6, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L6;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 7: t += a * b7, then add m p to clear the low 29 bits and shift one limb down.
        bi = b.L7;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & mask;
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0 = t1 + (t0 >> 29);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
        t5 = t6;
        t6 = t7;
        t7 = t8;
        // Round 8: t += a * b8, then clear the low 24 bits (29 * 8 + 24 = 256).
        bi = b.L8;
        t0 += Avx512F.Multiply(a.L0.AsUInt32(), bi.AsUInt32());
        t1 += Avx512F.Multiply(a.L1.AsUInt32(), bi.AsUInt32());
        t2 += Avx512F.Multiply(a.L2.AsUInt32(), bi.AsUInt32());
        t3 += Avx512F.Multiply(a.L3.AsUInt32(), bi.AsUInt32());
        t4 += Avx512F.Multiply(a.L4.AsUInt32(), bi.AsUInt32());
        t5 += Avx512F.Multiply(a.L5.AsUInt32(), bi.AsUInt32());
        t6 += Avx512F.Multiply(a.L6.AsUInt32(), bi.AsUInt32());
        t7 += Avx512F.Multiply(a.L7.AsUInt32(), bi.AsUInt32());
        t8 = Avx512F.Multiply(a.L8.AsUInt32(), bi.AsUInt32());
        m = Avx512F.Multiply(t0.AsUInt32(), pinv.AsUInt32()) & Vector512.Create(Mask24);
        t0 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8 += Avx512F.Multiply(m.AsUInt32(), Vector512.Create(P8).AsUInt32());

        // Now sum t_j 2^(29 j) is divisible by 2^24: propagate carries, then shift the whole value right by 24 bits.
        t1 += t0 >> 29;
        t0 &= mask;
        t2 += t1 >> 29;
        t1 &= mask;
        t3 += t2 >> 29;
        t2 &= mask;
        t4 += t3 >> 29;
        t3 &= mask;
        t5 += t4 >> 29;
        t4 &= mask;
        t6 += t5 >> 29;
        t5 &= mask;
        t7 += t6 >> 29;
        t6 &= mask;
        t8 += t7 >> 29;
        t7 &= mask;
        Vector512<ulong> r0 = (t0 >> 24) | ((t1 << 5) & mask);
        Vector512<ulong> r1 = (t1 >> 24) | ((t2 << 5) & mask);
        Vector512<ulong> r2 = (t2 >> 24) | ((t3 << 5) & mask);
        Vector512<ulong> r3 = (t3 >> 24) | ((t4 << 5) & mask);
        Vector512<ulong> r4 = (t4 >> 24) | ((t5 << 5) & mask);
        Vector512<ulong> r5 = (t5 >> 24) | ((t6 << 5) & mask);
        Vector512<ulong> r6 = (t6 >> 24) | ((t7 << 5) & mask);
        Vector512<ulong> r7 = (t7 >> 24) | ((t8 << 5) & mask);
        Vector512<ulong> r8 = t8 >> 24;
        if (canonical)
        {
            ReduceOnce(r0, r1, r2, r3, r4, r5, r6, r7, r8, out r);
        }
        else
        {
            r.L0 = r0;
            r.L1 = r1;
            r.L2 = r2;
            r.L3 = r3;
            r.L4 = r4;
            r.L5 = r5;
            r.L6 = r6;
            r.L7 = r7;
            r.L8 = r8;
        }
    }

    /// <summary>a^2 (the general product; squaring has no cheaper column schedule worth its code here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square(in FqVector8 a, out FqVector8 r) => Mul(a, a, out r);

    /// <summary>Subtracts q from normalised limbs holding a value below 2q when the value is at least q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceOnce(Vector512<ulong> r0, Vector512<ulong> r1, Vector512<ulong> r2, Vector512<ulong> r3,
        Vector512<ulong> r4, Vector512<ulong> r5, Vector512<ulong> r6, Vector512<ulong> r7, Vector512<ulong> r8, out FqVector8 r)
    {
        Vector512<ulong> mask = Vector512.Create(Mask29);
        Vector512<ulong> d0 = r0 - Vector512.Create(P0);
        Vector512<ulong> d1 = r1 - Vector512.Create(P1) + Sar29(d0);
        Vector512<ulong> d2 = r2 - Vector512.Create(P2) + Sar29(d1);
        Vector512<ulong> d3 = r3 - Vector512.Create(P3) + Sar29(d2);
        Vector512<ulong> d4 = r4 - Vector512.Create(P4) + Sar29(d3);
        Vector512<ulong> d5 = r5 - Vector512.Create(P5) + Sar29(d4);
        Vector512<ulong> d6 = r6 - Vector512.Create(P6) + Sar29(d5);
        Vector512<ulong> d7 = r7 - Vector512.Create(P7) + Sar29(d6);
        Vector512<ulong> d8 = r8 - Vector512.Create(P8) + Sar29(d7);
        // keep = all ones in lanes where the value was below q (the subtraction went negative).
        Vector512<ulong> keep = (d8.AsInt64() >> 63).AsUInt64();
        r.L0 = Vector512.ConditionalSelect(keep, r0, d0 & mask);
        r.L1 = Vector512.ConditionalSelect(keep, r1, d1 & mask);
        r.L2 = Vector512.ConditionalSelect(keep, r2, d2 & mask);
        r.L3 = Vector512.ConditionalSelect(keep, r3, d3 & mask);
        r.L4 = Vector512.ConditionalSelect(keep, r4, d4 & mask);
        r.L5 = Vector512.ConditionalSelect(keep, r5, d5 & mask);
        r.L6 = Vector512.ConditionalSelect(keep, r6, d6 & mask);
        r.L7 = Vector512.ConditionalSelect(keep, r7, d7 & mask);
        r.L8 = Vector512.ConditionalSelect(keep, r8, d8);
    }

    /// <summary>Adds q back, normalising, where the signed limbs d (low limbs in [0, 2^29), top limb signed) are
    /// negative: the second half of a modular add or subtract.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddBackIfNegative(Vector512<ulong> d0, Vector512<ulong> d1, Vector512<ulong> d2, Vector512<ulong> d3,
        Vector512<ulong> d4, Vector512<ulong> d5, Vector512<ulong> d6, Vector512<ulong> d7, Vector512<ulong> d8, out FqVector8 r)
    {
        Vector512<ulong> mask = Vector512.Create(Mask29);
        Vector512<ulong> neg = (d8.AsInt64() >> 63).AsUInt64();
        Vector512<ulong> s = d0 + (Vector512.Create(P0) & neg);
        r.L0 = s & mask;
        s = d1 + (Vector512.Create(P1) & neg) + (s >> 29);
        r.L1 = s & mask;
        s = d2 + (Vector512.Create(P2) & neg) + (s >> 29);
        r.L2 = s & mask;
        s = d3 + (Vector512.Create(P3) & neg) + (s >> 29);
        r.L3 = s & mask;
        s = d4 + (Vector512.Create(P4) & neg) + (s >> 29);
        r.L4 = s & mask;
        s = d5 + (Vector512.Create(P5) & neg) + (s >> 29);
        r.L5 = s & mask;
        s = d6 + (Vector512.Create(P6) & neg) + (s >> 29);
        r.L6 = s & mask;
        s = d7 + (Vector512.Create(P7) & neg) + (s >> 29);
        r.L7 = s & mask;
        r.L8 = d8 + (Vector512.Create(P8) & neg) + (s >> 29);
    }

    /// <summary>a + b mod q per lane (a, b canonical). <paramref name="r"/> may alias an input.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Add(in FqVector8 a, in FqVector8 b, out FqVector8 r)
    {
        // d = a + b - q with a signed carry chain; the limb sums are below 2^30, the carries in {-1, 0, 1}.
        Vector512<ulong> mask = Vector512.Create(Mask29);
        Vector512<ulong> d0 = a.L0 + b.L0 - Vector512.Create(P0);
        Vector512<ulong> d1 = a.L1 + b.L1 - Vector512.Create(P1) + Sar29(d0);
        Vector512<ulong> d2 = a.L2 + b.L2 - Vector512.Create(P2) + Sar29(d1);
        Vector512<ulong> d3 = a.L3 + b.L3 - Vector512.Create(P3) + Sar29(d2);
        Vector512<ulong> d4 = a.L4 + b.L4 - Vector512.Create(P4) + Sar29(d3);
        Vector512<ulong> d5 = a.L5 + b.L5 - Vector512.Create(P5) + Sar29(d4);
        Vector512<ulong> d6 = a.L6 + b.L6 - Vector512.Create(P6) + Sar29(d5);
        Vector512<ulong> d7 = a.L7 + b.L7 - Vector512.Create(P7) + Sar29(d6);
        Vector512<ulong> d8 = a.L8 + b.L8 - Vector512.Create(P8) + Sar29(d7);
        AddBackIfNegative(d0 & mask, d1 & mask, d2 & mask, d3 & mask, d4 & mask, d5 & mask, d6 & mask, d7 & mask, d8, out r);
    }

    /// <summary>a - b mod q per lane (a, b canonical). <paramref name="r"/> may alias an input.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Sub(in FqVector8 a, in FqVector8 b, out FqVector8 r)
    {
        Vector512<ulong> mask = Vector512.Create(Mask29);
        Vector512<ulong> d0 = a.L0 - b.L0;
        Vector512<ulong> d1 = a.L1 - b.L1 + Sar29(d0);
        Vector512<ulong> d2 = a.L2 - b.L2 + Sar29(d1);
        Vector512<ulong> d3 = a.L3 - b.L3 + Sar29(d2);
        Vector512<ulong> d4 = a.L4 - b.L4 + Sar29(d3);
        Vector512<ulong> d5 = a.L5 - b.L5 + Sar29(d4);
        Vector512<ulong> d6 = a.L6 - b.L6 + Sar29(d5);
        Vector512<ulong> d7 = a.L7 - b.L7 + Sar29(d6);
        Vector512<ulong> d8 = a.L8 - b.L8 + Sar29(d7);
        AddBackIfNegative(d0 & mask, d1 & mask, d2 & mask, d3 & mask, d4 & mask, d5 & mask, d6 & mask, d7 & mask, d8, out r);
    }

    /// <summary>Bit i set when lane i is zero (canonical limbs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZeroMask(in FqVector8 a)
    {
        Vector512<ulong> or = a.L0 | a.L1 | a.L2 | a.L3 | a.L4 | a.L5 | a.L6 | a.L7 | a.L8;
        return (uint)Vector512.Equals(or, Vector512<ulong>.Zero).ExtractMostSignificantBits();
    }

    /// <summary>Re-cuts four 64-bit words per lane (w0 least significant) into nine 29-bit limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FromWords(Vector512<ulong> w0, Vector512<ulong> w1, Vector512<ulong> w2, Vector512<ulong> w3, out FqVector8 r)
    {
        Vector512<ulong> mask = Vector512.Create(Mask29);
        r.L0 = w0 & mask;
        r.L1 = (w0 >> 29) & mask;
        r.L2 = ((w0 >> 58) | (w1 << 6)) & mask;
        r.L3 = (w1 >> 23) & mask;
        r.L4 = ((w1 >> 52) | (w2 << 12)) & mask;
        r.L5 = (w2 >> 17) & mask;
        r.L6 = ((w2 >> 46) | (w3 << 18)) & mask;
        r.L7 = (w3 >> 11) & mask;
        r.L8 = w3 >> 40;
    }

    /// <summary>Joins normalised 29-bit limbs back into four 64-bit words per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ToWords(in FqVector8 a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3)
    {
        w0 = a.L0 | (a.L1 << 29) | (a.L2 << 58);
        w1 = (a.L2 >> 6) | (a.L3 << 23) | (a.L4 << 52);
        w2 = (a.L4 >> 12) | (a.L5 << 17) | (a.L6 << 46);
        w3 = (a.L6 >> 18) | (a.L7 << 11) | (a.L8 << 40);
    }

    /// <summary>Transposes an 8 x 8 matrix of 64-bit words held as eight row vectors, in place (rows become columns).
    /// 24 shuffles: pairs within 128-bit lanes, then 128-bit blocks twice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(ref Vector512<ulong> r0, ref Vector512<ulong> r1, ref Vector512<ulong> r2, ref Vector512<ulong> r3,
        ref Vector512<ulong> r4, ref Vector512<ulong> r5, ref Vector512<ulong> r6, ref Vector512<ulong> r7)
    {
        Vector512<ulong> a0 = Avx512F.UnpackLow(r0, r1), a1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<ulong> a2 = Avx512F.UnpackLow(r2, r3), a3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<ulong> a4 = Avx512F.UnpackLow(r4, r5), a5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<ulong> a6 = Avx512F.UnpackLow(r6, r7), a7 = Avx512F.UnpackHigh(r6, r7);
        // 0x88 picks 128-bit blocks (0, 2) of each source, 0xDD blocks (1, 3).
        Vector512<ulong> b0 = Avx512F.Shuffle4x128(a0, a2, 0x88), b1 = Avx512F.Shuffle4x128(a0, a2, 0xDD);
        Vector512<ulong> b2 = Avx512F.Shuffle4x128(a1, a3, 0x88), b3 = Avx512F.Shuffle4x128(a1, a3, 0xDD);
        Vector512<ulong> b4 = Avx512F.Shuffle4x128(a4, a6, 0x88), b5 = Avx512F.Shuffle4x128(a4, a6, 0xDD);
        Vector512<ulong> b6 = Avx512F.Shuffle4x128(a5, a7, 0x88), b7 = Avx512F.Shuffle4x128(a5, a7, 0xDD);
        r0 = Avx512F.Shuffle4x128(b0, b4, 0x88);
        r4 = Avx512F.Shuffle4x128(b0, b4, 0xDD);
        r2 = Avx512F.Shuffle4x128(b1, b5, 0x88);
        r6 = Avx512F.Shuffle4x128(b1, b5, 0xDD);
        r1 = Avx512F.Shuffle4x128(b2, b6, 0x88);
        r5 = Avx512F.Shuffle4x128(b2, b6, 0xDD);
        r3 = Avx512F.Shuffle4x128(b3, b7, 0x88);
        r7 = Avx512F.Shuffle4x128(b3, b7, 0xDD);
    }

    /// <summary>Packs eight scalar elements into lanes 0..7 (tests and slow paths; not for hot loops).</summary>
    public static FqVector8 Load(ReadOnlySpan<Fq> eight)
    {
        if (eight.Length < 8)
        {
            throw new ArgumentException($"Need 8 elements, got {eight.Length}.", nameof(eight));
        }
        FromWords(
            Vector512.Create(eight[0].V.L0, eight[1].V.L0, eight[2].V.L0, eight[3].V.L0, eight[4].V.L0, eight[5].V.L0, eight[6].V.L0, eight[7].V.L0),
            Vector512.Create(eight[0].V.L1, eight[1].V.L1, eight[2].V.L1, eight[3].V.L1, eight[4].V.L1, eight[5].V.L1, eight[6].V.L1, eight[7].V.L1),
            Vector512.Create(eight[0].V.L2, eight[1].V.L2, eight[2].V.L2, eight[3].V.L2, eight[4].V.L2, eight[5].V.L2, eight[6].V.L2, eight[7].V.L2),
            Vector512.Create(eight[0].V.L3, eight[1].V.L3, eight[2].V.L3, eight[3].V.L3, eight[4].V.L3, eight[5].V.L3, eight[6].V.L3, eight[7].V.L3),
            out FqVector8 r);
        return r;
    }

    /// <summary>Lane <paramref name="lane"/> as a scalar element (limbs must be canonical).</summary>
    public static Fq GetLane(in FqVector8 a, int lane)
    {
        ToWords(a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3);
        return new Fq(new U256(w0.GetElement(lane), w1.GetElement(lane), w2.GetElement(lane), w3.GetElement(lane)));
    }

    /// <summary>Replaces lane <paramref name="lane"/> with a scalar element.</summary>
    public static void SetLane(ref FqVector8 a, int lane, in Fq value)
    {
        ToWords(a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3);
        FromWords(w0.WithElement(lane, value.V.L0), w1.WithElement(lane, value.V.L1), w2.WithElement(lane, value.V.L2),
            w3.WithElement(lane, value.V.L3), out a);
    }

    /// <summary>Unpacks lanes 0..7 into eight scalar elements.</summary>
    public static void Store(in FqVector8 a, Span<Fq> eight)
    {
        if (eight.Length < 8)
        {
            throw new ArgumentException($"Need room for 8 elements, got {eight.Length}.", nameof(eight));
        }
        for (int i = 0; i < 8; i++)
        {
            eight[i] = GetLane(a, i);
        }
    }
}
