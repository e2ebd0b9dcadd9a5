using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>Device selection policy: CUDA, then OpenCL, CPU accelerator only on request, clear error otherwise.</summary>
public sealed class DeviceSelectionTests
{
    private static readonly GpuDeviceInfo Cpu = new(GpuDeviceKind.Cpu, "CPUAccelerator", 0);
    private static readonly GpuDeviceInfo Cl = new(GpuDeviceKind.OpenCL, "Some OpenCL GPU", 1);
    private static readonly GpuDeviceInfo Cuda = new(GpuDeviceKind.Cuda, "NVIDIA H100", 2);

    [Fact]
    public void Gpu_request_prefers_cuda_over_opencl()
    {
        Assert.Equal(Cuda, GpuDeviceSelector.Select([Cpu, Cl, Cuda], GpuBackend.Gpu));
        Assert.Equal(Cl, GpuDeviceSelector.Select([Cpu, Cl], GpuBackend.Gpu));
    }

    [Fact]
    public void Gpu_request_never_falls_back_to_the_cpu_accelerator_and_names_what_is_missing()
    {
        var ex = Assert.Throws<GpuUnavailableException>(() => GpuDeviceSelector.Select([Cpu], GpuBackend.Gpu));
        Assert.Contains("CUDA", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OpenCL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Cpu 'CPUAccelerator'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<GpuUnavailableException>(() => GpuDeviceSelector.Select([], GpuBackend.Gpu));
    }

    [Fact]
    public void Cpu_accelerator_request_picks_the_cpu_device_even_when_a_gpu_exists()
    {
        Assert.Equal(Cpu, GpuDeviceSelector.Select([Cuda, Cpu], GpuBackend.IlgpuCpu));
        Assert.Throws<GpuUnavailableException>(() => GpuDeviceSelector.Select([Cuda], GpuBackend.IlgpuCpu));
    }

    [Fact]
    public void Creating_a_gpu_context_fails_clearly_exactly_when_this_machine_has_no_cuda_or_opencl_device()
    {
        using var probe = ILGPU.Context.Create(b => ILGPU.Runtime.Cuda.CudaContextExtensions.Cuda(ILGPU.Runtime.OpenCL.CLContextExtensions.OpenCL(b)));
        bool hasGpu = GpuContext.Describe(probe).Any(d => d.Kind is GpuDeviceKind.Cuda or GpuDeviceKind.OpenCL);
        if (hasGpu)
        {
            using GpuContext ctx = GpuContext.Create(GpuBackend.Gpu);
            Assert.NotEqual(GpuDeviceKind.Cpu, ctx.Device.Kind);
        }
        else
        {
            var ex = Assert.Throws<GpuUnavailableException>(() => GpuContext.Create(GpuBackend.Gpu));
            Assert.Contains("no CUDA device", ex.Message, StringComparison.Ordinal);
            Assert.Null(GpuContext.TryCreateGpu());
        }
    }

    [Fact]
    public void Cpu_accelerator_context_opens_without_a_gpu()
    {
        using GpuContext ctx = GpuContext.Create(GpuBackend.IlgpuCpu);
        Assert.Equal(GpuDeviceKind.Cpu, ctx.Device.Kind);
    }
}
