using System.Text.Json;
using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli.Tests.Commands;

/// <summary><c>pmc simulate</c>: the per-mechanism table, the report files, and a bad gas snapshot named.</summary>
public sealed class SimulateCommandTests
{
    [Fact]
    public void Simulate_PrintsEveryMechanism_ForTheScenario()
    {
        var r = PmcRun.Invoke("simulate", "--requests", "120", "--provers", "6", "--seed", "3");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains("seed 3, 120 requests, 6 provers", r.Out);
        foreach (var m in new[] { "SealedBid", "Dutch", "StandingAsk", "OpenRace" }) Assert.Matches($@"(?m)^{m}\s+\d+", r.Out);
        Assert.Equal(r.Out, PmcRun.Invoke("simulate", "--requests", "120", "--provers", "6", "--seed", "3").Out);
    }

    [Fact]
    public void SimulateReport_WritesTheClaimsJsonAndTheHtml()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pmc-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = PmcRun.Invoke("simulate", "--requests", "100", "--provers", "5", "--report", dir);

            Assert.Equal(ExitCodes.Success, r.ExitCode);
            Assert.Contains("| claim | seed figure | measured | holds | conditions |", r.Out);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "economics.json")));
            Assert.Equal(4, doc.RootElement.GetProperty("claims").GetArrayLength());
            Assert.Contains("new Chart(", File.ReadAllText(Path.Combine(dir, "economics.html")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Simulate_WithABrokenGasSnapshot_FailsNamingTheFileAndEntry()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"sealedBid3Steady/submit\": \"lots\"}");
            var r = PmcRun.Invoke("simulate", "--requests", "10", "--gas-snapshot", path);

            Assert.Equal(ExitCodes.Failure, r.ExitCode);
            Assert.Contains(path, r.Err);
            Assert.Contains("sealedBid3Steady/submit", r.Err);

            File.WriteAllText(path, "{\"other\": \"5\"}");
            var missing = PmcRun.Invoke("simulate", "--requests", "10", "--gas-snapshot", path);
            Assert.Equal(ExitCodes.Failure, missing.ExitCode);
            Assert.Contains("has no entry 'sealedBid3Steady/submit'", missing.Err);
            Assert.DoesNotContain("   at ", missing.Err);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
