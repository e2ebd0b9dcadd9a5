using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Tests.Groth16;

/// <summary>The synthetic benchmark circuit: satisfiable, exactly the requested domain, provable and verifiable.</summary>
public sealed class SyntheticCircuitTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public void Create_domainIsExactlyTheRequestedPower_andTheWitnessSatisfiesIt(int log2)
    {
        var c = SyntheticCircuit.Create(log2, seed: 7);

        Assert.Equal(log2, Groth16Setup.DomainLog2(c.R1cs.NConstraints, c.R1cs.NPublic));
        Assert.Equal(-1, c.R1cs.FirstUnsatisfiedConstraint(c.Witness));
        Assert.Equal(1, c.R1cs.NPublic);
    }

    [Fact]
    public void Create_alteredWitness_failsAConstraint()
    {
        var c = SyntheticCircuit.Create(6);
        c.Witness[10] += Fr.One;

        Assert.True(c.R1cs.FirstUnsatisfiedConstraint(c.Witness) >= 0);
    }

    [Fact]
    public void Create_seedChoosesTheWitness()
    {
        Assert.NotEqual(SyntheticCircuit.Create(4, 1).Witness[1], SyntheticCircuit.Create(4, 2).Witness[1]);
        Assert.Equal(SyntheticCircuit.Create(4, 3).Witness[1], SyntheticCircuit.Create(4, 3).Witness[1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(25)]
    public void Create_outOfRange_isRefused(int log2)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticCircuit.Create(log2));
        Assert.Contains("2^2 .. 2^24", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteDevelopmentKey_provesAndVerifies()
    {
        var c = SyntheticCircuit.Create(7, seed: 3);
        string dir = Directory.CreateTempSubdirectory("pmc-synthetic-").FullName;
        try
        {
            string path = Path.Combine(dir, "s.zkey");
            c.WriteDevelopmentKey(path);
            using var zkey = ZkeyFile.Open(path);
            Assert.Equal(1 << 7, zkey.DomainSize);

            var result = new Groth16Prover().Prove(zkey, c.Witness, c.R1cs);

            var vk = new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC());
            Assert.True(Groth16Verifier.Verify(vk, result.PublicSignals, result.Proof));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
