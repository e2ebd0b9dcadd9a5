using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Ntt;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Msm;

/// <summary>Timing of one MSM run.</summary>
/// <param name="Curve">"G1" or "G2".</param>
/// <param name="Points">Number of terms.</param>
/// <param name="Threads">Degree of parallelism used.</param>
/// <param name="Milliseconds">Best wall-clock time over the repetitions.</param>
/// <param name="PointsPerSecond">Points / best time.</param>
/// <param name="CpuMilliseconds">Process CPU time (all threads) of the best run: on a loaded machine this is the fairer
/// figure, and CpuMilliseconds / Threads approximates the wall time on an idle machine.</param>
public sealed record MsmBenchResult(string Curve, int Points, int Threads, double Milliseconds, double PointsPerSecond, double CpuMilliseconds);

/// <summary>Timing of NTTs of one size.</summary>
/// <param name="Log2Size">log2 of the transform size.</param>
/// <param name="Threads">Degree of parallelism used.</param>
/// <param name="ForwardMilliseconds">Best forward transform time.</param>
/// <param name="InverseMilliseconds">Best inverse transform time.</param>
/// <param name="OddCosetMilliseconds">Best <see cref="EvaluationDomain.ToOddCoset"/> time (what the Groth16 H step costs per polynomial).</param>
public sealed record NttBenchResult(int Log2Size, int Threads, double ForwardMilliseconds, double InverseMilliseconds, double OddCosetMilliseconds);

/// <summary>Timing of base-field and scalar-field multiplication.</summary>
/// <param name="FqMulNanoseconds">Nanoseconds per Fq multiplication (dependent chain).</param>
/// <param name="FrMulNanoseconds">Nanoseconds per Fr multiplication (dependent chain).</param>
/// <param name="G1AddMixedNanoseconds">Nanoseconds per G1 Jacobian + affine addition.</param>
public sealed record FieldBenchResult(double FqMulNanoseconds, double FrMulNanoseconds, double G1AddMixedNanoseconds);

/// <summary>Throughput of eight scalar F_q multiplications against one 8-lane AVX-512 multiplication.</summary>
/// <param name="ScalarNanosecondsPerMul">Nanoseconds per element product, eight independent scalar chains.</param>
/// <param name="VectorNanosecondsPerMul">Nanoseconds per element product, one 8-lane vector chain.</param>
/// <param name="Vector2NanosecondsPerMul">Nanoseconds per element product, two 8-lane vector chains, one call each.</param>
/// <param name="VectorPairedNanosecondsPerMul">Nanoseconds per element product, two chains through the paired kernel
/// (both products' instructions interleaved in one call).</param>
/// <param name="VectorSupported">False when AVX-512F is missing (the vector figures are then NaN).</param>
public sealed record FqVectorBenchResult(double ScalarNanosecondsPerMul, double VectorNanosecondsPerMul, double Vector2NanosecondsPerMul,
    double VectorPairedNanosecondsPerMul, bool VectorSupported);

/// <summary>
/// Wall-clock benchmarks of the arithmetic core for <c>pmc bench</c>: G1 MSM, NTT and field multiplication. Results are
/// returned as records; nothing is written to the console (an optional logger receives progress).
/// </summary>
public static class ArithmeticBench
{
    /// <summary>Default MSM sizes (log2): 2^16, 2^18, 2^20.</summary>
    public static IReadOnlyList<int> DefaultMsmLog2Sizes { get; } = new[] { 16, 18, 20 };

    /// <summary>Default NTT sizes (log2): 2^16, 2^20.</summary>
    public static IReadOnlyList<int> DefaultNttLog2Sizes { get; } = new[] { 16, 20 };

    /// <summary>
    /// Generates n distinct G1 points cheaply: each worker chunk starts at [a + i*b]G (one scalar multiplication) and
    /// walks by repeated mixed addition of [b]G; the chunk is normalised with one batch inversion.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public static G1Affine[] GenerateG1Points(int n, int seed = 1, int maxDegreeOfParallelism = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var rng = new Random(seed);
        Fr a = Fr.Random(rng), b = Fr.Random(rng);
        G1Affine step = G1Jacobian.Generator.Multiply(b).ToAffine();
        var result = new G1Affine[n];
        const int chunk = 1 << 14;
        int chunks = (n + chunk - 1) / chunk;
        ParallelLoop.For(0, chunks, maxDegreeOfParallelism, c =>
        {
            int from = c * chunk, to = Math.Min(n, from + chunk);
            var jac = new G1Jacobian[to - from];
            G1Jacobian p = G1Jacobian.Generator.Multiply(a + b * Fr.FromBigInteger(from));
            for (int i = 0; i < jac.Length; i++)
            {
                jac[i] = p;
                p = p.AddMixed(step);
            }
            G1Jacobian.BatchToAffine(jac, result.AsSpan(from, to - from));
        });
        return result;
    }

    /// <summary>Random scalars.</summary>
    public static Fr[] GenerateScalars(int n, int seed = 2)
    {
        var rng = new Random(seed);
        var s = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = Fr.Random(rng);
        }
        return s;
    }

    /// <summary>Times a G1 MSM of 2^<paramref name="log2Points"/> random terms (best of <paramref name="repetitions"/>).</summary>
    public static MsmBenchResult BenchG1Msm(int log2Points, int maxDegreeOfParallelism = -1, int repetitions = 1, ILogger? logger = null)
    {
        int n = 1 << log2Points;
        G1Affine[] points = GenerateG1Points(n, 1, maxDegreeOfParallelism);
        Fr[] scalars = GenerateScalars(n);
        int threads = maxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        double best = double.MaxValue, bestCpu = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < Math.Max(1, repetitions); r++)
        {
            process.Refresh();
            TimeSpan cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            G1Jacobian acc = Msm.MultiExpPrefix(points, scalars, points.Length, maxDegreeOfParallelism);
            sw.Stop();
            process.Refresh();
            GC.KeepAlive(acc);
            if (sw.Elapsed.TotalMilliseconds < best)
            {
                best = sw.Elapsed.TotalMilliseconds;
                bestCpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
            }
        }
        logger?.LogInformation("G1 MSM 2^{Log} points, {Threads} threads: {Ms:F1} ms", log2Points, threads, best);
        return new MsmBenchResult("G1", n, threads, best, n / (best / 1000.0), bestCpu);
    }

    /// <summary>Times forward, inverse and odd-coset NTTs of size 2^<paramref name="log2Size"/> (best of repetitions).</summary>
    public static NttBenchResult BenchNtt(int log2Size, int maxDegreeOfParallelism = -1, int repetitions = 3, ILogger? logger = null)
    {
        var domain = new EvaluationDomain(log2Size, maxDegreeOfParallelism);
        Fr[] data = GenerateScalars(domain.Size, 3);
        int threads = maxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        double fwd = double.MaxValue, inv = double.MaxValue, odd = double.MaxValue;
        domain.ToOddCoset(data); // builds the cached coset table outside the timed region
        for (int r = 0; r < Math.Max(1, repetitions); r++)
        {
            var sw = Stopwatch.StartNew();
            domain.Forward(data);
            fwd = Math.Min(fwd, sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            domain.Inverse(data);
            inv = Math.Min(inv, sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            domain.ToOddCoset(data);
            odd = Math.Min(odd, sw.Elapsed.TotalMilliseconds);
        }
        logger?.LogInformation("NTT 2^{Log}, {Threads} threads: forward {F:F1} ms, inverse {I:F1} ms, odd coset {O:F1} ms",
            log2Size, threads, fwd, inv, odd);
        return new NttBenchResult(log2Size, threads, fwd, inv, odd);
    }

    /// <summary>Micro-benchmark of dependent multiplication chains (single thread). Each figure is the best of
    /// <paramref name="repetitions"/> timed chains; the first chains also let tiered JIT compilation replace the
    /// unoptimised tier-0 code, which a single short chain would otherwise measure.</summary>
    public static FieldBenchResult BenchFields(int iterations = 2_000_000, int repetitions = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var rng = new Random(4);
        Fq x = Fq.Random(rng), y = Fq.Random(rng);
        Fr u = Fr.Random(rng), v = Fr.Random(rng);
        G1Jacobian p = G1Jacobian.Generator;
        G1Affine q = G1Jacobian.Generator.Multiply(v).ToAffine();
        int adds = Math.Max(1, iterations / 10);
        double fq = double.MaxValue, fr = double.MaxValue, add = double.MaxValue;
        for (int r = 0; r < Math.Max(1, repetitions); r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++)
            {
                x *= y;
            }
            fq = Math.Min(fq, sw.Elapsed.TotalMilliseconds * 1e6 / iterations);
            sw.Restart();
            for (int i = 0; i < iterations; i++)
            {
                u *= v;
            }
            fr = Math.Min(fr, sw.Elapsed.TotalMilliseconds * 1e6 / iterations);
            sw.Restart();
            for (int i = 0; i < adds; i++)
            {
                p = p.AddMixed(q);
            }
            add = Math.Min(add, sw.Elapsed.TotalMilliseconds * 1e6 / adds);
        }
        GC.KeepAlive(x);
        GC.KeepAlive(u);
        GC.KeepAlive(p);
        return new FieldBenchResult(fq, fr, add);
    }

    /// <summary>Micro-benchmark of the 8-lane AVX-512 F_q multiplication against eight scalar ones, alternating in one
    /// run (best of <paramref name="repetitions"/> each): eight independent scalar chains per iteration, then one and two
    /// vector chains. All figures are nanoseconds per element product.</summary>
    public static FqVectorBenchResult BenchFqVector(int iterations = 1_000_000, int repetitions = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var rng = new Random(9);
        var xs = new Fq[8];
        var ys = new Fq[8];
        for (int i = 0; i < 8; i++)
        {
            xs[i] = Fq.Random(rng);
            ys[i] = Fq.Random(rng);
        }
        bool vector = FqVector8Ops.IsSupported;
        double scalar = double.MaxValue, one = double.MaxValue, two = double.MaxValue, paired = double.MaxValue;
        for (int r = 0; r < Math.Max(1, repetitions); r++)
        {
            scalar = Math.Min(scalar, ScalarChains(xs, ys, iterations));
            if (vector)
            {
                one = Math.Min(one, VectorChains(xs, ys, iterations, false));
                two = Math.Min(two, VectorChains(xs, ys, iterations, true));
                paired = Math.Min(paired, PairedChains(xs, ys, iterations));
            }
        }
        return new FqVectorBenchResult(scalar, vector ? one : double.NaN, vector ? two : double.NaN, vector ? paired : double.NaN, vector);
    }

    private static double ScalarChains(Fq[] xs, Fq[] ys, int iterations)
    {
        Fq x0 = xs[0], x1 = xs[1], x2 = xs[2], x3 = xs[3], x4 = xs[4], x5 = xs[5], x6 = xs[6], x7 = xs[7];
        Fq y0 = ys[0], y1 = ys[1], y2 = ys[2], y3 = ys[3], y4 = ys[4], y5 = ys[5], y6 = ys[6], y7 = ys[7];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            x0 *= y0;
            x1 *= y1;
            x2 *= y2;
            x3 *= y3;
            x4 *= y4;
            x5 *= y5;
            x6 *= y6;
            x7 *= y7;
        }
        double ns = sw.Elapsed.TotalMilliseconds * 1e6 / (8.0 * iterations);
        GC.KeepAlive(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7);
        return ns;
    }

    /// <summary>Microseconds per F_q inversion: safegcd (the one the fields use) and Fermat's a^(q-2), on the same
    /// random inputs; the results are checked equal.</summary>
    public static (double SafeGcdMicroseconds, double FermatMicroseconds) BenchFqInverse(int count = 2000, int repetitions = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rng = new Random(11);
        var xs = new U256[count];
        for (int i = 0; i < count; i++)
        {
            xs[i] = Fq.Random(rng).V;
        }
        double safe = double.MaxValue, fermat = double.MaxValue;
        for (int r = 0; r < Math.Max(1, repetitions); r++)
        {
            var sw = Stopwatch.StartNew();
            U256 acc1 = default;
            foreach (var x in xs)
            {
                acc1 = Mont<FqParams>.Add(acc1, Mont<FqParams>.Inverse(x));
            }
            safe = Math.Min(safe, sw.Elapsed.TotalMilliseconds * 1000 / count);
            sw.Restart();
            U256 acc2 = default;
            foreach (var x in xs)
            {
                acc2 = Mont<FqParams>.Add(acc2, Mont<FqParams>.InverseFermat(x));
            }
            fermat = Math.Min(fermat, sw.Elapsed.TotalMilliseconds * 1000 / count);
            if (!Mont<FqParams>.Eq(acc1, acc2))
            {
                throw new InvalidOperationException("safegcd and Fermat inverses differ");
            }
        }
        return (safe, fermat);
    }

    /// <summary>Two chains through the interleaved two-product kernel (<see cref="MontVector8Ops{TP}.Mul2"/>).</summary>
    private static double PairedChains(Fq[] xs, Fq[] ys, int iterations)
    {
        FqVector8 x = FqVector8Ops.Load(xs), y = FqVector8Ops.Load(ys), z = x;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            MontVector8Ops<FqParams>.Mul2(x, y, out x, z, y, out z);
        }
        double ns = sw.Elapsed.TotalMilliseconds * 1e6 / (16.0 * iterations);
        GC.KeepAlive(FqVector8Ops.GetLane(x, 0) + FqVector8Ops.GetLane(z, 0));
        return ns;
    }

    private static double VectorChains(Fq[] xs, Fq[] ys, int iterations, bool twoChains)
    {
        FqVector8 x = FqVector8Ops.Load(xs), y = FqVector8Ops.Load(ys), z = x;
        var sw = Stopwatch.StartNew();
        if (twoChains)
        {
            for (int i = 0; i < iterations; i++)
            {
                FqVector8Ops.Mul(x, y, out x);
                FqVector8Ops.Mul(z, y, out z);
            }
        }
        else
        {
            for (int i = 0; i < iterations; i++)
            {
                FqVector8Ops.Mul(x, y, out x);
            }
        }
        double ns = sw.Elapsed.TotalMilliseconds * 1e6 / ((twoChains ? 16.0 : 8.0) * iterations);
        GC.KeepAlive(FqVector8Ops.GetLane(x, 0) + FqVector8Ops.GetLane(z, 0));
        return ns;
    }

    /// <summary>Runs the default suite: field micro-benchmarks, G1 MSM at 2^16/2^18/2^20, NTT at 2^16/2^20.</summary>
    public static (FieldBenchResult Fields, IReadOnlyList<MsmBenchResult> Msm, IReadOnlyList<NttBenchResult> Ntt) RunDefault(
        int maxDegreeOfParallelism = -1, ILogger? logger = null)
    {
        FieldBenchResult fields = BenchFields();
        var msm = DefaultMsmLog2Sizes.Select(l => BenchG1Msm(l, maxDegreeOfParallelism, 1, logger)).ToList();
        var ntt = DefaultNttLog2Sizes.Select(l => BenchNtt(l, maxDegreeOfParallelism, 3, logger)).ToList();
        return (fields, msm, ntt);
    }
}
