using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>
/// A constraint system of any power-of-two domain and its witness, for benchmarks that need a 2^16 or 2^20-constraint
/// prove where no circom build of that size exists (a device machine has no circom, and a 2^20 ceremony takes hours on
/// two cores). The statement is a chain of quadratic steps from a private x to a public output:
/// <c>(w_j + 1)·w_j = w_{j+1}</c>, then <c>w_last · 1 = out</c>. Its witness values are pseudo-random field elements, so
/// MSM digits are not skewed toward 0 and 1 the way many circom witnesses are.
/// </summary>
public sealed class SyntheticCircuit
{
    private SyntheticCircuit(R1csFile r1cs, Fr[] witness)
    {
        R1cs = r1cs;
        Witness = witness;
    }

    /// <summary>The constraint system (its <see cref="R1csFile.Path"/> is a label, not a file).</summary>
    public R1csFile R1cs { get; }

    /// <summary>A satisfying witness: the constant 1, the public output, x, then the chain.</summary>
    public Fr[] Witness { get; }

    /// <summary>A chain whose QAP domain is exactly 2^<paramref name="log2Domain"/> (2^log2 − 2 constraints, one public signal).</summary>
    /// <param name="log2Domain">2 to 24.</param>
    /// <param name="seed">Chooses x (the same seed gives the same witness).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="log2Domain"/> outside 2..24.</exception>
    public static SyntheticCircuit Create(int log2Domain, ulong seed = 1)
    {
        if (log2Domain is < 2 or > 24)
            throw new ArgumentOutOfRangeException(nameof(log2Domain), log2Domain, "the synthetic circuit's domain must be 2^2 .. 2^24");
        int chain = (1 << log2Domain) - 3, nConstraints = chain + 1, nVars = 3 + chain;
        const int one = 0, output = 1, x = 2;

        var witness = new Fr[nVars];
        witness[one] = Fr.One;
        witness[x] = Fr.FromBigInteger(new System.Numerics.BigInteger(seed) * 0x9E3779B97F4A7C15UL + 12345);
        for (int j = 0; j < chain; j++) witness[x + j + 1] = (witness[x + j] + Fr.One) * witness[x + j];
        witness[output] = witness[x + chain];

        var aStart = new int[nConstraints + 1];
        var aWires = new int[2 * chain + 1];
        var aValues = new Fr[2 * chain + 1];
        var bStart = new int[nConstraints + 1];
        var bWires = new int[nConstraints];
        var cStart = new int[nConstraints + 1];
        var cWires = new int[nConstraints];
        for (int j = 0; j < chain; j++)
        {
            aStart[j] = 2 * j;
            aWires[2 * j] = x + j;
            aWires[2 * j + 1] = one;
            aValues[2 * j] = aValues[2 * j + 1] = Fr.One;
            bStart[j] = cStart[j] = j;
            bWires[j] = x + j;
            cWires[j] = x + j + 1;
        }
        aStart[chain] = 2 * chain;
        aWires[2 * chain] = x + chain;
        aValues[2 * chain] = Fr.One;
        bStart[chain] = cStart[chain] = chain;
        bWires[chain] = one;
        cWires[chain] = output;
        aStart[nConstraints] = aWires.Length;
        bStart[nConstraints] = cStart[nConstraints] = nConstraints;
        var ones = new Fr[nConstraints];
        Array.Fill(ones, Fr.One);

        var r1cs = new R1csFile($"synthetic chain 2^{log2Domain}", nVars, nOutputs: 1, nPubInputs: 0, nPrvInputs: 1, nConstraints,
            new SparseMatrix(aStart, aWires, aValues), new SparseMatrix(bStart, bWires, ones), new SparseMatrix(cStart, cWires, (Fr[])ones.Clone()));
        return new SyntheticCircuit(r1cs, witness);
    }

    /// <summary>
    /// Writes a development proving key for the circuit (seeded, so deterministic; its trapdoor is public: benchmarks only).
    /// </summary>
    /// <param name="path">Where to write the zkey.</param>
    /// <param name="setup">The setup to run (its logger reports progress).</param>
    public void WriteDevelopmentKey(string path, Groth16Setup? setup = null)
    {
        var contents = (setup ?? new Groth16Setup()).CreateDevelopment(R1cs, $"pmc synthetic benchmark {R1cs.Path}");
        ZkeyWriter.Write(path, contents);
    }
}
