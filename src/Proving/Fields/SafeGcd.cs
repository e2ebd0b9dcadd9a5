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

    /// <summary>R^3 mod M: a Montgomery product of the plain inverse of x·R with it gives x^-1·R.</summary>
    private static readonly U256 R3 = U256.FromBigInteger(BigInteger.ModPow(BigInteger.One << 256, 3, new U256(TP.P0, TP.P1, TP.P2, TP.P3).ToBigInteger()));

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
        Int128 cf = (Int128)u * f[0] + (Int128)v * g[0];
        Int128 cg = (Int128)q * f[0] + (Int128)r * g[0];
        Debug.Assert(((ulong)cf & M62) == 0 && ((ulong)cg & M62) == 0, "divsteps left low bits in f or g");
        cf >>= 62;
        cg >>= 62;
        for (int i = 1; i < 5; i++)
        {
            cf += (Int128)u * f[i] + (Int128)v * g[i];
            cg += (Int128)q * f[i] + (Int128)r * g[i];
            f[i - 1] = (long)((ulong)cf & M62);
            g[i - 1] = (long)((ulong)cg & M62);
            cf >>= 62;
            cg >>= 62;
        }
        f[4] = (long)cf;
        g[4] = (long)cg;
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
        Int128 cd = (Int128)u * d[0] + (Int128)v * e[0];
        Int128 ce = (Int128)q * d[0] + (Int128)r * e[0];
        // unchecked: arithmetic mod 2^62 on the low bits.
        unchecked
        {
            md -= (long)((ModulusInv62 * (ulong)cd + (ulong)md) & M62);
            me -= (long)((ModulusInv62 * (ulong)ce + (ulong)me) & M62);
        }
        cd += (Int128)Modulus[0] * md;
        ce += (Int128)Modulus[0] * me;
        Debug.Assert(((ulong)cd & M62) == 0 && ((ulong)ce & M62) == 0, "d or e not divisible by 2^62");
        cd >>= 62;
        ce >>= 62;
        for (int i = 1; i < 5; i++)
        {
            cd += (Int128)u * d[i] + (Int128)v * e[i] + (Int128)Modulus[i] * md;
            ce += (Int128)q * d[i] + (Int128)r * e[i] + (Int128)Modulus[i] * me;
            d[i - 1] = (long)((ulong)cd & M62);
            e[i - 1] = (long)((ulong)ce & M62);
            cd >>= 62;
            ce >>= 62;
        }
        d[4] = (long)cd;
        e[4] = (long)ce;
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
