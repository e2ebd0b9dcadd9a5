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
        ReadPoints(file, section, firstPoint, dst, what, Bn254Constants.G1Size, TryReadG1, "G1");

    /// <summary>G2 counterpart of <see cref="ReadG1Points"/>.</summary>
    public static void ReadG2Points(BinFile file, in BinSection section, long firstPoint, Span<G2Affine> dst, string what) =>
        ReadPoints(file, section, firstPoint, dst, what, Bn254Constants.G2Size, TryReadG2, "G2");

    private delegate bool PointReader<T>(ReadOnlySpan<byte> src, out T point);

    private static void ReadPoints<T>(BinFile file, in BinSection section, long firstPoint, Span<T> dst, string what, int size,
        PointReader<T> tryRead, string group)
    {
        var buf = new byte[Math.Min(Math.Max(dst.Length, 1) * size, 1 << 20)];
        int per = buf.Length / size;
        for (int start = 0; start < dst.Length; start += per)
        {
            int n = Math.Min(per, dst.Length - start);
            var span = buf.AsSpan(0, n * size);
            file.Read(section, (firstPoint + start) * size, span);
            for (int i = 0; i < n; i++)
            {
                if (!tryRead(span.Slice(i * size, size), out dst[start + i]))
                    throw file.Error($"{what} point {firstPoint + start + i} is not a valid {group} point (corrupt file?)");
            }
        }
    }
}
