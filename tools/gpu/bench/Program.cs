// Measures: CPU Fr mul vs GpuFr.Mul on the host, batch Fr mul on the ILGPU CPU accelerator; `msm K [skewed]`: the sorted MSM.
using System.Diagnostics;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Kernels;
using ProverMarketChain.Proving.Gpu.Runtime;
if (args.Length > 0 && args[0] == "msm")
{
    MsmBench.Run(args.Length > 1 ? int.Parse(args[1]) : 14, args.Length > 2 && args[2] == "skewed");
    return;
}
var rng = new Random(1);
Fr a = Fr.Random(rng), b = Fr.Random(rng);
GpuFr ga = GpuFr.FromCpu(a), gb = GpuFr.FromCpu(b);
const int N = 5_000_000;
for (int rep = 0; rep < 2; rep++) {
var sw = Stopwatch.StartNew(); Fr x = a; for (int i = 0; i < N; i++) x = x * b; sw.Stop();
Console.WriteLine($"CPU Fr (4x64, BigMul) mul chain: {sw.Elapsed.TotalNanoseconds / N:F1} ns/mul");
sw.Restart(); GpuFr y = ga; for (int i = 0; i < N; i++) y = GpuFr.Mul(y, gb); sw.Stop();
Console.WriteLine($"GpuFr (8x32 CIOS) on host, mul chain: {sw.Elapsed.TotalNanoseconds / N:F1} ns/mul; equal={x == y.ToCpu()}");
}
using var ctx = GpuContext.Create(GpuBackend.IlgpuCpu);
var ops = new GpuBatchOps(ctx);
int n = 1 << 16;
var xs = new GpuFr[n]; var ys = new GpuFr[n];
for (int i = 0; i < n; i++) { xs[i] = GpuFr.FromCpu(Fr.Random(rng)); ys[i] = GpuFr.FromCpu(Fr.Random(rng)); }
ops.MulFr(xs, ys);
for (int rep = 0; rep < 3; rep++) { var sw = Stopwatch.StartNew(); ops.MulFr(xs, ys); sw.Stop(); Console.WriteLine($"ILGPU CPU accel batch Fr mul 2^16: {sw.Elapsed.TotalMilliseconds:F1} ms = {sw.Elapsed.TotalNanoseconds / n:F0} ns/elem ({Environment.ProcessorCount} cores)"); }
