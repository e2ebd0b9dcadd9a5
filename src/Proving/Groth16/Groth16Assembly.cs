using System.Numerics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>The five multi-exponentiations of a Groth16 proof, whatever computed them (the CPU prover or a GPU backend).</summary>
/// <param name="A">Σ wᵢ·Aᵢ over all wires (G1).</param>
/// <param name="B1">Σ wᵢ·B1ᵢ over all wires (G1).</param>
/// <param name="B2">Σ wᵢ·B2ᵢ over all wires (G2).</param>
/// <param name="C">Σ wᵢ·Cᵢ over the private wires (G1).</param>
/// <param name="H">Σ hᵢ·Hᵢ over the domain, h being the H-polynomial's scalars on the odd coset (G1).</param>
public readonly record struct Groth16Msms(G1Jacobian A, G1Jacobian B1, G2Jacobian B2, G1Jacobian C, G1Jacobian H);

/// <summary>
/// The parts of a Groth16 prove that do not depend on where the MSMs ran: the witness checks, the randomisers r and s with
/// their multiples of δ, the combination of the MSMs into (A, B, C), and the self-verification against the key's own
/// verification key. Every backend goes through these, so a GPU prover's output is held to the same checks as the CPU's.
/// </summary>
public sealed class Groth16Assembly
{
    private readonly ZkeyFile _zkey;
    private readonly Fr _r, _s;
    private readonly G1Jacobian _delta1R, _delta1S, _delta1Rs;
    private readonly G2Jacobian _delta2S;
    private readonly Groth16Verifier.PreparedVerification _check;

    /// <summary>Draws fresh randomisers for one proof and prepares its verification (the half that does not depend on the proof).</summary>
    /// <param name="zkey">The proving key.</param>
    /// <param name="witness">The witness (its public signals are read).</param>
    public Groth16Assembly(ZkeyFile zkey, ReadOnlySpan<Fr> witness)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        _zkey = zkey;
        _r = Groth16Prover.RandomScalar();
        _s = Groth16Prover.RandomScalar();
        var delta1 = zkey.Delta1.ToJacobian();
        _delta1R = delta1.Multiply(_r);
        _delta1S = delta1.Multiply(_s);
        _delta1Rs = delta1.Multiply(-(_r * _s));
        _delta2S = zkey.Delta2.ToJacobian().Multiply(_s);
        PublicSignals = witness.Slice(1, zkey.NPublic).ToArray();
        var vk = new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC());
        _check = Groth16Verifier.Prepare(vk, PublicSignals);
    }

    /// <summary>Witness values 1..nPublic.</summary>
    public Fr[] PublicSignals { get; }

    /// <summary>
    /// Refuses a witness of the wrong length, one whose signal 0 is not 1, and (when <paramref name="r1cs"/> is given) one
    /// that violates a constraint, naming the first.
    /// </summary>
    /// <returns>True when the r1cs was checked (a phase worth timing).</returns>
    /// <exception cref="Groth16Exception">The witness does not match the key or violates a constraint.</exception>
    public static bool CheckWitness(ZkeyFile zkey, ReadOnlySpan<Fr> witness, R1csFile? r1cs)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        if (witness.Length != zkey.NVars)
            throw new Groth16Exception($"witness has {witness.Length} values but the proving key expects {zkey.NVars} (witness from another circuit?)");
        if (!witness[0].IsOne) throw new Groth16Exception("witness signal 0 must be the constant 1");
        if (r1cs is null) return false;
        int bad = r1cs.FirstUnsatisfiedConstraint(witness);
        if (bad >= 0) throw new Groth16Exception($"witness violates constraint {bad} of {r1cs.Path}", bad);
        return true;
    }

    /// <summary>Combines the MSMs with the key's α, β and the randomisers into the proof (snarkjs's formulas).</summary>
    public Groth16Proof Combine(in Groth16Msms msms)
    {
        G1Jacobian piA = msms.A.AddMixed(_zkey.Alpha1) + _delta1R;
        G2Jacobian piB = msms.B2.AddMixed(_zkey.Beta2) + _delta2S;
        G1Jacobian piB1 = msms.B1.AddMixed(_zkey.Beta1) + _delta1S;
        G1Jacobian piC = msms.C + msms.H + piA.Multiply(_s) + piB1.Multiply(_r) + _delta1Rs;
        return new Groth16Proof(piA.ToAffine(), piB.ToAffine(), piC.ToAffine());
    }

    /// <summary>Checks the proof against the key's verification key.</summary>
    /// <exception cref="Groth16Exception">It fails: the witness does not satisfy the circuit (or a backend computed wrongly).</exception>
    public void Verify(Groth16Proof proof)
    {
        if (!_check.Verify(proof))
            throw new Groth16Exception("witness does not satisfy the circuit: the proof fails verification against the proving key (pass the .r1cs to locate the failing constraint)")
            {
                SelfVerificationFailed = true,
            };
    }

    /// <summary>The public signals as integers (what snarkjs writes to <c>public.json</c>).</summary>
    public BigInteger[] PublicSignalIntegers()
    {
        var pub = new BigInteger[PublicSignals.Length];
        for (int i = 0; i < pub.Length; i++) pub[i] = PublicSignals[i].ToBigInteger();
        return pub;
    }
}
