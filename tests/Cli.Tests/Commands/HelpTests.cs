using System.CommandLine;
using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli.Tests.Commands;

/// <summary><c>pmc --help</c> and <c>pmc &lt;command&gt; --help</c>: every command, option and argument is listed and described.</summary>
public sealed class HelpTests
{
    /// <summary>The commands pmc has had since before System.CommandLine; none may disappear.</summary>
    private static readonly string[] CommandPaths =
        ["prove", "verify", "setup", "export", "witness", "bench", "bench-client", "worker", "worker status", "collateral", "demo", "soak", "indexer", "bench-indexer"];

    /// <summary><see cref="CommandPaths"/> as theory data.</summary>
    public static readonly TheoryData<string> Commands = new(CommandPaths);

    /// <summary>The options each command had (and the worker's new --set); none may disappear.</summary>
    public static readonly TheoryData<string, string[]> KnownOptions = new()
    {
        { "prove", ["--r1cs", "--stats", "--device"] },
        { "setup", ["--ptau", "--insecure-seed"] },
        { "bench", ["--quick", "--runs", "--zkey", "--wtns", "--snarkjs", "--device", "--msm-log2", "--prove-log2"] },
        { "bench-client", ["--count"] },
        { "bench-indexer", ["--requests", "--engines", "--postgres", "--queries", "--seed", "--json"] },
        { "worker", ["--config", "--set"] },
        { "worker status", ["--config", "--set"] },
        { "collateral", ["--config", "--asset", "--set"] },
        { "demo", ["--requests", "--json", "--rpc", "--timeout", "--exit", "--db", "--dashboard"] },
        { "indexer", ["--deployment", "--db", "--rpc", "--listen", "--confirmations", "--from-block", "--poll-ms"] },
        { "soak", ["--minutes", "--seed", "--hostile", "--json"] },
        { "simulate", ["--seed", "--requests", "--provers", "--heterogeneity", "--load", "--gas-price-gwei", "--sequencer", "--one-step", "--bench", "--report", "--gas-snapshot"] },
    };

    private static RootCommand Root() => PmcCli.CreateRootCommand(new CliIo(TextWriter.Null, TextWriter.Null, new Dictionary<string, string?>(), PmcCli.CreateVerboseOption()));

    private static Command Find(string path)
    {
        Command c = Root();
        foreach (var name in path.Split(' ')) c = c.Subcommands.Single(s => s.Name == name);
        return c;
    }

    [Fact]
    public void RootHelpListsEveryCommandAndTheExitCodes()
    {
        var r = PmcRun.Invoke("--help");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        foreach (var name in CommandPaths.Where(n => !n.Contains(' ')))
            Assert.Matches($@"(?m)^\s+{System.Text.RegularExpressions.Regex.Escape(name)}\s", r.Out);
        foreach (var command in Root().Subcommands)
        {
            Assert.Contains(command.Name, r.Out);
            Assert.Contains(command.Description!.Split('\n')[0].Trim(), r.Out);
        }
        Assert.Contains("Exit codes:", r.Out);
        foreach (var code in new[] { ExitCodes.Success, ExitCodes.Failure, ExitCodes.Usage, ExitCodes.Interrupted })
            Assert.Matches($@"(?m)^\s+{code}\s+\S", r.Out);
        Assert.Contains("--verbose", r.Out);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EachCommandsHelpListsEachOfItsOptionsAndArgumentsWithTheirDescriptions(string path)
    {
        var r = PmcRun.Invoke([.. path.Split(' '), "--help"]);

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        // The usage line: the executable's name (pmc, or the test host here), then the command's path.
        Assert.Matches($@"(?m)^\s+\S+ {System.Text.RegularExpressions.Regex.Escape(path)}( |$)", r.Out);
        var command = Find(path);
        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"{path} has no description");
        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{path} {option.Name} has no description");
            Assert.Contains(option.Name, r.Out);
            Assert.Contains(option.Description!, r.Out.ReplaceLineEndings(" "));
        }
        foreach (var argument in command.Arguments)
        {
            Assert.False(string.IsNullOrWhiteSpace(argument.Description), $"{path} <{argument.Name}> has no description");
            Assert.Contains(argument.Name, r.Out);
        }
        Assert.Contains("--verbose", r.Out);
    }

    [Theory]
    [MemberData(nameof(KnownOptions))]
    public void EachCommandsHelpListsItsKnownOptions(string path, string[] options)
    {
        var r = PmcRun.Invoke([.. path.Split(' '), "--help"]);

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        foreach (var option in options) Assert.Contains(option, r.Out);
    }

    [Fact]
    public void EveryOptionAndArgumentInTheTreeHasADescription()
    {
        var missing = new List<string>();
        void Walk(Command c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.Description)) missing.Add(path);
            foreach (var o in c.Options.Where(o => string.IsNullOrWhiteSpace(o.Description))) missing.Add($"{path} {o.Name}");
            foreach (var a in c.Arguments.Where(a => string.IsNullOrWhiteSpace(a.Description))) missing.Add($"{path} <{a.Name}>");
            foreach (var s in c.Subcommands) Walk(s, $"{path} {s.Name}");
        }

        Walk(Root(), "pmc");
        Assert.Empty(missing);
    }

    [Fact]
    public void WorkerHelpDocumentsTheConfigurationSourcesInOrder()
    {
        var r = PmcRun.Invoke("worker", "--help");

        int file = r.Out.IndexOf("--config", r.Out.IndexOf("lowest precedence first", StringComparison.Ordinal), StringComparison.Ordinal);
        int env = r.Out.IndexOf("PMC_Worker__", file, StringComparison.Ordinal);
        int set = r.Out.IndexOf("--set", env, StringComparison.Ordinal);
        Assert.True(file > 0 && env > file && set > env, r.Out);
        Assert.Contains("PMC_PRIVATE_KEY", r.Out);
        Assert.Contains("SIGTERM", r.Out);
    }

    [Fact]
    public void HelpCommandShowsTheSameHelpAsTheOption()
    {
        var viaCommand = PmcRun.Invoke("help", "worker", "status");
        var viaOption = PmcRun.Invoke("worker", "status", "--help");

        Assert.Equal(ExitCodes.Success, viaCommand.ExitCode);
        Assert.Equal(viaOption.Out, viaCommand.Out);
    }
}
