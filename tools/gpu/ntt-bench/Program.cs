// Times GpuQap.ComputeH (H's scalars: c = a∘b, three odd cosets, a∘b − c) on ILGPU's CPU accelerator at the sizes given
// (default 14 15), with and without transfers, against the same steps on the CPU EvaluationDomain, and checks equality.
using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Ntt;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Ntt;

int[] sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : [14, 15];
var sw = Stopwatch.StartNew();
using var ctx = GpuContext.Create(GpuBackend.IlgpuCpu);
Console.WriteLine($"context {sw.Elapsed.TotalMilliseconds:F0} ms; {ctx.Device.Name}, max {ctx.Accelerator.MaxNumThreadsPerGroup} threads/group, {Environment.ProcessorCount} cores");
using var qap = new GpuQap(ctx);
Console.WriteLine($"GpuQap: kernels compiled in {qap.KernelCompileTime.TotalMilliseconds:F0} ms (first instance on the accelerator)");
var rng = new Random(1);
foreach (int log2 in sizes)
{
    int n = 1 << log2;
    Fr[] a = Enumerable.Range(0, n).Select(_ => Fr.Random(rng)).ToArray();
    Fr[] b = Enumerable.Range(0, n).Select(_ => Fr.Random(rng)).ToArray();
    using var domain = new GpuDomain(ctx, log2);
    Console.WriteLine($"2^{log2}: GpuDomain set-up {domain.SetupTime.TotalMilliseconds:F0} ms (kernel compile {domain.KernelCompileTime.TotalMilliseconds:F0} ms), tables {domain.Bytes >> 10} KiB");

    var cpuDomain = new EvaluationDomain(log2, 1);
    Fr[] expected = null!;
    for (int rep = 0; rep < 2; rep++)
    {
        sw.Restart();
        Fr[] ca = (Fr[])a.Clone(), cb = (Fr[])b.Clone(), cc = new Fr[n];
        for (int i = 0; i < n; i++) cc[i] = ca[i] * cb[i];
        cpuDomain.ToOddCoset(ca); cpuDomain.ToOddCoset(cb); cpuDomain.ToOddCoset(cc);
        for (int i = 0; i < n; i++) ca[i] = ca[i] * cb[i] - cc[i];
        expected = ca;
        Console.WriteLine($"  CPU EvaluationDomain, one thread: {sw.Elapsed.TotalMilliseconds:F0} ms");
    }
    for (int rep = 0; rep < 3; rep++)
    {
        sw.Restart();
        Fr[] h = qap.ComputeH(domain, a, b);
        Console.WriteLine($"  GpuQap.ComputeH incl. upload/download: {sw.Elapsed.TotalMilliseconds:F0} ms, equal to CPU: {h.AsSpan().SequenceEqual(expected)}");
    }
    Accelerator acc = ctx.Accelerator;
    using var da = acc.Allocate1D<GpuFr>(n);
    using var db = acc.Allocate1D<GpuFr>(n);
    using var dc = acc.Allocate1D<GpuFr>(n);
    GpuFr[] ga = GpuFr.FromCpu(a), gb = GpuFr.FromCpu(b);
    for (int rep = 0; rep < 3; rep++)
    {
        da.CopyFromCPU(ga); db.CopyFromCPU(gb);
        acc.Synchronize();
        sw.Restart();
        qap.ComputeH(domain, da.View, db.View, dc.View, acc.DefaultStream);
        acc.DefaultStream.Synchronize();
        Console.WriteLine($"  GpuQap.ComputeH on resident buffers: {sw.Elapsed.TotalMilliseconds:F0} ms");
    }
}
