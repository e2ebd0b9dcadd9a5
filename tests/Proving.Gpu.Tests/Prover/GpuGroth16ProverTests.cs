using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using CpuMsm = ProverMarketChain.Proving.Msm.Msm;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>
/// The whole GPU proving path (key on the device, H by the NTT kernels, sorted-bucket MSMs) on ILGPU's CPU accelerator:
/// its proofs verify in snarkjs, each MSM equals the CPU's, the key is uploaded once, and wrong results are refused.
/// </summary>
[Collection(GpuProverCollection.Name)]
public sealed class GpuGroth16ProverTests(GpuProverFixture fixture)
{
    /// <summary>The small circuits of `make circuits-test`, and rollup_batch (14,703 constraints, a 2^14 domain) of `make circuits-demo`.</summary>
    public static readonly TheoryData<string> Circuits = new(["multiplier", "poseidon_chain", "comparators", "rollup_batch"]);

    [Theory]
    [MemberData(nameof(Circuits))]
    public void Prove_builtCircuit_verifiesInSnarkjs(string circuit)
    {
        var result = fixture.Prover.ProveFiles(BuiltCircuits.File(circuit, circuit + ".zkey"), BuiltCircuits.File(circuit, circuit + ".wtns"),
            BuiltCircuits.File(circuit, circuit + ".r1cs"));

        string dir = Directory.CreateTempSubdirectory("pmc-gpu-prove-").FullName;
        try
        {
            string proof = Path.Combine(dir, "proof.json"), pub = Path.Combine(dir, "public.json");
            SnarkjsJson.WriteFile(proof, SnarkjsJson.ProofToJson(result.Proof));
            SnarkjsJson.WriteFile(pub, SnarkjsJson.PublicToJson(result.PublicSignals));
            Assert.True(BuiltCircuits.SnarkjsVerifies(BuiltCircuits.File(circuit, "verification_key.json"), pub, proof),
                $"snarkjs rejected the GPU path's proof of {circuit}");
            // The public signals are the ones snarkjs computed for the same witness.
            Assert.Equal(File.ReadAllText(BuiltCircuits.File(circuit, "public.json")).Replace(" ", "").Replace("\n", ""),
                File.ReadAllText(pub).Replace(" ", "").Replace("\n", ""));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Prove_eachMsm_equalsTheCpuMsm()
    {
        const string circuit = "poseidon_chain";
        using var zkey = ZkeyFile.Open(BuiltCircuits.File(circuit, circuit + ".zkey"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File(circuit, circuit + ".wtns"));

        fixture.Prover.Prove(zkey, witness);
        var gpu = fixture.Prover.LastMsms!.Value;

        G1Affine[] Section(uint s, int n)
        {
            var p = new G1Affine[n];
            zkey.ReadG1Section(s, p);
            return p;
        }
        int nPrivateStart = zkey.NPublic + 1;
        var b2 = new G2Affine[zkey.NVars];
        zkey.ReadB2(b2);
        Fr[] h = Groth16Prover.ComputeH(zkey, witness);
        Assert.Equal(CpuMsm.MultiExp(Section(ZkeyFile.SectionA, zkey.NVars), witness).ToAffine(), gpu.A.ToAffine());
        Assert.Equal(CpuMsm.MultiExp(Section(ZkeyFile.SectionB1, zkey.NVars), witness).ToAffine(), gpu.B1.ToAffine());
        Assert.Equal(CpuMsm.MultiExp(b2, witness).ToAffine(), gpu.B2.ToAffine());
        Assert.Equal(CpuMsm.MultiExp(Section(ZkeyFile.SectionC, zkey.NVars - nPrivateStart), witness.AsSpan(nPrivateStart)).ToAffine(), gpu.C.ToAffine());
        Assert.Equal(CpuMsm.MultiExp(Section(ZkeyFile.SectionH, zkey.DomainSize), h).ToAffine(), gpu.H.ToAffine());
        Assert.False(gpu.H.ToAffine().IsInfinity, "H's MSM is trivially zero: the test would not tell a wrong H apart");
    }

    [Fact]
    public void Prove_keepsTheKeyOnTheDevice_acrossProofsAndReopenedFiles()
    {
        const string circuit = "comparators";
        string path = BuiltCircuits.File(circuit, circuit + ".zkey");
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File(circuit, circuit + ".wtns"));
        using (var zkey = ZkeyFile.Open(path)) fixture.Prover.Prove(zkey, witness);
        int uploads = fixture.Prover.Keys.Uploads;

        using (var zkey = ZkeyFile.Open(path))
        {
            var second = fixture.Prover.Prove(zkey, witness);
            Assert.DoesNotContain(second.Timings, t => t.Phase.StartsWith("proving key to device", StringComparison.Ordinal));
            fixture.Prover.Prove(zkey, witness);
        }

        Assert.Equal(uploads, fixture.Prover.Keys.Uploads);
    }

    [Fact]
    public void Prove_kernelFault_isRefusedBySelfVerification()
    {
        const string circuit = "multiplier";
        using var zkey = ZkeyFile.Open(BuiltCircuits.File(circuit, circuit + ".zkey"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File(circuit, circuit + ".wtns"));
        fixture.Prover.CorruptMsmsForTests = m => m with { H = m.H.AddMixed(G1Affine.Generator) };
        try
        {
            var e = Assert.Throws<Groth16Exception>(() => fixture.Prover.Prove(zkey, witness));
            Assert.True(e.SelfVerificationFailed);
        }
        finally
        {
            fixture.Prover.CorruptMsmsForTests = null;
        }
        // The prover is still usable afterwards.
        fixture.Prover.Prove(zkey, witness);
    }

    [Fact]
    public void Prove_witnessViolatingAConstraint_namesIt()
    {
        const string circuit = "multiplier";
        using var zkey = ZkeyFile.Open(BuiltCircuits.File(circuit, circuit + ".zkey"));
        var r1cs = R1csFile.Read(BuiltCircuits.File(circuit, circuit + ".r1cs"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File(circuit, circuit + ".wtns"));
        witness[1] += Fr.One;

        var e = Assert.Throws<Groth16Exception>(() => fixture.Prover.Prove(zkey, witness, r1cs));
        Assert.True(e.FailingConstraint >= 0);
        Assert.Contains("violates constraint", e.Message, StringComparison.Ordinal);

        // Without the r1cs the wrong witness still yields no proof: self-verification refuses it.
        var unchecked_ = Assert.Throws<Groth16Exception>(() => fixture.Prover.Prove(zkey, witness));
        Assert.True(unchecked_.SelfVerificationFailed);
    }

    [Fact]
    public void Prove_witnessOfAnotherCircuit_isRefusedBeforeAnyDeviceWork()
    {
        using var zkey = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        Fr[] other = WtnsFile.Read(BuiltCircuits.File("comparators", "comparators.wtns"));
        int uploads = fixture.Prover.Keys.Uploads;

        var e = Assert.Throws<Groth16Exception>(() => fixture.Prover.Prove(zkey, other));

        Assert.Contains("expects", e.Message, StringComparison.Ordinal);
        Assert.Equal(uploads, fixture.Prover.Keys.Uploads);
    }

    [Fact]
    public void Prove_cancelled_throwsAndLeavesTheProverUsable()
    {
        const string circuit = "multiplier";
        using var zkey = ZkeyFile.Open(BuiltCircuits.File(circuit, circuit + ".zkey"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File(circuit, circuit + ".wtns"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Prover.Prove(zkey, witness, cancellationToken: cts.Token));

        var ok = fixture.Prover.Prove(zkey, witness);
        Assert.NotNull(ok.Proof);
    }
}
