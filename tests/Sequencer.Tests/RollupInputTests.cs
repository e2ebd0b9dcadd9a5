using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Sequencer.Poseidon;
using ProverMarketChain.Sequencer.State;

namespace ProverMarketChain.Sequencer.Tests;

/// <summary>
/// The sequencer's batch builder against <c>circuits/scripts/rollup-input.js</c>: for the same seed, the same genesis,
/// the same batch and the same circuit input, byte for byte.
/// </summary>
public sealed class RollupInputTests
{
    private static readonly CircomPoseidon Poseidon = CircomPoseidon.FromRepository(RepoPaths.Root);

    [Theory]
    [InlineData("pmc-rollup-demo")]
    [InlineData("seed-1")]
    [InlineData("another seed, with spaces")]
    [InlineData("circuit-test")]
    public void test_batch_equalsRollupInputJs(string seed)
    {
        var dir = Directory.CreateTempSubdirectory("pmc-seq-input-").FullName;
        try
        {
            var inputFile = Path.Combine(dir, "input.json");
            var publicFile = Path.Combine(dir, "public.json");
            var stateFile = Path.Combine(dir, "state.json");
            Node.Run("circuits/scripts/rollup-input.js", "--seed", seed, "--out", inputFile, "--public", publicFile, "--state", stateFile);

            var shape = RollupShape.FromCircuit(Path.Combine(RepoPaths.Root, "circuits", "rollup_batch.circom"));
            var rng = new SeededRandom(seed);
            var state = RandomRollup.Genesis(Poseidon, shape, rng);
            var batch = RandomRollup.NextBatch(state, rng);

            Assert.Equal(File.ReadAllText(inputFile), batch.InputJson);
            var publics = JsonSerializer.Deserialize<string[]>(File.ReadAllText(publicFile))!.Select(x => BigInteger.Parse(x, CultureInfo.InvariantCulture));
            Assert.Equal(publics, batch.PublicInputs);

            // The account table after the batch, too.
            using var doc = JsonDocument.Parse(File.ReadAllText(stateFile));
            var after = doc.RootElement.GetProperty("after").EnumerateArray().ToArray();
            Assert.Equal(shape.Accounts, after.Length);
            for (int i = 0; i < after.Length; i++)
            {
                Assert.Equal(BigInteger.Parse(after[i].GetProperty("owner").GetString()!, CultureInfo.InvariantCulture), state[i].Owner);
                Assert.Equal(ulong.Parse(after[i].GetProperty("balance").GetString()!, CultureInfo.InvariantCulture), state[i].Balance);
                Assert.Equal(ulong.Parse(after[i].GetProperty("nonce").GetString()!, CultureInfo.InvariantCulture), state[i].Nonce);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void test_shape_readFromTheCircuit()
    {
        Assert.Equal(RollupShape.Demo, RollupShape.FromCircuit(Path.Combine(RepoPaths.Root, "circuits", "rollup_batch.circom")));
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "component main = Other(6, 2);");
        Assert.Contains("no RollupBatch(D, K)", Assert.Throws<InvalidDataException>(() => RollupShape.FromCircuit(file)).Message);
        File.Delete(file);
    }

    [Fact]
    public void test_batches_chainTheirRoots()
    {
        var rng = new SeededRandom("chain");
        var state = RandomRollup.Genesis(Poseidon, RollupShape.Demo, rng);
        var genesis = state.Root;
        var b0 = RandomRollup.NextBatch(state, rng);
        var b1 = RandomRollup.NextBatch(state, rng);
        var b2 = RandomRollup.NextBatch(state, rng);
        Assert.Equal(genesis, b0.OldRoot);
        Assert.Equal(b0.NewRoot, b1.OldRoot);
        Assert.Equal(b1.NewRoot, b2.OldRoot);
        Assert.Equal(state.Root, b2.NewRoot);
        Assert.NotEqual(b0.NewRoot, b1.NewRoot);
        // A tree rebuilt from the accounts has the same root as the incrementally updated one.
        Assert.Equal(state.Root, new RollupState(Poseidon, RollupShape.Demo, state.Accounts).Root);
    }
}
