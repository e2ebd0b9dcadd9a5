using System.Diagnostics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Curves;
using Xunit.Abstractions;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The element-wise kernels on ILGPU's CPU accelerator give what the CPU prover's arithmetic gives.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class KernelTests(IlgpuCpuFixture fx, ITestOutputHelper output)
{
    [Fact]
    public void Batch_fr_mul_add_sub_kernels_equal_the_cpu_field_elementwise()
    {
        Fr[] a = TestValues.Frs(257, 10);
        Fr[] b = TestValues.Frs(257, 11).Reverse().ToArray();
        GpuFr[] ga = GpuFr.FromCpu(a), gb = GpuFr.FromCpu(b);
        GpuFr[] mul = fx.Ops.MulFr(ga, gb), add = fx.Ops.AddFr(ga, gb), sub = fx.Ops.SubFr(ga, gb);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i] * b[i], mul[i].ToCpu());
            Assert.Equal(a[i] + b[i], add[i].ToCpu());
            Assert.Equal(a[i] - b[i], sub[i].ToCpu());
        }
    }

    [Fact]
    public void Montgomery_conversion_kernels_give_the_canonical_scalars_the_msm_digits_need_and_back()
    {
        Fr[] a = TestValues.Frs(100, 16);
        GpuFr[] canonical = fx.Ops.FromMontgomeryFr(GpuFr.FromCpu(a));
        uint[] expected = TestValues.CanonicalLimbs(a);
        for (int i = 0; i < a.Length; i++)
        {
            GpuFr c = canonical[i];
            Assert.Equal(expected.AsSpan(i * 8, 8).ToArray(), new[] { c.L0, c.L1, c.L2, c.L3, c.L4, c.L5, c.L6, c.L7 });
        }
        GpuFr[] back = fx.Ops.ToMontgomeryFr(canonical);
        Assert.Equal(a, back.Select(x => x.ToCpu()).ToArray());
    }

    [Fact]
    public void Batch_fq_mul_kernel_equals_the_cpu_field_elementwise()
    {
        Fq[] a = TestValues.Fqs(129, 12);
        Fq[] b = TestValues.Fqs(129, 13).Reverse().ToArray();
        GpuFq[] r = fx.Ops.MulFq(GpuFq.FromCpu(a), GpuFq.FromCpu(b));
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i] * b[i], r[i].ToCpu());
        }
    }

    [Fact]
    public void Fq2_mul_kernel_and_host_square_equal_the_cpu_tower()
    {
        var rng = new Random(17);
        Fq[] edges = TestValues.Fqs(10, 18);
        Fq2[] a = Enumerable.Range(0, 64).Select(i => i < 10 ? new Fq2(edges[i], edges[9 - i]) : Fq2.Random(rng)).ToArray();
        Fq2[] b = Enumerable.Range(0, 64).Select(i => i < 10 ? new Fq2(edges[(i + 3) % 10], edges[i]) : Fq2.Random(rng)).ToArray();
        GpuFq2[] r = fx.Ops.MulFq2(a.Select(x => GpuFq2.FromCpu(x)).ToArray(), b.Select(x => GpuFq2.FromCpu(x)).ToArray());
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i] * b[i], r[i].ToCpu());
            Assert.Equal(a[i].Square(), GpuFq2.Square(GpuFq2.FromCpu(a[i])).ToCpu());
            Assert.Equal(a[i] - b[i], GpuFq2.Sub(GpuFq2.FromCpu(a[i]), GpuFq2.FromCpu(b[i])).ToCpu());
        }
    }

    [Fact]
    public void Batch_kernels_refuse_inputs_of_different_lengths_and_accept_empty_batches()
    {
        var ex = Assert.Throws<ArgumentException>(() => fx.Ops.MulFr(new GpuFr[3], new GpuFr[2]));
        Assert.Contains("3 and 2", ex.Message, StringComparison.Ordinal);
        Assert.Empty(fx.Ops.AddFr([], []));
    }

    [Fact]
    public void Fr_mul_kernel_on_a_larger_batch_matches_the_cpu_and_reports_its_throughput()
    {
        const int n = 1 << 14;
        Fr[] a = TestValues.Frs(n, 14), b = TestValues.Frs(n, 15);
        GpuFr[] ga = GpuFr.FromCpu(a), gb = GpuFr.FromCpu(b);
        fx.Ops.MulFr(ga, gb);
        var sw = Stopwatch.StartNew();
        GpuFr[] r = fx.Ops.MulFr(ga, gb);
        sw.Stop();
        output.WriteLine($"ILGPU CPU accelerator: {n} Fr Montgomery muls (incl. transfers) in {sw.Elapsed.TotalMilliseconds:F1} ms, {sw.Elapsed.TotalNanoseconds / n:F0} ns/mul");
        for (int i = 0; i < n; i += 97)
        {
            Assert.Equal(a[i] * b[i], r[i].ToCpu());
        }
    }

    [Fact]
    public void G1_mixed_add_kernel_equals_the_cpu_group_law_including_doubling_inverse_and_infinity()
    {
        G1Affine[] ps = TestValues.Points(12, 20);
        G1Affine[] qs = TestValues.Points(12, 21);
        qs[0] = ps[0];                // P + P: must double
        qs[1] = ps[1].Negate();       // P + (-P): infinity
        qs[2] = G1Affine.Infinity;    // P + O
        var pj = ps.Select(p => p.ToJacobian()).ToArray();
        pj[3] = G1Jacobian.Infinity;  // O + Q
        pj[4] = ps[4].ToJacobian().Multiply(Fr.FromBigInteger(7)); // Z != 1
        GpuG1Jacobian[] r = fx.Ops.AddMixedG1(pj.Select(p => GpuG1Jacobian.FromCpu(p)).ToArray(), GpuG1Affine.FromCpu(qs));
        for (int i = 0; i < ps.Length; i++)
        {
            G1Jacobian expected = pj[i].AddMixed(qs[i]);
            Assert.Equal(expected, r[i].ToCpu());
            Assert.True(r[i].ToCpu().IsOnCurve());
        }
        Assert.True(r[1].IsInfinity);
    }

    [Fact]
    public void G1_add_and_double_kernels_equal_the_cpu_group_law()
    {
        G1Affine[] ps = TestValues.Points(10, 22);
        var pj = ps.Select(p => p.ToJacobian().Multiply(Fr.FromBigInteger(3))).ToArray();
        var qj = TestValues.Points(10, 23).Select(p => p.ToJacobian()).ToArray();
        qj[0] = pj[0];
        qj[1] = pj[1].Negate();
        qj[2] = G1Jacobian.Infinity;
        pj[3] = G1Jacobian.Infinity;
        GpuG1Jacobian[] gp = pj.Select(p => GpuG1Jacobian.FromCpu(p)).ToArray();
        GpuG1Jacobian[] sum = fx.Ops.AddG1(gp, qj.Select(p => GpuG1Jacobian.FromCpu(p)).ToArray());
        GpuG1Jacobian[] dbl = fx.Ops.DoubleG1(gp);
        for (int i = 0; i < pj.Length; i++)
        {
            Assert.Equal(pj[i] + qj[i], sum[i].ToCpu());
            Assert.Equal(pj[i].Double(), dbl[i].ToCpu());
        }
        Assert.True(sum[1].IsInfinity);
        Assert.True(dbl[3].IsInfinity);
    }
}
