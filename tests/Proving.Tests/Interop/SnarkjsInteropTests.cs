using System.Numerics;
using System.Text.Json;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Tests.Interop;

/// <summary>Groth16 interoperability with snarkjs 0.7.6 in both directions.</summary>
[Collection(CircuitCollection.Name)]
public sealed class SnarkjsInteropTests(CircuitFixture f)
{
    private string Prove(string zkey, string wtns, string tag)
    {
        var result = new Groth16Prover().ProveFiles(f.P(zkey), f.P(wtns));
        SnarkjsJson.WriteFile(f.P($"{tag}_proof.json"), SnarkjsJson.ProofToJson(result.Proof));
        SnarkjsJson.WriteFile(f.P($"{tag}_public.json"), SnarkjsJson.PublicToJson(result.PublicSignals));
        return tag;
    }

    private bool OurVerify(string vk, string pub, string proof) =>
        Groth16Verifier.Verify(SnarkjsJson.ReadVerificationKey(f.P(vk)), SnarkjsJson.ReadPublic(f.P(pub)), SnarkjsJson.ReadProof(f.P(proof)));

    [Fact]
    public void OurProofOnSnarkjsKeyVerifiesWithSnarkjs()
    {
        var t = Prove("mul_snarkjs.zkey", "mul.wtns", "ours_mul");
        Assert.True(Tooling.SnarkjsVerify(f.P("mul_snarkjs_vk.json"), f.P($"{t}_public.json"), f.P($"{t}_proof.json")));
        Assert.True(OurVerify("mul_snarkjs_vk.json", $"{t}_public.json", $"{t}_proof.json"));
    }

    [Fact]
    public void SnarkjsProofVerifiesWithOurVerifierAndPublicJsonMatches()
    {
        Tooling.SnarkjsOk("groth16", "prove", f.P("mul_snarkjs.zkey"), f.P("mul.wtns"), f.P("sj_mul_proof.json"), f.P("sj_mul_public.json"));
        Assert.True(OurVerify("mul_snarkjs_vk.json", "sj_mul_public.json", "sj_mul_proof.json"));

        // Our public.json for the same witness is byte-identical, and re-serialising snarkjs's proof reproduces its file.
        Prove("mul_snarkjs.zkey", "mul.wtns", "ours_mul_pub");
        Assert.Equal(File.ReadAllText(f.P("sj_mul_public.json")), File.ReadAllText(f.P("ours_mul_pub_public.json")));
        Assert.Equal("[\n \"33\"\n]", File.ReadAllText(f.P("ours_mul_pub_public.json")));
        Assert.Equal(File.ReadAllText(f.P("sj_mul_proof.json")), SnarkjsJson.ProofToJson(SnarkjsJson.ReadProof(f.P("sj_mul_proof.json"))));
        Assert.Equal(File.ReadAllText(f.P("sj_mul_public.json")), SnarkjsJson.PublicToJson(SnarkjsJson.ReadPublic(f.P("sj_mul_public.json"))));
        Assert.Equal("[]", SnarkjsJson.PublicToJson([]));
    }

    [Fact]
    public void ExportedVerificationKeyIsByteIdenticalToSnarkjs()
    {
        using var z = ZkeyFile.Open(f.P("mul_snarkjs.zkey"));
        var vk = new VerificationKey(z.Alpha1, z.Beta2, z.Gamma2, z.Delta2, z.ReadIC());
        Assert.Equal(File.ReadAllText(f.P("mul_snarkjs_vk.json")), SnarkjsJson.VerificationKeyToJson(vk));

        using var z2 = ZkeyFile.Open(f.P("pos_dev.zkey"));
        var vk2 = new VerificationKey(z2.Alpha1, z2.Beta2, z2.Gamma2, z2.Delta2, z2.ReadIC());
        Assert.Equal(File.ReadAllText(f.P("pos_dev_vk.json")), SnarkjsJson.VerificationKeyToJson(vk2));
    }

    [Fact]
    public void PoseidonCircuitBothDirectionsOnOurDevelopmentKey()
    {
        // snarkjs proves with our zkey; both verifiers accept.
        Tooling.SnarkjsOk("groth16", "prove", f.P("pos_dev.zkey"), f.P("pos.wtns"), f.P("sj_pos_proof.json"), f.P("sj_pos_public.json"));
        Assert.True(Tooling.SnarkjsVerify(f.P("pos_dev_vk.json"), f.P("sj_pos_public.json"), f.P("sj_pos_proof.json")));
        Assert.True(OurVerify("pos_dev_vk.json", "sj_pos_public.json", "sj_pos_proof.json"));

        // We prove with our zkey; snarkjs accepts; public signals agree with snarkjs's.
        var t = Prove("pos_dev.zkey", "pos.wtns", "ours_pos");
        Assert.True(Tooling.SnarkjsVerify(f.P("pos_dev_vk.json"), f.P($"{t}_public.json"), f.P($"{t}_proof.json")));
        Assert.Equal(File.ReadAllText(f.P("sj_pos_public.json")), File.ReadAllText(f.P($"{t}_public.json")));
        var pub = SnarkjsJson.ReadPublic(f.P($"{t}_public.json"));
        Assert.Equal(3, pub.Length); // h, lt, y
        Assert.Equal(BigInteger.One, pub[1]); // 12345 < 67890
        Assert.Equal(new BigInteger(67890), pub[2]);
    }

    [Fact]
    public void ZkeyFromPreparedPtauWorksWithSnarkjsProve()
    {
        var setup = new Groth16Setup();
        using (var ptau = PtauFile.Open(f.P("pot.ptau")))
            ZkeyWriter.Write(f.P("mul_ptau.zkey"), setup.CreateFromPtau(R1csFile.Read(f.P("mul.r1cs")), ptau));
        Tooling.SnarkjsOk("zkey", "export", "verificationkey", f.P("mul_ptau.zkey"), f.P("mul_ptau_vk.json"));
        Tooling.SnarkjsOk("groth16", "prove", f.P("mul_ptau.zkey"), f.P("mul.wtns"), f.P("sj_ptau_proof.json"), f.P("sj_ptau_public.json"));
        Assert.True(Tooling.SnarkjsVerify(f.P("mul_ptau_vk.json"), f.P("sj_ptau_public.json"), f.P("sj_ptau_proof.json")));
        var t = Prove("mul_ptau.zkey", "mul.wtns", "ours_ptau");
        Assert.True(Tooling.SnarkjsVerify(f.P("mul_ptau_vk.json"), f.P($"{t}_public.json"), f.P($"{t}_proof.json")));

        // Same ceremony as snarkjs's own setup: α and β come from the ptau, so they match the snarkjs zkey.
        using var ours = ZkeyFile.Open(f.P("mul_ptau.zkey"));
        using var theirs = ZkeyFile.Open(f.P("mul_snarkjs.zkey"));
        Assert.Equal(theirs.Alpha1, ours.Alpha1);
        Assert.Equal(theirs.Beta2, ours.Beta2);
        Assert.Equal(theirs.DomainSize, ours.DomainSize);
        Assert.NotEqual(theirs.Delta2, ours.Delta2); // our local contribution moved δ
    }

    [Fact]
    public void TamperedProofOrPublicInputIsRejectedByBoth()
    {
        var t = Prove("mul_snarkjs.zkey", "mul.wtns", "tamper");
        var vk = f.P("mul_snarkjs_vk.json");
        Assert.True(Tooling.SnarkjsVerify(vk, f.P($"{t}_public.json"), f.P($"{t}_proof.json")));

        // Public input 33 -> 34.
        File.WriteAllText(f.P("tamper_pub_bad.json"), "[\n \"34\"\n]");
        Assert.False(Tooling.SnarkjsVerify(vk, f.P("tamper_pub_bad.json"), f.P($"{t}_proof.json")));
        Assert.False(OurVerify("mul_snarkjs_vk.json", "tamper_pub_bad.json", $"{t}_proof.json"));

        // pi_a replaced by the pi_a of a proof for another witness (still a valid curve point).
        var other = new Groth16Prover().ProveFiles(f.P("mul_snarkjs.zkey"), f.P("mul2.wtns"));
        var mine = SnarkjsJson.ReadProof(f.P($"{t}_proof.json"));
        SnarkjsJson.WriteFile(f.P("tamper_proof_bad.json"), SnarkjsJson.ProofToJson(mine with { A = other.Proof.A }));
        Assert.False(Tooling.SnarkjsVerify(vk, f.P($"{t}_public.json"), f.P("tamper_proof_bad.json")));
        Assert.False(OurVerify("mul_snarkjs_vk.json", $"{t}_public.json", "tamper_proof_bad.json"));

        // The other proof is valid for its own public signal (35) only.
        SnarkjsJson.WriteFile(f.P("other_proof.json"), SnarkjsJson.ProofToJson(other.Proof));
        SnarkjsJson.WriteFile(f.P("other_public.json"), SnarkjsJson.PublicToJson(other.PublicSignals));
        Assert.True(Tooling.SnarkjsVerify(vk, f.P("other_public.json"), f.P("other_proof.json")));
        Assert.False(OurVerify("mul_snarkjs_vk.json", $"{t}_public.json", "other_proof.json"));
    }

    [Fact]
    public void ProofsAreRandomisedButAlwaysValid()
    {
        var p1 = new Groth16Prover().ProveFiles(f.P("mul_snarkjs.zkey"), f.P("mul.wtns"));
        var p2 = new Groth16Prover().ProveFiles(f.P("mul_snarkjs.zkey"), f.P("mul.wtns"));
        Assert.NotEqual(p1.Proof.A, p2.Proof.A);
        Assert.NotEqual(p1.Proof.C, p2.Proof.C);
        var vk = SnarkjsJson.ReadVerificationKey(f.P("mul_snarkjs_vk.json"));
        Assert.True(Groth16Verifier.Verify(vk, p1.PublicSignals, p1.Proof));
        Assert.True(Groth16Verifier.Verify(vk, p2.PublicSignals, p2.Proof));
    }

    [Fact]
    public void ProofJsonHasSnarkjsShape()
    {
        var t = Prove("mul_snarkjs.zkey", "mul.wtns", "shape");
        using var doc = JsonDocument.Parse(File.ReadAllText(f.P($"{t}_proof.json")));
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "pi_a", "pi_b", "pi_c", "protocol", "curve" }, keys);
        Assert.Equal("1", doc.RootElement.GetProperty("pi_a")[2].GetString());
        Assert.Equal("1", doc.RootElement.GetProperty("pi_b")[2][0].GetString());
        Assert.Equal("0", doc.RootElement.GetProperty("pi_b")[2][1].GetString());
        Assert.Equal("groth16", doc.RootElement.GetProperty("protocol").GetString());
        Assert.Equal("bn128", doc.RootElement.GetProperty("curve").GetString());
        Assert.False(File.ReadAllText(f.P($"{t}_proof.json")).EndsWith('\n'));
    }
}
