using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Security;
using ProverMarketChain.Proving.Witness;

namespace ProverMarketChain.Worker.Tests;

/// <summary>
/// What the worker's child process (node running the witness runner) gets: no secrets in its environment, and a runner
/// script no one else could have written. A fake <c>node</c> (a shell script) records what it was given.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WitnessProcessSecurityTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-child-test-").FullName;
    private readonly string _node;
    private readonly string _wasm;
    private readonly string _input;

    public WitnessProcessSecurityTests()
    {
        // Records its environment, the script path it was handed, and the script's content; then fails like node would.
        _node = Path.Combine(_dir, "node");
        File.WriteAllText(_node, $"""
            #!/bin/sh
            env > '{_dir}/env.txt'
            printf '%s' "$1" > '{_dir}/script-path.txt'
            cat "$1" > '{_dir}/script-seen.js'
            echo "Error: fake node" >&2
            exit 3
            """.Replace("\r\n", "\n") + "\n");
        File.SetUnixFileMode(_node, Private);
        _wasm = Path.Combine(_dir, "c.wasm");
        _input = Path.Combine(_dir, "input.json");
        File.WriteAllText(_wasm, "");
        File.WriteAllText(_input, "{}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] EmbeddedRunner()
    {
        using var res = typeof(WitnessCalculator).Assembly.GetManifestResourceStream("circom-witness.js")!;
        using var ms = new MemoryStream();
        res.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Runs the fake node once and returns the runner path it was handed (after checking what it read).</summary>
    private string Run(WitnessCalculator calc)
    {
        var e = Assert.Throws<ProvingFormatException>(() => calc.Calculate(_wasm, _input, Path.Combine(_dir, "w.wtns")));
        Assert.Contains("node exit 3", e.Message);
        Assert.Equal(EmbeddedRunner(), File.ReadAllBytes(Path.Combine(_dir, "script-seen.js")));
        var script = File.ReadAllText(Path.Combine(_dir, "script-path.txt"));
        File.Delete(Path.Combine(_dir, "script-seen.js"));
        return script;
    }

    private static void AssertPrivate(string script)
    {
        var dir = Path.GetDirectoryName(script)!;
        var d = UnixFileStatus.Get(dir, followLinks: false)!.Value;
        Assert.Equal(UnixFileKind.Directory, d.Kind);
        Assert.Equal(Private, d.Permissions);
        Assert.Equal(UnixFileStatus.CurrentUserId, d.OwnerId);
        var s = UnixFileStatus.Get(script, followLinks: false)!.Value;
        Assert.Equal(UnixFileKind.Regular, s.Kind);
        Assert.Equal(UnixFileMode.UserRead, s.Permissions);
        // Not directly in the shared, world-writable temp folder, and its own folder is not writable by others.
        Assert.NotEqual(Path.TrimEndingDirectorySeparator(Path.GetTempPath()), Path.TrimEndingDirectorySeparator(dir));
        Assert.Equal(0, (int)(d.Permissions & (UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)));
        Assert.DoesNotContain("pmc-circom-witness-", script);
    }

    [Fact]
    public void Node_getsAnEnvironmentWithoutSecrets_butWithPathAndHome()
    {
        var planted = new Dictionary<string, string>
        {
            ["PMC_PRIVATE_KEY"] = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            ["PMC_KEYSTORE_PASSWORD"] = "correct-horse-battery-staple",
            ["PMC_TEST_API_TOKEN"] = "tok-123456",
            ["pmc_test_aws_secret_access_key"] = "aws-secret-987",
            ["PMC_TEST_WALLET_MNEMONIC"] = "abandon abandon about",
            ["PMC_TEST_HARMLESS"] = "keep-me",
        };
        var before = planted.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (k, v) in planted) Environment.SetEnvironmentVariable(k, v);
            Run(new WitnessCalculator(_node));
        }
        finally
        {
            foreach (var (k, v) in before) Environment.SetEnvironmentVariable(k, v);
        }

        var env = File.ReadAllText(Path.Combine(_dir, "env.txt"));
        foreach (var (name, value) in planted.Where(p => p.Key != "PMC_TEST_HARMLESS"))
        {
            Assert.DoesNotContain(name + "=", env);
            Assert.DoesNotContain(value, env);
        }
        Assert.Contains("PMC_TEST_HARMLESS=keep-me", env);
        Assert.Contains("PATH=", env);
        if (Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home) Assert.Contains("HOME=" + home, env);
        Assert.True(ChildProcessEnvironment.IsSecret("PMC_PRIVATE_KEY"));
        Assert.False(ChildProcessEnvironment.IsSecret("PATH"));
    }

    /// <summary>
    /// The runner lives in a private (0700, ours) folder as a 0400 file; whatever is changed about it between two
    /// calculations, the next one notices and writes it afresh into a new private folder, so node only ever runs the
    /// embedded runner's bytes.
    /// </summary>
    [Theory]
    [InlineData("script-mode")]
    [InlineData("script-content")]
    [InlineData("script-symlink")]
    [InlineData("dir-mode")]
    [InlineData("dir-symlink")]
    [InlineData("dir-gone")]
    public void TheRunner_isPrivate_andATamperedOneIsNeverRun(string tamper)
    {
        var calc = new WitnessCalculator(_node);
        var first = Run(calc);
        AssertPrivate(first);
        Assert.Equal(first, Run(calc)); // untouched: reused
        var dir = Path.GetDirectoryName(first)!;
        var evil = Path.Combine(_dir, "evil");
        Directory.CreateDirectory(evil);
        File.WriteAllText(Path.Combine(evil, Path.GetFileName(first)), "require('fs').writeFileSync('/tmp/pwned', process.env.PMC_PRIVATE_KEY)");
        File.SetUnixFileMode(Path.Combine(evil, Path.GetFileName(first)), UnixFileMode.UserRead);

        try
        {
            switch (tamper)
            {
                case "script-mode":
                    File.SetUnixFileMode(first, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
                    break;
                case "script-content":
                    File.SetUnixFileMode(first, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    File.WriteAllText(first, "console.log('evil')");
                    File.SetUnixFileMode(first, UnixFileMode.UserRead);
                    break;
                case "script-symlink":
                    File.Delete(first);
                    File.CreateSymbolicLink(first, Path.Combine(evil, Path.GetFileName(first)));
                    break;
                case "dir-mode":
                    File.SetUnixFileMode(dir, Private | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
                    break;
                case "dir-symlink":
                    Directory.Move(dir, dir + ".moved");
                    Directory.CreateSymbolicLink(dir, evil);
                    break;
                case "dir-gone":
                    Directory.Delete(dir, recursive: true);
                    break;
            }

            var second = Run(calc); // Run asserts that node read the embedded runner's bytes, not the evil ones
            Assert.NotEqual(first, second);
            AssertPrivate(second);
        }
        finally
        {
            // Leave the first folder as a plain private folder again, which the calculator removes at exit.
            if (tamper == "dir-symlink" && Directory.Exists(dir + ".moved"))
            {
                File.Delete(dir);
                Directory.Move(dir + ".moved", dir);
            }
            if (Directory.Exists(dir)) File.SetUnixFileMode(dir, Private);
        }
    }
}
