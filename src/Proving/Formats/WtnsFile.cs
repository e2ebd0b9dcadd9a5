using System.Buffers.Binary;
using System.Numerics;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>
/// circom/snarkjs witness file (<c>.wtns</c>, version 2): section 1 = <c>n8, prime, nWitness</c>; section 2 = the
/// witness values as canonical little-endian <c>n8</c>-byte integers. Signal 0 is the constant 1, followed by the
/// public outputs, the public inputs, then the private signals.
/// </summary>
public static class WtnsFile
{
    private const uint HeaderSection = 1;
    private const uint DataSection = 2;

    /// <summary>Reads and validates a witness over the BN254 scalar field.</summary>
    /// <exception cref="ProvingFormatException">Missing, truncated or corrupt file, another prime, or a value not below r.</exception>
    public static Fr[] Read(string path)
    {
        using var file = BinFile.Open(path, "wtns", 2);
        var header = file.ReadAll(file.Section(HeaderSection));
        if (header.Length < 4) throw file.Error("header section is truncated");
        int n8 = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(header));
        if (header.Length != 4 + n8 + 4) throw file.Error($"header section has {header.Length} bytes, expected {4 + n8 + 4} for n8={n8}");
        var prime = Bn254Constants.ReadLittleEndian(header.AsSpan(4, n8));
        if (prime != Fr.Modulus || n8 != Bn254Constants.N8)
            throw file.Error($"witness is over {Bn254Constants.Describe(prime)}, expected the BN254 scalar field (bn128)");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4 + n8));
        if (count == 0) throw file.Error("witness is empty");
        var data = file.Section(DataSection, (long)count * n8, $"{count} witness values");

        var values = GC.AllocateUninitializedArray<Fr>((int)count);
        var buf = new byte[Math.Min((long)count * n8, 1 << 20)];
        int perChunk = buf.Length / n8;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            int n = Math.Min(perChunk, values.Length - start);
            var span = buf.AsSpan(0, n * n8);
            file.Read(data, (long)start * n8, span);
            for (int i = 0; i < n; i++)
            {
                if (!Fr.TryReadLittleEndian(span.Slice(i * n8, n8), montgomery: false, out values[start + i]))
                    throw file.Error($"witness value {start + i} is not below the field prime");
            }
        }

        if (!values[0].IsOne) throw file.Error("witness signal 0 must be the constant 1");
        return values;
    }

    /// <summary>Writes a witness in the snarkjs layout (version 2).</summary>
    public static void Write(string path, ReadOnlySpan<Fr> witness)
    {
        using var w = new BinFileWriter(path, "wtns", 2, 2);
        w.BeginSection(HeaderSection);
        w.WriteU32(Bn254Constants.N8);
        w.WriteBigInteger(Fr.Modulus, Bn254Constants.N8);
        w.WriteU32((uint)witness.Length);
        w.EndSection();
        w.BeginSection(DataSection);
        Span<byte> b = stackalloc byte[Bn254Constants.N8];
        foreach (var v in witness)
        {
            v.WriteLittleEndian(b, montgomery: false);
            w.Write(b);
        }

        w.EndSection();
    }

    /// <summary>Public signals (indices 1..nPublic) as integers.</summary>
    public static BigInteger[] PublicSignals(ReadOnlySpan<Fr> witness, int nPublic)
    {
        var res = new BigInteger[nPublic];
        for (int i = 0; i < nPublic; i++) res[i] = witness[i + 1].ToBigInteger();
        return res;
    }
}
