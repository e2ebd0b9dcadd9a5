global using FqVector8 = ProverMarketChain.Proving.Fields.MontVector8<ProverMarketChain.Proving.Fields.FqParams>;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ProverMarketChain.Proving.Fields;

/// <summary>Arithmetic on <c>FqVector8</c> (<see cref="MontVector8{TP}"/> over F_q: eight independent F_q operations per
/// call), the MSM's coordinate field. The arithmetic is <see cref="MontVector8Ops{TP}"/>'s (shared with F_r); these
/// forwarders keep the MSM's names. Every method requires <see cref="IsSupported"/>; callers keep a scalar
/// <see cref="Fq"/> path for machines without AVX-512F.</summary>
internal static class FqVector8Ops
{
    /// <summary>True when the 8-lane arithmetic runs in hardware (AVX-512F with 512-bit vectors accelerated).</summary>
    public static bool IsSupported => MontVector8Ops<FqParams>.IsSupported;

    /// <summary>One (2^256 mod q, the Montgomery form of 1) in every lane.</summary>
    public static FqVector8 One => MontVector8Ops<FqParams>.One;

    /// <summary>Montgomery product, canonical (see <see cref="MontVector8Ops{TP}.Mul"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul(in FqVector8 a, in FqVector8 b, out FqVector8 r) => MontVector8Ops<FqParams>.Mul(a, b, out r);

    /// <summary>Montgomery product left in [0, 2q) (see <see cref="MontVector8Ops{TP}.MulLazy"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MulLazy(in FqVector8 a, in FqVector8 b, out FqVector8 r) => MontVector8Ops<FqParams>.MulLazy(a, b, out r);

    /// <summary>Canonical form of a value below 2q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reduce(in FqVector8 a, out FqVector8 r) => MontVector8Ops<FqParams>.Reduce(a, out r);

    /// <summary>a^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square(in FqVector8 a, out FqVector8 r) => MontVector8Ops<FqParams>.Mul(a, a, out r);

    /// <summary>a + b mod q per lane (a, b canonical). <paramref name="r"/> may alias an input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(in FqVector8 a, in FqVector8 b, out FqVector8 r) => MontVector8Ops<FqParams>.Add(a, b, out r);

    /// <summary>a - b mod q per lane (a, b canonical). <paramref name="r"/> may alias an input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sub(in FqVector8 a, in FqVector8 b, out FqVector8 r) => MontVector8Ops<FqParams>.Sub(a, b, out r);

    /// <summary>Bit i set when lane i is zero (canonical limbs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZeroMask(in FqVector8 a) => MontVector8Ops<FqParams>.ZeroMask(a);

    /// <summary>Re-cuts four 64-bit words per lane (w0 least significant) into nine 29-bit limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FromWords(Vector512<ulong> w0, Vector512<ulong> w1, Vector512<ulong> w2, Vector512<ulong> w3, out FqVector8 r) =>
        MontVector8Ops<FqParams>.FromWords(w0, w1, w2, w3, out r);

    /// <summary>Joins normalised 29-bit limbs back into four 64-bit words per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ToWords(in FqVector8 a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3) =>
        MontVector8Ops<FqParams>.ToWords(a, out w0, out w1, out w2, out w3);

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
        CheckLane(lane);
        ToWords(a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3);
        return new Fq(new U256(Lane(ref w0, lane), Lane(ref w1, lane), Lane(ref w2, lane), Lane(ref w3, lane)));
    }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    public static FqVector8 Broadcast(in Fq value)
    {
        FromWords(Vector512.Create(value.V.L0), Vector512.Create(value.V.L1), Vector512.Create(value.V.L2),
            Vector512.Create(value.V.L3), out FqVector8 r);
        return r;
    }

    /// <summary>Replaces lane <paramref name="lane"/> with a scalar element.</summary>
    public static void SetLane(ref FqVector8 a, int lane, in Fq value)
    {
        CheckLane(lane);
        ToWords(a, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3);
        var at = Vector512.Equals(Vector512<ulong>.Indices, Vector512.Create((ulong)lane));
        FromWords(Vector512.ConditionalSelect(at, Vector512.Create(value.V.L0), w0),
            Vector512.ConditionalSelect(at, Vector512.Create(value.V.L1), w1),
            Vector512.ConditionalSelect(at, Vector512.Create(value.V.L2), w2),
            Vector512.ConditionalSelect(at, Vector512.Create(value.V.L3), w3), out a);
    }

    // GetElement/WithElement with a variable index throw through a runtime helper that ReadyToRun cannot precompile,
    // which left these two to the JIT at start-up; the index is checked here instead.
    private static void CheckLane(int lane)
    {
        if ((uint)lane >= 8)
        {
            throw new ArgumentOutOfRangeException(nameof(lane), lane, "lane must be in 0..7");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Lane(ref Vector512<ulong> w, int lane) => Unsafe.Add(ref Unsafe.As<Vector512<ulong>, ulong>(ref w), lane);

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
