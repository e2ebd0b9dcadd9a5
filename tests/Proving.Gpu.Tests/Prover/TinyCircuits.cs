using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>
/// One-constraint circuits built in memory, with seeded development keys, for the GPU prover's edge shapes: a 2-element
/// domain, a circuit with no private wire (empty C section), and keys whose A/B points are at infinity (wires that only
/// appear in C).
/// </summary>
internal static class TinyCircuits
{
    /// <summary>k·x·x = y over wires [1, x, y]; <paramref name="nPublic"/> 0 (both private: domain 2) or 2 (both public: no private wire, domain 4).</summary>
    public static R1csFile Square(int nPublic, ulong k = 1)
    {
        var one = new[] { Fr.FromBigInteger(k) };
        var a = new SparseMatrix([0, 1], [1], one);
        var b = new SparseMatrix([0, 1], [1], [Fr.One]);
        var c = new SparseMatrix([0, 1], [2], [Fr.One]);
        return new R1csFile($"tiny k*x*x=y public {nPublic}", nVars: 3, nOutputs: nPublic == 0 ? 0 : 1, nPubInputs: nPublic == 0 ? 0 : 1,
            nPrvInputs: nPublic == 0 ? 1 : 0, nConstraints: 1, a, b, c);
    }

    /// <summary>The witness [1, x, k·x²] of <see cref="Square"/>.</summary>
    public static Fr[] Witness(Fr x, ulong k = 1) => [Fr.One, x, Fr.FromBigInteger(k) * x * x];

    /// <summary>Writes a seeded key for <paramref name="r1cs"/> (the same seed gives the same α, β, γ, δ whatever the circuit).</summary>
    public static string WriteKey(string path, R1csFile r1cs, string seed = "pmc gpu edge tests")
    {
        ZkeyWriter.Write(path, new Groth16Setup().CreateDevelopment(r1cs, seed));
        return path;
    }
}
