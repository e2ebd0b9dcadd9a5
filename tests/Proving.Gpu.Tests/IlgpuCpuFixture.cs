using ProverMarketChain.Proving.Gpu.Kernels;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>One ILGPU CPU accelerator with compiled kernels, shared by the kernel tests (compiling is the slow part).</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    public IlgpuCpuFixture()
    {
        Context = GpuContext.Create(GpuBackend.IlgpuCpu);
        Ops = new GpuBatchOps(Context);
        Msm = new NaiveBucketMsm(Context);
    }

    public GpuContext Context { get; }

    public GpuBatchOps Ops { get; }

    public NaiveBucketMsm Msm { get; }

    public void Dispose() => Context.Dispose();
}

[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuFixture>
{
    public const string Name = "ilgpu-cpu";
}
