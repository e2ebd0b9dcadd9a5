using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Msm;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc bench</c>: MSM and NTT throughput, then <c>pmc prove</c> against <c>snarkjs groth16 prove</c> on the same zkey and
/// witness (the circuits build of <c>poseidon_chain_2e16</c> unless <c>--zkey/--wtns</c> are given), with the prover's peak
/// working set relative to the zkey size. Both provers run as child processes so their memory and start-up are comparable;
/// CPU time is reported next to wall time because a shared machine distorts the latter.
/// </summary>
public sealed class BenchCommand : PmcCommand
{
    private readonly Option<bool> _quick = new("--quick") { Description = "Only the 2^16 MSM and NTT sizes, one repetition each" };

    private readonly Option<int> _runs = new("--runs")
    {
        Description = "Alternated runs of each prover (1..50); the medians are compared",
        DefaultValueFactory = _ => 3,
        CustomParser = OptionParsers.WholeNumber("--runs", 1, 50),
        HelpName = "N",
    };

    private readonly Option<string> _zkey = new("--zkey")
    {
        Description = "Proving key to prove with (default: the circuits build of poseidon_chain_2e16)",
        HelpName = "circuit.zkey",
    };

    private readonly Option<string> _wtns = new("--wtns")
    {
        Description = "Witness to prove (default: the circuits build of poseidon_chain_2e16)",
        HelpName = "witness.wtns",
    };

    private readonly Option<string> _snarkjs = new("--snarkjs")
    {
        Description = "The snarkjs to compare with (default: node_modules/.bin/snarkjs)",
        HelpName = "path",
    };

    private readonly Option<ProverDevice?> _device = new("--device")
    {
        Description = "Bench the GPU path instead: gpu (a CUDA/OpenCL GPU; an error when there is none) or ilgpu-cpu (ILGPU's CPU accelerator), "
            + "each against the CPU prover in the same run: a G1 MSM, then proves of synthetic circuits",
        CustomParser = r => OptionParsers.Device("--device")(r),
        HelpName = "gpu|ilgpu-cpu",
    };

    private readonly Option<int> _msmLog2 = new("--msm-log2")
    {
        Description = "With --device: log2 of the G1 MSM's points",
        DefaultValueFactory = _ => 20,
        CustomParser = OptionParsers.WholeNumber("--msm-log2", 4, 24),
        HelpName = "K",
    };

    private readonly Option<int[]> _proveLog2 = new("--prove-log2")
    {
        Description = "With --device: log2 of each synthetic circuit's constraints to prove, comma-separated (default: 16,20)",
        CustomParser = OptionParsers.WholeNumberList("--prove-log2", 2, 24),
        HelpName = "K[,K...]",
    };

    /// <summary>Creates the command.</summary>
    public BenchCommand(CliIo io)
        : base("bench", "MSM/NTT throughput and prove vs snarkjs (time ratio, peak memory vs zkey size)", io)
    {
        Options.Add(_quick);
        Options.Add(_runs);
        Options.Add(_zkey);
        Options.Add(_wtns);
        Options.Add(_snarkjs);
        Options.Add(_device);
        Options.Add(_msmLog2);
        Options.Add(_proveLog2);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext ctx)
    {
        bool quick = parseResult.GetValue(_quick);
        if (parseResult.GetValue(_device) is { } device)
        {
            return DeviceBenchReport.Run(device, parseResult.GetValue(_msmLog2), parseResult.GetValue(_proveLog2) ?? [16, 20], parseResult.GetValue(_runs), ctx);
        }
        // As in `pmc prove` (whose children this also runs): the in-process MSMs and NTTs get the same heap.
        ProvingHeap.AdviseHugePages(ctx.Loggers.CreateLogger("pmc.bench"));
        var o = ctx.Out;
        o.WriteLine($"pmc bench ({Environment.ProcessorCount} cores{(quick ? ", quick" : "")})");

        int[] msmLogs = quick ? [16] : [.. ArithmeticBench.DefaultMsmLog2Sizes];
        int[] nttLogs = quick ? [16] : [.. ArithmeticBench.DefaultNttLog2Sizes];
        o.WriteLine($"{"benchmark",-24}{"size",8}{"wall ms",12}{"cpu ms",12}{"per second",16}");
        ArithmeticBench.BenchG1Msm(12); // JIT warm-up
        foreach (int log in msmLogs)
        {
            var r = ArithmeticBench.BenchG1Msm(log, repetitions: quick ? 1 : 2);
            o.WriteLine($"{"G1 MSM",-24}{"2^" + log,8}{r.Milliseconds,12:F1}{r.CpuMilliseconds,12:F1}{r.PointsPerSecond,16:N0}");
        }

        foreach (int log in nttLogs)
        {
            var r = ArithmeticBench.BenchNtt(log, repetitions: quick ? 1 : 3);
            o.WriteLine($"{"NTT forward",-24}{"2^" + log,8}{r.ForwardMilliseconds,12:F1}{"",12}{(1 << log) / r.ForwardMilliseconds * 1000,16:N0}");
            o.WriteLine($"{"NTT to odd coset",-24}{"2^" + log,8}{r.OddCosetMilliseconds,12:F1}{"",12}{(1 << log) / r.OddCosetMilliseconds * 1000,16:N0}");
        }

        GC.Collect();
        return ProveVsSnarkjs(parseResult.GetValue(_zkey), parseResult.GetValue(_wtns), parseResult.GetValue(_snarkjs), parseResult.GetValue(_runs), ctx);
    }

    private static int ProveVsSnarkjs(string? zkeyOption, string? wtnsOption, string? snarkjsOption, int runs, CommandContext ctx)
    {
        var o = ctx.Out;
        string root = RepoPaths.Root();
        string zkey = zkeyOption ?? Path.Combine(root, "circuits/build/poseidon_chain_2e16/poseidon_chain_2e16.zkey");
        string wtns = wtnsOption ?? Path.Combine(root, "circuits/build/poseidon_chain_2e16/poseidon_chain_2e16.wtns");
        if (!File.Exists(zkey) || !File.Exists(wtns))
        {
            o.WriteLine($"prove vs snarkjs: skipped, {zkey} or {wtns} is missing (build it with: circuits/build.sh poseidon_chain_2e16)");
            return ExitCodes.Success;
        }

        string snarkjs = snarkjsOption ?? Path.Combine(root, "node_modules/.bin/snarkjs");
        string tmp = Directory.CreateTempSubdirectory("pmc-bench-").FullName;
        try
        {
            string pmcDll = typeof(Program).Assembly.Location;
            // The two provers alternate, so a change in the host's load (a shared machine) reaches both alike; the medians
            // are compared.
            var ours = new List<(double Seconds, double CpuSeconds, long PeakBytes)>();
            var theirs = new List<(double Seconds, double CpuSeconds, long PeakBytes)>();
            for (int run = 0; run < runs; run++)
            {
                ours.Add(RunChild("dotnet", [pmcDll, "prove", zkey, wtns, Path.Combine(tmp, "p1.json"), Path.Combine(tmp, "u1.json"), "--stats", "--device", "cpu"]));
                theirs.Add(RunChild(snarkjs, ["groth16", "prove", zkey, wtns, Path.Combine(tmp, "p2.json"), Path.Combine(tmp, "u2.json")]));
            }

            long zkeySize = new FileInfo(zkey).Length;
            o.WriteLine($"prove on {Path.GetFileName(zkey)} ({zkeySize / 1048576.0:F1} MiB zkey), {runs} alternated run{(runs == 1 ? "" : "s")} each, medians:");
            o.WriteLine($"  {"",-24}{"wall ms",10}{"cpu ms",10}{"peak MiB",10}{"peak/zkey",11}   wall ms per run");
            foreach (var (name, r) in new[] { ("pmc prove", ours), ("snarkjs groth16 prove", theirs) })
            {
                double wall = Median(r.Select(x => x.Seconds)), cpu = Median(r.Select(x => x.CpuSeconds));
                long peak = r.Max(x => x.PeakBytes);
                o.WriteLine($"  {name,-24}{wall * 1000,10:F0}{cpu * 1000,10:F0}{peak / 1048576.0,10:F1}{peak / (double)zkeySize,10:F2}x   "
                    + string.Join(" ", r.Select(x => (x.Seconds * 1000).ToString("F0", CultureInfo.InvariantCulture))));
            }
            double wallRatio = Median(theirs.Select(x => x.Seconds)) / Median(ours.Select(x => x.Seconds));
            double cpuRatio = Median(theirs.Select(x => x.CpuSeconds)) / Math.Max(Median(ours.Select(x => x.CpuSeconds)), 1e-3);
            o.WriteLine($"  speed-up (snarkjs / pmc): wall {wallRatio:F1}x, cpu {cpuRatio:F1}x");
            return ExitCodes.Success;
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static (double Seconds, double CpuSeconds, long PeakBytes) RunChild(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var x in args) psi.ArgumentList.Add(x);
        var before = ChildrenUsage();
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new IOException($"cannot start {exe}");
        var err = p.StandardError.ReadToEndAsync();
        var outp = p.StandardOutput.ReadToEndAsync();
        // The child is not sampled while it runs: reading its /proc files slowed a page-faulting prover by ~5% on this
        // VM. Its CPU time and peak resident set come from the kernel's accounting once it has been waited for
        // (getrusage of the children: the peak is the largest child's so far, exact for the larger prover and an upper
        // bound otherwise; pmc prove --stats also reports its own, which is exact).
        p.WaitForExit();
        sw.Stop();
        var after = ChildrenUsage();
        double cpu = after.CpuSeconds - before.CpuSeconds;
        long peak = after.MaxRssBytes;
        string allErr = err.Result;
        if (p.ExitCode != 0) throw new IOException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {allErr.Trim()}");
        foreach (var line in allErr.Split('\n'))
        {
            // pmc prove --stats reports its own VmHWM: exact, where the children's maximum may be another child's.
            const string tag = "peak-working-set-bytes=";
            int i = line.IndexOf(tag, StringComparison.Ordinal);
            if (i >= 0 && long.TryParse(line[(i + tag.Length)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                peak = v;
        }

        _ = outp.Result;
        return (sw.Elapsed.TotalSeconds, cpu, peak);
    }

    /// <summary>User + system CPU seconds of all waited-for children, and the largest peak resident set among them
    /// (getrusage RUSAGE_CHILDREN); zeros when unavailable.</summary>
    private static (double CpuSeconds, long MaxRssBytes) ChildrenUsage()
    {
        if (!OperatingSystem.IsLinux()) return (0, 0);
        try
        {
            Span<long> usage = stackalloc long[18]; // struct rusage on 64-bit Linux: two timevals, then 14 longs
            unsafe
            {
                fixed (long* u = usage)
                {
                    if (getrusage(-1, u) != 0) return (0, 0);
                }
            }
            // ru_maxrss (the first long after the timevals) is in KiB.
            return (usage[0] + usage[1] / 1e6 + usage[2] + usage[3] / 1e6, usage[4] * 1024);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (0, 0);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern unsafe int getrusage(int who, long* usage);

    /// <summary>Reads VmHWM (peak resident set) of a live process from /proc; 0 when unavailable.</summary>
    internal static long ReadHwm(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ExitCodes.Success;
    }
}
