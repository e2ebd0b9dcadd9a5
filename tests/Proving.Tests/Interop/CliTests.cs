namespace ProverMarketChain.Proving.Tests.Interop;

/// <summary>End-to-end checks of the <c>./pmc</c> commands: outputs, exit codes, one-line errors without stack traces.</summary>
[Collection(CircuitCollection.Name)]
public sealed class CliTests(CircuitFixture f)
{
    private static void AssertOneLineError(ProcessResult r, string file, string fragment)
    {
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.Contains("Build succeeded", StringComparison.Ordinal) && !l.Contains("Warning(s)", StringComparison.Ordinal) &&
                        !l.Contains("Error(s)", StringComparison.Ordinal) && !l.Contains("Time Elapsed", StringComparison.Ordinal))
            .ToArray();
        Assert.True(lines.Length == 1, "expected one error line, got:\n" + r.StdErr);
        Assert.Contains(file, lines[0]);
        Assert.Contains(fragment, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public void ProveVerifyExportRoundTrip()
    {
        var r = Tooling.Pmc("prove", f.P("mul_snarkjs.zkey"), f.P("mul.wtns"), f.P("cli_proof.json"), f.P("cli_public.json"), "--r1cs", f.P("mul.r1cs"));
        Assert.True(r.ExitCode == 0, r.All);
        var v = Tooling.Pmc("verify", f.P("mul_snarkjs_vk.json"), f.P("cli_public.json"), f.P("cli_proof.json"));
        Assert.Equal(0, v.ExitCode);
        Assert.Equal("OK", v.StdOut.Trim());
        Assert.True(Tooling.SnarkjsVerify(f.P("mul_snarkjs_vk.json"), f.P("cli_public.json"), f.P("cli_proof.json")));

        File.WriteAllText(f.P("cli_public_bad.json"), "[\n \"32\"\n]");
        var bad = Tooling.Pmc("verify", f.P("mul_snarkjs_vk.json"), f.P("cli_public_bad.json"), f.P("cli_proof.json"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("INVALID", bad.StdOut.Trim());

        var e = Tooling.Pmc("export", "vkey", f.P("mul_snarkjs.zkey"), f.P("cli_vk.json"));
        Assert.True(e.ExitCode == 0, e.All);
        Assert.Equal(File.ReadAllText(f.P("mul_snarkjs_vk.json")), File.ReadAllText(f.P("cli_vk.json")));
    }

    [Fact]
    public void SetupWitnessAndProveThroughTheCli()
    {
        var s = Tooling.Pmc("setup", f.P("mul.r1cs"), f.P("cli_dev.zkey"));
        Assert.True(s.ExitCode == 0, s.All);
        Assert.Contains("INSECURE", s.StdOut);
        Assert.Contains("INSECURE", File.ReadAllText(f.P("cli_dev.zkey"), System.Text.Encoding.Latin1));

        var w = Tooling.Pmc("witness", f.P("mul_js/mul.wasm"), f.P("mul_input2.json"), f.P("cli.wtns"));
        Assert.True(w.ExitCode == 0, w.All);
        Tooling.SnarkjsOk("zkey", "export", "verificationkey", f.P("cli_dev.zkey"), f.P("cli_dev_vk.json"));
        var p = Tooling.Pmc("prove", f.P("cli_dev.zkey"), f.P("cli.wtns"), f.P("cli_dev_proof.json"), f.P("cli_dev_public.json"));
        Assert.True(p.ExitCode == 0, p.All);
        Assert.Equal("[\n \"35\"\n]", File.ReadAllText(f.P("cli_dev_public.json")));
        Assert.True(Tooling.SnarkjsVerify(f.P("cli_dev_vk.json"), f.P("cli_dev_public.json"), f.P("cli_dev_proof.json")));

        var sp = Tooling.Pmc("setup", f.P("mul.r1cs"), f.P("cli_ptau.zkey"), "--ptau", f.P("pot.ptau"));
        Assert.True(sp.ExitCode == 0, sp.All);
        Assert.DoesNotContain("INSECURE", sp.StdOut);
    }

    [Fact]
    public void BadInputsGiveOneLineErrors()
    {
        var missing = f.P("nope.zkey");
        AssertOneLineError(Tooling.Pmc("prove", missing, f.P("mul.wtns"), f.P("x.json"), f.P("y.json")), missing, "not found");

        var trunc = f.P("cli_trunc.zkey");
        File.WriteAllBytes(trunc, File.ReadAllBytes(f.P("mul_snarkjs.zkey"))[..500]);
        AssertOneLineError(Tooling.Pmc("prove", trunc, f.P("mul.wtns"), f.P("x.json"), f.P("y.json")), trunc, "truncated");

        var w = f.P("pos.wtns");
        AssertOneLineError(Tooling.Pmc("prove", f.P("mul_snarkjs.zkey"), w, f.P("x.json"), f.P("y.json")), w, "another circuit");

        var q = f.P("cli_q.wtns");
        var bytes = File.ReadAllBytes(f.P("mul.wtns"));
        bytes[28] ^= 0x02;
        File.WriteAllBytes(q, bytes);
        AssertOneLineError(Tooling.Pmc("prove", f.P("mul_snarkjs.zkey"), q, f.P("x.json"), f.P("y.json")), q, "BN254");

        AssertOneLineError(Tooling.Pmc("export", "vkey", trunc, f.P("x.json")), trunc, "truncated");
        AssertOneLineError(Tooling.Pmc("verify", f.P("nope_vk.json"), f.P("cli_public.json"), f.P("cli_proof.json")), f.P("nope_vk.json"), "not found");

        var badInput = f.P("cli_bad_input.json");
        File.WriteAllText(badInput, """{"a": "3"}""");
        AssertOneLineError(Tooling.Pmc("witness", f.P("mul_js/mul.wasm"), badInput, f.P("x.wtns")), badInput, "witness calculation failed");

        var usage = Tooling.Pmc("prove", "only-one-arg");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("usage: pmc prove", usage.StdErr);
        Assert.Equal(2, Tooling.Pmc("no-such-command").ExitCode);
    }

    [Fact]
    public void UnsatisfyingWitnessIsRefusedByTheCli()
    {
        var bytes = File.ReadAllBytes(f.P("mul.wtns"));
        // Witness layout: 12 file header + 12 + 40 header section + 12 data section header; value 3 (b = 11) -> 12.
        int off = 12 + 12 + 40 + 12 + 3 * 32;
        Assert.Equal(11, bytes[off]);
        bytes[off] = 12;
        File.WriteAllBytes(f.P("cli_unsat.wtns"), bytes);
        AssertOneLineError(Tooling.Pmc("prove", f.P("mul_snarkjs.zkey"), f.P("cli_unsat.wtns"), f.P("x.json"), f.P("y.json")), f.P("cli_unsat.wtns"), "does not satisfy");
        AssertOneLineError(
            Tooling.Pmc("prove", f.P("mul_snarkjs.zkey"), f.P("cli_unsat.wtns"), f.P("x.json"), f.P("y.json"), "--r1cs", f.P("mul.r1cs")),
            f.P("cli_unsat.wtns"), "violates constraint 0");
    }
}
