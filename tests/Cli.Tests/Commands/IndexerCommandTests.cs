using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli.Tests.Commands;

/// <summary><c>pmc indexer</c> refuses bad settings with a message that names them, before touching a chain or a database.</summary>
public sealed class IndexerCommandTests
{
    [Fact]
    public void test_indexer_requiresADeploymentFile()
    {
        var r = PmcRun.Invoke("indexer");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--deployment", r.Err);
    }

    [Fact]
    public void test_indexer_namesAMissingDeploymentFile()
    {
        var r = PmcRun.Invoke("indexer", "--deployment", "/nonexistent/deployment.json");
        Assert.Equal(ExitCodes.Failure, r.ExitCode);
        Assert.Contains("DeploymentFile '/nonexistent/deployment.json' does not exist", r.Err);
    }

    [Theory]
    [InlineData("postgres://", "not a valid postgres:// URL")]
    [InlineData("postgres://user@host:5432/", "names no database")]
    [InlineData("mysql://host/db", "unknown scheme")]
    public void test_indexer_namesABadDatabaseUrl(string db, string message)
    {
        var deployment = Path.Combine(Directory.CreateTempSubdirectory("pmc-idx-cli-").FullName, "deployment.json");
        File.WriteAllText(deployment, """{"chainId":31337,"circuitRegistry":"0x5FbDB2315678afecb367f032d93F642f64180aa3","collateralVault":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512","proverMarket":"0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9","deployBlock":1}""");
        var r = PmcRun.Invoke("indexer", "--deployment", deployment, "--db", db);
        Assert.Equal(ExitCodes.Failure, r.ExitCode);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void test_indexer_rejectsAnOutOfRangeConfirmationCount()
    {
        var r = PmcRun.Invoke("indexer", "--deployment", "d.json", "--confirmations", "-1");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--confirmations", r.Err);
    }
}
