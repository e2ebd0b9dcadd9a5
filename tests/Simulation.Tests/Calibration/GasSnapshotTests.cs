using System.Text.Json;
using ProverMarketChain.Simulation.Calibration;

namespace ProverMarketChain.Simulation.Tests.Calibration;

public sealed class GasSnapshotTests
{
    [Fact]
    public void Table_ComesFromTheCommittedSnapshotEntries()
    {
        var s = TestGas.Snapshot;
        var t = s.ToTable();
        Assert.Equal(s["sealedBid3Steady/commit1"], t.SealedCommit);
        Assert.Equal(s["openRace3/revealProof"], t.RaceReveal);
        Assert.Equal(s["dutchSteady/lock"], t.DutchLock);
        Assert.Equal((s["sealedBid3Steady/reveal1"] + s["sealedBid3Steady/reveal2"] + s["sealedBid3Steady/reveal3"]) / 3, t.SealedReveal);
        Assert.All(new[] { t.SealedSubmit, t.AskSubmit, t.RaceCommit, t.AskFulfill }, g => Assert.InRange(g, 20_000, 1_000_000));
    }

    [Fact]
    public void Load_NamesTheBadEntry_AndAMissingEntry()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string> { ["sealedBid3Steady/submit"] = "12x" }));
            var e = Assert.Throws<InvalidDataException>(() => GasSnapshot.Load(path));
            Assert.Contains("sealedBid3Steady/submit", e.Message);
            File.WriteAllText(path, "{\"other\": \"5\"}");
            var k = Assert.Throws<KeyNotFoundException>(() => GasSnapshot.Load(path).ToTable());
            Assert.Contains("sealedBid3Steady/submit", k.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ProvingCalibration_IsThePmcBenchFigure()
    {
        var c = ProvingCalibration.PmcBench;
        Assert.Equal(65_520, c.Constraints);
        Assert.InRange(c.Seconds, 0.60, 0.77);
        Assert.Contains("pmc bench", c.Source);
    }
}
