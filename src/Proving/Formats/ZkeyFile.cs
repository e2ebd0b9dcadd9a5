using System.Buffers.Binary;
using System.Numerics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>One entry of the zkey coefficients section: <c>matrix[constraint] += value · w[signal]</c>.</summary>
/// <param name="Constraint">Row (evaluation-domain index).</param>
/// <param name="Signal">Witness index.</param>
/// <param name="Value">Coefficient (plain value, the on-disk Montgomery scaling removed).</param>
public readonly record struct QapCoefficient(int Constraint, int Signal, Fr Value);

/// <summary>
/// Groth16 proving key in the snarkjs <c>.zkey</c> format. Sections: 1 header (protocol 1 = Groth16), 2 Groth16 header
/// (n8q, q, n8r, r, nVars, nPublic, domainSize, alpha1, beta1, beta2, gamma2, delta1, delta2), 3 IC, 4 coefficients,
/// 5 A, 6 B1, 7 B2, 8 C, 9 H, 10 contributions. Points are affine little-endian Montgomery ("LEM").
/// Opening reads only the headers; point sections are streamed on demand into caller-provided spans.
/// </summary>
public sealed class ZkeyFile : IDisposable
{
    /// <summary>Section ids.</summary>
    public const uint SectionHeader = 1, SectionGroth16 = 2, SectionIC = 3, SectionCoeffs = 4, SectionA = 5, SectionB1 = 6,
        SectionB2 = 7, SectionC = 8, SectionH = 9, SectionContributions = 10;

    private const int CoeffSize = 12 + Bn254Constants.N8;
    private readonly BinFile _file;

    private ZkeyFile(BinFile file) => _file = file;

    /// <summary>File path.</summary>
    public string Path => _file.Path;

    /// <summary>Size of the file in bytes.</summary>
    public long FileSize => _file.Length;

    /// <summary>Number of witness variables including the constant 1.</summary>
    public int NVars { get; private set; }

    /// <summary>Number of public signals (excluding the constant 1).</summary>
    public int NPublic { get; private set; }

    /// <summary>Evaluation domain size (a power of two).</summary>
    public int DomainSize { get; private set; }

    /// <summary>log2 of <see cref="DomainSize"/>.</summary>
    public int DomainLog2 { get; private set; }

    /// <summary>α·G1.</summary>
    public G1Affine Alpha1 { get; private set; }

    /// <summary>β·G1.</summary>
    public G1Affine Beta1 { get; private set; }

    /// <summary>β·G2.</summary>
    public G2Affine Beta2 { get; private set; }

    /// <summary>γ·G2.</summary>
    public G2Affine Gamma2 { get; private set; }

    /// <summary>δ·G1.</summary>
    public G1Affine Delta1 { get; private set; }

    /// <summary>δ·G2.</summary>
    public G2Affine Delta2 { get; private set; }

    /// <summary>Number of entries of the coefficients section.</summary>
    public int CoefficientCount { get; private set; }

    /// <summary>Opens and validates the headers and section sizes of a Groth16 BN254 zkey.</summary>
    /// <exception cref="ProvingFormatException">Missing, truncated, corrupt, not Groth16, or not BN254.</exception>
    public static ZkeyFile Open(string path)
    {
        var file = BinFile.Open(path, "zkey", 2);
        try
        {
            var z = new ZkeyFile(file);
            z.ReadHeaders();
            return z;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private void ReadHeaders()
    {
        var h1 = _file.ReadAll(_file.Section(SectionHeader, 4, "protocol header"));
        uint protocol = BinaryPrimitives.ReadUInt32LittleEndian(h1);
        if (protocol != 1) throw _file.Error($"protocol id {protocol} is not Groth16 (1); plonk/fflonk keys are not supported");

        var g = _file.ReadAll(_file.Section(SectionGroth16));
        int pos = 0;
        uint ReadU32()
        {
            if (pos + 4 > g.Length) throw _file.Error("Groth16 header section is truncated");
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(g.AsSpan(pos));
            pos += 4;
            return v;
        }

        BigInteger ReadBig(int n8)
        {
            if (n8 <= 0 || n8 > 1024 || pos + n8 > g.Length) throw _file.Error("Groth16 header section is truncated");
            var v = Bn254Constants.ReadLittleEndian(g.AsSpan(pos, n8));
            pos += n8;
            return v;
        }

        int n8q = (int)Math.Min(ReadU32(), int.MaxValue);
        var q = ReadBig(n8q);
        int n8r = (int)Math.Min(ReadU32(), int.MaxValue);
        var r = ReadBig(n8r);
        if (q != Fq.Modulus || r != Fr.Modulus || n8q != 32 || n8r != 32)
            throw _file.Error($"proving key is for curve with base {Bn254Constants.Describe(q)}, expected BN254 (bn128)");
        uint nVars = ReadU32(), nPublic = ReadU32(), domain = ReadU32();
        if (nVars == 0 || nVars > int.MaxValue || nPublic >= nVars)
            throw _file.Error($"inconsistent header: nVars={nVars}, nPublic={nPublic}");
        if (domain == 0 || (domain & (domain - 1)) != 0 || BitOperations.Log2(domain) > Fr.TwoAdicity)
            throw _file.Error($"domain size {domain} is not a power of two within 2^{Fr.TwoAdicity}");
        NVars = (int)nVars;
        NPublic = (int)nPublic;
        DomainSize = (int)domain;
        DomainLog2 = BitOperations.Log2(domain);
        if (g.Length != pos + 3 * Bn254Constants.G1Size + 3 * Bn254Constants.G2Size)
            throw _file.Error($"Groth16 header section has {g.Length} bytes, expected {pos + 3 * Bn254Constants.G1Size + 3 * Bn254Constants.G2Size}");
        Alpha1 = G1(g, ref pos, "alpha1");
        Beta1 = G1(g, ref pos, "beta1");
        Beta2 = G2(g, ref pos, "beta2");
        Gamma2 = G2(g, ref pos, "gamma2");
        Delta1 = G1(g, ref pos, "delta1");
        Delta2 = G2(g, ref pos, "delta2");

        _file.Section(SectionIC, (long)(NPublic + 1) * Bn254Constants.G1Size, "IC");
        _file.Section(SectionA, (long)NVars * Bn254Constants.G1Size, "A points");
        _file.Section(SectionB1, (long)NVars * Bn254Constants.G1Size, "B1 points");
        _file.Section(SectionB2, (long)NVars * Bn254Constants.G2Size, "B2 points");
        _file.Section(SectionC, (long)(NVars - NPublic - 1) * Bn254Constants.G1Size, "C points");
        _file.Section(SectionH, (long)DomainSize * Bn254Constants.G1Size, "H points");
        var coeffs = _file.Section(SectionCoeffs);
        Span<byte> cnt = stackalloc byte[4];
        if (coeffs.Size < 4) throw _file.Error("coefficients section is truncated");
        _file.Read(coeffs, 0, cnt);
        uint nCoeffs = BinaryPrimitives.ReadUInt32LittleEndian(cnt);
        if (coeffs.Size != 4 + (long)nCoeffs * CoeffSize)
            throw _file.Error($"coefficients section has {coeffs.Size} bytes, expected {4 + (long)nCoeffs * CoeffSize} for {nCoeffs} entries");
        CoefficientCount = checked((int)nCoeffs);
    }

    private G1Affine G1(byte[] g, ref int pos, string what)
    {
        if (!PointCodec.TryReadG1(g.AsSpan(pos, Bn254Constants.G1Size), out var p)) throw _file.Error($"{what} is not a valid G1 point");
        pos += Bn254Constants.G1Size;
        return p;
    }

    private G2Affine G2(byte[] g, ref int pos, string what)
    {
        if (!PointCodec.TryReadG2(g.AsSpan(pos, Bn254Constants.G2Size), out var p)) throw _file.Error($"{what} is not a valid G2 point");
        pos += Bn254Constants.G2Size;
        return p;
    }

    /// <summary>Reads the IC points (<see cref="NPublic"/> + 1 of them).</summary>
    public G1Affine[] ReadIC()
    {
        var ic = new G1Affine[NPublic + 1];
        PointCodec.ReadG1Points(_file, _file.Section(SectionIC), 0, ic, "IC");
        return ic;
    }

    /// <summary>Streams a G1 point section (A, B1, C or H) into <paramref name="dst"/>, which must have its exact length.</summary>
    public void ReadG1Section(uint section, Span<G1Affine> dst)
    {
        long expected = G1PointCount(section);
        if (dst.Length != expected) throw new ArgumentException($"section {section} holds {expected} points, span has {dst.Length}", nameof(dst));
        PointCodec.ReadG1Points(_file, _file.Section(section), 0, dst, SectionName(section));
    }

    /// <summary>Reads <paramref name="dst"/>.Length points of a G1 section (A, B1, C or H) from point <paramref name="start"/> on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the section.</exception>
    public void ReadG1Points(uint section, int start, Span<G1Affine> dst)
    {
        long count = G1PointCount(section);
        if (start < 0 || start + (long)dst.Length > count)
            throw new ArgumentOutOfRangeException(nameof(start), $"points [{start}, {start + (long)dst.Length}) are not inside section {section}'s {count}");
        PointCodec.ReadG1Points(_file, _file.Section(section), start, dst, SectionName(section));
    }

    /// <summary>Reads <paramref name="dst"/>.Length B2 (G2) points from point <paramref name="start"/> on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the section.</exception>
    public void ReadB2Points(int start, Span<G2Affine> dst)
    {
        if (start < 0 || start + (long)dst.Length > NVars)
            throw new ArgumentOutOfRangeException(nameof(start), $"points [{start}, {start + (long)dst.Length}) are not inside B2's {NVars}");
        PointCodec.ReadG2Points(_file, _file.Section(SectionB2), start, dst, "B2");
    }

    /// <summary>How many points a G1 section (A, B1, C, H or IC) holds.</summary>
    private long G1PointCount(uint section) => section switch
    {
        SectionA or SectionB1 => NVars,
        SectionC => NVars - NPublic - 1,
        SectionH => DomainSize,
        SectionIC => NPublic + 1,
        _ => throw new ArgumentOutOfRangeException(nameof(section), $"section {section} does not hold G1 points"),
    };

    /// <summary>Streams the B2 (G2) points into <paramref name="dst"/> (length <see cref="NVars"/>).</summary>
    public void ReadB2(Span<G2Affine> dst)
    {
        if (dst.Length != NVars) throw new ArgumentException($"B2 holds {NVars} points, span has {dst.Length}", nameof(dst));
        PointCodec.ReadG2Points(_file, _file.Section(SectionB2), 0, dst, "B2");
    }

    /// <summary>
    /// Reads the QAP coefficients, split by matrix (A = 0, B = 1). snarkjs stores each value <c>v</c> as the canonical
    /// integer <c>v·R² mod r</c> (R = 2^256) so its Montgomery multiplication by a canonical witness yields Montgomery
    /// results; here the factor is removed, so <see cref="QapCoefficient.Value"/> is the plain coefficient.
    /// </summary>
    /// <exception cref="ProvingFormatException">An entry references a row, signal or matrix out of range.</exception>
    public (QapCoefficient[] A, QapCoefficient[] B) ReadCoefficients()
    {
        var section = _file.Section(SectionCoeffs);
        var a = new List<QapCoefficient>(CoefficientCount / 2 + 1);
        var b = new List<QapCoefficient>(CoefficientCount / 2 + 1);
        var rInv = RInverse;
        var (buf, chunk) = CoefficientBuffers(1 << 20);
        for (int start = 0; start < CoefficientCount; start += chunk.Length)
        {
            int n = ReadCoefficientChunk(section, start, buf, chunk);
            for (int i = 0; i < n; i++)
            {
                var e = chunk[i];
                // The stored integer v·R² read as a Montgomery limb vector is the field element v·R; times R⁻¹ is v.
                (e.Matrix == 0 ? a : b).Add(new QapCoefficient(e.Row, e.Signal, e.Value * rInv));
            }
        }

        return (a.ToArray(), b.ToArray());
    }

    /// <summary>
    /// Streams the coefficients section and accumulates <c>a[row] += v·w[signal]</c> (matrix A) and <c>b[row] += v·w[signal]</c>
    /// (matrix B) without materialising the coefficient list; spans must have <see cref="DomainSize"/> entries.
    /// </summary>
    /// <exception cref="ProvingFormatException">An entry is out of range or not a field element.</exception>
    public void AccumulateQap(ReadOnlySpan<Fr> witness, Span<Fr> a, Span<Fr> b)
    {
        if (witness.Length != NVars) throw new ArgumentException($"witness has {witness.Length} values, key expects {NVars}", nameof(witness));
        if (a.Length != DomainSize || b.Length != DomainSize) throw new ArgumentException($"a and b must have {DomainSize} entries");
        var section = _file.Section(SectionCoeffs);
        a.Clear();
        b.Clear();
        var (buf, chunk) = CoefficientBuffers(1 << 18);
        // The products of a chunk are taken eight at a time (vector F_r where the CPU has it), then summed into the rows.
        var values = GC.AllocateUninitializedArray<Fr>(chunk.Length);
        var signals = GC.AllocateUninitializedArray<Fr>(chunk.Length);
        for (int start = 0; start < CoefficientCount; start += chunk.Length)
        {
            int n = ReadCoefficientChunk(section, start, buf, chunk);
            for (int i = 0; i < n; i++)
            {
                values[i] = chunk[i].Value;
                signals[i] = witness[chunk[i].Signal];
            }
            FrVector8Ops.Multiply(values.AsSpan(0, n), signals.AsSpan(0, n), values.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                var e = chunk[i];
                (e.Matrix == 0 ? a : b)[e.Row] += values[i];
            }
        }

        // Stored values are v·R² read as Montgomery limbs, i.e. the field element v·R: scale the sums once by R⁻¹.
        var rInv = RInverse;
        FrVector8Ops.Scale(a, rInv);
        FrVector8Ops.Scale(b, rInv);
    }

    /// <summary>R⁻¹ mod r (R = 2^256), whose Montgomery representation is the integer 1.</summary>
    private static readonly Fr RInverse = Fr.FromMontgomery(1, 0, 0, 0);

    /// <summary>One validated coefficients-section entry; <see cref="Value"/> is the stored integer read in Montgomery form.</summary>
    private readonly record struct RawCoefficient(int Matrix, int Row, int Signal, Fr Value);

    /// <summary>A byte buffer of at most <paramref name="maxBytes"/> and the matching entry buffer, both reused across chunks.</summary>
    private (byte[] Bytes, RawCoefficient[] Entries) CoefficientBuffers(int maxBytes)
    {
        int per = Math.Max(1, Math.Min(Math.Max(CoefficientCount, 1), maxBytes / CoeffSize));
        return (new byte[per * CoeffSize], new RawCoefficient[per]);
    }

    /// <summary>Decodes and validates the entries from <paramref name="start"/> on into <paramref name="dst"/>; returns how many.</summary>
    /// <exception cref="ProvingFormatException">An entry references a row, signal or matrix out of range, or a value is not below r.</exception>
    private int ReadCoefficientChunk(in BinSection section, int start, byte[] buf, RawCoefficient[] dst)
    {
        int n = Math.Min(dst.Length, CoefficientCount - start);
        var span = buf.AsSpan(0, n * CoeffSize);
        _file.Read(section, 4 + (long)start * CoeffSize, span);
        for (int i = 0; i < n; i++)
        {
            var e = span.Slice(i * CoeffSize, CoeffSize);
            uint m = BinaryPrimitives.ReadUInt32LittleEndian(e);
            uint c = BinaryPrimitives.ReadUInt32LittleEndian(e[4..]);
            uint s = BinaryPrimitives.ReadUInt32LittleEndian(e[8..]);
            if (m > 1 || c >= (uint)DomainSize || s >= (uint)NVars)
                throw _file.Error($"coefficient {start + i} is out of range (matrix {m}, row {c}, signal {s})");
            if (!Fr.TryReadLittleEndian(e.Slice(12, Bn254Constants.N8), montgomery: true, out var v))
                throw _file.Error($"coefficient {start + i} is not below the field prime");
            dst[i] = new RawCoefficient((int)m, (int)c, (int)s, v);
        }

        return n;
    }

    private static string SectionName(uint s) => s switch
    {
        SectionIC => "IC", SectionA => "A", SectionB1 => "B1", SectionB2 => "B2", SectionC => "C", SectionH => "H", _ => $"section {s}",
    };

    /// <summary>Builds an exception naming this file.</summary>
    public ProvingFormatException Error(string problem) => _file.Error(problem);

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
