namespace ProverMarketChain.Proving.Gpu.Runtime;

/// <summary>Which ILGPU accelerator the GPU path runs on (backs the future <c>--device gpu|ilgpu-cpu</c>).</summary>
public enum GpuBackend
{
    /// <summary>A real GPU: the first CUDA device, else the first OpenCL GPU; fails if there is neither.</summary>
    Gpu,

    /// <summary>ILGPU's CPU accelerator: the same kernels, emulated on the CPU, for tests and debugging.</summary>
    IlgpuCpu,
}

/// <summary>Kind of an ILGPU device as the selector sees it.</summary>
public enum GpuDeviceKind
{
    /// <summary>NVIDIA CUDA device.</summary>
    Cuda,

    /// <summary>OpenCL device.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator.</summary>
    Cpu,
}

/// <summary>One device ILGPU reported: its kind, name and position in ILGPU's device list.</summary>
/// <param name="Kind">CUDA, OpenCL or CPU.</param>
/// <param name="Name">The driver's name for it.</param>
/// <param name="Index">Index into the context's device list.</param>
public sealed record GpuDeviceInfo(GpuDeviceKind Kind, string Name, int Index);

/// <summary>Thrown when a GPU is requested and ILGPU finds no CUDA or OpenCL device.</summary>
public sealed class GpuUnavailableException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public GpuUnavailableException(string message) : base(message) { }
}
