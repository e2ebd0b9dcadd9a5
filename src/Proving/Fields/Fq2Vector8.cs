using System.Runtime.CompilerServices;

namespace ProverMarketChain.Proving.Fields;

/// <summary>Eight F_q2 = F_q[u]/(u^2 + 1) elements side by side: the two coordinates as <see cref="FqVector8"/>s.</summary>
internal struct Fq2Vector8
{
    /// <summary>Coordinates: the value is C0 + C1 u.</summary>
    public FqVector8 C0, C1;
}

/// <summary>Arithmetic on <see cref="Fq2Vector8"/> from <see cref="FqVector8Ops"/> (the same formulas as <see cref="Fq2"/>;
/// canonical inputs and outputs). Every method requires <see cref="FqVector8Ops.IsSupported"/>.</summary>
internal static class Fq2Vector8Ops
{
    /// <summary>One in every lane.</summary>
    public static Fq2Vector8 One => new() { C0 = FqVector8Ops.One };

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    public static Fq2Vector8 Broadcast(in Fq2 value) => new() { C0 = FqVector8Ops.Broadcast(value.C0), C1 = FqVector8Ops.Broadcast(value.C1) };

    /// <summary>Karatsuba product: (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u. <paramref name="r"/> may alias
    /// an input.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r)
    {
        // The two independent products go through the interleaved kernel.
        MontVector8Ops<FqParams>.Mul2(a.C0, b.C0, out FqVector8 aa, a.C1, b.C1, out FqVector8 bb);
        FqVector8Ops.Add(a.C0, a.C1, out FqVector8 sa);
        FqVector8Ops.Add(b.C0, b.C1, out FqVector8 sb);
        FqVector8Ops.Mul(sa, sb, out FqVector8 s);
        FqVector8Ops.Sub(aa, bb, out r.C0);
        FqVector8Ops.Sub(s, aa, out s);
        FqVector8Ops.Sub(s, bb, out r.C1);
    }

    /// <summary>Two independent Karatsuba products, their six F_q products paired in the interleaved kernel. Outputs may
    /// alias inputs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul2(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r, in Fq2Vector8 c, in Fq2Vector8 d, out Fq2Vector8 s)
    {
        MontVector8Ops<FqParams>.Mul2(a.C0, b.C0, out FqVector8 aa1, a.C1, b.C1, out FqVector8 bb1);
        MontVector8Ops<FqParams>.Mul2(c.C0, d.C0, out FqVector8 aa2, c.C1, d.C1, out FqVector8 bb2);
        FqVector8Ops.Add(a.C0, a.C1, out FqVector8 sa1);
        FqVector8Ops.Add(b.C0, b.C1, out FqVector8 sb1);
        FqVector8Ops.Add(c.C0, c.C1, out FqVector8 sa2);
        FqVector8Ops.Add(d.C0, d.C1, out FqVector8 sb2);
        MontVector8Ops<FqParams>.Mul2(sa1, sb1, out FqVector8 s1, sa2, sb2, out FqVector8 s2);
        FqVector8Ops.Sub(s1, aa1, out s1);
        FqVector8Ops.Sub(s2, aa2, out s2);
        FqVector8Ops.Sub(aa1, bb1, out r.C0);
        FqVector8Ops.Sub(s1, bb1, out r.C1);
        FqVector8Ops.Sub(aa2, bb2, out s.C0);
        FqVector8Ops.Sub(s2, bb2, out s.C1);
    }

    /// <summary>a^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Square(in Fq2Vector8 a, out Fq2Vector8 r)
    {
        FqVector8Ops.Add(a.C0, a.C1, out FqVector8 s);
        FqVector8Ops.Sub(a.C0, a.C1, out FqVector8 d);
        MontVector8Ops<FqParams>.Mul2(a.C0, a.C1, out FqVector8 ab, s, d, out r.C0);
        FqVector8Ops.Add(ab, ab, out r.C1);
    }

    /// <summary>Coordinate-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r)
    {
        FqVector8Ops.Add(a.C0, b.C0, out r.C0);
        FqVector8Ops.Add(a.C1, b.C1, out r.C1);
    }

    /// <summary>Coordinate-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sub(in Fq2Vector8 a, in Fq2Vector8 b, out Fq2Vector8 r)
    {
        FqVector8Ops.Sub(a.C0, b.C0, out r.C0);
        FqVector8Ops.Sub(a.C1, b.C1, out r.C1);
    }

    /// <summary>Bit i set when lane i is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZeroMask(in Fq2Vector8 a) => FqVector8Ops.ZeroMask(a.C0) & FqVector8Ops.ZeroMask(a.C1);

    /// <summary>Lane <paramref name="lane"/> as a scalar element.</summary>
    public static Fq2 GetLane(in Fq2Vector8 a, int lane) => new(FqVector8Ops.GetLane(a.C0, lane), FqVector8Ops.GetLane(a.C1, lane));

    /// <summary>Replaces lane <paramref name="lane"/>.</summary>
    public static void SetLane(ref Fq2Vector8 a, int lane, in Fq2 value)
    {
        FqVector8Ops.SetLane(ref a.C0, lane, value.C0);
        FqVector8Ops.SetLane(ref a.C1, lane, value.C1);
    }

    /// <summary>Packs eight scalar elements (tests and slow paths).</summary>
    public static Fq2Vector8 Load(ReadOnlySpan<Fq2> eight)
    {
        if (eight.Length < 8)
        {
            throw new ArgumentException($"Need 8 elements, got {eight.Length}.", nameof(eight));
        }
        Span<Fq> c0 = stackalloc Fq[8];
        Span<Fq> c1 = stackalloc Fq[8];
        for (int i = 0; i < 8; i++)
        {
            c0[i] = eight[i].C0;
            c1[i] = eight[i].C1;
        }
        return new Fq2Vector8 { C0 = FqVector8Ops.Load(c0), C1 = FqVector8Ops.Load(c1) };
    }

    /// <summary>Unpacks lanes 0..7.</summary>
    public static void Store(in Fq2Vector8 a, Span<Fq2> eight)
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
