using System.Diagnostics;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Gpu.Arithmetic;

namespace ProverMarketChain.Proving.Gpu.Ntt;

/// <summary>
/// The NTT kernels loaded for one accelerator. Loaded once per accelerator and shared by every <see cref="GpuDomain"/>
/// and <see cref="GpuQap"/> on it (<see cref="For"/>), so a new domain size costs only its table upload.
/// </summary>
internal sealed class NttKernelSet
{
    private static readonly ConditionalWeakTable<Accelerator, NttKernelSet> Cache = new();
    private static readonly Lock CacheLock = new();

    private NttKernelSet(Accelerator accelerator)
    {
        long start = Stopwatch.GetTimestamp();
        Accelerator = accelerator;
        BitReverse = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, GpuFr, int, int, int>(
            NttKernels.BitReverse);
        DitStage = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int>(
            NttKernels.DitStage);
        DifInverseStage = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int>(
            NttKernels.DifInverseStage);
        LocalStages = accelerator.LoadKernel<ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int>(
            NttKernels.LocalStages);
        Multiply = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int>(NttKernels.Multiply);
        MultiplySubtract = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int>(
            NttKernels.MultiplySubtract);
        MaxLocalLog = Math.Min(NttKernels.MaxLocalLog, 1 + (int)Math.Log2(Math.Max(1, accelerator.MaxNumThreadsPerGroup)));
        DefaultLocalLog = accelerator.AcceleratorType == AcceleratorType.CPU ? 1 : MaxLocalLog;
        MaxThreads = Math.Max(1, accelerator.MaxNumThreads);
        CompileTime = Stopwatch.GetElapsedTime(start);
    }

    /// <summary>Threads the device runs at once: the largest launch of the grid-stride kernels.</summary>
    public int MaxThreads { get; }

    /// <summary>Launch extent for <paramref name="count"/> work items of a grid-stride kernel.</summary>
    public int Threads(int count) => Math.Min(count, MaxThreads);

    /// <summary>Groups to launch for <paramref name="blocks"/> blocks of <paramref name="groupSize"/> threads: at most
    /// as many as run at once (the kernel's groups loop over the rest).</summary>
    public int Groups(int blocks, int groupSize) => Math.Min(blocks, Math.Max(1, MaxThreads / groupSize));

    /// <summary>The accelerator the kernels belong to.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>How long loading (compiling) the kernels took.</summary>
    public TimeSpan CompileTime { get; }

    /// <summary>Largest shared-memory block (log2) this accelerator's group size allows, at most
    /// <see cref="NttKernels.MaxLocalLog"/>.</summary>
    public int MaxLocalLog { get; }

    /// <summary>The block a domain uses unless told otherwise: <see cref="MaxLocalLog"/> on a GPU; 2^1 (no stage
    /// sharing a barrier) on ILGPU's CPU accelerator, where a group barrier synchronizes 16 OS threads and the
    /// shared-memory kernel was 4-6 times slower than one launch per stage (2^14 H: 2.1 s against 0.36 s).</summary>
    public int DefaultLocalLog { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, GpuFr, int, int, int> BitReverse { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int> DitStage { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int> DifInverseStage { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int, int, int> LocalStages { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int> Multiply { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<GpuFr>, ArrayView<GpuFr>, ArrayView<GpuFr>, int, int> MultiplySubtract { get; }

    /// <summary>The kernel set of <paramref name="accelerator"/>, loading it on first use.</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="loaded">Whether this call loaded the kernels (false: taken from the cache).</param>
    public static NttKernelSet For(Accelerator accelerator, out bool loaded)
    {
        lock (CacheLock)
        {
            if (Cache.TryGetValue(accelerator, out NttKernelSet? set))
            {
                loaded = false;
                return set;
            }
            set = new NttKernelSet(accelerator);
            Cache.Add(accelerator, set);
            loaded = true;
            return set;
        }
    }
}
