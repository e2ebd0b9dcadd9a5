using System.Diagnostics;
using System.Globalization;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Ntt;
using MsmEngine = ProverMarketChain.Proving.Msm.Msm;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc bench</c>: MSM and NTT throughput, then <c>pmc prove</c> against <c>snarkjs groth16 prove</c> on the same zkey and
/// witness (the circuits build of <c>poseidon_chain_2e16</c> unless <c>--zkey/--wtns</c> are given), with the prover's peak
/// working set relative to the zkey size. Both provers run as child processes so their memory and start-up are comparable.
/// </summary>
public sealed class BenchCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Usage => "bench [--quick] [--zkey <circuit.zkey> --wtns <witness.wtns>] [--snarkjs <path>]";

    /// <inheritdoc />
    public string Summary => "MSM/NTT throughput and prove vs snarkjs (time ratio, peak memory vs zkey size)";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext ctx)
    {
        var a = new Args(args, ["--zkey", "--wtns", "--snarkjs"], ["--quick"]);
        a.ExpectPositional(0);
        bool quick = a.Flag("--quick");
        var o = ctx.Out;
        o.WriteLine($"pmc bench ({Environment.ProcessorCount} cores{(quick ? ", quick" : "")})");

        int[] msmLogs = quick ? [16] : [16, 18, 20];
        int maxLog = msmLogs.Max();
        var (points, scalars) = RandomInputs(1 << maxLog);
        o.WriteLine($"{"benchmark",-28}{"size",10}{"ms",12}{"per second",16}");
        foreach (int log in msmLogs)
        {
            int n = 1 << log;
            MsmEngine.MultiExp(points.AsSpan(0, Math.Min(n, 1 << 12)), scalars.AsSpan(0, Math.Min(n, 1 << 12))); // warm-up
            double ms = Time(() => MsmEngine.MultiExp(points.AsSpan(0, n), scalars.AsSpan(0, n)), quick ? 1 : 3);
            o.WriteLine($"{"G1 MSM",-28}{"2^" + log,10}{ms,12:F1}{n / ms * 1000,16:N0}");
        }

        points = null!;
        foreach (int log in quick ? new[] { 16 } : [16, 20])
        {
            var domain = new EvaluationDomain(log);
            var v = new Fr[1 << log];
            for (int i = 0; i < v.Length; i++) v[i] = scalars[i & (scalars.Length - 1)];
            domain.Forward(v);
            double ms = Time(() => domain.Forward(v), quick ? 1 : 3);
            o.WriteLine($"{"NTT (forward)",-28}{"2^" + log,10}{ms,12:F1}{v.Length / ms * 1000,16:N0}");
        }

        scalars = null!;
        GC.Collect();
        return ProveVsSnarkjs(a, ctx);
    }

    private static int ProveVsSnarkjs(Args a, CommandContext ctx)
    {
        var o = ctx.Out;
        string root = FindRepoRoot();
        string zkey = a.Option("--zkey") ?? Path.Combine(root, "circuits/build/poseidon_chain_2e16/poseidon_chain_2e16.zkey");
        string wtns = a.Option("--wtns") ?? Path.Combine(root, "circuits/build/poseidon_chain_2e16/poseidon_chain_2e16.wtns");
        if (!File.Exists(zkey) || !File.Exists(wtns))
        {
            o.WriteLine($"prove vs snarkjs: skipped, {zkey} or {wtns} is missing (build it with: circuits/build.sh poseidon_chain_2e16)");
            return 0;
        }

        string snarkjs = a.Option("--snarkjs") ?? Path.Combine(root, "node_modules/.bin/snarkjs");
        string tmp = Directory.CreateTempSubdirectory("pmc-bench-").FullName;
        try
        {
            string pmcDll = typeof(Program).Assembly.Location;
            var ours = RunChild("dotnet", [pmcDll, "prove", zkey, wtns, Path.Combine(tmp, "p1.json"), Path.Combine(tmp, "u1.json"), "--stats"]);
            var theirs = RunChild(snarkjs, ["groth16", "prove", zkey, wtns, Path.Combine(tmp, "p2.json"), Path.Combine(tmp, "u2.json")]);
            long zkeySize = new FileInfo(zkey).Length;
            o.WriteLine($"prove on {Path.GetFileName(zkey)} ({zkeySize / 1048576.0:F1} MiB zkey):");
            o.WriteLine($"  {"pmc prove",-26}{ours.Seconds * 1000,12:F0} ms   peak working set {ours.PeakBytes / 1048576.0,8:F1} MiB ({ours.PeakBytes / (double)zkeySize:F2}x zkey)");
            o.WriteLine($"  {"snarkjs groth16 prove",-26}{theirs.Seconds * 1000,12:F0} ms   peak working set {theirs.PeakBytes / 1048576.0,8:F1} MiB ({theirs.PeakBytes / (double)zkeySize:F2}x zkey)");
            o.WriteLine($"  speed-up: {theirs.Seconds / ours.Seconds:F1}x");
            return 0;
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    private static (double Seconds, long PeakBytes) RunChild(string exe, string[] args)
    {
        // The child's VmHWM is sampled from /proc while it runs (it is gone after exit).
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var x in args) psi.ArgumentList.Add(x);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new IOException($"cannot start {exe}");
        var err = p.StandardError.ReadToEndAsync();
        var outp = p.StandardOutput.ReadToEndAsync();
        long peak = 0;
        while (!p.WaitForExit(5))
        {
            peak = Math.Max(peak, ReadHwm(p.Id));
        }

        sw.Stop();
        string allErr = err.Result;
        if (p.ExitCode != 0) throw new IOException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {allErr.Trim()}");
        foreach (var line in allErr.Split('\n'))
        {
            // pmc prove --stats reports its own VmHWM, which is exact even if the sampling above missed the peak.
            const string tag = "peak-working-set-bytes=";
            int i = line.IndexOf(tag, StringComparison.Ordinal);
            if (i >= 0 && long.TryParse(line[(i + tag.Length)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                peak = Math.Max(peak, v);
        }

        _ = outp.Result;
        return (sw.Elapsed.TotalSeconds, peak);
    }

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

        return 0;
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ProverMarketChain.sln"))) return d.FullName;
        }

        return Directory.GetCurrentDirectory();
    }

    private static double Time(Action action, int reps)
    {
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }

        return best;
    }

    private static (G1Affine[] Points, Fr[] Scalars) RandomInputs(int n)
    {
        var rng = new Random(12345);
        var step = G1Affine.Generator.ToJacobian().Multiply(Fr.Random(rng));
        var jac = new G1Jacobian[n];
        var acc = G1Affine.Generator.ToJacobian().Multiply(Fr.Random(rng));
        for (int i = 0; i < n; i++)
        {
            jac[i] = acc;
            acc += step;
        }

        var pts = new G1Affine[n];
        G1Jacobian.BatchToAffine(jac, pts);
        var sc = new Fr[n];
        for (int i = 0; i < n; i++) sc[i] = Fr.Random(rng);
        return (pts, sc);
    }
}
