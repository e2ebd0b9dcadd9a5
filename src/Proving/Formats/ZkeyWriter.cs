using System.Numerics;
using System.Text;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>Everything a Groth16 zkey holds, in memory, for <see cref="ZkeyWriter"/>.</summary>
public sealed class ZkeyContents
{
    /// <summary>Witness variables including the constant 1.</summary>
    public required int NVars { get; init; }

    /// <summary>Public signals.</summary>
    public required int NPublic { get; init; }

    /// <summary>Domain size (power of two).</summary>
    public required int DomainSize { get; init; }

    /// <summary>α·G1.</summary>
    public required G1Affine Alpha1 { get; init; }

    /// <summary>β·G1.</summary>
    public required G1Affine Beta1 { get; init; }

    /// <summary>β·G2.</summary>
    public required G2Affine Beta2 { get; init; }

    /// <summary>γ·G2.</summary>
    public required G2Affine Gamma2 { get; init; }

    /// <summary>δ·G1.</summary>
    public required G1Affine Delta1 { get; init; }

    /// <summary>δ·G2.</summary>
    public required G2Affine Delta2 { get; init; }

    /// <summary>IC points (NPublic + 1).</summary>
    public required G1Affine[] IC { get; init; }

    /// <summary>QAP coefficients of A (matrix 0) and B (matrix 1), in file order.</summary>
    public required IReadOnlyList<(int Matrix, QapCoefficient Coefficient)> Coefficients { get; init; }

    /// <summary>A points (NVars).</summary>
    public required G1Affine[] A { get; init; }

    /// <summary>B points in G1 (NVars).</summary>
    public required G1Affine[] B1 { get; init; }

    /// <summary>B points in G2 (NVars).</summary>
    public required G2Affine[] B2 { get; init; }

    /// <summary>C points (NVars − NPublic − 1).</summary>
    public required G1Affine[] C { get; init; }

    /// <summary>H points (DomainSize).</summary>
    public required G1Affine[] H { get; init; }

    /// <summary>Name recorded in the single contribution entry of section 10.</summary>
    public required string ContributionName { get; init; }
}

/// <summary>Writes Groth16 zkeys in the snarkjs layout (see <see cref="ZkeyFile"/>).</summary>
public static class ZkeyWriter
{
    /// <summary>Writes <paramref name="z"/> to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">Array lengths do not match the declared sizes.</exception>
    public static void Write(string path, ZkeyContents z)
    {
        ArgumentNullException.ThrowIfNull(z);
        Check(z.IC.Length, z.NPublic + 1, "IC");
        Check(z.A.Length, z.NVars, "A");
        Check(z.B1.Length, z.NVars, "B1");
        Check(z.B2.Length, z.NVars, "B2");
        Check(z.C.Length, z.NVars - z.NPublic - 1, "C");
        Check(z.H.Length, z.DomainSize, "H");

        // Written next to the destination and moved into place, so a failure never leaves a truncated zkey behind.
        string tmp = path + ".partial";
        try
        {
            WriteSections(tmp, z);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            throw;
        }
    }

    private static void WriteSections(string path, ZkeyContents z)
    {
        using var w = new BinFileWriter(path, "zkey", 1, 10);
        w.BeginSection(ZkeyFile.SectionHeader);
        w.WriteU32(1);
        w.EndSection();

        w.BeginSection(ZkeyFile.SectionGroth16);
        w.WriteU32(Bn254Constants.N8);
        w.WriteBigInteger(Fq.Modulus, Bn254Constants.N8);
        w.WriteU32(Bn254Constants.N8);
        w.WriteBigInteger(Fr.Modulus, Bn254Constants.N8);
        w.WriteU32((uint)z.NVars);
        w.WriteU32((uint)z.NPublic);
        w.WriteU32((uint)z.DomainSize);
        WriteG1(w, z.Alpha1);
        WriteG1(w, z.Beta1);
        WriteG2(w, z.Beta2);
        WriteG2(w, z.Gamma2);
        WriteG1(w, z.Delta1);
        WriteG2(w, z.Delta2);
        w.EndSection();

        w.BeginSection(ZkeyFile.SectionIC);
        foreach (var p in z.IC) WriteG1(w, p);
        w.EndSection();

        // snarkjs stores each coefficient v as the canonical integer v·R² mod r (R = 2^256), see ZkeyFile.ReadCoefficients.
        var r2 = Fr.FromBigInteger(BigInteger.ModPow(BigInteger.One << 256, 2, Fr.Modulus));
        w.BeginSection(ZkeyFile.SectionCoeffs);
        w.WriteU32((uint)z.Coefficients.Count);
        Span<byte> val = stackalloc byte[Bn254Constants.N8];
        foreach (var (m, c) in z.Coefficients)
        {
            w.WriteU32((uint)m);
            w.WriteU32((uint)c.Constraint);
            w.WriteU32((uint)c.Signal);
            (c.Value * r2).WriteLittleEndian(val, montgomery: false);
            w.Write(val);
        }

        w.EndSection();

        WriteG1Section(w, ZkeyFile.SectionA, z.A);
        WriteG1Section(w, ZkeyFile.SectionB1, z.B1);
        w.BeginSection(ZkeyFile.SectionB2);
        foreach (var p in z.B2) WriteG2(w, p);
        w.EndSection();
        WriteG1Section(w, ZkeyFile.SectionC, z.C);
        WriteG1Section(w, ZkeyFile.SectionH, z.H);

        // Contributions: a zero circuit hash and one record that carries only the name (no MPC proof of knowledge).
        w.BeginSection(ZkeyFile.SectionContributions);
        w.Write(new byte[64]);
        w.WriteU32(1);
        WriteG1(w, z.Delta1);
        w.Write(new byte[2 * Bn254Constants.G1Size + Bn254Constants.G2Size + 64]);
        w.WriteU32(0);
        var name = Encoding.UTF8.GetBytes(z.ContributionName.Length > 64 ? z.ContributionName[..64] : z.ContributionName);
        if (name.Length > 255) name = name[..255];
        w.WriteU32((uint)(2 + name.Length));
        w.Write([1, (byte)name.Length]);
        w.Write(name);
        w.EndSection();
    }

    private static void Check(int actual, int expected, string what)
    {
        if (actual != expected) throw new ArgumentException($"{what} has {actual} points, expected {expected}");
    }

    private static void WriteG1Section(BinFileWriter w, uint id, G1Affine[] pts)
    {
        w.BeginSection(id);
        var buf = new byte[Bn254Constants.G1Size * 4096];
        for (int start = 0; start < pts.Length; start += 4096)
        {
            int n = Math.Min(4096, pts.Length - start);
            for (int i = 0; i < n; i++) PointCodec.WriteG1(pts[start + i], buf.AsSpan(i * Bn254Constants.G1Size));
            w.Write(buf.AsSpan(0, n * Bn254Constants.G1Size));
        }

        w.EndSection();
    }

    private static void WriteG1(BinFileWriter w, in G1Affine p)
    {
        Span<byte> b = stackalloc byte[Bn254Constants.G1Size];
        PointCodec.WriteG1(p, b);
        w.Write(b);
    }

    private static void WriteG2(BinFileWriter w, in G2Affine p)
    {
        Span<byte> b = stackalloc byte[Bn254Constants.G2Size];
        PointCodec.WriteG2(p, b);
        w.Write(b);
    }
}
