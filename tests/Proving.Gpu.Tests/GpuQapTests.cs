using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Ntt;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The device H computation equals the CPU prover's <c>Groth16Prover.ComputeH</c> on a proving key written
/// here (random QAP coefficients, generator points: ComputeH reads only the coefficients and the domain size).</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class GpuQapTests(IlgpuCpuFixture fx) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-gpu-qap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ZkeyFile RandomKey(int log2, int nVars, int coefficients, int seed)
    {
        var rng = new Random(seed);
        int n = 1 << log2;
        const int nPublic = 2;
        var coeffs = new List<(int, QapCoefficient)>();
        for (int i = 0; i < coefficients; i++)
        {
            coeffs.Add((rng.Next(2), new QapCoefficient(rng.Next(n), rng.Next(nVars), Fr.Random(rng))));
        }
        G1Affine g1 = G1Affine.Generator;
        G2Affine g2 = G2Affine.Generator;
        string path = Path.Combine(_dir, $"k{log2}_{seed}.zkey");
        ZkeyWriter.Write(path, new ZkeyContents
        {
            NVars = nVars, NPublic = nPublic, DomainSize = n,
            Alpha1 = g1, Beta1 = g1, Beta2 = g2, Gamma2 = g2, Delta1 = g1, Delta2 = g2,
            IC = Enumerable.Repeat(g1, nPublic + 1).ToArray(), Coefficients = coeffs,
            A = Enumerable.Repeat(g1, nVars).ToArray(), B1 = Enumerable.Repeat(g1, nVars).ToArray(),
            B2 = Enumerable.Repeat(g2, nVars).ToArray(), C = Enumerable.Repeat(g1, nVars - nPublic - 1).ToArray(),
            H = Enumerable.Repeat(g1, n).ToArray(), ContributionName = "gpu qap test",
        });
        return ZkeyFile.Open(path);
    }

    [Theory]
    [InlineData(2, 10)]
    [InlineData(5, 10)]
    [InlineData(10, 10)]
    [InlineData(10, 4)]
    [InlineData(10, GpuNttTests.Default)]
    public void ComputeH_equals_the_cpu_provers_h_scalars(int log2, int maxLocalLog)
    {
        using ZkeyFile zkey = RandomKey(log2, nVars: 12, coefficients: 3 << log2, seed: log2);
        var rng = new Random(log2 + 1);
        Fr[] witness = Enumerable.Range(0, zkey.NVars).Select(_ => Fr.Random(rng)).ToArray();
        Fr[] expected = Groth16Prover.ComputeH(zkey, witness, parallel: false);

        var a = new Fr[zkey.DomainSize];
        var b = new Fr[zkey.DomainSize];
        zkey.AccumulateQap(witness, a, b);
        using var domain = GpuNttTests.Domain(fx, zkey.DomainLog2, maxLocalLog);
        using var qap = new GpuQap(fx.Context);
        Fr[] h = qap.ComputeH(domain, a, b);

        Assert.Equal(expected, h);
        Assert.Contains(h, x => !x.IsZero);
    }

    [Fact]
    public void ComputeH_refuses_views_and_spans_of_another_length_naming_both_lengths()
    {
        using var domain = new GpuDomain(fx.Context, 3);
        using var qap = new GpuQap(fx.Context);
        var acc = fx.Context.Accelerator;
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> good = acc.Allocate1D<GpuFr>(8), good2 = acc.Allocate1D<GpuFr>(8), shortC = acc.Allocate1D<GpuFr>(7);
        var e = Assert.Throws<ArgumentException>(() => qap.ComputeH(domain, good.View, good2.View, shortC.View, acc.DefaultStream));
        Assert.Contains("8", e.Message, StringComparison.Ordinal);
        Assert.Contains("7", e.Message, StringComparison.Ordinal);
        Assert.Equal("c", e.ParamName);

        var host = Assert.Throws<ArgumentException>(() => qap.ComputeH(domain, new Fr[8], new Fr[9]));
        Assert.Contains("9", host.Message, StringComparison.Ordinal);
        Assert.Contains("8", host.Message, StringComparison.Ordinal);
    }
}
