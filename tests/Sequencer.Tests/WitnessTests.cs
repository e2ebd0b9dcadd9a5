using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Witness;
using ProverMarketChain.Sequencer.Poseidon;
using ProverMarketChain.Sequencer.State;

namespace ProverMarketChain.Sequencer.Tests;

/// <summary>The circuit itself (its wasm witness generator, through the prover's own <see cref="WitnessCalculator"/>)
/// accepts consecutive batches the sequencer builds, and refuses a tampered one.</summary>
public sealed class WitnessTests
{
    private static readonly CircomPoseidon Poseidon = CircomPoseidon.FromRepository(RepoPaths.Root);

    [Fact]
    public void test_witness_acceptsConsecutiveBatchesAndRefusesATamperedOne()
    {
        var wasm = RollupWasm();
        var dir = Directory.CreateTempSubdirectory("pmc-seq-witness-").FullName;
        try
        {
            var calc = new WitnessCalculator();
            var rng = new SeededRandom("witness");
            var state = RandomRollup.Genesis(Poseidon, RollupShape.Demo, rng);
            var batches = new List<RollupBatch> { RandomRollup.NextBatch(state, rng), RandomRollup.NextBatch(state, rng) };
            // A hand-built one with a transfer to oneself and one emptying its sender.
            batches.Add(new BatchBuilder(state).Add(new Transfer(7, 7, state[7].Balance / 2)).Add(new Transfer(8, 9, state[8].Balance)).Build());
            for (int i = 0; i < batches.Count; i++)
            {
                var input = Path.Combine(dir, $"b{i}.json");
                File.WriteAllText(input, batches[i].InputJson);
                var w = calc.Calculate(wasm, input, Path.Combine(dir, $"b{i}.wtns"));
                // Signal 0 is the constant 1; the public inputs follow: oldRoot, newRoot, batchHash.
                Assert.Equal(batches[i].PublicInputs, new[] { w[1], w[2], w[3] }.Select(x => x.ToBigInteger()));
            }
            Assert.Equal(batches[0].NewRoot, batches[1].OldRoot);

            var tampered = batches[2].InputJson.Replace($"\"{batches[2].NewRoot}\"", $"\"{batches[2].NewRoot + 1}\"", StringComparison.Ordinal);
            var bad = Path.Combine(dir, "bad.json");
            File.WriteAllText(bad, tampered);
            Assert.Throws<ProvingFormatException>(() => calc.Calculate(wasm, bad, Path.Combine(dir, "bad.wtns")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>The rollup circuit's witness generator: the demo build's, the JS tests', or compiled now (a witness
    /// generator needs no setup: circom2 --wasm, about half a minute).</summary>
    private static string RollupWasm()
    {
        foreach (var sub in new[] { "rollup_batch", "test" })
        {
            var candidate = Path.Combine(RepoPaths.Root, "circuits", "build", sub, "rollup_batch_js", "rollup_batch.wasm");
            if (File.Exists(candidate) && File.GetLastWriteTimeUtc(candidate) >= SourcesChanged()) return candidate;
        }
        var outDir = Path.Combine("circuits", "build", "test"); // relative: circom2 (WASI) sees only the working directory
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, outDir));
        var psi = new ProcessStartInfo(RepoPaths.Tool("circom2")) { WorkingDirectory = RepoPaths.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "circuits/rollup_batch.circom", "--wasm", "-o", outDir, "-l", "node_modules" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"circom2 failed: {err.Result}");
        return Path.Combine(RepoPaths.Root, outDir, "rollup_batch_js", "rollup_batch.wasm");
    }

    private static DateTime SourcesChanged() =>
        new[] { "rollup_batch.circom", Path.Combine("lib", "rollup.circom") }.Max(f => File.GetLastWriteTimeUtc(Path.Combine(RepoPaths.Root, "circuits", f)));
}
