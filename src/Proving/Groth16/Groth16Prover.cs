using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Ntt;
using MsmEngine = ProverMarketChain.Proving.Msm.Msm;

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
public sealed class Groth16Prover
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

    /// <summary>Proves from files, mapping witness/key mismatches to errors that name the witness file.</summary>
    /// <exception cref="ProvingFormatException">A file is missing, corrupt, or the witness belongs to another circuit/curve.</exception>
    /// <exception cref="Groth16Exception">The witness does not satisfy the circuit.</exception>
    public Groth16ProveResult ProveFiles(string zkeyPath, string witnessPath, string? r1csPath = null)
    {
        using var zkey = ZkeyFile.Open(zkeyPath);
        var witness = WtnsFile.Read(witnessPath);
        if (witness.Length != zkey.NVars)
            throw new ProvingFormatException(witnessPath,
                $"witness has {witness.Length} values but {zkeyPath} expects {zkey.NVars} (witness from another circuit?)");
        R1csFile? r1cs = r1csPath is null ? null : R1csFile.Read(r1csPath);
        if (r1cs is not null && (r1cs.NVars != zkey.NVars || r1cs.NPublic != zkey.NPublic))
            throw new ProvingFormatException(r1csPath!, $"constraint system has {r1cs.NVars} wires/{r1cs.NPublic} public but {zkeyPath} has {zkey.NVars}/{zkey.NPublic}");
        try
        {
            return Prove(zkey, witness, r1cs);
        }
        catch (Groth16Exception e)
        {
            throw new Groth16Exception($"{witnessPath}: {e.Message}", e.FailingConstraint);
        }
    }

    /// <summary>Computes a proof for <paramref name="witness"/> with the proving key <paramref name="zkey"/>.</summary>
    /// <exception cref="Groth16Exception">Witness length mismatch, a violated constraint, or a failed self-verification.</exception>
    public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        ArgumentNullException.ThrowIfNull(witness);
        var timings = new List<(string, TimeSpan)>();
        var sw = Stopwatch.StartNew();
        void Mark(string phase)
        {
            timings.Add((phase, sw.Elapsed));
            _logger.LogDebug("{Phase}: {Ms:F1} ms", phase, sw.Elapsed.TotalMilliseconds);
            sw.Restart();
        }

        if (witness.Length != zkey.NVars)
            throw new Groth16Exception($"witness has {witness.Length} values but the proving key expects {zkey.NVars} (witness from another circuit?)");
        if (!witness[0].IsOne) throw new Groth16Exception("witness signal 0 must be the constant 1");
        if (r1cs is not null)
        {
            int bad = r1cs.FirstUnsatisfiedConstraint(witness);
            if (bad >= 0) throw new Groth16Exception($"witness violates constraint {bad} of {r1cs.Path}", bad);
            Mark("r1cs check");
        }

        var h = ComputeH(zkey, witness);
        Mark("QAP + H (odd coset)");

        // B2 first: its G2 buffer is released before the shared G1 buffer is allocated, bounding the peak footprint.
        G2Jacobian piB;
        {
            var basesB2 = GC.AllocateUninitializedArray<G2Affine>(zkey.NVars);
            zkey.ReadB2(basesB2);
            piB = MsmEngine.MultiExp(basesB2, witness, _maxDop);
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        Mark("MSM B2 (G2)");

        var g1 = GC.AllocateUninitializedArray<G1Affine>(Math.Max(zkey.NVars, zkey.DomainSize));
        G1Jacobian Msm(uint section, int count, ReadOnlySpan<Fr> scalars, string name)
        {
            var bases = g1.AsSpan(0, count);
            zkey.ReadG1Section(section, bases);
            var r = MsmEngine.MultiExp(bases, scalars, _maxDop);
            Mark($"MSM {name}");
            return r;
        }

        var piA = Msm(ZkeyFile.SectionA, zkey.NVars, witness, "A");
        var piB1 = Msm(ZkeyFile.SectionB1, zkey.NVars, witness, "B1");
        var piC = Msm(ZkeyFile.SectionC, zkey.NVars - zkey.NPublic - 1, witness.AsSpan(zkey.NPublic + 1), "C");
        var piH = Msm(ZkeyFile.SectionH, zkey.DomainSize, h, "H");

        var r = RandomScalar();
        var s = RandomScalar();
        var delta1 = zkey.Delta1.ToJacobian();
        piA = piA.AddMixed(zkey.Alpha1) + delta1.Multiply(r);
        piB = piB.AddMixed(zkey.Beta2) + zkey.Delta2.ToJacobian().Multiply(s);
        piB1 = piB1.AddMixed(zkey.Beta1) + delta1.Multiply(s);
        piC = piC + piH + piA.Multiply(s) + piB1.Multiply(r) + delta1.Multiply(-(r * s));
        var proof = new Groth16Proof(piA.ToAffine(), piB.ToAffine(), piC.ToAffine());
        Mark("combine");

        var publicSignals = new Fr[zkey.NPublic];
        witness.AsSpan(1, zkey.NPublic).CopyTo(publicSignals);
        var vk = new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC());
        if (!Groth16Verifier.Verify(vk, publicSignals, proof))
            throw new Groth16Exception("witness does not satisfy the circuit: the proof fails verification against the proving key (pass the .r1cs to locate the failing constraint)");
        Mark("self-verify");

        var pub = new BigInteger[zkey.NPublic];
        for (int i = 0; i < pub.Length; i++) pub[i] = publicSignals[i].ToBigInteger();
        return new Groth16ProveResult(proof, pub, timings);
    }

    /// <summary>
    /// H-polynomial scalars exactly as snarkjs: a = A·w and b = B·w on the n-th roots, c = a∘b, each moved to the odd
    /// coset, then <c>a∘b − c</c> there. Returns a span of length domainSize.
    /// </summary>
    internal static Fr[] ComputeH(ZkeyFile zkey, ReadOnlySpan<Fr> witness)
    {
        int n = zkey.DomainSize;
        var a = new Fr[n];
        var b = new Fr[n];
        {
            var (ca, cb) = zkey.ReadCoefficients();
            foreach (ref readonly var c in ca.AsSpan()) a[c.Constraint] += c.Value * witness[c.Signal];
            foreach (ref readonly var c in cb.AsSpan()) b[c.Constraint] += c.Value * witness[c.Signal];
        }

        var c2 = GC.AllocateUninitializedArray<Fr>(n);
        for (int i = 0; i < n; i++) c2[i] = a[i] * b[i];
        var domain = new EvaluationDomain(zkey.DomainLog2);
        Parallel.Invoke(() => domain.ToOddCoset(a), () => domain.ToOddCoset(b), () => domain.ToOddCoset(c2));
        for (int i = 0; i < n; i++) a[i] = a[i] * b[i] - c2[i];
        return a;
    }

    /// <summary>Uniform scalar in [1, r) from the OS CSPRNG (512 bits reduced, bias below 2^-250).</summary>
    internal static Fr RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[64];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var v = new BigInteger(bytes, isUnsigned: true) % Fr.Modulus;
            bytes.Clear();
            if (!v.IsZero) return Fr.FromBigInteger(v);
        }
    }
}
