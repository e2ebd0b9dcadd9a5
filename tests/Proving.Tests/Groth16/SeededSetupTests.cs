using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Tests.Interop;

namespace ProverMarketChain.Proving.Tests.Groth16;

/// <summary>
/// The seeded (deterministic, insecure) development setup: the same circuit and seed give the same zkey byte for byte,
/// another seed or none gives another key, and a proof from a seeded key verifies with snarkjs.
/// </summary>
[Collection(CircuitCollection.Name)]
public sealed class SeededSetupTests(CircuitFixture f)
{
    [Fact]
    public void SameSeedGivesTheSameZkeyByteForByte()
    {
        var r1cs = R1csFile.Read(f.P("pos.r1cs"));
        var setup = new Groth16Setup();
        ZkeyWriter.Write(f.P("seeded_a.zkey"), setup.CreateDevelopment(r1cs, "pmc test seed"));
        ZkeyWriter.Write(f.P("seeded_b.zkey"), setup.CreateDevelopment(r1cs, "pmc test seed"));
        ZkeyWriter.Write(f.P("seeded_other.zkey"), setup.CreateDevelopment(r1cs, "pmc test seed 2"));
        ZkeyWriter.Write(f.P("unseeded.zkey"), setup.CreateDevelopment(r1cs, insecureSeed: null));

        Assert.Equal(File.ReadAllBytes(f.P("seeded_a.zkey")), File.ReadAllBytes(f.P("seeded_b.zkey")));
        using var a = ZkeyFile.Open(f.P("seeded_a.zkey"));
        using var other = ZkeyFile.Open(f.P("seeded_other.zkey"));
        using var unseeded = ZkeyFile.Open(f.P("unseeded.zkey"));
        Assert.NotEqual(a.Alpha1, other.Alpha1);
        Assert.NotEqual(a.Delta2, other.Delta2);
        Assert.NotEqual(a.Alpha1, unseeded.Alpha1);
    }

    [Fact]
    public void ProofFromASeededKeyVerifiesWithSnarkjs()
    {
        ZkeyWriter.Write(f.P("seeded_mul.zkey"), new Groth16Setup().CreateDevelopment(R1csFile.Read(f.P("mul.r1cs")), "pmc test seed"));
        Tooling.SnarkjsOk("zkey", "export", "verificationkey", f.P("seeded_mul.zkey"), f.P("seeded_mul_vk.json"));
        var proof = new Groth16Prover().ProveFiles(f.P("seeded_mul.zkey"), f.P("mul.wtns"));
        SnarkjsJson.WriteFile(f.P("seeded_mul_proof.json"), SnarkjsJson.ProofToJson(proof.Proof));
        SnarkjsJson.WriteFile(f.P("seeded_mul_public.json"), SnarkjsJson.PublicToJson(proof.PublicSignals));
        Assert.True(Tooling.SnarkjsVerify(f.P("seeded_mul_vk.json"), f.P("seeded_mul_public.json"), f.P("seeded_mul_proof.json")));
    }

    [Fact]
    public void SeededScalarsAreDistinctPerLabelAndBelowTheField()
    {
        var alpha = Groth16Setup.SeededScalar("s", "alpha", 0);
        Assert.Equal(alpha, Groth16Setup.SeededScalar("s", "alpha", 0));
        Assert.NotEqual(alpha, Groth16Setup.SeededScalar("s", "beta", 0));
        Assert.NotEqual(alpha, Groth16Setup.SeededScalar("s", "alpha", 1));
        Assert.NotEqual(alpha, Groth16Setup.SeededScalar("t", "alpha", 0));
        Assert.False(alpha.IsZero);
    }

    [Fact]
    public void AnEmptySeedIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Groth16Setup().CreateDevelopment(R1csFile.Read(f.P("mul.r1cs")), ""));
        Assert.Contains("seed", e.Message, StringComparison.Ordinal);
    }
}
