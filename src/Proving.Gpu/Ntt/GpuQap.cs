using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Ntt;

/// <summary>
/// The Groth16 H computation on the device, as the CPU prover's <c>Groth16Prover.ComputeH</c> (snarkjs's): c = a∘b on
/// the n-th roots, a, b and c each moved to the odd coset w_{2n}·⟨w_n⟩, then H = a∘b − c there. The three coset
/// transforms run in the same launches (see <see cref="NttKernels"/>), so they overlap on the device on one stream.
/// Holds no device memory of its own; the kernels come from the accelerator's shared cache.
/// </summary>
public sealed class GpuQap : IDisposable
{
    private readonly GpuContext _context;
    private readonly NttKernelSet _k;

    /// <summary>Takes the kernels of the context's accelerator (compiling them if no domain did yet).</summary>
    public GpuQap(GpuContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _k = NttKernelSet.For(context.Accelerator, out bool loaded);
        KernelCompileTime = loaded ? _k.CompileTime : TimeSpan.Zero;
    }

    /// <summary>Time this instance spent compiling kernels (zero when they were cached).</summary>
    public TimeSpan KernelCompileTime { get; }

    /// <summary>a, b: A·w and B·w on the domain (device, Montgomery), c: scratch of the same length. Leaves H's scalars
    /// in a (as Groth16Prover.ComputeH). Enqueued on stream; does not synchronize.</summary>
    /// <exception cref="ArgumentException">A view's length is not the domain's size, or the domain or stream belongs to another accelerator.</exception>
    /// <exception cref="InvalidOperationException">The domain has the maximal size 2^28 (no odd coset).</exception>
    public void ComputeH(GpuDomain domain, ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c, AcceleratorStream stream)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (domain.Accelerator != _k.Accelerator)
        {
            throw new ArgumentException("The domain belongs to another accelerator than this GpuQap's.", nameof(domain));
        }
        domain.Check(a, stream, nameof(a));
        domain.Check(b, stream, nameof(b));
        domain.Check(c, stream, nameof(c));
        int n = domain.Size;
        int threads = _k.Threads(n);
        _k.Multiply(stream, threads, a, b, c, n, threads);
        domain.ToOddCosets(a, b, c, stream);
        _k.MultiplySubtract(stream, threads, a, b, c, n, threads);
    }

    /// <summary>Host convenience for tests: uploads, computes, downloads (synchronizes the default stream).</summary>
    /// <exception cref="ArgumentException">A span's length is not the domain's size.</exception>
    public Fr[] ComputeH(GpuDomain domain, ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b)
    {
        ArgumentNullException.ThrowIfNull(domain);
        int n = domain.Size;
        if (a.Length != n || b.Length != n)
        {
            throw new ArgumentException($"Domain of size {n} got a of {a.Length} and b of {b.Length} elements.", a.Length != n ? nameof(a) : nameof(b));
        }
        Accelerator acc = _context.Accelerator;
        AcceleratorStream stream = acc.DefaultStream;
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> da = acc.Allocate1D<GpuFr>(n);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> db = acc.Allocate1D<GpuFr>(n);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> dc = acc.Allocate1D<GpuFr>(n);
        da.View.CopyFromCPU(stream, ref MemoryMarshal.GetReference(MemoryMarshal.Cast<Fr, GpuFr>(a)), n);
        db.View.CopyFromCPU(stream, ref MemoryMarshal.GetReference(MemoryMarshal.Cast<Fr, GpuFr>(b)), n);
        ComputeH(domain, da.View, db.View, dc.View, stream);
        var h = new Fr[n];
        da.View.CopyToCPU(stream, ref MemoryMarshal.GetReference(MemoryMarshal.Cast<Fr, GpuFr>(h.AsSpan())), n);
        stream.Synchronize();
        return h;
    }

    /// <summary>Nothing to release (the kernels are shared per accelerator); present so callers can scope it.</summary>
    public void Dispose()
    {
    }
}
