using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Tests.Formats;

/// <summary>Ranged point reads from a zkey equal the same points of a whole-section read; a range outside is refused naming it.</summary>
public sealed class ZkeyRangeReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-zkey-range-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ZkeyFile Key()
    {
        string path = Path.Combine(_dir, "k.zkey");
        SyntheticCircuit.Create(5, seed: 2).WriteDevelopmentKey(path);
        return ZkeyFile.Open(path);
    }

    [Fact]
    public void ReadG1PointsAndB2Points_equalTheWholeSectionsSlices()
    {
        using var zkey = Key();
        var all = new G1Affine[zkey.NVars];
        zkey.ReadG1Section(ZkeyFile.SectionB1, all);
        var b2 = new G2Affine[zkey.NVars];
        zkey.ReadB2(b2);

        var some = new G1Affine[3];
        zkey.ReadG1Points(ZkeyFile.SectionB1, 7, some);
        var someB2 = new G2Affine[2];
        zkey.ReadB2Points(zkey.NVars - 2, someB2);

        Assert.Equal(all.AsSpan(7, 3).ToArray(), some);
        Assert.Equal(b2.AsSpan(zkey.NVars - 2, 2).ToArray(), someB2);
    }

    [Fact]
    public void ARangeOutsideTheSection_isRefusedNamingIt()
    {
        using var zkey = Key();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => zkey.ReadG1Points(ZkeyFile.SectionH, zkey.DomainSize - 1, new G1Affine[2]));
        Assert.Contains($"points [{zkey.DomainSize - 1}, {zkey.DomainSize + 1}) are not inside section {ZkeyFile.SectionH}'s {zkey.DomainSize}", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => zkey.ReadG1Points(ZkeyFile.SectionA, -1, new G1Affine[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => zkey.ReadB2Points(zkey.NVars, new G2Affine[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => zkey.ReadG1Points(99, 0, new G1Affine[1]));
    }
}
