using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ProverMarketChain.Proving.Fields;

/// <summary>
/// Modular inversion by Bernstein–Yang divsteps ("safegcd"), variable-time: batches of 62 divsteps run on the low 64
/// bits of f and g only, collected into a 2x2 transition matrix that is then applied once to the full-width f, g (the
/// gcd state) and d, e (the Bézout coefficients) held in five signed 62-bit limbs. For a 254-bit modulus about ten
/// batches suffice, against ~380 Montgomery products for Fermat's a^(p-2): the batch-affine MSM inverts once per batch
/// of additions, so this is on the prover's hot path.
/// </summary>
/// <remarks>
/// Invariants (x the input, M the modulus): d·x ≡ f·2^(-62k) and e·x ≡ g·2^(-62k) after k batches, up to the common
/// scaling that each batch's division by 2^62 removes; f stays odd and g reaches zero with f = ±1, so ±d is the inverse.
/// d and e are kept in (-2M, M) by adding multiples of M that also clear their low 62 bits before the division.
/// Variable time: use only where the input is not secret (the MSM's denominators are derived from public bases and the
/// witness only through which buckets collide; snarkjs and rapidsnark are not constant-time either).
/// </remarks>
internal static class SafeGcd<TP> where TP : struct, IMontParams
{
    private const ulong M62 = ulong.MaxValue >> 2;

    /// <summary>The modulus in signed 62-bit limbs.</summary>
    private static readonly long[] Modulus = ToLimbs(new U256(TP.P0, TP.P1, TP.P2, TP.P3));

    /// <summary>M^-1 mod 2^62 (from the Montgomery constant -M^-1 mod 2^64).</summary>
    private static readonly ulong ModulusInv62 = unchecked(0 - TP.Inv) & M62;

    /// <summary>R^3 mod M: a Montgomery product of the plain inverse of x·R with it gives x^-1·R. It is the Montgomery
    /// product of R^2 with itself (R^4·R^-1), not a BigInteger power, which would jit BigInteger's internals at start-up.</summary>
    private static readonly U256 R3 = Mont<TP>.Mul(TP.R2, TP.R2);

    /// <summary>Inverse in Montgomery form: for a = x·R returns x^-1·R; zero gives zero.</summary>
    public static U256 InverseMontgomery(in U256 a)
    {
        if ((a.L0 | a.L1 | a.L2 | a.L3) == 0)
        {
            return a;
        }
        // (x R)^-1 = x^-1 R^-1; times R^3 with one Montgomery product (R^-1): x^-1 R.
        return Mont<TP>.Mul(Inverse(a), R3);
    }

    /// <summary>Plain modular inverse of a nonzero <paramref name="x"/> &lt; M.</summary>
    public static U256 Inverse(in U256 x)
    {
        Span<long> f = stackalloc long[5];
        Span<long> g = stackalloc long[5];
        Span<long> d = stackalloc long[5];
        Span<long> e = stackalloc long[5];
        Modulus.CopyTo(f);
        SetLimbs(g, x);
        d.Clear();
        e.Clear();
        e[0] = 1;
        long eta = -1;
        while (true)
        {
            ulong f0 = (ulong)f[0] | ((ulong)f[1] << 62), g0 = (ulong)g[0] | ((ulong)g[1] << 62);
            eta = Divsteps62(eta, f0, g0, out long u, out long v, out long q, out long r);
            UpdateDe(d, e, u, v, q, r);
            UpdateFg(f, g, u, v, q, r);
            if ((g[0] | g[1] | g[2] | g[3] | g[4]) == 0)
            {
                break;
            }
        }
        // f = ±1 now (x is invertible because M is prime and 0 < x < M); its sign is that of the top limb (-1 is all
        // ones in the lower limbs).
        bool negative = f[4] < 0;
        Debug.Assert(negative ? (f[0] & f[1] & f[2] & f[3]) == (long)M62 && f[4] == -1 : f[0] == 1 && (f[1] | f[2] | f[3] | f[4]) == 0,
            "safegcd ended with f != ±1");
        return Normalize(d, negative);
    }

    /// <summary>
    /// 62 divsteps on the low 64 bits of f (odd) and g. Runs of zero bits of g are skipped at once, and up to six (or
    /// four) low bits of g are cancelled with one multiple of f, found from the inverse of f mod 2^6 (resp. 2^4).
    /// Returns the new eta (= -delta) and the transition matrix scaled by 2^62: new f = (u f + v g) / 2^62,
    /// new g = (q f + r g) / 2^62.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Divsteps62(long eta, ulong f, ulong g, out long tu, out long tv, out long tq, out long tr)
    {
        // unchecked: the matrix entries and f, g are tracked modulo 2^64 on purpose (two's complement).
        unchecked
        {
            ulong u = 1, v = 0, q = 0, r = 1;
            int i = 62;
            while (true)
            {
                // The sentinel bit above position i stops the count at the steps left.
                int zeros = BitOperations.TrailingZeroCount(g | (ulong.MaxValue << i));
                g >>= zeros;
                u <<= zeros;
                v <<= zeros;
                eta -= zeros;
                i -= zeros;
                if (i == 0)
                {
                    break;
                }
                // g is odd here.
                ulong w;
                int limit;
                if (eta < 0)
                {
                    // delta > 0: swap, f, g := g, -f (and the matrix rows), eta := -eta.
                    eta = -eta;
                    ulong t = f;
                    f = g;
                    g = 0 - t;
                    t = u;
                    u = q;
                    q = 0 - t;
                    t = v;
                    v = r;
                    r = 0 - t;
                    // At most eta + 1 steps before eta changes sign again, at most i left, and six bits by the formula.
                    limit = (int)Math.Min(eta + 1, i);
                    ulong mask = (ulong.MaxValue >> (64 - limit)) & 63;
                    // f (f^2 - 2) is the inverse of odd f mod 2^6, so g + w f vanishes mod 2^limit.
                    w = (f * g * (f * f - 2)) & mask;
                }
                else
                {
                    limit = (int)Math.Min(eta + 1, i);
                    ulong mask = (ulong.MaxValue >> (64 - limit)) & 15;
                    // f + (bit 2 of f + 1, times 2) is the inverse of odd f mod 2^4.
                    w = f + (((f + 1) & 4) << 1);
                    w = (0 - w * g) & mask;
                }
                g += f * w;
                q += u * w;
                r += v * w;
            }
            tu = (long)u;
            tv = (long)v;
            tq = (long)q;
            tr = (long)r;
            return eta;
        }
    }

    /// <summary>(f, g) := ((u f + v g) / 2^62, (q f + r g) / 2^62), exactly (the low 62 bits are zero by construction).</summary>
    private static void UpdateFg(Span<long> f, Span<long> g, long u, long v, long q, long r)
    {
        var cf = Acc128.Product(u, f[0]).MulAdd(v, g[0]);
        var cg = Acc128.Product(q, f[0]).MulAdd(r, g[0]);
        Debug.Assert((cf.Lo & M62) == 0 && (cg.Lo & M62) == 0, "divsteps left low bits in f or g");
        cf = cf.Shift62();
        cg = cg.Shift62();
        for (int i = 1; i < 5; i++)
        {
            cf = cf.MulAdd(u, f[i]).MulAdd(v, g[i]);
            cg = cg.MulAdd(q, f[i]).MulAdd(r, g[i]);
            f[i - 1] = (long)(cf.Lo & M62);
            g[i - 1] = (long)(cg.Lo & M62);
            cf = cf.Shift62();
            cg = cg.Shift62();
        }
        f[4] = (long)cf.Lo;
        g[4] = (long)cg.Lo;
    }

    /// <summary>
    /// (d, e) := ((u d + v e) / 2^62, (q d + r e) / 2^62) mod M, keeping both in (-2M, M): a multiple of M is added that
    /// clears the low 62 bits (so the division is exact), plus u (or v, q, r) times M where d (or e) is negative.
    /// </summary>
    private static void UpdateDe(Span<long> d, Span<long> e, long u, long v, long q, long r)
    {
        long sd = d[4] >> 63, se = e[4] >> 63;
        long md = (u & sd) + (v & se);
        long me = (q & sd) + (r & se);
        var cd = Acc128.Product(u, d[0]).MulAdd(v, e[0]);
        var ce = Acc128.Product(q, d[0]).MulAdd(r, e[0]);
        // unchecked: arithmetic mod 2^62 on the low bits.
        unchecked
        {
            md -= (long)((ModulusInv62 * cd.Lo + (ulong)md) & M62);
            me -= (long)((ModulusInv62 * ce.Lo + (ulong)me) & M62);
        }
        cd = cd.MulAdd(Modulus[0], md);
        ce = ce.MulAdd(Modulus[0], me);
        Debug.Assert((cd.Lo & M62) == 0 && (ce.Lo & M62) == 0, "d or e not divisible by 2^62");
        cd = cd.Shift62();
        ce = ce.Shift62();
        for (int i = 1; i < 5; i++)
        {
            cd = cd.MulAdd(u, d[i]).MulAdd(v, e[i]).MulAdd(Modulus[i], md);
            ce = ce.MulAdd(q, d[i]).MulAdd(r, e[i]).MulAdd(Modulus[i], me);
            d[i - 1] = (long)(cd.Lo & M62);
            e[i - 1] = (long)(ce.Lo & M62);
            cd = cd.Shift62();
            ce = ce.Shift62();
        }
        d[4] = (long)cd.Lo;
        e[4] = (long)ce.Lo;
    }

    /// <summary>(negate ? -d : d) mod M as a U256, for d in (-2M, M).</summary>
    private static U256 Normalize(Span<long> d, bool negate)
    {
        if (negate)
        {
            // -d, limb by limb with the borrow carried by the arithmetic shift.
            long c = 0;
            for (int i = 0; i < 4; i++)
            {
                c += -d[i];
                d[i] = c & (long)M62;
                c >>= 62;
            }
            d[4] = c - d[4];
        }
        // Now d is in (-M, 2M): add M while negative, subtract M while at least M.
        while (d[4] < 0)
        {
            AddModulus(d, 1);
        }
        while (!IsBelowModulus(d))
        {
            AddModulus(d, -1);
        }
        return new U256(
            (ulong)d[0] | ((ulong)d[1] << 62),
            ((ulong)d[1] >> 2) | ((ulong)d[2] << 60),
            ((ulong)d[2] >> 4) | ((ulong)d[3] << 58),
            ((ulong)d[3] >> 6) | ((ulong)d[4] << 56));
    }

    private static void AddModulus(Span<long> d, long sign)
    {
        long c = 0;
        for (int i = 0; i < 4; i++)
        {
            c += d[i] + sign * Modulus[i];
            d[i] = c & (long)M62;
            c >>= 62;
        }
        d[4] += c + sign * Modulus[4];
    }

    /// <summary>Whether a non-negative, normalised d is below M (compared from the top limb).</summary>
    private static bool IsBelowModulus(Span<long> d)
    {
        for (int i = 4; i >= 0; i--)
        {
            if (d[i] != Modulus[i])
            {
                return d[i] < Modulus[i];
            }
        }
        return false;
    }

    private static long[] ToLimbs(in U256 x)
    {
        var limbs = new long[5];
        SetLimbs(limbs, x);
        return limbs;
    }

    private static void SetLimbs(Span<long> limbs, in U256 x)
    {
        limbs[0] = (long)(x.L0 & M62);
        limbs[1] = (long)(((x.L0 >> 62) | (x.L1 << 2)) & M62);
        limbs[2] = (long)(((x.L1 >> 60) | (x.L2 << 4)) & M62);
        limbs[3] = (long)(((x.L2 >> 58) | (x.L3 << 6)) & M62);
        limbs[4] = (long)(x.L3 >> 56);
    }
}

/// <summary>
/// A signed 128-bit accumulator (two's complement, low and high words) for safegcd's limb products. It stands in for
/// <see cref="Int128"/>, whose operators ReadyToRun cannot precompile outside the framework (its ABI may change between
/// runtime versions), so every method using it was jitted at start-up; these are plain 64-bit operations.
/// </summary>
internal readonly struct Acc128
{
    /// <summary>Low 64 bits.</summary>
    public readonly ulong Lo;
    /// <summary>High 64 bits (signed).</summary>
    public readonly long Hi;

    private Acc128(ulong lo, long hi)
    {
        Lo = lo;
        Hi = hi;
    }

    /// <summary>a·b as a signed 128-bit value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Acc128 Product(long a, long b)
    {
        // unchecked: two's complement arithmetic mod 2^128. The unsigned product of the bit patterns exceeds the signed
        // one by 2^64·(b if a < 0) + 2^64·(a if b < 0), so those are taken off the high word.
        unchecked
        {
            ulong hi = Math.BigMul((ulong)a, (ulong)b, out ulong lo);
            return new Acc128(lo, (long)hi - ((a >> 63) & b) - ((b >> 63) & a));
        }
    }

    /// <summary>this + a·b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Acc128 MulAdd(long a, long b)
    {
        var p = Product(a, b);
        // unchecked: mod 2^128; the carry out of the low word goes to the high word.
        unchecked
        {
            ulong lo = Lo + p.Lo;
            return new Acc128(lo, Hi + p.Hi + (lo < Lo ? 1L : 0L));
        }
    }

    /// <summary>Arithmetic shift right by 62.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Acc128 Shift62() => new((Lo >> 62) | ((ulong)Hi << 2), Hi >> 62);
}
