// Sorted-bucket MSM on ILGPU's CPU accelerator: kernel compile time per instance and 2^k G1/G2 MSM times against the
// CPU Msm.MultiExp. Run: flock /tmp/pmc-heavy.lock dotnet run -c Release --project tools/gpu/bench -- msm [log2n]
using System.Diagnostics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Runtime;
using CpuMsm = ProverMarketChain.Proving.Msm.Msm;

internal static class MsmBench
{
    public static void Run(int log2n, bool skewed)
    {
        var sw = Stopwatch.StartNew();
        using GpuContext ctx = GpuContext.Create(GpuBackend.IlgpuCpu);
        Console.WriteLine($"context: {sw.Elapsed.TotalSeconds:F2} s; {ctx.Accelerator.Name}, warp {ctx.Accelerator.WarpSize}, max group {ctx.Accelerator.MaxNumThreadsPerGroup}, SMs {ctx.Accelerator.NumMultiprocessors}");
        sw.Restart();
        using var msm = new SortedBucketMsm(ctx);
        Console.WriteLine($"SortedBucketMsm ctor (compile, first instance): {sw.Elapsed.TotalSeconds:F2} s");
        sw.Restart();
        using (new SortedBucketMsm(ctx))
        {
            Console.WriteLine($"SortedBucketMsm ctor (second instance): {sw.Elapsed.TotalSeconds:F2} s");
        }

        int n = 1 << log2n;
        var rng = new Random(1);
        // Points: multiples of a few random points (generating 2^14 random points by scalar mult is slow on the host).
        var g1 = new G1Affine[n];
        var g2 = new G2Affine[n];
        G1Jacobian p1 = G1Jacobian.Generator.Multiply(Fr.Random(rng));
        G2Jacobian p2 = G2Jacobian.Generator.Multiply(Fr.Random(rng));
        G1Jacobian a1 = p1;
        G2Jacobian a2 = p2;
        for (int i = 0; i < n; i++)
        {
            g1[i] = a1.ToAffine();
            g2[i] = a2.ToAffine();
            a1 = a1.Add(p1);
            a2 = a2.Add(p2);
        }
        var sc = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            sc[i] = !skewed ? Fr.Random(rng) : u < 0.45 ? Fr.Zero : u < 0.9 ? Fr.One : Fr.Random(rng);
        }
        Console.WriteLine($"n = 2^{log2n}, {(skewed ? "skewed (45% 0, 45% 1)" : "random")} scalars, {Environment.ProcessorCount} cores");
        for (int rep = 0; rep < 3; rep++)
        {
            sw.Restart();
            G1Jacobian r1 = msm.MultiExp(g1, sc);
            double t1 = sw.Elapsed.TotalSeconds;
            sw.Restart();
            G2Jacobian r2 = msm.MultiExp(g2, sc);
            double t2 = sw.Elapsed.TotalSeconds;
            sw.Restart();
            G1Jacobian c1 = CpuMsm.MultiExp(g1, sc);
            double ct1 = sw.Elapsed.TotalSeconds;
            sw.Restart();
            G2Jacobian c2 = CpuMsm.MultiExp(g2, sc);
            double ct2 = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"rep {rep}: sorted G1 {t1:F2} s (CPU MSM {ct1:F2} s, equal={r1 == c1}); sorted G2 {t2:F2} s (CPU MSM {ct2:F2} s, equal={r2 == c2})");
        }
    }
}
