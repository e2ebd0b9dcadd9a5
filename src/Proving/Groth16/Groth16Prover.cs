using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Ntt;
using ProverMarketChain.Proving.Msm;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>Result of <see cref="Groth16Prover.Prove"/>.</summary>
/// <param name="Proof">The proof.</param>
/// <param name="PublicSignals">Witness values 1..nPublic (what snarkjs writes to <c>public.json</c>).</param>
/// <param name="Timings">Wall time per phase, in the order executed.</param>
public sealed record Groth16ProveResult(Groth16Proof Proof, BigInteger[] PublicSignals, IReadOnlyList<(string Phase, TimeSpan Time)> Timings);

/// <summary>
/// Groth16 prover compatible with snarkjs <c>groth16 prove</c>: QAP evaluations of A and B from the zkey coefficients,
/// C = A∘B on the domain, H scalars as <c>A·B − C</c> evaluated on the odd coset <c>ω_{2n}·⟨ω_n⟩</c> (which the zkey H
/// points are the Lagrange basis for), then the five multi-exponentiations and fresh randomisers r, s.
/// The witness is refused when it does not match the key, when it violates an R1CS constraint (if the r1cs is given),
/// and in every case when the finished proof fails verification against the key's own verification key.
/// </summary>
public sealed class Groth16Prover : IGroth16Backend
{
    private readonly ILogger _logger;
    private readonly int _maxDop;

    /// <summary>Creates a prover.</summary>
    /// <param name="logger">Progress/timing log sink.</param>
    /// <param name="maxDegreeOfParallelism">MSM parallelism (-1 = all cores).</param>
    public Groth16Prover(ILogger? logger = null, int maxDegreeOfParallelism = -1)
    {
        _logger = logger ?? NullLogger.Instance;
        _maxDop = maxDegreeOfParallelism;
    }

    /// <inheritdoc />
    public string Description => $"cpu ({(_maxDop > 0 ? _maxDop : Environment.ProcessorCount)} cores)";

    /// <summary>Computes a proof for <paramref name="witness"/> with the proving key <paramref name="zkey"/>.</summary>
    /// <param name="zkey">The proving key.</param>
    /// <param name="witness">The full witness (signal 0 is the constant 1).</param>
    /// <param name="r1cs">When given, every constraint is checked first and the first failing one is named.</param>
    /// <param name="progress">Told the name of each phase as it completes (for progress on long proofs).</param>
    /// <exception cref="Groth16Exception">Witness length mismatch, a violated constraint, or a failed self-verification.</exception>
    /// <param name="cancellationToken">Checked at each phase boundary: a proof nobody needs any more stops there.</param>
    public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        ArgumentNullException.ThrowIfNull(witness);
        var clock = new ProvePhaseClock(progress, cancellationToken, _logger);

        if (Groth16Assembly.CheckWitness(zkey, witness, r1cs)) clock.Mark("r1cs check");

        // The QAP (H's scalars) runs single-threaded as the stream's prelude on one core, while the other core reads B2's
        // bases and starts on its windows; H's MSM is prepared once the prelude is done.
        // Large arrays come from stacks of reusable ones instead of faulting in fresh pages: the G1 sections' bases
        // (usually two held at once), and one stack shared by the MSMs' digits and the QAP's three evaluation vectors.
        int maxTerms = Math.Max(zkey.NVars, zkey.DomainSize);
        var digits = new ArrayStack<Fr>(Math.Max(SignedDigits.FrElements(maxTerms), zkey.DomainSize));
        var g1Bases = new ArrayStack<G1Affine>(maxTerms);
        var jobB2 = new MsmJob<G2Affine, G2Jacobian, G2Ops>("B2 (G2)", () =>
        {
            var bases = GC.AllocateUninitializedArray<G2Affine>(zkey.NVars);
            zkey.ReadB2(bases);
            return bases;
        }, witness, zkey.NVars, compact: true, digits: digits);
        Fr[] h = [];
        var qap = TimeSpan.Zero;
        // Also in the prelude, off the final serial stretch: the randomisers and their multiples of δ, and the half of the
        // self-verification that does not depend on the proof.
        Groth16Assembly? assembly = null;
        void Prelude()
        {
            long start = Stopwatch.GetTimestamp();
            Fr[] a = digits.Rent(zkey.DomainSize), b = digits.Rent(zkey.DomainSize), c = digits.Rent(zkey.DomainSize);
            int n = zkey.DomainSize;
            ComputeH(zkey, witness, a.AsSpan(0, n), b.AsSpan(0, n), c.AsSpan(0, n), parallel: false);
            digits.Return(b);
            digits.Return(c);
            h = a;
            qap = Stopwatch.GetElapsedTime(start);
            assembly = new Groth16Assembly(zkey, witness);
        }

        MsmJob<G1Affine, G1Jacobian, G1Ops> G1Job(uint section, int count, ReadOnlyMemory<Fr> scalars, string name,
            Func<ReadOnlyMemory<Fr>>? scalarsFromPrelude = null, Action? releaseScalars = null) =>
            new(name, () =>
            {
                var bases = g1Bases.Rent(count);
                zkey.ReadG1Section(section, bases.AsSpan(0, count));
                return bases;
            }, scalars, count, compact: true, releasePoints: g1Bases.Return, digits: digits, scalarsFromPrelude, releaseScalars);

        var jobA = G1Job(ZkeyFile.SectionA, zkey.NVars, witness, "A");
        var jobB1 = G1Job(ZkeyFile.SectionB1, zkey.NVars, witness, "B1");
        var jobC = G1Job(ZkeyFile.SectionC, zkey.NVars - zkey.NPublic - 1, witness.AsMemory(zkey.NPublic + 1), "C");
        // H's scalars are the prelude's output; their array goes back to the stack once H's digits are made.
        var jobH = G1Job(ZkeyFile.SectionH, zkey.DomainSize, default, "H",
            scalarsFromPrelude: () => h.AsMemory(0, zkey.DomainSize), releaseScalars: () => digits.Return(h));
        IMsmJob[] jobs = [jobB2, jobA, jobB1, jobC, jobH];
        MsmScheduler.Run(jobs, _maxDop, prelude: Prelude);
        clock.Mark("QAP + MSMs B2, A, B1, C, H (one stream of units)");
        clock.Add("  QAP + H (odd coset), one core", qap);
        foreach (var job in jobs)
        {
            var (prepare, windows) = job.Cost;
            clock.Add($"  MSM {job.Name}: read {prepare.TotalMilliseconds:F1} ms, windows (cpu)", windows);
        }

        var proof = assembly!.Combine(new Groth16Msms(jobA.Result, jobB1.Result, jobB2.Result, jobC.Result, jobH.Result));
        clock.Mark("combine");

        assembly.Verify(proof);
        clock.Mark("self-verify");

        return new Groth16ProveResult(proof, assembly.PublicSignalIntegers(), clock.Timings);
    }

    /// <summary>
    /// H-polynomial scalars exactly as snarkjs: a = A·w and b = B·w on the n-th roots, c = a∘b, each moved to the odd
    /// coset, then <c>a∘b − c</c> there. Returns a span of length domainSize.
    /// </summary>
    /// <param name="zkey">The proving key.</param>
    /// <param name="witness">The witness.</param>
    /// <param name="parallel">Use every core (the domain is built alongside the accumulation and the three cosets run
    /// side by side); false runs on the calling thread only, for when the other cores have other work.</param>
    internal static Fr[] ComputeH(ZkeyFile zkey, ReadOnlySpan<Fr> witness, bool parallel = true)
    {
        int n = zkey.DomainSize;
        var a = new Fr[n];
        ComputeH(zkey, witness, a, new Fr[n], GC.AllocateUninitializedArray<Fr>(n), parallel);
        return a;
    }

    /// <summary><see cref="ComputeH(ZkeyFile, ReadOnlySpan{Fr}, bool)"/> in caller-provided workspace of domain size each:
    /// H's scalars are left in <paramref name="a"/>; <paramref name="b"/> and <paramref name="c"/> are scratch.</summary>
    internal static void ComputeH(ZkeyFile zkey, ReadOnlySpan<Fr> witness, Span<Fr> a, Span<Fr> b, Span<Fr> c, bool parallel)
    {
        int n = zkey.DomainSize;
        // In parallel, the domain's tables (and, without ReadyToRun code, the compilation of the coset path) are
        // prepared on another core while the single-threaded AccumulateQap runs; on one thread that warm-up would only
        // add work.
        var domainTask = parallel
            ? Task.Run(() =>
            {
                var d = new EvaluationDomain(zkey.DomainLog2);
                d.PrepareOddCoset();
                return d;
            })
            : null;
        zkey.AccumulateQap(witness, a, b);

        FrVector8Ops.Multiply(a, b, c);
        var domain = domainTask?.GetAwaiter().GetResult() ?? new EvaluationDomain(zkey.DomainLog2, 1);
        if (parallel)
        {
            unsafe
            {
                fixed (Fr* pa = a, pb = b, pc = c)
                {
                    nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc;
                    Parallel.Invoke(() => domain.ToOddCoset(new Span<Fr>((Fr*)ia, n)), () => domain.ToOddCoset(new Span<Fr>((Fr*)ib, n)),
                        () => domain.ToOddCoset(new Span<Fr>((Fr*)ic, n)));
                }
            }
        }
        else
        {
            domain.ToOddCoset(a);
            domain.ToOddCoset(b);
            domain.ToOddCoset(c);
        }
        FrVector8Ops.MultiplySubtract(a, b, c, a);
    }

    /// <summary>Uniform scalar in [1, r) from the OS CSPRNG, by rejection: 254 random bits are kept when they are a
    /// nonzero value below r (about 3 draws in 4), so there is no modular bias and no BigInteger arithmetic (whose
    /// pooled buffers were jitted at the start of every prove).</summary>
    internal static Fr RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[32];
        while (true)
        {
            FillFromKernel(bytes);
            ulong l0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            ulong l1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
            ulong l2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
            ulong l3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]) & (ulong.MaxValue >> 2);
            bytes.Clear();
            var v = new U256(l0, l1, l2, l3);
            if ((l0 | l1 | l2 | l3) != 0 && Mont<FrParams>.IsBelowModulus(v))
            {
                return new Fr(Mont<FrParams>.ToMont(v));
            }
        }
    }

    /// <summary>
    /// Random bytes from the kernel's CSPRNG: <c>/dev/urandom</c> on Linux (the source OpenSSL seeds from), otherwise
    /// <see cref="RandomNumberGenerator"/>. Reading the device directly keeps OpenSSL (libssl and libcrypto, ~5 MiB
    /// resident) out of a proving process, whose peak memory is part of its budget.
    /// </summary>
    private static void FillFromKernel(Span<byte> bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                using var urandom = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                urandom.ReadExactly(bytes);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No readable device (a restricted sandbox): the library's generator below.
            }
        }
        RandomNumberGenerator.Fill(bytes);
    }
}
