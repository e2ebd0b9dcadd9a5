using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli.Tests.Commands;

/// <summary>Bad command lines exit <see cref="ExitCodes.Usage"/> naming what is wrong, with the command's usage.</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("prove", "a.zkey", "a.wtns", "p.json", "u.json", "--bogus")]
    [InlineData("soak", "--minutes", "1", "--bogus")]
    [InlineData("demo", "--requests", "8", "--bogus")]
    [InlineData("worker", "--config", "w.json", "--bogus")]
    [InlineData("worker", "status", "--config", "w.json", "--bogus")]
    [InlineData("bench", "--bogus")]
    [InlineData("bench-indexer", "--bogus")]
    [InlineData("simulate", "--bogus")]
    public void AnUnknownOptionIsAUsageErrorNamingIt(params string[] args)
    {
        var r = PmcRun.Invoke(args);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("'--bogus'", r.Err);
        Assert.Contains($"usage: pmc {args[0]}", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void AnUnknownCommandOrNoneIsAUsageError()
    {
        var unknown = PmcRun.Invoke("no-such-command");
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("'no-such-command'", unknown.Err);

        var none = PmcRun.Invoke();
        Assert.Equal(ExitCodes.Usage, none.ExitCode);
        Assert.Contains("usage: pmc <command>", none.Err);
    }

    [Theory]
    [InlineData("prove", "only-one-arg")]
    [InlineData("export", "nonsense", "a.zkey", "out.json")]
    [InlineData("soak")]
    [InlineData("soak", "--minutes", "0")]
    [InlineData("soak", "--minutes", "1", "--hostile", "no-such-case")]
    [InlineData("demo", "--requests", "0")]
    [InlineData("demo", "--rpc", "not a url")]
    [InlineData("bench", "--runs", "51")]
    [InlineData("bench-client", "--count", "x")]
    [InlineData("bench-indexer", "--requests", "999")]
    [InlineData("bench-indexer", "--engines", "oracle")]
    [InlineData("bench-indexer", "--queries", "0")]
    [InlineData("bench-indexer", "--postgres", "not-a-url", "--engines", "postgres")]
    [InlineData("simulate", "--load", "0")]
    [InlineData("simulate", "--requests", "0")]
    [InlineData("simulate", "--sequencer", "bribing")]
    [InlineData("simulate", "--heterogeneity", "4")]
    [InlineData("simulate", "--heterogeneity", "-0.1")]
    [InlineData("worker")]
    [InlineData("worker", "--config", "w.json", "--set", "no-equals-sign")]
    [InlineData("collateral", "fly", "--config", "w.json")]
    [InlineData("collateral", "status", "5", "--config", "w.json")]
    [InlineData("collateral", "deposit", "--config", "w.json")]
    [InlineData("collateral", "status", "--config", "w.json", "--asset", "256")]
    [InlineData("setup", "c.r1cs", "c.zkey", "--ptau", "p.ptau", "--insecure-seed", "demo")]
    [InlineData("setup", "c.r1cs", "c.zkey", "--insecure-seed", "")]
    public void MissingOrMalformedArgumentsAreUsageErrors(params string[] args)
    {
        var r = PmcRun.Invoke(args);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith($"pmc {args[0]}", r.Err);
        Assert.Contains("usage: pmc", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void AUsageErrorFromTheCommandNamesTheArgument()
    {
        var r = PmcRun.Invoke("collateral", "status", "5", "--config", "w.json");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("pmc collateral: status takes no amount", r.Err);
        Assert.Contains("usage: pmc collateral <action> [<amount>] [options]", r.Err);
    }

    [Fact]
    public void AnOutOfRangeNumberNamesTheOptionAndItsRange()
    {
        var r = PmcRun.Invoke("simulate", "--heterogeneity", "-1");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("pmc simulate: --heterogeneity: '-1' is not a number in [0, 3]", r.Err);
    }

    /// <summary>The command lines of the Makefile, the README and the soak's worker processes still parse.</summary>
    [Theory]
    [InlineData("soak", "--minutes", "10", "--seed", "42", "--json")]
    [InlineData("soak", "--minutes", "0.5", "--hostile", "none")]
    [InlineData("soak", "--minutes", "1", "--hostile", "slowloris,http-503", "--json")]
    [InlineData("demo", "--requests", "8")]
    [InlineData("demo", "--requests", "20", "--json", "--rpc", "http://127.0.0.1:8545", "--timeout", "60")]
    [InlineData("bench")]
    [InlineData("bench", "--quick", "--runs", "5")]
    [InlineData("bench", "--zkey", "c.zkey", "--wtns", "w.wtns", "--snarkjs", "/usr/bin/snarkjs")]
    [InlineData("bench-client", "--count", "100")]
    [InlineData("bench-indexer")]
    [InlineData("bench-indexer", "--requests", "100000", "--engines", "sqlite,postgres", "--queries", "200", "--seed", "1", "--json")]
    [InlineData("bench-indexer", "--engines", "sqlite", "--postgres", "postgres://postgres@127.0.0.1:5432/bench")]
    [InlineData("simulate", "--report", "reports")]
    [InlineData("simulate", "--bench")]
    [InlineData("simulate", "--heterogeneity", "0", "--requests", "10", "--provers", "2")]
    [InlineData("simulate", "--seed", "1", "--requests", "2000", "--provers", "20", "--heterogeneity", "0.5", "--load", "0.5", "--gas-price-gwei", "0.01", "--sequencer", "ordering", "--one-step")]
    [InlineData("prove", "c.zkey", "w.wtns", "proof.json", "public.json", "--r1cs", "c.r1cs", "--stats")]
    [InlineData("prove", "c.zkey", "w.wtns", "proof.json", "public.json", "--device", "ilgpu-cpu")]
    [InlineData("bench", "--device", "gpu", "--msm-log2", "20", "--prove-log2", "16,20", "--runs", "3")]
    [InlineData("verify", "vk.json", "public.json", "proof.json")]
    [InlineData("setup", "c.r1cs", "c.zkey", "--ptau", "p.ptau")]
    [InlineData("setup", "c.r1cs", "c.zkey", "--insecure-seed", "pmc rollup_batch demo key")]
    [InlineData("export", "vkey", "c.zkey", "vk.json")]
    [InlineData("export", "verifier", "c.zkey", "Verifier.sol")]
    [InlineData("witness", "c.wasm", "input.json", "w.wtns")]
    [InlineData("worker", "--config", "worker.json")]
    [InlineData("worker", "--config", "worker.json", "--set", "capacity=4", "--set", "costModel:marginBps=500")]
    [InlineData("worker", "status", "--config", "worker.json")]
    [InlineData("collateral", "status", "--config", "worker.json", "--asset", "1")]
    [InlineData("collateral", "reserve", "all", "--config", "worker.json")]
    [InlineData("collateral", "deposit", "1000", "--config", "worker.json")]
    [InlineData("collateral", "complete", "--config", "worker.json")]
    [InlineData("-v", "prove", "c.zkey", "w.wtns", "proof.json", "public.json")]
    [InlineData("prove", "c.zkey", "w.wtns", "proof.json", "public.json", "--verbose")]
    public void DocumentedCommandLinesParse(params string[] args)
    {
        var root = PmcCli.CreateRootCommand(new CliIo(TextWriter.Null, TextWriter.Null, new Dictionary<string, string?>(), PmcCli.CreateVerboseOption()));

        var parse = root.Parse(args);

        Assert.Empty(parse.Errors.Select(e => e.Message));
    }
}
