namespace ProverMarketChain.Proving.Gpu.Runtime;

/// <summary>
/// Chooses a device from what ILGPU enumerated: for <see cref="GpuBackend.Gpu"/> CUDA first, then OpenCL;
/// for <see cref="GpuBackend.IlgpuCpu"/> the CPU accelerator. Pure, so the policy is testable without hardware.
/// </summary>
public static class GpuDeviceSelector
{
    /// <summary>Picks the device for <paramref name="backend"/>.</summary>
    /// <exception cref="GpuUnavailableException">A GPU was requested and there is no CUDA or OpenCL device,
    /// or the CPU accelerator was requested and ILGPU did not list it.</exception>
    public static GpuDeviceInfo Select(IReadOnlyList<GpuDeviceInfo> devices, GpuBackend backend)
    {
        ArgumentNullException.ThrowIfNull(devices);
        switch (backend)
        {
            case GpuBackend.Gpu:
                GpuDeviceInfo? gpu = devices.FirstOrDefault(d => d.Kind == GpuDeviceKind.Cuda)
                    ?? devices.FirstOrDefault(d => d.Kind == GpuDeviceKind.OpenCL);
                if (gpu is null)
                {
                    string seen = devices.Count == 0 ? "no devices" : string.Join(", ", devices.Select(d => $"{d.Kind} '{d.Name}'"));
                    throw new GpuUnavailableException(
                        $"A GPU was requested but ILGPU found no CUDA device (NVIDIA driver / libcuda) and no OpenCL device " +
                        $"(OpenCL ICD loader and a vendor driver); it saw {seen}. Use the CPU prover, or the ILGPU CPU accelerator for debugging.");
                }
                return gpu;
            case GpuBackend.IlgpuCpu:
                return devices.FirstOrDefault(d => d.Kind == GpuDeviceKind.Cpu)
                    ?? throw new GpuUnavailableException("The ILGPU CPU accelerator was requested but ILGPU did not list it.");
            default:
                throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown GPU backend.");
        }
    }
}
