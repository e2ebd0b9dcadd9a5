using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace ProverMarketChain.Proving.Gpu.Runtime;

/// <summary>
/// Compiles kernels to PTX with ILGPU's CUDA backend and no CUDA device or driver: the same code generator a
/// <c>CudaAccelerator</c> runs when it loads a kernel, on a context with the GPU contexts' settings
/// (<see cref="GpuContext.GpuCompilerSettings"/>). What it proves: ILGPU accepts every construct of the kernel and emits
/// PTX for the architecture. What it does not: that the driver's JIT (ptxas) accepts that PTX, or that it runs correctly.
/// </summary>
internal sealed class PtxKernelCompiler : IDisposable
{
    private readonly Context _context;
    private readonly PTXBackend _backend;

    /// <summary>Creates a compiler for <paramref name="architecture"/> emitting PTX ISA <paramref name="instructionSet"/>.</summary>
    public PtxKernelCompiler(CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        _context = Context.Create(b => GpuContext.GpuCompilerSettings(b));
        try
        {
            _backend = new PTXBackend(_context, new CudaCapabilityContext(architecture), architecture, instructionSet, null);
        }
        catch
        {
            _context.Dispose();
            throw;
        }
        Architecture = architecture;
        InstructionSet = instructionSet;
    }

    /// <summary>The H100's architecture (sm_90).</summary>
    public static CudaArchitecture H100 => CudaArchitecture.SM_90;

    /// <summary>The lowest PTX ISA that knows sm_90 (7.8, CUDA 12.0): any driver able to run an H100 JITs it.</summary>
    public static CudaInstructionSet H100InstructionSet => CudaInstructionSet.ISA_78;

    /// <summary>The target architecture.</summary>
    public CudaArchitecture Architecture { get; }

    /// <summary>The PTX ISA version emitted.</summary>
    public CudaInstructionSet InstructionSet { get; }

    /// <summary>Compiles <paramref name="kernel"/> and returns its PTX assembly.</summary>
    /// <exception cref="Exception">Whatever ILGPU throws when it refuses a construct (names the kernel in the test).</exception>
    public string Compile(KernelEntry kernel)
    {
        EntryPointDescription entry = kernel.Grouping == KernelGrouping.Implicit
            ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method)
            : EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method);
        var compiled = (PTXCompiledKernel)_backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _backend.Dispose();
        _context.Dispose();
    }
}
