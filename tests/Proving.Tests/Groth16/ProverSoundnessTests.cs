using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Tests.Interop;

namespace ProverMarketChain.Proving.Tests.Groth16;

[Collection(CircuitCollection.Name)]
public sealed class ProverSoundnessTests(CircuitFixture f)
{
    private Fr[] TamperedPosWitness(out int index)
    {
        var w = WtnsFile.Read(f.P("pos.wtns"));
        var r1cs = R1csFile.Read(f.P("pos.r1cs"));
        index = r1cs.NPublic + 1 + (w.Length - r1cs.NPublic - 1) / 2; // a private signal in the middle of the circuit
        w[index] += Fr.One;
        return w;
    }

    [Fact]
    public void UnsatisfyingWitnessIsRefusedEvenWithoutR1cs()
    {
        var w = TamperedPosWitness(out _);
        using var z = ZkeyFile.Open(f.P("pos_dev.zkey"));
        var e = Assert.Throws<Groth16Exception>(() => new Groth16Prover().Prove(z, w));
        Assert.Contains("does not satisfy", e.Message);
        Assert.Equal(-1, e.FailingConstraint);
    }

    [Fact]
    public void UnsatisfyingWitnessReportsFirstFailingConstraintWithR1cs()
    {
        var w = TamperedPosWitness(out int index);
        var r1cs = R1csFile.Read(f.P("pos.r1cs"));

        // Oracle: the first constraint that mentions the tampered signal in A, B or C, evaluated with BigInteger.
        int expected = -1;
        for (int c = 0; c < r1cs.NConstraints && expected < 0; c++)
        {
            BigInteger Eval(SparseMatrix m)
            {
                BigInteger acc = 0;
                for (int k = m.RowStart[c]; k < m.RowStart[c + 1]; k++) acc += m.Values[k].ToBigInteger() * w[m.Wires[k]].ToBigInteger();
                return acc % Fr.Modulus;
            }

            if (Eval(r1cs.A) * Eval(r1cs.B) % Fr.Modulus != Eval(r1cs.C)) expected = c;
        }

        Assert.True(expected >= 0);
        using var z = ZkeyFile.Open(f.P("pos_dev.zkey"));
        var e = Assert.Throws<Groth16Exception>(() => new Groth16Prover().Prove(z, w, r1cs));
        Assert.Equal(expected, e.FailingConstraint);
        Assert.Contains($"constraint {expected} ", e.Message);
    }

    [Fact]
    public void WitnessWithWrongLengthIsRefused()
    {
        using var z = ZkeyFile.Open(f.P("pos_dev.zkey"));
        var w = WtnsFile.Read(f.P("pos.wtns"));
        Assert.Throws<Groth16Exception>(() => new Groth16Prover().Prove(z, w[..^1]));
    }

    [Fact]
    public void CoefficientSectionMatchesSnarkjsByteForByte()
    {
        // Same r1cs through snarkjs `groth16 setup` and through our ptau setup: identical QAP coefficient encoding (v·R² mod r).
        using (var ptau = PtauFile.Open(f.P("pot.ptau")))
            ZkeyWriter.Write(f.P("coeff_check.zkey"), new Groth16Setup().CreateFromPtau(R1csFile.Read(f.P("mul.r1cs")), ptau));
        byte[] Section(string file, uint id)
        {
            using var b = BinFile.Open(f.P(file), "zkey", 2);
            return b.ReadAll(b.Section(id));
        }

        Assert.Equal(Section("mul_snarkjs.zkey", ZkeyFile.SectionCoeffs), Section("coeff_check.zkey", ZkeyFile.SectionCoeffs));
        Assert.Equal(Section("mul_snarkjs.zkey", ZkeyFile.SectionA), Section("coeff_check.zkey", ZkeyFile.SectionA));
        Assert.Equal(Section("mul_snarkjs.zkey", ZkeyFile.SectionB2), Section("coeff_check.zkey", ZkeyFile.SectionB2));
        Assert.Equal(Section("mul_snarkjs.zkey", ZkeyFile.SectionIC), Section("coeff_check.zkey", ZkeyFile.SectionIC));
    }

    [Fact]
    public void HScalarsMatchDirectQuotientComputation()
    {
        // Independent oracle for the odd-coset H: interpolate A, B, C with BigInteger Lagrange sums on the odd coset
        // points directly (O(n^2), fine for the multiplier's domain of 4).
        using var z = ZkeyFile.Open(f.P("mul_snarkjs.zkey"));
        var w = WtnsFile.Read(f.P("mul.wtns"));
        var h = Groth16Prover.ComputeH(z, w);
        var (ca, cb) = z.ReadCoefficients();
        int n = z.DomainSize;
        var r = Fr.Modulus;
        BigInteger[] Evals(QapCoefficient[] cs)
        {
            var e = new BigInteger[n];
            foreach (var c in cs) e[c.Constraint] = (e[c.Constraint] + c.Value.ToBigInteger() * w[c.Signal].ToBigInteger()) % r;
            return e;
        }

        var a = Evals(ca);
        var b = Evals(cb);
        var cc = a.Zip(b, (x, y) => x * y % r).ToArray();
        var wn = Fr.RootOfUnity(z.DomainLog2).ToBigInteger();
        var g = Fr.RootOfUnity(z.DomainLog2 + 1).ToBigInteger();
        BigInteger Interp(BigInteger[] ev, BigInteger x)
        {
            // Σ ev_i · L_i(x), L_i(x) = ω^i (x^n − 1) / (n (x − ω^i)).
            BigInteger acc = 0, wi = 1, zx = (BigInteger.ModPow(x, n, r) - 1 + r) % r;
            for (int i = 0; i < n; i++)
            {
                var den = n * ((x - wi) % r + r) % r;
                acc += ev[i] * wi % r * zx % r * BigInteger.ModPow(den, r - 2, r);
                wi = wi * wn % r;
            }

            return acc % r;
        }

        for (int j = 0; j < n; j++)
        {
            var x = g * BigInteger.ModPow(wn, j, r) % r;
            var expected = ((Interp(a, x) * Interp(b, x) - Interp(cc, x)) % r + r) % r;
            Assert.Equal(expected, h[j].ToBigInteger());
        }
    }

    [Fact]
    public void LagrangeBasisInterpolatesLowDegreePolynomials()
    {
        // Σ L_i(τ)·ω^{ik} = τ^k for 0 ≤ k < m, for random τ.
        Prop.ForAll(Arb.From(Gen.Choose(1, 6)), Arb.From(ArbMap.Default.GeneratorFor<ulong>()), (log, seed) =>
        {
            int m = 1 << log;
            var tau = Fr.FromBigInteger(new BigInteger(seed) * 1_000_003 + 17);
            var omega = Fr.RootOfUnity(log);
            var l = Groth16Setup.Lagrange(tau, m, omega);
            for (int k = 0; k < m; k += Math.Max(1, m / 4))
            {
                var acc = Fr.Zero;
                var wk = omega.Pow(k);
                var p = Fr.One;
                for (int i = 0; i < m; i++)
                {
                    acc += l[i] * p;
                    p *= wk;
                }

                if (acc != tau.Pow(k)) return false;
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 2)]
    [InlineData(3, 0, 2)]
    [InlineData(4, 0, 3)]
    [InlineData(1619, 1, 11)]
    [InlineData(2046, 1, 11)]
    [InlineData(2047, 1, 12)]
    public void DomainSizeMatchesSnarkjs(int constraints, int nPublic, int log) =>
        Assert.Equal(log, Groth16Setup.DomainLog2(constraints, nPublic));
}
