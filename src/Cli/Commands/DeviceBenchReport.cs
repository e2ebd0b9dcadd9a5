using System.Globalization;
using ProverMarketChain.Proving.Gpu.Bench;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc bench --device gpu|ilgpu-cpu</c>: runs <see cref="GpuBench"/> and prints each figure next to the CPU prover's
/// from the same run, with the ratio and whether the MSM results agree. Exits 1 when they do not.
/// </summary>
internal static class DeviceBenchReport
{
    public static int Run(ProverDevice device, int msmLog2, int[] proveLog2, int runs, CommandContext ctx)
    {
        GpuBackend backend = device switch
        {
            ProverDevice.Gpu => GpuBackend.Gpu,
            ProverDevice.IlgpuCpu => GpuBackend.IlgpuCpu,
            _ => throw new UsageException($"--device {ProverDevices.Name(device)}: the device bench compares a GPU path with the CPU prover; give gpu or ilgpu-cpu (plain `pmc bench` measures the CPU prover)"),
        };
        var o = ctx.Out;
        using var bench = new GpuBench(backend, ctx.Loggers.CreateLogger("pmc.bench"));
        o.WriteLine($"pmc bench --device {ProverDevices.Name(device)}: {bench.DeviceName} against the CPU prover ({Environment.ProcessorCount} cores), medians of {runs} run{(runs == 1 ? "" : "s")}");
        if (backend == GpuBackend.IlgpuCpu)
            o.WriteLine("  (ILGPU's CPU accelerator emulates the GPU on the CPU: a correctness run, not a GPU figure)");

        var msm = bench.Msm(msmLog2, runs);
        o.WriteLine($"{"benchmark",-28}{"size",8}{"device ms",12}{"cpu ms",12}{"cpu/device",12}");
        o.WriteLine($"{"G1 MSM",-28}{"2^" + msmLog2,8}{msm.DeviceMs,12:F1}{msm.CpuMs,12:F1}{Ratio(msm.CpuMs, msm.DeviceMs),12}"
            + $"   bases upload {msm.BasesUploadMs:F1} ms (once per key); results {(msm.Equal ? "equal" : "DIFFER")}");

        string dir = Directory.CreateTempSubdirectory("pmc-bench-device-").FullName;
        try
        {
            foreach (int log2 in proveLog2)
            {
                var p = bench.Prove(log2, runs, dir);
                o.WriteLine($"{"prove (synthetic)",-28}{"2^" + log2,8}{p.DeviceMs,12:F1}{p.CpuMs,12:F1}{Ratio(p.CpuMs, p.DeviceMs),12}"
                    + $"   first device prove {p.FirstDeviceMs:F0} ms (uploads the key); key setup {p.SetupMs:F0} ms");
                foreach (var (phase, time) in p.DevicePhases)
                    o.WriteLine($"    {phase}: {time.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        if (!msm.Equal)
        {
            ctx.Err.WriteLine("pmc bench: error: the device MSM differs from the CPU MSM");
            return ExitCodes.Failure;
        }
        return ExitCodes.Success;
    }

    private static string Ratio(double cpu, double device) => device > 0 ? (cpu / device).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
}
