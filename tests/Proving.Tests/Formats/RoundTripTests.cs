using System.Numerics;
using System.Text.Json;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Tests.Interop;

namespace ProverMarketChain.Proving.Tests.Formats;

[Collection(CircuitCollection.Name)]
public sealed class RoundTripTests(CircuitFixture f)
{
    [Fact]
    public void WitnessMatchesSnarkjsExportAndRoundTrips()
    {
        var w = WtnsFile.Read(f.P("pos.wtns"));
        Tooling.SnarkjsOk("wtns", "export", "json", f.P("pos.wtns"), f.P("pos_wtns.json"));
        var expected = JsonSerializer.Deserialize<string[]>(File.ReadAllText(f.P("pos_wtns.json")))!.Select(BigInteger.Parse).ToArray();
        Assert.Equal(expected, w.Select(v => v.ToBigInteger()).ToArray());

        WtnsFile.Write(f.P("pos_copy.wtns"), w);
        Assert.Equal(File.ReadAllBytes(f.P("pos.wtns")), File.ReadAllBytes(f.P("pos_copy.wtns")));
        var check = Tooling.Snarkjs("wtns", "check", f.P("pos.r1cs"), f.P("pos_copy.wtns"));
        Assert.True(check.ExitCode == 0 && check.All.Contains("WITNESS IS CORRECT", StringComparison.Ordinal), check.All);
    }

    [Fact]
    public void ZkeyWriterRoundTripsEverySection()
    {
        var contents = new Groth16Setup().CreateDevelopment(R1csFile.Read(f.P("mul.r1cs")));
        ZkeyWriter.Write(f.P("rt.zkey"), contents);
        using var z = ZkeyFile.Open(f.P("rt.zkey"));
        Assert.Equal(contents.NVars, z.NVars);
        Assert.Equal(contents.NPublic, z.NPublic);
        Assert.Equal(contents.DomainSize, z.DomainSize);
        Assert.Equal(contents.Alpha1, z.Alpha1);
        Assert.Equal(contents.Beta1, z.Beta1);
        Assert.Equal(contents.Beta2, z.Beta2);
        Assert.Equal(contents.Gamma2, z.Gamma2);
        Assert.Equal(contents.Delta1, z.Delta1);
        Assert.Equal(contents.Delta2, z.Delta2);
        Assert.Equal(contents.IC, z.ReadIC());
        var a = new Curves.G1Affine[z.NVars];
        z.ReadG1Section(ZkeyFile.SectionA, a);
        Assert.Equal(contents.A, a);
        var b2 = new Curves.G2Affine[z.NVars];
        z.ReadB2(b2);
        Assert.Equal(contents.B2, b2);
        var h = new Curves.G1Affine[z.DomainSize];
        z.ReadG1Section(ZkeyFile.SectionH, h);
        Assert.Equal(contents.H, h);
        var (ca, cb) = z.ReadCoefficients();
        Assert.Equal(contents.Coefficients.Where(c => c.Matrix == 0).Select(c => c.Coefficient), ca);
        Assert.Equal(contents.Coefficients.Where(c => c.Matrix == 1).Select(c => c.Coefficient), cb);

        // beta1 and beta2 carry the same beta: e(beta1, g2) == e(g1, beta2); likewise for delta.
        Assert.Equal(Pairing.Bn254Pairing.Pair(z.Beta1, Curves.G2Affine.Generator), Pairing.Bn254Pairing.Pair(Curves.G1Affine.Generator, z.Beta2));
        Assert.Equal(Pairing.Bn254Pairing.Pair(z.Delta1, Curves.G2Affine.Generator), Pairing.Bn254Pairing.Pair(Curves.G1Affine.Generator, z.Delta2));
    }

    [Fact]
    public void SnarkjsZkeyExportJsonReadsOurKey()
    {
        Tooling.SnarkjsOk("zkey", "export", "json", f.P("pos_dev.zkey"), f.P("pos_dev_zkey.json"));
        using var doc = JsonDocument.Parse(File.ReadAllText(f.P("pos_dev_zkey.json")));
        using var z = ZkeyFile.Open(f.P("pos_dev.zkey"));
        Assert.Equal(z.NVars, doc.RootElement.GetProperty("nVars").GetInt32());
        Assert.Equal(z.NPublic, doc.RootElement.GetProperty("nPublic").GetInt32());
        Assert.Equal(z.DomainSize, doc.RootElement.GetProperty("domainSize").GetInt32());
        Assert.Equal(z.CoefficientCount, doc.RootElement.GetProperty("ccoefs").GetArrayLength());
    }
}
