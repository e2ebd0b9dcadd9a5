using System.Buffers.Binary;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>
/// snarkjs powers-of-tau file (<c>.ptau</c>) prepared for phase 2. Sections used: 1 header (n8, q, power,
/// ceremonyPower), 4 ατ^i·G1 (index 0 = α·G1), 5 βτ^i·G1 (index 0 = β·G1), 6 β·G2, and the Lagrange-basis sections
/// 12 (τ·G1), 13 (τ·G2), 14 (ατ·G1), 15 (βτ·G1), which hold the evaluations for every domain 2^0 .. 2^power (2^(power+1)
/// for section 12) back to back, so the domain of size n starts at point n − 1.
/// </summary>
public sealed class PtauFile : IDisposable
{
    private readonly BinFile _file;

    private PtauFile(BinFile file, int power)
    {
        _file = file;
        Power = power;
    }

    /// <summary>Path.</summary>
    public string Path => _file.Path;

    /// <summary>log2 of the largest supported domain.</summary>
    public int Power { get; }

    /// <summary>Opens and validates a BN254 phase-2-prepared ptau.</summary>
    /// <exception cref="ProvingFormatException">Missing, corrupt, other curve, or not prepared for phase 2.</exception>
    public static PtauFile Open(string path)
    {
        var f = BinFile.Open(path, "ptau", 1);
        try
        {
            var h = f.ReadAll(f.Section(1));
            if (h.Length < 4) throw f.Error("header section is truncated");
            int n8 = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(h), 1024);
            if (h.Length != 4 + n8 + 8) throw f.Error($"header section has {h.Length} bytes, expected {4 + n8 + 8}");
            var q = Bn254Constants.ReadLittleEndian(h.AsSpan(4, n8));
            if (q != Fq.Modulus) throw f.Error($"powers of tau are over {Bn254Constants.Describe(q)}, expected BN254 (bn128)");
            int power = (int)BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(4 + n8));
            if (power < 1 || power > Fr.TwoAdicity) throw f.Error($"power {power} is out of range");
            if (!f.HasSection(12) || !f.HasSection(13) || !f.HasSection(14) || !f.HasSection(15))
                throw f.Error("not prepared for phase 2 (run `snarkjs powersoftau prepare phase2` first)");
            long lagrange1 = ((2L << power) - 1) * Bn254Constants.G1Size;
            f.Section(12, lagrange1 + (2L << power) * Bn254Constants.G1Size, "Lagrange tau G1");
            f.Section(13, lagrange1 * 2, "Lagrange tau G2");
            f.Section(14, lagrange1, "Lagrange alpha tau G1");
            f.Section(15, lagrange1, "Lagrange beta tau G1");
            return new PtauFile(f, power);
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>First point of a monomial section (4: α·G1, 5: β·G1).</summary>
    public G1Affine FirstG1(uint section)
    {
        var p = new G1Affine[1];
        PointCodec.ReadG1Points(_file, _file.Section(section), 0, p, $"section {section}");
        return p[0];
    }

    /// <summary>β·G2 (section 6).</summary>
    public G2Affine BetaG2()
    {
        var p = new G2Affine[1];
        PointCodec.ReadG2Points(_file, _file.Section(6), 0, p, "beta G2");
        return p[0];
    }

    /// <summary>Lagrange-basis G1 points of section 12, 14 or 15 for the domain of size <paramref name="n"/>.</summary>
    public G1Affine[] LagrangeG1(uint section, int n)
    {
        if (n > (section == 12 ? 2 << Power : 1 << Power)) throw _file.Error($"domain {n} exceeds this ceremony (power {Power})");
        var pts = new G1Affine[n];
        PointCodec.ReadG1Points(_file, _file.Section(section), n - 1, pts, $"Lagrange section {section}");
        return pts;
    }

    /// <summary>Lagrange-basis τ·G2 points (section 13) for the domain of size <paramref name="n"/>.</summary>
    public G2Affine[] LagrangeG2(int n)
    {
        if (n > 1 << Power) throw _file.Error($"domain {n} exceeds this ceremony (power {Power})");
        var pts = new G2Affine[n];
        PointCodec.ReadG2Points(_file, _file.Section(13), n - 1, pts, "Lagrange section 13");
        return pts;
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
