using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
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

        // The values are read straight into the array as canonical limbs, checked, then moved to Montgomery form in
        // bulk (eight at a time where the CPU has AVX-512): x * R^2 * R^-1 = x * R.
        var values = GC.AllocateUninitializedArray<Fr>((int)count);
        file.Read(data, 0, MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < values.Length; i++)
            {
                var le = MemoryMarshal.AsBytes(values.AsSpan(i, 1));
                var v = new U256(BinaryPrimitives.ReadUInt64LittleEndian(le), BinaryPrimitives.ReadUInt64LittleEndian(le[8..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(le[16..]), BinaryPrimitives.ReadUInt64LittleEndian(le[24..]));
                values[i] = new Fr(v);
            }
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (!Mont<FrParams>.IsBelowModulus(values[i].V))
                throw file.Error($"witness value {i} is not below the field prime");
        }
        FrVector8Ops.Scale(values, new Fr(FrParams.R2));

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
