using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>
/// The per-proof buffers of the GPU prover, kept between proofs of the same shape: page-locked host staging for the
/// witness and the QAP vectors (so their copies are asynchronous and overlap the kernels), and their device copies plus
/// the NTT's scratch vector.
/// </summary>
internal sealed class GpuProverWorkspace : IDisposable
{
    private bool _disposed;

    private GpuProverWorkspace(Accelerator accelerator, int nVars, int domainSize)
    {
        NVars = nVars;
        DomainSize = domainSize;
        try
        {
            HostWitness = accelerator.AllocatePageLocked1D<GpuFr>(nVars);
            HostA = accelerator.AllocatePageLocked1D<GpuFr>(domainSize);
            HostB = accelerator.AllocatePageLocked1D<GpuFr>(domainSize);
            Witness = accelerator.Allocate1D<GpuFr>(nVars);
            A = accelerator.Allocate1D<GpuFr>(domainSize);
            B = accelerator.Allocate1D<GpuFr>(domainSize);
            C = accelerator.Allocate1D<GpuFr>(domainSize);
        }
        catch
        {
            Dispose(); // out of device or pinned memory half-way: free what was allocated
            throw;
        }
    }

    public int NVars { get; }

    public int DomainSize { get; }

    public PageLockedArray1D<GpuFr> HostWitness { get; }

    public PageLockedArray1D<GpuFr> HostA { get; }

    public PageLockedArray1D<GpuFr> HostB { get; }

    public MemoryBuffer1D<GpuFr, Stride1D.Dense> Witness { get; }

    public MemoryBuffer1D<GpuFr, Stride1D.Dense> A { get; }

    public MemoryBuffer1D<GpuFr, Stride1D.Dense> B { get; }

    public MemoryBuffer1D<GpuFr, Stride1D.Dense> C { get; }

    /// <summary>The host staging of the witness as CPU field elements (same bytes: both are Montgomery limbs).</summary>
    public Span<Fr> HostWitnessFr => MemoryMarshal.Cast<GpuFr, Fr>(HostWitness.Span);

    /// <summary>The host staging of A·w as CPU field elements.</summary>
    public Span<Fr> HostAFr => MemoryMarshal.Cast<GpuFr, Fr>(HostA.Span);

    /// <summary>The host staging of B·w as CPU field elements.</summary>
    public Span<Fr> HostBFr => MemoryMarshal.Cast<GpuFr, Fr>(HostB.Span);

    /// <summary>Reuses <paramref name="current"/> when it has this shape, else frees it and allocates anew.</summary>
    public static GpuProverWorkspace For(GpuProverWorkspace? current, Accelerator accelerator, int nVars, int domainSize)
    {
        // A freed workspace is never reused: after a failed reallocation the caller still holds the one freed here.
        if (current is { _disposed: false } && current.NVars == nVars && current.DomainSize == domainSize) return current;
        current?.Dispose();
        return new GpuProverWorkspace(accelerator, nVars, domainSize);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        HostWitness?.Dispose();
        HostA?.Dispose();
        HostB?.Dispose();
        Witness?.Dispose();
        A?.Dispose();
        B?.Dispose();
        C?.Dispose();
    }
}
