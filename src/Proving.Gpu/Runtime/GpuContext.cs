using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace ProverMarketChain.Proving.Gpu.Runtime;

/// <summary>
/// Owns an ILGPU <see cref="Context"/> and one <see cref="Accelerator"/> chosen by <see cref="GpuDeviceSelector"/>.
/// Create one per process and keep it: creating accelerators and compiling kernels is expensive.
/// ILGPU.Algorithms (radix sort, scan) is enabled on the context, for the sorted bucket MSM.
/// </summary>
public sealed class GpuContext : IDisposable
{
    private readonly Context _context;

    private GpuContext(Context context, Accelerator accelerator, GpuDeviceInfo device)
    {
        _context = context;
        Accelerator = accelerator;
        Device = device;
    }

    /// <summary>The accelerator kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The chosen device.</summary>
    public GpuDeviceInfo Device { get; }

    /// <summary>
    /// The compiler settings of every GPU context (CUDA and OpenCL): ILGPU.Algorithms enabled, O2, ILGPU's default
    /// (full) inlining. <see cref="PtxKernelCompiler"/> uses the same, so its offline PTX is what a device would load.
    /// </summary>
    internal static Context.Builder GpuCompilerSettings(Context.Builder builder) =>
        builder.EnableAlgorithms().Optimize(OptimizationLevel.O2);

    /// <summary>Opens the device for <paramref name="backend"/>.</summary>
    /// <exception cref="GpuUnavailableException">No device of that kind (the message names what is missing).</exception>
    public static GpuContext Create(GpuBackend backend)
    {
        Context context = backend == GpuBackend.IlgpuCpu
            ? Context.Create(b => b.CPU().EnableAlgorithms().Inlining(InliningMode.Conservative).Optimize(OptimizationLevel.O1))
            : Context.Create(b => GpuCompilerSettings(b.Cuda().OpenCL()));
        try
        {
            IReadOnlyList<GpuDeviceInfo> devices = Describe(context);
            GpuDeviceInfo chosen = GpuDeviceSelector.Select(devices, backend);
            Accelerator accelerator = context.Devices[chosen.Index].CreateAccelerator(context);
            return new GpuContext(context, accelerator, chosen);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the first CUDA device if there is one (for <c>--device auto</c>); null when there is none. OpenCL devices
    /// are not taken here: <c>auto</c> picks only what the backend is built and measured for, and <c>--device gpu</c>
    /// still reaches an OpenCL GPU when asked for explicitly.
    /// </summary>
    public static GpuContext? TryCreateCuda()
    {
        if (!CudaDriverPresent())
        {
            return null;
        }
        Context context;
        try
        {
            context = Context.Create(b => GpuCompilerSettings(b.Cuda()));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException)
        {
            return null; // no driver library to probe
        }
        try
        {
            IReadOnlyList<GpuDeviceInfo> devices = Describe(context);
            GpuDeviceInfo? cuda = devices.FirstOrDefault(d => d.Kind == GpuDeviceKind.Cuda);
            if (cuda is null)
            {
                context.Dispose();
                return null;
            }
            return new GpuContext(context, context.Devices[cuda.Index].CreateAccelerator(context), cuda);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the CUDA driver library can be loaded: without it there is no CUDA device, and <c>--device auto</c> answers
    /// in about a millisecond instead of paying ~90 ms for an ILGPU context on every <c>pmc prove</c>.
    /// </summary>
    public static bool CudaDriverPresent()
    {
        string library = OperatingSystem.IsWindows() ? "nvcuda.dll" : OperatingSystem.IsMacOS() ? "libcuda.dylib" : "libcuda.so.1";
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(library, out IntPtr handle))
        {
            return false;
        }
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>Opens a real GPU if there is one; null when there is none.</summary>
    public static GpuContext? TryCreateGpu()
    {
        try
        {
            return Create(GpuBackend.Gpu);
        }
        catch (GpuUnavailableException)
        {
            return null;
        }
    }

    /// <summary>Lists the devices of a context in the selector's terms (OpenCL devices only when they are GPUs).</summary>
    internal static IReadOnlyList<GpuDeviceInfo> Describe(Context context)
    {
        var list = new List<GpuDeviceInfo>();
        for (int i = 0; i < context.Devices.Length; i++)
        {
            Device d = context.Devices[i];
            GpuDeviceKind? kind = d.AcceleratorType switch
            {
                AcceleratorType.Cuda => GpuDeviceKind.Cuda,
                AcceleratorType.OpenCL => GpuDeviceKind.OpenCL,
                AcceleratorType.CPU => GpuDeviceKind.Cpu,
                _ => null,
            };
            // An OpenCL CPU runtime (pocl, Intel's CPU driver) is not a GPU: leave it out so Gpu never picks it.
            if (d is CLDevice cl && !cl.DeviceType.ToString().Contains("GPU", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (kind is { } k)
            {
                list.Add(new GpuDeviceInfo(k, d.Name, i));
            }
        }
        return list;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
