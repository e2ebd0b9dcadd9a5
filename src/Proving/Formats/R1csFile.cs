using System.Buffers.Binary;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>One sparse linear combination matrix of an R1CS in compressed-row form.</summary>
public sealed class SparseMatrix
{
    internal SparseMatrix(int[] rowStart, int[] wires, Fr[] values)
    {
        RowStart = rowStart;
        Wires = wires;
        Values = values;
    }

    /// <summary>Row <c>i</c> spans entries <c>RowStart[i] .. RowStart[i+1]</c>.</summary>
    public int[] RowStart { get; }

    /// <summary>Wire (signal) index of each entry.</summary>
    public int[] Wires { get; }

    /// <summary>Coefficient of each entry.</summary>
    public Fr[] Values { get; }

    /// <summary>Evaluates row <paramref name="row"/> against a witness.</summary>
    public Fr Evaluate(int row, ReadOnlySpan<Fr> witness)
    {
        var acc = Fr.Zero;
        for (int k = RowStart[row]; k < RowStart[row + 1]; k++) acc += Values[k] * witness[Wires[k]];
        return acc;
    }
}

/// <summary>
/// circom constraint system (<c>.r1cs</c>, iden3 format version 1): header (section 1), constraints (section 2),
/// wire-to-label map (section 3, not loaded). Each constraint is <c>A·w × B·w = C·w</c>.
/// </summary>
public sealed class R1csFile
{
    internal R1csFile(string path, int nVars, int nOutputs, int nPubInputs, int nPrvInputs, int nConstraints, SparseMatrix a, SparseMatrix b, SparseMatrix c)
    {
        Path = path;
        NVars = nVars;
        NOutputs = nOutputs;
        NPubInputs = nPubInputs;
        NPrvInputs = nPrvInputs;
        NConstraints = nConstraints;
        A = a;
        B = b;
        C = c;
    }

    /// <summary>File the system was read from.</summary>
    public string Path { get; }

    /// <summary>Number of wires, including the constant-one wire 0.</summary>
    public int NVars { get; }

    /// <summary>Public outputs.</summary>
    public int NOutputs { get; }

    /// <summary>Public inputs.</summary>
    public int NPubInputs { get; }

    /// <summary>Private inputs.</summary>
    public int NPrvInputs { get; }

    /// <summary>Number of public signals (outputs then public inputs), the Groth16 <c>nPublic</c>.</summary>
    public int NPublic => NOutputs + NPubInputs;

    /// <summary>Number of constraints.</summary>
    public int NConstraints { get; }

    /// <summary>Left matrix.</summary>
    public SparseMatrix A { get; }

    /// <summary>Right matrix.</summary>
    public SparseMatrix B { get; }

    /// <summary>Output matrix.</summary>
    public SparseMatrix C { get; }

    /// <summary>Reads and validates an R1CS over the BN254 scalar field.</summary>
    /// <exception cref="ProvingFormatException">Missing, truncated or corrupt file, or another prime.</exception>
    public static R1csFile Read(string path)
    {
        using var file = BinFile.Open(path, "r1cs", 1);
        var h = file.ReadAll(file.Section(1));
        if (h.Length < 4) throw file.Error("header section is truncated");
        int n8 = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(h));
        if (h.Length != 4 + n8 + 4 * 4 + 8 + 4) throw file.Error($"header section has {h.Length} bytes, expected {4 + n8 + 28}");
        var prime = Bn254Constants.ReadLittleEndian(h.AsSpan(4, n8));
        if (prime != Fr.Modulus || n8 != Bn254Constants.N8)
            throw file.Error($"constraint system is over {Bn254Constants.Describe(prime)}, expected the BN254 scalar field (bn128)");
        var p = h.AsSpan(4 + n8);
        int nVars = ToInt(file, BinaryPrimitives.ReadUInt32LittleEndian(p), "nWires");
        int nOut = ToInt(file, BinaryPrimitives.ReadUInt32LittleEndian(p[4..]), "nPubOut");
        int nPubIn = ToInt(file, BinaryPrimitives.ReadUInt32LittleEndian(p[8..]), "nPubIn");
        int nPrvIn = ToInt(file, BinaryPrimitives.ReadUInt32LittleEndian(p[12..]), "nPrvIn");
        int nConstraints = ToInt(file, BinaryPrimitives.ReadUInt32LittleEndian(p[24..]), "nConstraints");
        if ((long)nOut + nPubIn + nPrvIn + 1 > nVars) throw file.Error($"header declares more inputs/outputs than its {nVars} wires");

        var section = file.Section(2);
        var data = file.ReadAll(section);
        var builders = new MatrixBuilder[] { new(nConstraints), new(nConstraints), new(nConstraints) };
        int pos = 0;
        for (int c = 0; c < nConstraints; c++)
        {
            for (int m = 0; m < 3; m++)
            {
                if (pos + 4 > data.Length) throw file.Error($"constraint section truncated in constraint {c}");
                uint n = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos));
                pos += 4;
                if ((long)n * (4 + n8) > data.Length - pos) throw file.Error($"constraint section truncated in constraint {c}");
                for (uint k = 0; k < n; k++)
                {
                    uint wire = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos));
                    if (wire >= (uint)nVars) throw file.Error($"constraint {c} references wire {wire} but there are only {nVars}");
                    if (!Fr.TryReadLittleEndian(data.AsSpan(pos + 4, n8), montgomery: false, out var v))
                        throw file.Error($"constraint {c} has a coefficient not below the field prime");
                    builders[m].Add((int)wire, v);
                    pos += 4 + n8;
                }

                builders[m].EndRow();
            }
        }

        if (pos != data.Length) throw file.Error($"constraint section has {data.Length - pos} trailing bytes");
        return new R1csFile(path, nVars, nOut, nPubIn, nPrvIn, nConstraints, builders[0].Build(), builders[1].Build(), builders[2].Build());
    }

    /// <summary>
    /// Returns the index of the first constraint the witness violates, or -1 when all hold.
    /// </summary>
    /// <exception cref="ArgumentException">The witness has a different number of wires.</exception>
    public int FirstUnsatisfiedConstraint(ReadOnlySpan<Fr> witness)
    {
        if (witness.Length != NVars) throw new ArgumentException($"witness has {witness.Length} values but {Path} has {NVars} wires", nameof(witness));
        for (int i = 0; i < NConstraints; i++)
        {
            if (A.Evaluate(i, witness) * B.Evaluate(i, witness) != C.Evaluate(i, witness)) return i;
        }

        return -1;
    }

    private static int ToInt(BinFile f, uint v, string what) =>
        v <= int.MaxValue ? (int)v : throw f.Error($"{what}={v} is too large");

    private sealed class MatrixBuilder(int rows)
    {
        private readonly int[] _rowStart = new int[rows + 1];
        private readonly List<int> _wires = new();
        private readonly List<Fr> _values = new();
        private int _row;

        public void Add(int wire, Fr value)
        {
            _wires.Add(wire);
            _values.Add(value);
        }

        public void EndRow() => _rowStart[++_row] = _wires.Count;

        public SparseMatrix Build() => new(_rowStart, _wires.ToArray(), _values.ToArray());
    }
}
