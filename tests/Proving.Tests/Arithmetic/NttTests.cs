using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Ntt;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

public class NttTests
{
    private static Fr[] RandomVector(Random rng, int n)
    {
        var v = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = Fr.Random(rng);
        }
        return v;
    }

    /// <summary>Naive O(n^2) evaluation of the polynomial with the given coefficients at x.</summary>
    private static Fr Evaluate(Fr[] coeffs, Fr x)
    {
        Fr acc = Fr.Zero;
        for (int i = coeffs.Length - 1; i >= 0; i--)
        {
            acc = acc * x + coeffs[i];
        }
        return acc;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 1)]
    [InlineData(8, 2)]
    public void Forward_matches_naive_DFT_and_inverse_round_trips(int log, int threads)
    {
        var rng = new Random(log);
        var d = new EvaluationDomain(log, threads);
        Fr[] coeffs = RandomVector(rng, d.Size);
        var evals = (Fr[])coeffs.Clone();
        d.Forward(evals);
        Fr x = Fr.One;
        for (int i = 0; i < d.Size; i++)
        {
            Assert.Equal(Evaluate(coeffs, x), evals[i]);
            x *= d.Generator;
        }
        d.Inverse(evals);
        Assert.Equal(coeffs, evals);
    }

    [Fact]
    public void Large_parallel_transform_matches_single_threaded_and_round_trips()
    {
        // 2^14 exceeds both the local block size and the parallel threshold, exercising every code path.
        var rng = new Random(99);
        var par = new EvaluationDomain(14, 2);
        var seq = new EvaluationDomain(14, 1);
        Fr[] coeffs = RandomVector(rng, par.Size);
        var a = (Fr[])coeffs.Clone();
        var b = (Fr[])coeffs.Clone();
        par.Forward(a);
        seq.Forward(b);
        Assert.Equal(b, a);
        // Spot-check a few evaluations against Horner.
        foreach (int i in new[] { 0, 1, 4097, 16383 })
        {
            Assert.Equal(Evaluate(coeffs, par.Generator.Pow(i)), a[i]);
        }
        par.Inverse(a);
        Assert.Equal(coeffs, a);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    public void Coset_transforms_match_naive_evaluation(int log)
    {
        var rng = new Random(log * 31);
        var d = new EvaluationDomain(log);
        Fr shift = Fr.FromBigInteger(7);
        Fr[] coeffs = RandomVector(rng, d.Size);
        var evals = (Fr[])coeffs.Clone();
        d.CosetForward(evals, shift);
        Fr x = shift;
        for (int i = 0; i < d.Size; i++)
        {
            Assert.Equal(Evaluate(coeffs, x), evals[i]);
            x *= d.Generator;
        }
        d.CosetInverse(evals, shift);
        Assert.Equal(coeffs, evals);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void ToOddCoset_matches_naive_evaluation_at_odd_2n_th_roots(int log)
    {
        var rng = new Random(log + 500);
        var d = new EvaluationDomain(log);
        Fr[] coeffs = RandomVector(rng, d.Size);
        // Evaluations on the n-th roots, computed naively.
        var evals = new Fr[d.Size];
        for (int i = 0; i < d.Size; i++)
        {
            evals[i] = Evaluate(coeffs, d.Generator.Pow(i));
        }
        d.ToOddCoset(evals);
        Fr w2n = Fr.RootOfUnity(log + 1);
        for (int i = 0; i < d.Size; i++)
        {
            // w_{2n}^(2i+1) = w_{2n} * w_n^i.
            Assert.Equal(Evaluate(coeffs, w2n.Pow(2 * i + 1)), evals[i]);
        }
    }

    [Fact]
    public void Bad_sizes_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationDomain(29));
        var d = new EvaluationDomain(3);
        Assert.Throws<ArgumentException>(() => d.Forward(new Fr[7]));
        Assert.Throws<ArgumentException>(() => d.ToOddCoset(new Fr[16]));
    }
}
