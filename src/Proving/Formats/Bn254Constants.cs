using System.Numerics;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Formats;

/// <summary>Curve identification shared by the snarkjs file readers: BN254 ("bn128" in snarkjs) primes.</summary>
public static class Bn254Constants
{
    /// <summary>Base-field prime q.</summary>
    public static BigInteger Q => Fq.Modulus;

    /// <summary>Scalar-field prime r.</summary>
    public static BigInteger R => Fr.Modulus;

    /// <summary>Bytes per field element (n8) for both fields.</summary>
    public const int N8 = 32;

    /// <summary>Bytes of an affine G1 point in snarkjs "LEM" layout (x, y little-endian Montgomery).</summary>
    public const int G1Size = 2 * N8;

    /// <summary>Bytes of an affine G2 point in snarkjs "LEM" layout (x.c0, x.c1, y.c0, y.c1).</summary>
    public const int G2Size = 4 * N8;

    /// <summary>Name of a prime for error messages.</summary>
    public static string Describe(BigInteger prime) =>
        prime == R ? "the BN254 scalar field r" : prime == Q ? "the BN254 base field q" : $"prime {prime} (not BN254)";

    /// <summary>Reads an unsigned little-endian integer.</summary>
    public static BigInteger ReadLittleEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: false);
}
