global using FrVector8 = ProverMarketChain.Proving.Fields.MontVector8<ProverMarketChain.Proving.Fields.FrParams>;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ProverMarketChain.Proving.Fields;

/// <summary>
/// Element-wise F_r kernels over spans of <see cref="Fr"/> for the QAP and NTT: eight elements per step in
/// <c>FrVector8</c> (<see cref="MontVector8{TP}"/> over F_r, loaded and stored with <see cref="MontVector8Ops{TP}.LoadPacked"/>
/// and <see cref="MontVector8Ops{TP}.StorePacked"/>) when <see cref="IsSupported"/>, the scalar <see cref="Fr"/>
/// operators for the tail and on other machines. Both paths give identical results (canonical Montgomery form).
/// </summary>
internal static class FrVector8Ops
{
    /// <summary>True when the kernels can use the 8-lane path (AVX-512F).</summary>
    public static bool IsSupported => MontVector8Ops<FrParams>.IsSupported;

    /// <summary>dst[i] = a[i] * b[i]; <paramref name="dst"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <remarks><paramref name="allowVector"/> false forces the scalar path (tests compare both).</remarks>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static unsafe void Multiply(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b, Span<Fr> dst, bool allowVector = true)
    {
        if (a.Length != b.Length || a.Length != dst.Length)
        {
            throw new ArgumentException("Spans must have equal lengths.");
        }
        int n = a.Length, i = 0;
        fixed (Fr* pa = a)
        fixed (Fr* pb = b)
        fixed (Fr* pd = dst)
        {
            if (allowVector && IsSupported)
            {
                for (; i + 8 <= n; i += 8)
                {
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(pa + i), out FrVector8 x);
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(pb + i), out FrVector8 y);
                    MontVector8Ops<FrParams>.Mul(x, y, out x);
                    MontVector8Ops<FrParams>.StorePacked(x, (ulong*)(pd + i));
                }
            }
            for (; i < n; i++)
            {
                pd[i] = pa[i] * pb[i];
            }
        }
    }

    /// <summary>dst[i] = a[i] * b[i] - c[i]; <paramref name="dst"/> may be any of the inputs.</summary>
    /// <remarks><paramref name="allowVector"/> false forces the scalar path (tests compare both).</remarks>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static unsafe void MultiplySubtract(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b, ReadOnlySpan<Fr> c, Span<Fr> dst, bool allowVector = true)
    {
        if (a.Length != b.Length || a.Length != c.Length || a.Length != dst.Length)
        {
            throw new ArgumentException("Spans must have equal lengths.");
        }
        int n = a.Length, i = 0;
        fixed (Fr* pa = a)
        fixed (Fr* pb = b)
        fixed (Fr* pc = c)
        fixed (Fr* pd = dst)
        {
            if (allowVector && IsSupported)
            {
                for (; i + 8 <= n; i += 8)
                {
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(pa + i), out FrVector8 x);
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(pb + i), out FrVector8 y);
                    MontVector8Ops<FrParams>.Mul(x, y, out x);
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(pc + i), out y);
                    MontVector8Ops<FrParams>.Sub(x, y, out x);
                    MontVector8Ops<FrParams>.StorePacked(x, (ulong*)(pd + i));
                }
            }
            for (; i < n; i++)
            {
                pd[i] = pa[i] * pb[i] - pc[i];
            }
        }
    }

    /// <summary>values[i] *= k.</summary>
    /// <remarks><paramref name="allowVector"/> false forces the scalar path (tests compare both).</remarks>
    public static unsafe void Scale(Span<Fr> values, in Fr k, bool allowVector = true)
    {
        int n = values.Length, i = 0;
        fixed (Fr* p = values)
        {
            if (allowVector && IsSupported)
            {
                U256 kv = k.V;
                MontVector8Ops<FrParams>.FromWords(Vector512.Create(kv.L0), Vector512.Create(kv.L1),
                    Vector512.Create(kv.L2), Vector512.Create(kv.L3), out FrVector8 kk);
                for (; i + 8 <= n; i += 8)
                {
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(p + i), out FrVector8 x);
                    MontVector8Ops<FrParams>.Mul(x, kk, out x);
                    MontVector8Ops<FrParams>.StorePacked(x, (ulong*)(p + i));
                }
            }
            for (; i < n; i++)
            {
                p[i] *= k;
            }
        }
    }

    /// <summary>dst[i] = start * g^i: <see cref="MultiplyByPowers"/> applied to ones (on the vector path each further
    /// eight powers are the previous eight times g^8; the values are the same either way).</summary>
    /// <remarks><paramref name="allowVector"/> false forces the scalar path (tests compare both).</remarks>
    public static void Powers(Span<Fr> dst, in Fr start, in Fr g, bool allowVector = true)
    {
        dst.Fill(Fr.One);
        MultiplyByPowers(dst, start, g, allowVector);
    }

    /// <summary>values[i] *= start * g^i (the powers generated on the fly, eight lanes at a time).</summary>
    /// <remarks><paramref name="allowVector"/> false forces the scalar path (tests compare both).</remarks>
    public static unsafe void MultiplyByPowers(Span<Fr> values, in Fr start, in Fr g, bool allowVector = true)
    {
        int n = values.Length, i = 0;
        fixed (Fr* p = values)
        {
            Fr acc = start;
            if (allowVector && IsSupported && n >= 16)
            {
                Fr* first = stackalloc Fr[8];
                for (; i < 8; i++)
                {
                    first[i] = acc;
                    acc *= g;
                }
                Fr g8 = g.Square().Square().Square();
                U256 gv = g8.V;
                MontVector8Ops<FrParams>.FromWords(Vector512.Create(gv.L0), Vector512.Create(gv.L1), Vector512.Create(gv.L2),
                    Vector512.Create(gv.L3), out FrVector8 step);
                MontVector8Ops<FrParams>.LoadPacked((ulong*)first, out FrVector8 cur);
                for (i = 0; i + 8 <= n; i += 8)
                {
                    MontVector8Ops<FrParams>.LoadPacked((ulong*)(p + i), out FrVector8 x);
                    // The product and the next powers are independent: one paired call.
                    MontVector8Ops<FrParams>.Mul2(x, cur, out x, cur, step, out cur);
                    MontVector8Ops<FrParams>.StorePacked(x, (ulong*)(p + i));
                }
                acc = start * g.Pow(i);
            }
            for (; i < n; i++)
            {
                p[i] *= acc;
                acc *= g;
            }
        }
    }

    /// <summary>
    /// Radix-2 butterflies on eight consecutive pairs: for lanes l = 0..7, with u = a[l], v = a[l + half] * tw[l],
    /// a[l] = u + v and a[l + half] = u - v. <paramref name="tw"/> points at eight consecutive twiddles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Butterfly8(Fr* a, int half, Fr* tw)
    {
        MontVector8Ops<FrParams>.LoadPacked((ulong*)(a + half), out FrVector8 v);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)tw, out FrVector8 w);
        MontVector8Ops<FrParams>.Mul(v, w, out v);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)a, out FrVector8 u);
        MontVector8Ops<FrParams>.Sub(u, v, out w);
        MontVector8Ops<FrParams>.Add(u, v, out u);
        MontVector8Ops<FrParams>.StorePacked(u, (ulong*)a);
        MontVector8Ops<FrParams>.StorePacked(w, (ulong*)(a + half));
    }

    /// <summary>Two independent <see cref="Butterfly8"/> (distinct elements), their products paired.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Butterfly8x2(Fr* a1, Fr* tw1, Fr* a2, Fr* tw2, int half)
    {
        MontVector8Ops<FrParams>.LoadPacked((ulong*)(a1 + half), out FrVector8 v1);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)tw1, out FrVector8 w1);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)(a2 + half), out FrVector8 v2);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)tw2, out FrVector8 w2);
        MontVector8Ops<FrParams>.Mul2(v1, w1, out v1, v2, w2, out v2);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)a1, out FrVector8 u1);
        MontVector8Ops<FrParams>.Sub(u1, v1, out w1);
        MontVector8Ops<FrParams>.Add(u1, v1, out u1);
        MontVector8Ops<FrParams>.StorePacked(u1, (ulong*)a1);
        MontVector8Ops<FrParams>.StorePacked(w1, (ulong*)(a1 + half));
        MontVector8Ops<FrParams>.LoadPacked((ulong*)a2, out FrVector8 u2);
        MontVector8Ops<FrParams>.Sub(u2, v2, out w2);
        MontVector8Ops<FrParams>.Add(u2, v2, out u2);
        MontVector8Ops<FrParams>.StorePacked(u2, (ulong*)a2);
        MontVector8Ops<FrParams>.StorePacked(w2, (ulong*)(a2 + half));
    }

    /// <summary>
    /// The first three decimation-in-time stages (half lengths 1, 2, 4; twiddles 1, then the 4th and 8th roots of unity)
    /// on <paramref name="count"/> bit-reversed elements at <paramref name="a"/>, a multiple of 16, sixteen at a time in
    /// two vectors; the results go to <paramref name="soa"/> in lane form (element 8i + l in lane l of soa[i]). Each
    /// stage permutes the sixteen into u and v vectors (VPERMT2Q per limb), so all eight butterflies of a step are one
    /// 8-lane butterfly; stage 1 needs no product. <paramref name="stageTwiddles"/> is the stage-ordered table (entries
    /// 2, 3 and 4..7 are read).
    /// </summary>
    public static unsafe void FirstThreeStages(Fr* a, int count, Fr* stageTwiddles, FrVector8* soa)
    {
        Fr* lanes = stackalloc Fr[16];
        for (int l = 0; l < 8; l++)
        {
            lanes[l] = stageTwiddles[2 + (l & 1)];
            lanes[8 + l] = stageTwiddles[4 + (l & 3)];
        }
        MontVector8Ops<FrParams>.LoadPacked((ulong*)lanes, out FrVector8 tw2);
        MontVector8Ops<FrParams>.LoadPacked((ulong*)(lanes + 8), out FrVector8 tw3);
        // Lane indices into (x, y): 0..7 are x's lanes, 8..15 y's.
        Vector512<ulong> even = Vector512.Create(0UL, 2, 4, 6, 8, 10, 12, 14), odd = Vector512.Create(1UL, 3, 5, 7, 9, 11, 13, 15);
        Vector512<ulong> u2 = Vector512.Create(0UL, 8, 2, 10, 4, 12, 6, 14), v2 = Vector512.Create(1UL, 9, 3, 11, 5, 13, 7, 15);
        Vector512<ulong> u3 = Vector512.Create(0UL, 1, 8, 9, 4, 5, 12, 13), v3 = Vector512.Create(2UL, 3, 10, 11, 6, 7, 14, 15);
        Vector512<ulong> lo = Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11), hi = Vector512.Create(4UL, 5, 6, 7, 12, 13, 14, 15);
        for (int i = 0; i + 16 <= count; i += 16)
        {
            Fr* p = a + i;
            MontVector8Ops<FrParams>.LoadPacked((ulong*)p, out FrVector8 x);
            MontVector8Ops<FrParams>.LoadPacked((ulong*)(p + 8), out FrVector8 y);
            // Stage 1: u lane l = element 2l, v = 2l + 1; twiddle 1.
            MontVector8Ops<FrParams>.Permute2(x, y, even, out FrVector8 u);
            MontVector8Ops<FrParams>.Permute2(x, y, odd, out FrVector8 v);
            MontVector8Ops<FrParams>.Add(u, v, out x);
            MontVector8Ops<FrParams>.Sub(u, v, out y);
            // Stage 2: u = elements 0, 1, 4, 5, 8, 9, 12, 13 (x holds the even elements, y the odd), v = u + 2.
            MontVector8Ops<FrParams>.Permute2(x, y, u2, out u);
            MontVector8Ops<FrParams>.Permute2(x, y, v2, out v);
            MontVector8Ops<FrParams>.Mul(v, tw2, out v);
            MontVector8Ops<FrParams>.Add(u, v, out x);
            MontVector8Ops<FrParams>.Sub(u, v, out y);
            // Stage 3: u = elements 0..3, 8..11, v = u + 4 (x lane l holds element 4(l/2) + l%2, y that + 2).
            MontVector8Ops<FrParams>.Permute2(x, y, u3, out u);
            MontVector8Ops<FrParams>.Permute2(x, y, v3, out v);
            MontVector8Ops<FrParams>.Mul(v, tw3, out v);
            MontVector8Ops<FrParams>.Add(u, v, out x);
            MontVector8Ops<FrParams>.Sub(u, v, out y);
            // x lane l holds element l (l < 4) or l + 4, y the element 4 above: back to natural order.
            MontVector8Ops<FrParams>.Permute2(x, y, lo, out soa[i >> 3]);
            MontVector8Ops<FrParams>.Permute2(x, y, hi, out soa[(i >> 3) + 1]);
        }
    }

    /// <summary>
    /// All stages of a <paramref name="count"/>-point block (a power of two, at least 16) held in lane form: the first
    /// three as <see cref="FirstThreeStages"/> into <paramref name="work"/> (count / 8 vectors), every further stage as
    /// 8-lane butterflies on <paramref name="work"/> without re-cutting words, then one store back to
    /// <paramref name="a"/>. <paramref name="twiddles"/> is the stage-ordered table and <paramref name="laneTwiddles"/>
    /// its first count entries in lane form (vector i holds entries 8i .. 8i + 7).
    /// </summary>
    public static unsafe void BlockStages(Fr* a, int count, Fr* twiddles, FrVector8* laneTwiddles, FrVector8* work)
    {
        FirstThreeStages(a, count, twiddles, work);
        int vectors = count >> 3;
        for (int hv = 1; hv < vectors; hv <<= 1)
        {
            // Half length 8 hv: butterflies (work[b + j], work[b + j + hv]) with twiddle vector hv + j.
            // Butterflies are taken two at a time (their products paired): (j, j + 1) in a block, or, with one per
            // block (hv = 1), the same j of two blocks.
            int pairStep = hv >= 2 ? 1 : 2 * hv;
            for (int b = 0; b < vectors; b += 2 * hv * (hv >= 2 ? 1 : 2))
            {
                for (int j = 0; j < hv; j += hv >= 2 ? 2 : 1)
                {
                    FrVector8* u1 = work + b + j;
                    FrVector8* u2 = u1 + pairStep;
                    int j2 = hv >= 2 ? j + 1 : j;
                    if (hv < 2 && b + 2 * hv >= vectors)
                    {
                        MontVector8Ops<FrParams>.Mul(u1[hv], laneTwiddles[hv + j], out FrVector8 v);
                        MontVector8Ops<FrParams>.Sub(*u1, v, out u1[hv]);
                        MontVector8Ops<FrParams>.Add(*u1, v, out *u1);
                        continue;
                    }
                    MontVector8Ops<FrParams>.Mul2(u1[hv], laneTwiddles[hv + j], out FrVector8 v1, u2[hv], laneTwiddles[hv + j2], out FrVector8 v2);
                    MontVector8Ops<FrParams>.Sub(*u1, v1, out u1[hv]);
                    MontVector8Ops<FrParams>.Add(*u1, v1, out *u1);
                    MontVector8Ops<FrParams>.Sub(*u2, v2, out u2[hv]);
                    MontVector8Ops<FrParams>.Add(*u2, v2, out *u2);
                }
            }
        }
        for (int i = 0; i < vectors; i++)
        {
            MontVector8Ops<FrParams>.StorePacked(work[i], (ulong*)(a + 8 * i));
        }
    }
}
