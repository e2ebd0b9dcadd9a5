using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Prover;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>The per-proof buffers: reused for the same shape, and never handed out freed after a failed reallocation.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class GpuProverWorkspaceTests(IlgpuCpuFixture fx)
{
    [Fact]
    public void For_afterAFailedReallocation_neverReturnsTheFreedWorkspace()
    {
        var acc = fx.Context.Accelerator;
        var ws = GpuProverWorkspace.For(null, acc, nVars: 4, domainSize: 4);
        Assert.Same(ws, GpuProverWorkspace.For(ws, acc, 4, 4));

        // A shape that cannot be allocated (2^31 wires of 32 bytes): the old workspace is freed first to make room.
        Assert.ThrowsAny<Exception>(() => GpuProverWorkspace.For(ws, acc, int.MaxValue, 4));

        // The prover still holds the old reference; asking for the old shape again must give usable buffers.
        var again = GpuProverWorkspace.For(ws, acc, 4, 4);
        var host = new GpuFr[4];
        again.Witness.View.CopyFromCPU(host);
        again.Dispose();
    }
}

/// <summary>A prover that owns its device context frees it when it cannot be built (a bad budget from configuration, a kernel that does not compile).</summary>
public sealed class GpuProverConstructionTests
{
    [Fact]
    public void Constructor_failing_disposesTheContextItWasGiven()
    {
        var context = Runtime.GpuContext.Create(Runtime.GpuBackend.IlgpuCpu);
        try
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new GpuGroth16Prover(context, keyBudgetBytes: -1, ownsContext: true));
            Assert.True(context.Accelerator.IsDisposed, "the context handed over with ownsContext leaked");
        }
        finally
        {
            if (!context.Accelerator.IsDisposed) context.Dispose();
        }
    }
}
