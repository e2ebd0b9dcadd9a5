using ProverMarketChain.Proving.Msm;

// Hand-run harness: dotnet run -c Release --project bench/Proving.Bench [fields|fqvector|inverse|msm LOG|ntt LOG|all] [threads]
string mode = args.Length > 0 ? args[0] : "all";
int threads = args.Length > 2 ? int.Parse(args[2]) : -1;
switch (mode)
{
    case "fields":
        Console.WriteLine(ArithmeticBench.BenchFields());
        break;
    case "fqvector":
        // Scalar Fq products against the 8-lane AVX-512 ones (ns per element product).
        ArithmeticBench.BenchFqVector(10_000, 1); // warm-up
        Console.WriteLine(ArithmeticBench.BenchFqVector(500_000, 5));
        break;
    case "inverse":
        // F_q inversion: safegcd against Fermat (microseconds per inversion).
        ArithmeticBench.BenchFqInverse(200, 1); // warm-up
        Console.WriteLine(ArithmeticBench.BenchFqInverse());
        break;
    case "msm":
        int log = args.Length > 1 ? int.Parse(args[1]) : 16;
        ArithmeticBench.BenchG1Msm(Math.Min(log, 12), threads); // warm-up (JIT tiering)
        Console.WriteLine(ArithmeticBench.BenchG1Msm(log, threads, 2));
        break;
    case "ntt":
        int nlog = args.Length > 1 ? int.Parse(args[1]) : 16;
        ArithmeticBench.BenchNtt(Math.Min(nlog, 12), threads);
        Console.WriteLine(ArithmeticBench.BenchNtt(nlog, threads));
        break;
    default:
        ArithmeticBench.BenchG1Msm(12, threads);
        var (fields, msm, ntt) = ArithmeticBench.RunDefault(threads);
        Console.WriteLine(fields);
        foreach (var m in msm)
        {
            Console.WriteLine(m);
        }
        foreach (var n in ntt)
        {
            Console.WriteLine(n);
        }
        break;
}
