using System.Numerics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>Random and edge-case inputs: 0, 1, 2, p-1, p-2, (p-1)/2, 2^255-ish limbs patterns, then random values.</summary>
internal static class TestValues
{
    public static BigInteger[] Edges(BigInteger p) =>
        [BigInteger.Zero, BigInteger.One, 2, p - 1, p - 2, (p - 1) / 2, (p + 1) / 2, (BigInteger.One << 32) - 1, BigInteger.One << 253, p - (BigInteger.One << 224)];

    public static Fr[] Frs(int count, int seed)
    {
        var rng = new Random(seed);
        BigInteger[] edges = Edges(Fr.Modulus);
        var r = new Fr[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = i < edges.Length ? Fr.FromBigInteger(edges[i]) : Fr.Random(rng);
        }
        return r;
    }

    public static Fq[] Fqs(int count, int seed)
    {
        var rng = new Random(seed);
        BigInteger[] edges = Edges(Fq.Modulus);
        var r = new Fq[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = i < edges.Length ? Fq.FromBigInteger(edges[i]) : Fq.Random(rng);
        }
        return r;
    }

    public static G1Affine[] Points(int count, int seed)
    {
        var rng = new Random(seed);
        var r = new G1Affine[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = G1Jacobian.Generator.Multiply(Fr.Random(rng)).ToAffine();
        }
        return r;
    }

    /// <summary>Canonical (non-Montgomery) scalars as 8 little-endian uints each, from the CPU's own encoding.</summary>
    public static uint[] CanonicalLimbs(ReadOnlySpan<Fr> scalars)
    {
        var limbs = new uint[scalars.Length * 8];
        Span<byte> b = stackalloc byte[32];
        for (int i = 0; i < scalars.Length; i++)
        {
            scalars[i].WriteLittleEndian(b, montgomery: false);
            for (int j = 0; j < 8; j++)
            {
                limbs[i * 8 + j] = BitConverter.ToUInt32(b[(j * 4)..]);
            }
        }
        return limbs;
    }
}

/// <summary>G2 inputs.</summary>
internal static class TestValuesG2
{
    public static ProverMarketChain.Proving.Curves.G2Affine[] Points(int count, int seed)
    {
        var rng = new Random(seed);
        var r = new ProverMarketChain.Proving.Curves.G2Affine[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = ProverMarketChain.Proving.Curves.G2Jacobian.Generator.Multiply(Fr.Random(rng)).ToAffine();
        }
        return r;
    }
}
