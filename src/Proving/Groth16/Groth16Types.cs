using ProverMarketChain.Proving.Curves;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>A Groth16 proof: A ∈ G1, B ∈ G2, C ∈ G1 (affine).</summary>
/// <param name="A">π_A.</param>
/// <param name="B">π_B.</param>
/// <param name="C">π_C.</param>
public sealed record Groth16Proof(G1Affine A, G2Affine B, G1Affine C);

/// <summary>Groth16 verification key (the snarkjs <c>verification_key.json</c> content).</summary>
public sealed class VerificationKey
{
    /// <summary>Creates a key; <paramref name="ic"/> must hold nPublic + 1 points.</summary>
    public VerificationKey(G1Affine alpha1, G2Affine beta2, G2Affine gamma2, G2Affine delta2, G1Affine[] ic)
    {
        ArgumentNullException.ThrowIfNull(ic);
        if (ic.Length == 0) throw new ArgumentException("IC must hold at least the constant term", nameof(ic));
        Alpha1 = alpha1;
        Beta2 = beta2;
        Gamma2 = gamma2;
        Delta2 = delta2;
        IC = ic;
    }

    /// <summary>α·G1.</summary>
    public G1Affine Alpha1 { get; }

    /// <summary>β·G2.</summary>
    public G2Affine Beta2 { get; }

    /// <summary>γ·G2.</summary>
    public G2Affine Gamma2 { get; }

    /// <summary>δ·G2.</summary>
    public G2Affine Delta2 { get; }

    /// <summary>Public-input commitment bases: IC[0] + Σ pub[i]·IC[i+1].</summary>
    public G1Affine[] IC { get; }

    /// <summary>Number of public signals.</summary>
    public int NPublic => IC.Length - 1;
}
