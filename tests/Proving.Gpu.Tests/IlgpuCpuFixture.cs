using ProverMarketChain.Proving.Gpu.Kernels;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>One ILGPU CPU accelerator with compiled kernels, shared by the kernel tests (compiling is the slow part).</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    public IlgpuCpuFixture()
    {
        Context = GpuContext.Create(GpuBackend.IlgpuCpu);
        Ops = new GpuBatchOps(Context);
        Sorted = new SortedBucketMsm(Context);
    }

    public GpuContext Context { get; }

    public GpuBatchOps Ops { get; }

    /// <summary>The fast MSM with default segment length (tests that change it build their own instance).</summary>
    public SortedBucketMsm Sorted { get; }

    public void Dispose()
    {
        Sorted.Dispose();
        Context.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuFixture>
{
    public const string Name = "ilgpu-cpu";
}
