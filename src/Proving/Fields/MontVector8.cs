using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ProverMarketChain.Proving.Fields;

/// <summary>
/// Eight elements of a 254-bit prime field side by side (structure of arrays) for AVX-512: limb i of all eight elements
/// is one <see cref="Vector512{T}"/> of 64-bit lanes. Nine limbs of 29 bits (261 bits) hold values in [0, 2^261),
/// normally canonical in [0, p). The value held is the same Montgomery form as <see cref="Mont{TP}"/> (x * 2^256 mod p),
/// so converting is only re-cutting 4 x 64 bits into 9 x 29 bits. <typeparamref name="TP"/> names the field (F_q for
/// the MSM coordinates as <c>FqVector8</c>, F_r for the NTT as <c>FrVector8</c>).
/// </summary>
/// <remarks>29-bit limbs make every partial product 58 bits, so a column of up to 18 products (nine of a*b and nine of
/// m*p in the Montgomery reduction) fits in 64 bits without carry handling: the multiply is VPMULUDQ (32 x 32 -&gt; 64 bits
/// per lane) and plain 64-bit adds, with one carry per reduction round. This needs p &lt; 2^254 (both BN254 fields).
/// The operations are calls on purpose (NoInlining): inlined into a large caller they exhaust the JIT's inlining
/// budget, and the intrinsics inside them then stop being expanded. They are not AggressiveOptimization, which would
/// keep them out of ReadyToRun images: <c>./pmc</c> runs without tiered compilation, from an image precompiled for
/// AVX-512 where the build machine has it, so they start optimised (at tier 0 each Vector512 operation would go through
/// memory: a cold 2^16 odd-coset NTT took 155 ms there against 20 ms optimised).</remarks>
/// <typeparam name="TP">The field's Montgomery parameters (a struct, so every instantiation is compiled separately
/// and the modulus limbs are constants).</typeparam>
internal struct MontVector8<TP> where TP : struct, IMontParams
{
    /// <summary>Limbs, least significant first: bits 29i .. 29i + 28 of each lane's value.</summary>
    public Vector512<ulong> L0, L1, L2, L3, L4, L5, L6, L7, L8;
}

/// <summary>Arithmetic on <see cref="MontVector8{TP}"/> (eight independent field operations per call). Every method
/// requires <see cref="IsSupported"/>; callers keep a scalar path for machines without AVX-512F.</summary>
/// <typeparam name="TP">The field's Montgomery parameters.</typeparam>
internal static class MontVector8Ops<TP> where TP : struct, IMontParams
{
    /// <summary>True when the 8-lane arithmetic runs in hardware (AVX-512F with 512-bit vectors accelerated).</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    private const ulong Mask29 = (1UL << 29) - 1;
    private const ulong Mask24 = (1UL << 24) - 1;

    // -p^-1 mod 2^29 (the low bits of the 64-bit Montgomery constant; its low 24 bits serve the last, 24-bit round) and
    // the modulus p cut into 29-bit limbs. All fold to constants in each instantiation.
    private static ulong PInv29 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => TP.Inv & Mask29; }
    private static ulong P0 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => TP.P0 & Mask29; }
    private static ulong P1 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (TP.P0 >> 29) & Mask29; }
    private static ulong P2 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ((TP.P0 >> 58) | (TP.P1 << 6)) & Mask29; }
    private static ulong P3 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (TP.P1 >> 23) & Mask29; }
    private static ulong P4 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ((TP.P1 >> 52) | (TP.P2 << 12)) & Mask29; }
    private static ulong P5 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (TP.P2 >> 17) & Mask29; }
    private static ulong P6 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ((TP.P2 >> 46) | (TP.P3 << 18)) & Mask29; }
    private static ulong P7 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (TP.P3 >> 11) & Mask29; }
    private static ulong P8 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => TP.P3 >> 40; }

    /// <summary>One (2^256 mod p, the Montgomery form of 1) in every lane.</summary>
    public static MontVector8<TP> One
    {
        get
        {
            U256 r = TP.R;
            FromWords(Vector512.Create(r.L0), Vector512.Create(r.L1), Vector512.Create(r.L2), Vector512.Create(r.L3), out MontVector8<TP> one);
            return one;
        }
    }

    /// <summary>Arithmetic (sign-extending) right shift by 29 of 64-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Sar29(Vector512<ulong> x) => (x.AsInt64() >> 29).AsUInt64();

    /// <summary>Montgomery product r = a * b * 2^-256 mod p per lane, canonical for inputs below 2p (same result as
    /// <see cref="Mont{TP}"/>'s multiplication). Operand-scanning: eight rounds reduce by 2^29 each and a ninth by 2^24.</summary>
    /// <remarks>Column bound: at most nine products a_j b_i and nine m p_j of under 2^58 each, plus small carries, stay
    /// below 2^63. The unreduced result (a b + M p) / 2^256 with M &lt; 2^256 is below p (a b / (p 2^256) + 1), under 2p
    /// for a, b &lt; 2p, so one conditional subtraction makes it canonical. <paramref name="r"/> may alias an input.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r) => MulCore(a, b, out r, canonical: true);

    /// <summary>Montgomery product left in [0, 2p) (no final subtraction), for a product that only feeds further
    /// products: inputs below 2p give a result below p (4p / 2^256 + 1) &lt; 1.76 p. Use <see cref="Reduce"/> or
    /// <see cref="Mul"/> before an addition, subtraction, comparison or conversion.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void MulLazy(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r) => MulCore(a, b, out r, canonical: false);

    /// <summary>Canonical form of a value below 2p (one conditional subtraction of p).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Reduce(in MontVector8<TP> a, out MontVector8<TP> r) =>
        ReduceOnce(a.L0, a.L1, a.L2, a.L3, a.L4, a.L5, a.L6, a.L7, a.L8, out r);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulCore(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r, bool canonical)
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

    /// <summary>Two independent Montgomery products in one call, their instructions interleaved: one product's
    /// reduction rounds are a dependency chain, and two chains side by side keep the multipliers busy. Same results as
    /// two <see cref="Mul"/> (or <see cref="MulLazy"/>) calls.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul2(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r, in MontVector8<TP> c, in MontVector8<TP> d,
        out MontVector8<TP> s) => Mul2Core(a, b, out r, c, d, out s, canonical: true);

    /// <summary><see cref="Mul2"/> with both results left in [0, 2p), as <see cref="MulLazy"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void MulLazy2(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r, in MontVector8<TP> c,
        in MontVector8<TP> d, out MontVector8<TP> s) => Mul2Core(a, b, out r, c, d, out s, canonical: false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mul2Core(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r, in MontVector8<TP> c,
        in MontVector8<TP> d, out MontVector8<TP> s, bool canonical)
    {
        // Generated from MulCore: each of its statements twice, for (a, b) -> r and (c, d) -> s.
        Vector512<ulong> mask = Vector512.Create(Mask29);
        Vector512<ulong> pinv = Vector512.Create(PInv29);
        Vector512<ulong> biA, mA, biB, mB;
        biA = b.L0;
        biB = d.L0;
        Vector512<ulong> t0A = Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t0B = Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t1A = Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t1B = Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t2A = Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t2B = Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t3A = Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t3B = Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t4A = Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t4B = Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t5A = Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t5B = Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t6A = Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t6B = Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t7A = Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t7B = Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        Vector512<ulong> t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        Vector512<ulong> t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L1;
        biB = d.L1;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L2;
        biB = d.L2;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L3;
        biB = d.L3;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L4;
        biB = d.L4;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L5;
        biB = d.L5;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L6;
        biB = d.L6;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L7;
        biB = d.L7;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & mask;
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & mask;
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t0A = t1A + (t0A >> 29);
        t0B = t1B + (t0B >> 29);
        t1A = t2A;
        t1B = t2B;
        t2A = t3A;
        t2B = t3B;
        t3A = t4A;
        t3B = t4B;
        t4A = t5A;
        t4B = t5B;
        t5A = t6A;
        t5B = t6B;
        t6A = t7A;
        t6B = t7B;
        t7A = t8A;
        t7B = t8B;
        biA = b.L8;
        biB = d.L8;
        t0A += Avx512F.Multiply(a.L0.AsUInt32(), biA.AsUInt32());
        t0B += Avx512F.Multiply(c.L0.AsUInt32(), biB.AsUInt32());
        t1A += Avx512F.Multiply(a.L1.AsUInt32(), biA.AsUInt32());
        t1B += Avx512F.Multiply(c.L1.AsUInt32(), biB.AsUInt32());
        t2A += Avx512F.Multiply(a.L2.AsUInt32(), biA.AsUInt32());
        t2B += Avx512F.Multiply(c.L2.AsUInt32(), biB.AsUInt32());
        t3A += Avx512F.Multiply(a.L3.AsUInt32(), biA.AsUInt32());
        t3B += Avx512F.Multiply(c.L3.AsUInt32(), biB.AsUInt32());
        t4A += Avx512F.Multiply(a.L4.AsUInt32(), biA.AsUInt32());
        t4B += Avx512F.Multiply(c.L4.AsUInt32(), biB.AsUInt32());
        t5A += Avx512F.Multiply(a.L5.AsUInt32(), biA.AsUInt32());
        t5B += Avx512F.Multiply(c.L5.AsUInt32(), biB.AsUInt32());
        t6A += Avx512F.Multiply(a.L6.AsUInt32(), biA.AsUInt32());
        t6B += Avx512F.Multiply(c.L6.AsUInt32(), biB.AsUInt32());
        t7A += Avx512F.Multiply(a.L7.AsUInt32(), biA.AsUInt32());
        t7B += Avx512F.Multiply(c.L7.AsUInt32(), biB.AsUInt32());
        t8A = Avx512F.Multiply(a.L8.AsUInt32(), biA.AsUInt32());
        t8B = Avx512F.Multiply(c.L8.AsUInt32(), biB.AsUInt32());
        mA = Avx512F.Multiply(t0A.AsUInt32(), pinv.AsUInt32()) & Vector512.Create(Mask24);
        mB = Avx512F.Multiply(t0B.AsUInt32(), pinv.AsUInt32()) & Vector512.Create(Mask24);
        t0A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t0B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P0).AsUInt32());
        t1A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t1B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P1).AsUInt32());
        t2A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t2B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P2).AsUInt32());
        t3A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t3B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P3).AsUInt32());
        t4A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t4B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P4).AsUInt32());
        t5A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t5B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P5).AsUInt32());
        t6A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t6B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P6).AsUInt32());
        t7A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t7B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P7).AsUInt32());
        t8A += Avx512F.Multiply(mA.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t8B += Avx512F.Multiply(mB.AsUInt32(), Vector512.Create(P8).AsUInt32());
        t1A += t0A >> 29;
        t1B += t0B >> 29;
        t0A &= mask;
        t0B &= mask;
        t2A += t1A >> 29;
        t2B += t1B >> 29;
        t1A &= mask;
        t1B &= mask;
        t3A += t2A >> 29;
        t3B += t2B >> 29;
        t2A &= mask;
        t2B &= mask;
        t4A += t3A >> 29;
        t4B += t3B >> 29;
        t3A &= mask;
        t3B &= mask;
        t5A += t4A >> 29;
        t5B += t4B >> 29;
        t4A &= mask;
        t4B &= mask;
        t6A += t5A >> 29;
        t6B += t5B >> 29;
        t5A &= mask;
        t5B &= mask;
        t7A += t6A >> 29;
        t7B += t6B >> 29;
        t6A &= mask;
        t6B &= mask;
        t8A += t7A >> 29;
        t8B += t7B >> 29;
        t7A &= mask;
        t7B &= mask;
        Vector512<ulong> r0A = (t0A >> 24) | ((t1A << 5) & mask);
        Vector512<ulong> r0B = (t0B >> 24) | ((t1B << 5) & mask);
        Vector512<ulong> r1A = (t1A >> 24) | ((t2A << 5) & mask);
        Vector512<ulong> r1B = (t1B >> 24) | ((t2B << 5) & mask);
        Vector512<ulong> r2A = (t2A >> 24) | ((t3A << 5) & mask);
        Vector512<ulong> r2B = (t2B >> 24) | ((t3B << 5) & mask);
        Vector512<ulong> r3A = (t3A >> 24) | ((t4A << 5) & mask);
        Vector512<ulong> r3B = (t3B >> 24) | ((t4B << 5) & mask);
        Vector512<ulong> r4A = (t4A >> 24) | ((t5A << 5) & mask);
        Vector512<ulong> r4B = (t4B >> 24) | ((t5B << 5) & mask);
        Vector512<ulong> r5A = (t5A >> 24) | ((t6A << 5) & mask);
        Vector512<ulong> r5B = (t5B >> 24) | ((t6B << 5) & mask);
        Vector512<ulong> r6A = (t6A >> 24) | ((t7A << 5) & mask);
        Vector512<ulong> r6B = (t6B >> 24) | ((t7B << 5) & mask);
        Vector512<ulong> r7A = (t7A >> 24) | ((t8A << 5) & mask);
        Vector512<ulong> r7B = (t7B >> 24) | ((t8B << 5) & mask);
        Vector512<ulong> r8A = t8A >> 24;
        Vector512<ulong> r8B = t8B >> 24;
        if (canonical)
        {
            ReduceOnce(r0A, r1A, r2A, r3A, r4A, r5A, r6A, r7A, r8A, out r);
            ReduceOnce(r0B, r1B, r2B, r3B, r4B, r5B, r6B, r7B, r8B, out s);
        }
        else
        {
            r.L0 = r0A; r.L1 = r1A; r.L2 = r2A; r.L3 = r3A; r.L4 = r4A; r.L5 = r5A; r.L6 = r6A; r.L7 = r7A; r.L8 = r8A;
            s.L0 = r0B; s.L1 = r1B; s.L2 = r2B; s.L3 = r3B; s.L4 = r4B; s.L5 = r5B; s.L6 = r6B; s.L7 = r7B; s.L8 = r8B;
        }
    }

    /// <summary>a^2 (the general product; squaring has no cheaper column schedule worth its code here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square(in MontVector8<TP> a, out MontVector8<TP> r) => Mul(a, a, out r);

    /// <summary>Subtracts p from normalised limbs holding a value below 2p when the value is at least p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceOnce(Vector512<ulong> r0, Vector512<ulong> r1, Vector512<ulong> r2, Vector512<ulong> r3,
        Vector512<ulong> r4, Vector512<ulong> r5, Vector512<ulong> r6, Vector512<ulong> r7, Vector512<ulong> r8, out MontVector8<TP> r)
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
        // keep = all ones in lanes where the value was below p (the subtraction went negative).
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

    /// <summary>Adds p back, normalising, where the signed limbs d (low limbs in [0, 2^29), top limb signed) are
    /// negative: the second half of a modular add or subtract.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddBackIfNegative(Vector512<ulong> d0, Vector512<ulong> d1, Vector512<ulong> d2, Vector512<ulong> d3,
        Vector512<ulong> d4, Vector512<ulong> d5, Vector512<ulong> d6, Vector512<ulong> d7, Vector512<ulong> d8, out MontVector8<TP> r)
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

    /// <summary>a + b mod p per lane (a, b canonical). <paramref name="r"/> may alias an input.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Add(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r)
    {
        // d = a + b - p with a signed carry chain; the limb sums are below 2^30, the carries in {-1, 0, 1}.
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

    /// <summary>a - b mod p per lane (a, b canonical). <paramref name="r"/> may alias an input.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Sub(in MontVector8<TP> a, in MontVector8<TP> b, out MontVector8<TP> r)
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
    public static uint ZeroMask(in MontVector8<TP> a)
    {
        Vector512<ulong> or = a.L0 | a.L1 | a.L2 | a.L3 | a.L4 | a.L5 | a.L6 | a.L7 | a.L8;
        return (uint)Vector512.Equals(or, Vector512<ulong>.Zero).ExtractMostSignificantBits();
    }

    /// <summary>Re-cuts four 64-bit words per lane (w0 least significant) into nine 29-bit limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FromWords(Vector512<ulong> w0, Vector512<ulong> w1, Vector512<ulong> w2, Vector512<ulong> w3, out MontVector8<TP> r)
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
    public static void ToWords(in MontVector8<TP> a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3)
    {
        w0 = a.L0 | (a.L1 << 29) | (a.L2 << 58);
        w1 = (a.L2 >> 6) | (a.L3 << 23) | (a.L4 << 52);
        w2 = (a.L4 >> 12) | (a.L5 << 17) | (a.L6 << 46);
        w3 = (a.L6 >> 18) | (a.L7 << 11) | (a.L8 << 40);
    }

    /// <summary>Lane i of <paramref name="r"/> is lane i ^ <paramref name="distance"/> of <paramref name="a"/>, for a
    /// distance of 1, 2 or 4 (swaps neighbouring lanes, pairs of lanes, or halves): the steps of a product tree across
    /// the eight lanes.</summary>
    public static void SwapLanes(in MontVector8<TP> a, int distance, out MontVector8<TP> r)
    {
        r.L0 = SwapLanes(a.L0, distance);
        r.L1 = SwapLanes(a.L1, distance);
        r.L2 = SwapLanes(a.L2, distance);
        r.L3 = SwapLanes(a.L3, distance);
        r.L4 = SwapLanes(a.L4, distance);
        r.L5 = SwapLanes(a.L5, distance);
        r.L6 = SwapLanes(a.L6, distance);
        r.L7 = SwapLanes(a.L7, distance);
        r.L8 = SwapLanes(a.L8, distance);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> SwapLanes(Vector512<ulong> v, int distance) => distance switch
    {
        // 0x4E selects (2, 3, 0, 1): 64-bit halves of each 128-bit block, 128-bit halves of each 256-bit block, or the
        // two 256-bit halves.
        1 => Avx512F.Shuffle(v.AsUInt32(), 0x4E).AsUInt64(),
        2 => Avx512F.Permute4x64(v, 0x4E),
        4 => Avx512F.Shuffle4x128(v, v, 0x4E),
        _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, "lane swap distance must be 1, 2 or 4"),
    };

    /// <summary>Two-source lane permute of every limb: lane i of <paramref name="r"/> is lane idx[i] of
    /// <paramref name="x"/> (idx[i] &lt; 8) or lane idx[i] - 8 of <paramref name="y"/>. A call on purpose (nine VPERMT2Q),
    /// like the arithmetic. The index goes by reference: ReadyToRun precompiles no call that passes a vector by value
    /// (its ABI is not fixed across runtime versions), so a caller doing that was jitted at start-up.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Permute2(in MontVector8<TP> x, in MontVector8<TP> y, in Vector512<ulong> idx, out MontVector8<TP> r)
    {
        r.L0 = Avx512F.PermuteVar8x64x2(x.L0, idx, y.L0);
        r.L1 = Avx512F.PermuteVar8x64x2(x.L1, idx, y.L1);
        r.L2 = Avx512F.PermuteVar8x64x2(x.L2, idx, y.L2);
        r.L3 = Avx512F.PermuteVar8x64x2(x.L3, idx, y.L3);
        r.L4 = Avx512F.PermuteVar8x64x2(x.L4, idx, y.L4);
        r.L5 = Avx512F.PermuteVar8x64x2(x.L5, idx, y.L5);
        r.L6 = Avx512F.PermuteVar8x64x2(x.L6, idx, y.L6);
        r.L7 = Avx512F.PermuteVar8x64x2(x.L7, idx, y.L7);
        r.L8 = Avx512F.PermuteVar8x64x2(x.L8, idx, y.L8);
    }

    /// <summary>Loads eight consecutive elements stored as four little-endian 64-bit Montgomery words each (the
    /// <see cref="U256"/> layout of <see cref="Fr"/> and <see cref="Fq"/>) from <paramref name="src"/> into lanes 0..7:
    /// eight two-source permutes turn the four 128-byte rows (two elements each) into four word columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void LoadPacked(ulong* src, out MontVector8<TP> r)
    {
        Vector512<ulong> z0 = Avx512F.LoadVector512(src), z1 = Avx512F.LoadVector512(src + 8);
        Vector512<ulong> z2 = Avx512F.LoadVector512(src + 16), z3 = Avx512F.LoadVector512(src + 24);
        // Words 0 and 1 of elements 0..3 (resp. 4..7), then words 2 and 3.
        Vector512<ulong> lo = Vector512.Create(0UL, 4, 8, 12, 1, 5, 9, 13), hi = Vector512.Create(2UL, 6, 10, 14, 3, 7, 11, 15);
        Vector512<ulong> t0 = Avx512F.PermuteVar8x64x2(z0, lo, z1), t1 = Avx512F.PermuteVar8x64x2(z0, hi, z1);
        Vector512<ulong> t2 = Avx512F.PermuteVar8x64x2(z2, lo, z3), t3 = Avx512F.PermuteVar8x64x2(z2, hi, z3);
        Vector512<ulong> first = Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11), second = Vector512.Create(4UL, 5, 6, 7, 12, 13, 14, 15);
        FromWords(Avx512F.PermuteVar8x64x2(t0, first, t2), Avx512F.PermuteVar8x64x2(t0, second, t2),
            Avx512F.PermuteVar8x64x2(t1, first, t3), Avx512F.PermuteVar8x64x2(t1, second, t3), out r);
    }

    /// <summary>Stores lanes 0..7 (canonical) as eight consecutive four-word elements at <paramref name="dst"/>; the
    /// inverse of <see cref="LoadPacked"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StorePacked(in MontVector8<TP> a, ulong* dst)
    {
        ToWords(a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3);
        // (w0, w1) of elements 0..3 and 4..7 interleaved per element, likewise (w2, w3); then whole elements.
        Vector512<ulong> lo = Vector512.Create(0UL, 8, 1, 9, 2, 10, 3, 11), hi = Vector512.Create(4UL, 12, 5, 13, 6, 14, 7, 15);
        Vector512<ulong> a01 = Avx512F.PermuteVar8x64x2(w0, lo, w1), b01 = Avx512F.PermuteVar8x64x2(w0, hi, w1);
        Vector512<ulong> a23 = Avx512F.PermuteVar8x64x2(w2, lo, w3), b23 = Avx512F.PermuteVar8x64x2(w2, hi, w3);
        Vector512<ulong> e01 = Vector512.Create(0UL, 1, 8, 9, 2, 3, 10, 11), e23 = Vector512.Create(4UL, 5, 12, 13, 6, 7, 14, 15);
        Avx512F.Store(dst, Avx512F.PermuteVar8x64x2(a01, e01, a23));
        Avx512F.Store(dst + 8, Avx512F.PermuteVar8x64x2(a01, e23, a23));
        Avx512F.Store(dst + 16, Avx512F.PermuteVar8x64x2(b01, e01, b23));
        Avx512F.Store(dst + 24, Avx512F.PermuteVar8x64x2(b01, e23, b23));
    }
}
