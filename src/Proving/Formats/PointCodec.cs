using System.Buffers;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>
/// snarkjs "LEM" point encoding: affine coordinates as little-endian Montgomery field elements (G1: x, y; G2: x.c0, x.c1,
/// y.c0, y.c1). The point at infinity is all zero bytes.
/// </summary>
public static class PointCodec
{
    /// <summary>Decodes a G1 point; false when a coordinate is not below q or the point is not on the curve.</summary>
    public static bool TryReadG1(ReadOnlySpan<byte> src, out G1Affine point)
    {
        point = G1Affine.Infinity;
        if (!Fq.TryReadLittleEndian(src[..32], true, out var x) || !Fq.TryReadLittleEndian(src.Slice(32, 32), true, out var y))
            return false;
        if (x.IsZero && y.IsZero) return true;
        point = new G1Affine(x, y);
        return point.IsOnCurve();
    }

    /// <summary>Decodes a G2 point; false when a coordinate is not below q or the point is not on the twist.</summary>
    public static bool TryReadG2(ReadOnlySpan<byte> src, out G2Affine point)
    {
        point = G2Affine.Infinity;
        if (!Fq.TryReadLittleEndian(src[..32], true, out var x0) || !Fq.TryReadLittleEndian(src.Slice(32, 32), true, out var x1) ||
            !Fq.TryReadLittleEndian(src.Slice(64, 32), true, out var y0) || !Fq.TryReadLittleEndian(src.Slice(96, 32), true, out var y1))
            return false;
        if (x0.IsZero && x1.IsZero && y0.IsZero && y1.IsZero) return true;
        point = new G2Affine(new Fq2(x0, x1), new Fq2(y0, y1));
        return point.IsOnCurve();
    }

    /// <summary>Encodes a G1 point (64 bytes).</summary>
    public static void WriteG1(in G1Affine p, Span<byte> dst)
    {
        if (p.IsInfinity)
        {
            dst[..Bn254Constants.G1Size].Clear();
            return;
        }

        p.X.WriteLittleEndian(dst[..32], true);
        p.Y.WriteLittleEndian(dst.Slice(32, 32), true);
    }

    /// <summary>Encodes a G2 point (128 bytes).</summary>
    public static void WriteG2(in G2Affine p, Span<byte> dst)
    {
        if (p.IsInfinity)
        {
            dst[..Bn254Constants.G2Size].Clear();
            return;
        }

        p.X.C0.WriteLittleEndian(dst[..32], true);
        p.X.C1.WriteLittleEndian(dst.Slice(32, 32), true);
        p.Y.C0.WriteLittleEndian(dst.Slice(64, 32), true);
        p.Y.C1.WriteLittleEndian(dst.Slice(96, 32), true);
    }

    /// <summary>
    /// Streams <c>dst.Length</c> G1 points from <paramref name="section"/> of <paramref name="file"/> (starting at point
    /// <paramref name="firstPoint"/>) straight into <paramref name="dst"/>, through a bounded reusable buffer.
    /// </summary>
    /// <exception cref="ProvingFormatException">A point is malformed or off the curve.</exception>
    public static void ReadG1Points(BinFile file, in BinSection section, long firstPoint, Span<G1Affine> dst, string what) =>
        ReadPoints(file, section, firstPoint, dst, what, Bn254Constants.G1Size, DecodeG1, "G1");

    /// <summary>G2 counterpart of <see cref="ReadG1Points"/>.</summary>
    public static void ReadG2Points(BinFile file, in BinSection section, long firstPoint, Span<G2Affine> dst, string what) =>
        ReadPoints(file, section, firstPoint, dst, what, Bn254Constants.G2Size, DecodeG2, "G2");

    private delegate int BulkDecoder<T>(ReadOnlySpan<byte> src, Span<T> dst, bool allowVector);

    private static void ReadPoints<T>(BinFile file, in BinSection section, long firstPoint, Span<T> dst, string what, int size,
        BulkDecoder<T> decode, string group)
    {
        // A pooled staging buffer, small: each thread that reads keeps its own, and every page of it is faulted in once
        // (128 KiB: 32 pages; a megabyte was 256, for no fewer system calls worth having).
        var buf = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(dst.Length, 1) * size, 1 << 17));
        try
        {
            int per = buf.Length / size;
            for (int start = 0; start < dst.Length; start += per)
            {
                int n = Math.Min(per, dst.Length - start);
                var span = buf.AsSpan(0, n * size);
                file.Read(section, (firstPoint + start) * size, span);
                int bad = decode(span, dst.Slice(start, n), true);
                if (bad >= 0)
                    throw file.Error($"{what} point {firstPoint + start + bad} is not a valid {group} point (corrupt file?)");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Decodes <c>dst.Length</c> consecutive G1 points (64 bytes each) into <paramref name="dst"/>: the same result and
    /// checks as <see cref="TryReadG1"/> per point, with the curve equation checked eight points at a time on the 8-lane
    /// field when the CPU has it (<paramref name="allowVector"/> false forces the scalar path; tests compare both).
    /// </summary>
    /// <returns>The index of the first invalid point, or -1.</returns>
    internal static unsafe int DecodeG1(ReadOnlySpan<byte> src, Span<G1Affine> dst, bool allowVector = true)
    {
        int n = dst.Length, i = 0;
        if (src.Length < n * Bn254Constants.G1Size) throw new ArgumentException("source shorter than the points", nameof(src));
        if (allowVector && FqVector8Ops.IsSupported && BitConverter.IsLittleEndian)
        {
            // Packed coordinates of eight points: x, y (32 words each).
            ulong* c = stackalloc ulong[64];
            fixed (byte* pb = src)
            {
                var words = (ulong*)pb;
                for (; i + 8 <= n; i += 8)
                {
                    ulong* p = words + i * 8;
                    uint invalid = GatherEight(p, 2, c, out uint infinity);
                    for (int k = 0; k < 8; k++)
                    {
                        ulong* q = p + k * 8;
                        dst[i + k] = (infinity & (1u << k)) != 0
                            ? G1Affine.Infinity
                            : new G1Affine(new Fq(new U256(q[0], q[1], q[2], q[3])), new Fq(new U256(q[4], q[5], q[6], q[7])));
                    }
                    invalid |= OffCurveG1(c) & ~infinity;
                    if (invalid != 0) return i + System.Numerics.BitOperations.TrailingZeroCount(invalid);
                }
            }
        }
        for (; i < n; i++)
        {
            if (!TryReadG1(src.Slice(i * Bn254Constants.G1Size, Bn254Constants.G1Size), out dst[i])) return i;
        }
        return -1;
    }

    /// <summary>G2 counterpart of <see cref="DecodeG1"/> (128 bytes per point, the twist's equation).</summary>
    internal static unsafe int DecodeG2(ReadOnlySpan<byte> src, Span<G2Affine> dst, bool allowVector = true)
    {
        int n = dst.Length, i = 0;
        if (src.Length < n * Bn254Constants.G2Size) throw new ArgumentException("source shorter than the points", nameof(src));
        if (allowVector && FqVector8Ops.IsSupported && BitConverter.IsLittleEndian)
        {
            // Packed coordinates of eight points: x.c0, x.c1, y.c0, y.c1 (32 words each).
            ulong* c = stackalloc ulong[128];
            fixed (byte* pb = src)
            {
                var words = (ulong*)pb;
                for (; i + 8 <= n; i += 8)
                {
                    ulong* p = words + i * 16;
                    uint invalid = GatherEight(p, 4, c, out uint infinity);
                    for (int k = 0; k < 8; k++)
                    {
                        ulong* q = p + k * 16;
                        dst[i + k] = (infinity & (1u << k)) != 0
                            ? G2Affine.Infinity
                            : new G2Affine(
                                new Fq2(new Fq(new U256(q[0], q[1], q[2], q[3])), new Fq(new U256(q[4], q[5], q[6], q[7]))),
                                new Fq2(new Fq(new U256(q[8], q[9], q[10], q[11])), new Fq(new U256(q[12], q[13], q[14], q[15]))));
                    }
                    invalid |= OffCurveG2(c) & ~infinity;
                    if (invalid != 0) return i + System.Numerics.BitOperations.TrailingZeroCount(invalid);
                }
            }
        }
        for (; i < n; i++)
        {
            if (!TryReadG2(src.Slice(i * Bn254Constants.G2Size, Bn254Constants.G2Size), out dst[i])) return i;
        }
        return -1;
    }

    /// <summary>
    /// Gathers eight consecutive points of <paramref name="parts"/> field elements each (four words per element, the
    /// point at <paramref name="p"/> + 4·parts·k) into <paramref name="c"/>, element j of point k at c[32 j + 4 k].
    /// Returns the points (bit k) with an element not below q; <paramref name="infinity"/> gets the all-zero ones.
    /// </summary>
    private static unsafe uint GatherEight(ulong* p, int parts, ulong* c, out uint infinity)
    {
        uint invalid = 0;
        infinity = 0;
        for (int k = 0; k < 8; k++)
        {
            ulong any = 0;
            for (int part = 0; part < parts; part++)
            {
                ulong* e = p + (k * parts + part) * 4;
                if (!Mont<FqParams>.IsBelowModulus(new U256(e[0], e[1], e[2], e[3]))) invalid |= 1u << k;
                any |= e[0] | e[1] | e[2] | e[3];
                for (int l = 0; l < 4; l++) c[part * 32 + k * 4 + l] = e[l];
            }
            if (any == 0) infinity |= 1u << k;
        }
        return invalid;
    }

    /// <summary>The curve constants in lane form, in their own class so that only the 8-lane path initialises them.</summary>
    private static class Lanes
    {
        public static readonly FqVector8 B1 = FqVector8Ops.Broadcast(G1Affine.B);
        public static readonly Fq2Vector8 B2 = Fq2Vector8Ops.Broadcast(G2Affine.B);
    }

    /// <summary>Lanes (bit k) whose packed (x, y) is not on y^2 = x^3 + 3.</summary>
    private static unsafe uint OffCurveG1(ulong* c)
    {
        MontVector8Ops<FqParams>.LoadPacked(c, out FqVector8 x);
        MontVector8Ops<FqParams>.LoadPacked(c + 32, out FqVector8 y);
        FqVector8Ops.Mul(x, x, out FqVector8 t);
        FqVector8Ops.Mul(t, x, out t);
        FqVector8Ops.Add(t, Lanes.B1, out t);
        FqVector8Ops.Mul(y, y, out y);
        FqVector8Ops.Sub(y, t, out t);
        return ~FqVector8Ops.ZeroMask(t) & 0xFF;
    }

    /// <summary>Lanes (bit k) whose packed (x, y) is not on the twist y^2 = x^3 + b'.</summary>
    private static unsafe uint OffCurveG2(ulong* c)
    {
        Fq2Vector8 x, y;
        MontVector8Ops<FqParams>.LoadPacked(c, out x.C0);
        MontVector8Ops<FqParams>.LoadPacked(c + 32, out x.C1);
        MontVector8Ops<FqParams>.LoadPacked(c + 64, out y.C0);
        MontVector8Ops<FqParams>.LoadPacked(c + 96, out y.C1);
        Fq2Vector8Ops.Square(x, out Fq2Vector8 t);
        Fq2Vector8Ops.Mul(t, x, out t);
        Fq2Vector8Ops.Add(t, Lanes.B2, out t);
        Fq2Vector8Ops.Square(y, out y);
        Fq2Vector8Ops.Sub(y, t, out t);
        return ~Fq2Vector8Ops.ZeroMask(t) & 0xFF;
    }
}
