using System.Numerics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Pairing;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>Groth16 verification over BN254, equivalent to snarkjs <c>groth16 verify</c>.</summary>
public static class Groth16Verifier
{
    /// <summary>
    /// Checks <c>e(A, B) = e(α, β) · e(vk_x, γ) · e(C, δ)</c> with <c>vk_x = IC[0] + Σ pub[i]·IC[i+1]</c>, as one
    /// four-pair product <c>e(−A, B)·e(α, β)·e(vk_x, γ)·e(C, δ) = 1</c>.
    /// </summary>
    /// <returns>False when the proof is invalid, a public signal is not below r, or the signal count does not match the key.</returns>
    public static bool Verify(VerificationKey vk, ReadOnlySpan<BigInteger> publicSignals, Groth16Proof proof)
    {
        ArgumentNullException.ThrowIfNull(vk);
        ArgumentNullException.ThrowIfNull(proof);
        if (publicSignals.Length != vk.NPublic) return false;
        var scalars = new Fr[publicSignals.Length];
        for (int i = 0; i < scalars.Length; i++)
        {
            if (publicSignals[i].Sign < 0 || publicSignals[i] >= Fr.Modulus) return false;
            scalars[i] = Fr.FromBigInteger(publicSignals[i]);
        }

        return Verify(vk, scalars, proof);
    }

    /// <summary>Field-element overload of <see cref="Verify(VerificationKey, ReadOnlySpan{BigInteger}, Groth16Proof)"/>.</summary>
    public static bool Verify(VerificationKey vk, ReadOnlySpan<Fr> publicSignals, Groth16Proof proof)
    {
        ArgumentNullException.ThrowIfNull(vk);
        ArgumentNullException.ThrowIfNull(proof);
        if (publicSignals.Length != vk.NPublic) return false;
        return Prepare(vk, publicSignals).Verify(proof);
    }

    /// <summary>
    /// The half of the check that depends on the key and the public signals only: vk_x and the Miller loops of
    /// (α, β) and (vk_x, γ). The prover computes it while its MSMs run, so that checking its own proof at the end costs
    /// two Miller loops and the final exponentiation.
    /// </summary>
    internal static PreparedVerification Prepare(VerificationKey vk, ReadOnlySpan<Fr> publicSignals)
    {
        ArgumentNullException.ThrowIfNull(vk);
        if (publicSignals.Length != vk.NPublic)
        {
            throw new ArgumentException($"{publicSignals.Length} public signals for a key with {vk.NPublic}", nameof(publicSignals));
        }
        var acc = vk.IC[0].ToJacobian();
        for (int i = 0; i < publicSignals.Length; i++)
        {
            if (!publicSignals[i].IsZero) acc += vk.IC[i + 1].ToJacobian().Multiply(publicSignals[i]);
        }

        ReadOnlySpan<G1Affine> g1 = [vk.Alpha1, acc.ToAffine()];
        ReadOnlySpan<G2Affine> g2 = [vk.Beta2, vk.Gamma2];
        return new PreparedVerification(Bn254Pairing.MillerLoop(g1, g2), vk.Delta2);
    }

    /// <summary>See <see cref="Prepare"/>.</summary>
    internal sealed class PreparedVerification(Fq12 keyPart, G2Affine delta2)
    {
        /// <summary>Checks e(−A, B)·e(C, δ) times the prepared part, after validating the proof's points.</summary>
        public bool Verify(Groth16Proof proof)
        {
            ArgumentNullException.ThrowIfNull(proof);
            if (!proof.A.IsOnCurve() || !proof.C.IsOnCurve() || !proof.B.IsOnCurve() || !proof.B.IsInSubgroup()) return false;
            ReadOnlySpan<G1Affine> g1 = [proof.A.Negate(), proof.C];
            ReadOnlySpan<G2Affine> g2 = [proof.B, delta2];
            return Bn254Pairing.FinalExponentiation(Bn254Pairing.MillerLoop(g1, g2) * keyPart).IsOne;
        }
    }
}
