using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>
/// Fixed-base scalar multiplication for setup: precomputes <c>k·256^j·G</c> for every byte position j (32) and byte value
/// k (1..255), so one multiplication costs at most 32 mixed additions. Batches run in parallel and convert to affine
/// with one shared inversion per batch.
/// </summary>
internal sealed class FixedBaseG1
{
    private readonly G1Affine[] _table = new G1Affine[32 * 256];

    public FixedBaseG1(in G1Affine g)
    {
        var jac = new G1Jacobian[32 * 256];
        var window = g.ToJacobian();
        for (int j = 0; j < 32; j++)
        {
            var acc = G1Jacobian.Infinity;
            jac[j * 256] = acc;
            for (int k = 1; k < 256; k++)
            {
                acc += window;
                jac[j * 256 + k] = acc;
            }

            window = acc + window; // 256^(j+1)·G
        }

        G1Jacobian.BatchToAffine(jac, _table);
    }

    public G1Jacobian Multiply(in Fr scalar)
    {
        Span<byte> b = stackalloc byte[32];
        scalar.WriteLittleEndian(b, montgomery: false);
        var acc = G1Jacobian.Infinity;
        for (int j = 0; j < 32; j++)
        {
            if (b[j] != 0) acc = acc.AddMixed(_table[j * 256 + b[j]]);
        }

        return acc;
    }

    public G1Affine[] MultiplyAll(ReadOnlySpan<Fr> scalars)
    {
        var s = scalars.ToArray();
        var jac = new G1Jacobian[s.Length];
        ParallelLoop.For(0, s.Length, -1, i => jac[i] = Multiply(s[i]));
        var res = new G1Affine[s.Length];
        G1Jacobian.BatchToAffine(jac, res);
        return res;
    }
}

/// <summary>G2 counterpart of <see cref="FixedBaseG1"/>.</summary>
internal sealed class FixedBaseG2
{
    private readonly G2Affine[] _table = new G2Affine[32 * 256];

    public FixedBaseG2(in G2Affine g)
    {
        var jac = new G2Jacobian[32 * 256];
        var window = g.ToJacobian();
        for (int j = 0; j < 32; j++)
        {
            var acc = G2Jacobian.Infinity;
            jac[j * 256] = acc;
            for (int k = 1; k < 256; k++)
            {
                acc += window;
                jac[j * 256 + k] = acc;
            }

            window = acc + window;
        }

        G2Jacobian.BatchToAffine(jac, _table);
    }

    public G2Jacobian Multiply(in Fr scalar)
    {
        Span<byte> b = stackalloc byte[32];
        scalar.WriteLittleEndian(b, montgomery: false);
        var acc = G2Jacobian.Infinity;
        for (int j = 0; j < 32; j++)
        {
            if (b[j] != 0) acc = acc.AddMixed(_table[j * 256 + b[j]]);
        }

        return acc;
    }

    public G2Affine[] MultiplyAll(ReadOnlySpan<Fr> scalars)
    {
        var s = scalars.ToArray();
        var jac = new G2Jacobian[s.Length];
        ParallelLoop.For(0, s.Length, -1, i => jac[i] = Multiply(s[i]));
        var res = new G2Affine[s.Length];
        G2Jacobian.BatchToAffine(jac, res);
        return res;
    }
}
