using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Curves;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The G2 group-law kernels on ILGPU's CPU accelerator give what the CPU's G2 gives.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class G2KernelTests(IlgpuCpuFixture fx)
{
    [Fact]
    public void G2_mixed_add_and_add_kernels_equal_the_cpu_group_law_including_doubling_inverse_and_infinity()
    {
        G2Affine[] ps = TestValuesG2.Points(8, 40);
        G2Affine[] qs = TestValuesG2.Points(8, 41);
        qs[0] = ps[0];
        qs[1] = ps[1].Negate();
        qs[2] = G2Affine.Infinity;
        var pj = ps.Select(p => p.ToJacobian().Multiply(Fr.FromBigInteger(5))).ToArray();
        pj[3] = G2Jacobian.Infinity;
        var qjCpu = qs.Select(q => q.ToJacobian()).ToArray();
        pj[0] = ps[0].ToJacobian(); // P + P with Z = 1
        pj[1] = ps[1].ToJacobian();
        GpuG2Jacobian[] gp = pj.Select(p => GpuG2Jacobian.FromCpu(p)).ToArray();
        GpuG2Jacobian[] mixed = fx.Ops.AddMixedG2(gp, GpuG2Affine.FromCpu(qs));
        GpuG2Jacobian[] full = fx.Ops.AddG2(gp, qjCpu.Select(q => GpuG2Jacobian.FromCpu(q)).ToArray());
        for (int i = 0; i < ps.Length; i++)
        {
            Assert.Equal(pj[i].AddMixed(qs[i]), mixed[i].ToCpu());
            Assert.Equal(pj[i] + qjCpu[i], full[i].ToCpu());
            Assert.True(mixed[i].ToCpu().IsOnCurve());
        }
        Assert.Equal(ps[0].ToJacobian().Double(), mixed[0].ToCpu());
        Assert.True(mixed[1].IsInfinity);
        Assert.True(full[1].IsInfinity);
    }
}
