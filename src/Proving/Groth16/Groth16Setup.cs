using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>Which kind of setup produced a zkey.</summary>
public enum SetupKind
{
    /// <summary>Single-party setup from fresh OS randomness; the trapdoor is discarded but nobody else can attest to that.</summary>
    InsecureDevelopment,

    /// <summary>Phase 2 from a snarkjs powers-of-tau ceremony plus one local δ contribution.</summary>
    FromPowersOfTau,
}

/// <summary>
/// Groth16 circuit-specific setup producing snarkjs-compatible zkeys (same QAP layout as <c>snarkjs groth16 setup</c>:
/// one A row per constraint plus one extra A row <c>nConstraints + s</c> for each public signal s, domain
/// <c>2^ceil(log2(nConstraints + nPublic + 1))</c>, H points = odd-coset Lagrange basis of the doubled domain).
/// </summary>
public sealed class Groth16Setup
{
    /// <summary>Contribution name written into development zkeys.</summary>
    public const string InsecureContributionName = "INSECURE pmc development setup (single party, not for production)";

    /// <summary>Contribution name written into development zkeys derived from a public seed (at most 64 bytes: the zkey
    /// format's limit).</summary>
    public const string SeededContributionName = "INSECURE pmc seeded setup: public seed, anyone can forge";

    /// <summary>Contribution name written into zkeys built from a powers-of-tau file.</summary>
    public const string PtauContributionName = "pmc phase2 contribution (single local delta)";

    private readonly ILogger _logger;

    /// <summary>Creates the setup helper.</summary>
    public Groth16Setup(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>Domain log2 snarkjs uses for a circuit.</summary>
    public static int DomainLog2(int nConstraints, int nPublic)
    {
        long m = (long)nConstraints + nPublic + 1;
        return Math.Max(1, 64 - BitOperations.LeadingZeroCount((ulong)(m - 1)));
    }

    /// <summary>Development setup from fresh randomness (τ, α, β, γ, δ are dropped when this returns).</summary>
    public ZkeyContents CreateDevelopment(R1csFile r1cs) => CreateDevelopment(r1cs, insecureSeed: null);

    /// <summary>
    /// Development setup; with <paramref name="insecureSeed"/>, DETERMINISTIC: τ, α, β, γ, δ are derived from the seed
    /// (<see cref="SeededScalar"/>), so the same circuit and seed give the same zkey byte for byte. Anyone who knows the
    /// seed knows the trapdoor and can forge proofs: a seeded key is for tests and demos only.
    /// </summary>
    /// <param name="r1cs">The circuit.</param>
    /// <param name="insecureSeed">Public seed text, or null for fresh OS randomness.</param>
    public ZkeyContents CreateDevelopment(R1csFile r1cs, string? insecureSeed)
    {
        ArgumentNullException.ThrowIfNull(r1cs);
        if (insecureSeed is { Length: 0 }) throw new ArgumentException("the insecure seed must not be empty", nameof(insecureSeed));
        int log = CheckSize(r1cs, Fr.TwoAdicity - 1);
        int n = 1 << log;
        Fr Draw(string label, int attempt) =>
            insecureSeed is null ? Groth16Prover.RandomScalar() : SeededScalar(insecureSeed, label, attempt);
        Fr tau, alpha = Draw("alpha", 0), beta = Draw("beta", 0), gamma = Draw("gamma", 0), delta = Draw("delta", 0);
        var wn = Fr.RootOfUnity(log);
        var w2n = Fr.RootOfUnity(log + 1);
        int tauAttempt = 0;
        do
        {
            tau = Draw("tau", tauAttempt++);
        }
        while (tau.Pow(2 * n).IsOne); // τ must avoid both domains (probability ~2^-226 anyway)

        var lag = Lagrange(tau, n, wn);
        var lag2 = Lagrange(tau, 2 * n, w2n);
        var (aT, bT, cT) = ColumnEvaluations(r1cs, lag);

        var gammaInv = gamma.Inverse();
        var deltaInv = delta.Inverse();
        int nPub = r1cs.NPublic, nVars = r1cs.NVars;
        var k = new Fr[nVars];
        for (int s = 0; s < nVars; s++) k[s] = (beta * aT[s] + alpha * bT[s] + cT[s]) * (s <= nPub ? gammaInv : deltaInv);
        var h = new Fr[n];
        for (int i = 0; i < n; i++) h[i] = lag2[2 * i + 1] * deltaInv;

        _logger.LogInformation("Development setup: {Vars} variables, domain 2^{Log}", nVars, log);
        var g1 = new FixedBaseG1(G1Affine.Generator);
        var g2 = new FixedBaseG2(G2Affine.Generator);
        var contents = new ZkeyContents
        {
            NVars = nVars,
            NPublic = nPub,
            DomainSize = n,
            Alpha1 = g1.Multiply(alpha).ToAffine(),
            Beta1 = g1.Multiply(beta).ToAffine(),
            Beta2 = g2.Multiply(beta).ToAffine(),
            Gamma2 = g2.Multiply(gamma).ToAffine(),
            Delta1 = g1.Multiply(delta).ToAffine(),
            Delta2 = g2.Multiply(delta).ToAffine(),
            IC = g1.MultiplyAll(k.AsSpan(0, nPub + 1)),
            Coefficients = Coefficients(r1cs),
            A = g1.MultiplyAll(aT),
            B1 = g1.MultiplyAll(bT),
            B2 = g2.MultiplyAll(bT),
            C = g1.MultiplyAll(k.AsSpan(nPub + 1)),
            H = g1.MultiplyAll(h),
            ContributionName = insecureSeed is null ? InsecureContributionName : SeededContributionName,
        };
        Array.Clear(k);
        Array.Clear(h);
        Array.Clear(lag);
        Array.Clear(lag2);
        return contents;
    }

    /// <summary>
    /// Setup from a phase-2-prepared powers-of-tau file, computed like <c>snarkjs groth16 setup</c> (γ = δ = 1), followed by
    /// one local contribution: a fresh δ multiplies δ·G1/δ·G2 and divides the C and H points.
    /// </summary>
    /// <exception cref="ProvingFormatException">The ptau is too small for the circuit.</exception>
    public ZkeyContents CreateFromPtau(R1csFile r1cs, PtauFile ptau)
    {
        ArgumentNullException.ThrowIfNull(r1cs);
        ArgumentNullException.ThrowIfNull(ptau);
        int log = DomainLog2(r1cs.NConstraints, r1cs.NPublic);
        if (log > ptau.Power)
            throw new ProvingFormatException(ptau.Path,
                $"ceremony power {ptau.Power} is too small for {r1cs.Path}: it needs 2^{log} ({r1cs.NConstraints} constraints + {r1cs.NPublic + 1} public)");
        int n = 1 << log, nPub = r1cs.NPublic, nVars = r1cs.NVars;
        var tauG1 = ptau.LagrangeG1(12, n);
        var tauG2 = ptau.LagrangeG2(n);
        var alphaTauG1 = ptau.LagrangeG1(14, n);
        var betaTauG1 = ptau.LagrangeG1(15, n);
        var tau2n = ptau.LagrangeG1(12, 2 * n);
        var cols = Columns(r1cs);

        var a = new G1Jacobian[nVars];
        var b1 = new G1Jacobian[nVars];
        var b2 = new G2Jacobian[nVars];
        var kk = new G1Jacobian[nVars];
        ParallelLoop.For(0, nVars, -1, s =>
        {
            var accA = G1Jacobian.Infinity;
            var accB1 = G1Jacobian.Infinity;
            var accB2 = G2Jacobian.Infinity;
            var accK = G1Jacobian.Infinity;
            foreach (var (row, v) in cols[0][s])
            {
                accA += Times(tauG1[row], v);
                accK += Times(betaTauG1[row], v);
            }

            foreach (var (row, v) in cols[1][s])
            {
                accB1 += Times(tauG1[row], v);
                accB2 += Times(tauG2[row], v);
                accK += Times(alphaTauG1[row], v);
            }

            foreach (var (row, v) in cols[2][s]) accK += Times(tauG1[row], v);
            a[s] = accA;
            b1[s] = accB1;
            b2[s] = accB2;
            kk[s] = accK;
        });

        var delta = Groth16Prover.RandomScalar();
        var deltaInv = delta.Inverse();
        var c = new G1Jacobian[nVars - nPub - 1];
        ParallelLoop.For(0, c.Length, -1, i => c[i] = kk[nPub + 1 + i].Multiply(deltaInv));
        var h = new G1Jacobian[n];
        ParallelLoop.For(0, n, -1, i => h[i] = tau2n[2 * i + 1].ToJacobian().Multiply(deltaInv));

        var contents = new ZkeyContents
        {
            NVars = nVars,
            NPublic = nPub,
            DomainSize = n,
            Alpha1 = ptau.FirstG1(4),
            Beta1 = ptau.FirstG1(5),
            Beta2 = ptau.BetaG2(),
            Gamma2 = G2Affine.Generator,
            Delta1 = G1Affine.Generator.ToJacobian().Multiply(delta).ToAffine(),
            Delta2 = G2Affine.Generator.ToJacobian().Multiply(delta).ToAffine(),
            IC = ToAffine(kk.AsSpan(0, nPub + 1)),
            Coefficients = Coefficients(r1cs),
            A = ToAffine(a),
            B1 = ToAffine(b1),
            B2 = ToAffine(b2),
            C = ToAffine(c),
            H = ToAffine(h),
            ContributionName = PtauContributionName,
        };
        return contents;
    }

    /// <summary>
    /// The scalar a seeded development setup uses for one trapdoor value: SHA-256 of
    /// <c>"pmc insecure setup\0" || seed || "\0" || label || "\0" || counter</c> (UTF-8, counter as 4 bytes big-endian),
    /// read little-endian with the top 2 bits cleared, the first nonzero value below r for counter = 0, 1, ... (rejection
    /// sampling like <see cref="Groth16Prover.RandomScalar"/>, so no modular bias). <paramref name="attempt"/> starts the
    /// counter further on, for a value the caller refused.
    /// </summary>
    internal static Fr SeededScalar(string seed, string label, int attempt)
    {
        Span<byte> digest = stackalloc byte[32];
        var prefix = Encoding.UTF8.GetBytes($"pmc insecure setup\0{seed}\0{label}\0");
        var message = new byte[prefix.Length + 4];
        prefix.CopyTo(message, 0);
        for (int counter = attempt * 1024; ; counter++)
        {
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(prefix.Length), counter);
            SHA256.HashData(message, digest);
            ulong l0 = BinaryPrimitives.ReadUInt64LittleEndian(digest);
            ulong l1 = BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]);
            ulong l2 = BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]);
            ulong l3 = BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]) & (ulong.MaxValue >> 2);
            var v = new U256(l0, l1, l2, l3);
            if ((l0 | l1 | l2 | l3) != 0 && Mont<FrParams>.IsBelowModulus(v)) return new Fr(Mont<FrParams>.ToMont(v));
        }
    }

    private static int CheckSize(R1csFile r1cs, int maxLog)
    {
        int log = DomainLog2(r1cs.NConstraints, r1cs.NPublic);
        if (log > maxLog) throw new ProvingFormatException(r1cs.Path, $"circuit needs domain 2^{log}, above the supported 2^{maxLog}");
        return log;
    }

    private static G1Jacobian Times(in G1Affine p, in Fr v)
    {
        if (v.IsOne) return p.ToJacobian();
        if ((-v).IsOne) return p.Negate().ToJacobian();
        return p.ToJacobian().Multiply(v);
    }

    private static G2Jacobian Times(in G2Affine p, in Fr v)
    {
        if (v.IsOne) return p.ToJacobian();
        if ((-v).IsOne) return p.Negate().ToJacobian();
        return p.ToJacobian().Multiply(v);
    }

    private static G1Affine[] ToAffine(ReadOnlySpan<G1Jacobian> p)
    {
        var r = new G1Affine[p.Length];
        G1Jacobian.BatchToAffine(p, r);
        return r;
    }

    private static G2Affine[] ToAffine(ReadOnlySpan<G2Jacobian> p)
    {
        var r = new G2Affine[p.Length];
        G2Jacobian.BatchToAffine(p, r);
        return r;
    }

    /// <summary>Lagrange basis L_i(τ) = (τ^m − 1)/m · ω^i/(τ − ω^i) of the domain of size m.</summary>
    internal static Fr[] Lagrange(Fr tau, int m, Fr omega)
    {
        var den = new Fr[m];
        var wi = new Fr[m];
        var w = Fr.One;
        for (int i = 0; i < m; i++)
        {
            wi[i] = w;
            den[i] = tau - w;
            w *= omega;
        }

        Fr.BatchInverse(den);
        var z = (tau.Pow(m) - Fr.One) * Fr.FromBigInteger(m).Inverse();
        for (int i = 0; i < m; i++) den[i] = z * wi[i] * den[i];
        return den;
    }

    /// <summary>Per-variable column lists of (row, coefficient) for A (with the public rows), B and C.</summary>
    private static List<(int Row, Fr Value)>[][] Columns(R1csFile r1cs)
    {
        var res = new List<(int, Fr)>[3][];
        var mats = new[] { r1cs.A, r1cs.B, r1cs.C };
        for (int m = 0; m < 3; m++)
        {
            var cols = new List<(int, Fr)>[r1cs.NVars];
            for (int s = 0; s < cols.Length; s++) cols[s] = new List<(int, Fr)>(2);
            var mat = mats[m];
            for (int row = 0; row < r1cs.NConstraints; row++)
            {
                for (int k = mat.RowStart[row]; k < mat.RowStart[row + 1]; k++) cols[mat.Wires[k]].Add((row, mat.Values[k]));
            }

            if (m == 0)
            {
                for (int s = 0; s <= r1cs.NPublic; s++) cols[s].Add((r1cs.NConstraints + s, Fr.One));
            }

            res[m] = cols;
        }

        return res;
    }

    private static (Fr[] A, Fr[] B, Fr[] C) ColumnEvaluations(R1csFile r1cs, Fr[] lag)
    {
        var cols = Columns(r1cs);
        var outp = new Fr[3][];
        for (int m = 0; m < 3; m++)
        {
            outp[m] = new Fr[r1cs.NVars];
            for (int s = 0; s < r1cs.NVars; s++)
            {
                var acc = Fr.Zero;
                foreach (var (row, v) in cols[m][s]) acc += v * lag[row];
                outp[m][s] = acc;
            }
        }

        return (outp[0], outp[1], outp[2]);
    }

    /// <summary>The zkey coefficient list in snarkjs order: per constraint its A then B terms, then the public A rows.</summary>
    private static List<(int, QapCoefficient)> Coefficients(R1csFile r1cs)
    {
        var list = new List<(int, QapCoefficient)>();
        for (int row = 0; row < r1cs.NConstraints; row++)
        {
            for (int k = r1cs.A.RowStart[row]; k < r1cs.A.RowStart[row + 1]; k++)
                list.Add((0, new QapCoefficient(row, r1cs.A.Wires[k], r1cs.A.Values[k])));
            for (int k = r1cs.B.RowStart[row]; k < r1cs.B.RowStart[row + 1]; k++)
                list.Add((1, new QapCoefficient(row, r1cs.B.Wires[k], r1cs.B.Values[k])));
        }

        for (int s = 0; s <= r1cs.NPublic; s++) list.Add((0, new QapCoefficient(r1cs.NConstraints + s, s, Fr.One)));
        return list;
    }
}
