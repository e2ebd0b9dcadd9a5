using System.Text.Json;
using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Simulation.Reporting;

namespace ProverMarketChain.Simulation.Tests.Reporting;

public sealed class EconomicsReportTests
{
    private static readonly Scenario Small = new() { Requests = 150, Provers = 6, Seed = 4 };

    [Fact]
    public void Json_HasAClaimsArray_WithClaimSeedFigureMeasuredHoldsAndConditions_AndIsDeterministic()
    {
        var data = EconomicsReport.Build(Small, TestGas.Snapshot, ProvingCalibration.PmcBench);
        var json = ReportWriter.ToJson(data);
        Assert.Equal(json, ReportWriter.ToJson(EconomicsReport.Build(Small, TestGas.Snapshot, ProvingCalibration.PmcBench)));
        using var doc = JsonDocument.Parse(json);
        var claims = doc.RootElement.GetProperty("claims");
        Assert.Equal(4, claims.GetArrayLength());
        foreach (var c in claims.EnumerateArray())
        {
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("claim").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("seedFigure").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("measured").GetString()));
            Assert.True(c.GetProperty("holds").ValueKind is JsonValueKind.True or JsonValueKind.False);
            Assert.Contains("seed 4", c.GetProperty("conditions").GetString());
            // Every failing sweep point is listed.
            Assert.Equal(c.GetProperty("sweepPoints").GetInt32() - c.GetProperty("sweepHolds").GetInt32(), c.GetProperty("whereItFails").GetArrayLength());
        }
        Assert.Contains("pmc bench", doc.RootElement.GetProperty("calibration").GetProperty("proving").GetProperty("source").GetString());
        Assert.Equal(GasSnapshot.RelativePath, doc.RootElement.GetProperty("calibration").GetProperty("gas").GetProperty("source").GetString());
    }

    [Fact]
    public void Claims_FollowTheirRules_FromTheMeasuredFigures()
    {
        var data = EconomicsReport.Build(Small, TestGas.Snapshot, ProvingCalibration.PmcBench);
        var b = data.Base;
        Assert.Equal(b.RaceOverAllocation >= 5, data.Claims[0].Holds);
        Assert.Equal(!double.IsNaN(b.MevCut) && b.MevCut >= 0.9, data.Claims[1].Holds);
        Assert.Equal(b.DecentralizationGain >= 0.2, data.Claims[2].Holds);
        Assert.Equal(b.EfficientCoverage >= 1, data.Claims[3].Holds);
        var race = b.Mechanisms.First(m => m.Mechanism == Mechanism.OpenRace);
        var sealedBid = b.Mechanisms.First(m => m.Mechanism == Mechanism.SealedBid);
        Assert.Equal(race.ResourcesPerProof / sealedBid.ResourcesPerProof, b.RaceOverAllocation, 9);
    }

    [Fact]
    public void Html_InlinesChartJs_AndLoadsNothingFromTheNetwork()
    {
        var data = EconomicsReport.Build(Small, TestGas.Snapshot, ProvingCalibration.PmcBench);
        var dir = Path.Combine(Path.GetTempPath(), "pmc-report-" + Guid.NewGuid().ToString("N"));
        var chart = Path.Combine(ContractBindings.Tests.Infrastructure.RepoPaths.Root, "node_modules", "chart.js", "dist", "chart.umd.min.js");
        try
        {
            ReportWriter.Write(data, dir, chart);
            var html = File.ReadAllText(Path.Combine(dir, "economics.html"));
            Assert.Contains("new Chart(", html);
            Assert.Contains(File.ReadAllText(chart)[..200], html);
            Assert.DoesNotContain("src=\"http", html);
            Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
            Assert.Throws<FileNotFoundException>(() => ReportWriter.Write(data, dir, chart + ".missing"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
