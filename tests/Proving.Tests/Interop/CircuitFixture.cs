using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Witness;

namespace ProverMarketChain.Proving.Tests.Interop;

/// <summary>
/// Builds, once per test collection, two circom circuits in a temp dir: a multiplier (1 constraint) and a Poseidon×3 +
/// LessThan(64) circuit (~1.6k constraints). The multiplier gets a snarkjs setup on a tiny fresh powers of tau; the
/// Poseidon circuit gets a pmc development setup (a snarkjs ceremony big enough for it takes minutes on 2 cores).
/// </summary>
public sealed class CircuitFixture : IDisposable
{
    public CircuitFixture()
    {
        Dir = Directory.CreateTempSubdirectory("pmc-proving-tests-").FullName;
        File.WriteAllText(P("mul.circom"), """
            pragma circom 2.0.0;
            template Mul() { signal input a; signal input b; signal output c; c <== a * b; }
            component main = Mul();
            """);
        File.WriteAllText(P("pos.circom"), """
            pragma circom 2.0.0;
            include "circomlib/circuits/poseidon.circom";
            include "circomlib/circuits/comparators.circom";
            template PosCmp(n) {
              signal input x; signal input y; signal output h; signal output lt;
              component p[n];
              for (var i = 0; i < n; i++) {
                p[i] = Poseidon(2);
                p[i].inputs[0] <== i == 0 ? x : p[i-1].out;
                p[i].inputs[1] <== y;
              }
              h <== p[n-1].out;
              component c = LessThan(64); c.in[0] <== x; c.in[1] <== y; lt <== c.out;
            }
            component main {public [y]} = PosCmp(3);
            """);
        foreach (var name in new[] { "mul", "pos" })
        {
            // circom2 (WASI) only sees the working directory's ancestors and follows no symlink out of them: compile from
            // / with absolute paths, so a node_modules linked from elsewhere (a git worktree) resolves.
            var r = Tooling.Run(Tooling.Bin("circom2"),
                [P(name + ".circom"), "--r1cs", "--wasm", "-l", Path.Combine(Tooling.RepoRoot, "node_modules"), "-o", Dir], cwd: "/");
            if (r.ExitCode != 0) throw new InvalidOperationException($"circom2 {name} failed: {r.All}");
        }

        File.WriteAllText(P("mul_input.json"), """{"a": "3", "b": "11"}""");
        File.WriteAllText(P("mul_input2.json"), """{"a": "5", "b": "7"}""");
        File.WriteAllText(P("pos_input.json"), """{"x": "12345", "y": "67890"}""");
        var calc = new WitnessCalculator();
        calc.Calculate(P("mul_js/mul.wasm"), P("mul_input.json"), P("mul.wtns"));
        calc.Calculate(P("mul_js/mul.wasm"), P("mul_input2.json"), P("mul2.wtns"));
        calc.Calculate(P("pos_js/pos.wasm"), P("pos_input.json"), P("pos.wtns"));

        Tooling.SnarkjsOk("powersoftau", "new", "bn128", "3", P("pot0.ptau"));
        Tooling.SnarkjsOk("powersoftau", "contribute", P("pot0.ptau"), P("pot1.ptau"), "--name=test", "-e=pmc test entropy");
        Tooling.SnarkjsOk("powersoftau", "prepare", "phase2", P("pot1.ptau"), P("pot.ptau"));
        Tooling.SnarkjsOk("groth16", "setup", P("mul.r1cs"), P("pot.ptau"), P("mul_snarkjs.zkey"));
        Tooling.SnarkjsOk("zkey", "export", "verificationkey", P("mul_snarkjs.zkey"), P("mul_snarkjs_vk.json"));

        var setup = new Groth16Setup();
        ZkeyWriter.Write(P("pos_dev.zkey"), setup.CreateDevelopment(R1csFile.Read(P("pos.r1cs"))));
        Tooling.SnarkjsOk("zkey", "export", "verificationkey", P("pos_dev.zkey"), P("pos_dev_vk.json"));
    }

    /// <summary>Temp directory holding every artefact.</summary>
    public string Dir { get; }

    /// <summary>Path of an artefact in <see cref="Dir"/>.</summary>
    public string P(string name) => Path.Combine(Dir, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CircuitCollection : ICollectionFixture<CircuitFixture>
{
    public const string Name = "circom circuits";
}
