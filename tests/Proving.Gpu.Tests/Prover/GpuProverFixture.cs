using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>One GPU prover on ILGPU's CPU accelerator, shared by the prover tests (its kernels compile once).</summary>
public sealed class GpuProverFixture : IDisposable
{
    public GpuProverFixture()
    {
        Prover = new GpuGroth16Prover(GpuContext.Create(GpuBackend.IlgpuCpu), NullLogger.Instance, ownsContext: true);
    }

    public GpuGroth16Prover Prover { get; }

    public void Dispose() => Prover.Dispose();
}

[CollectionDefinition(Name)]
public sealed class GpuProverCollection : ICollectionFixture<GpuProverFixture>
{
    public const string Name = "ilgpu-cpu prover";
}
