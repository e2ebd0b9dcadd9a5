using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Witness;

namespace ProverMarketChain.Proving.Tests.Interop;

/// <summary>
/// The project's own witness runner (embedded <c>circom-witness.js</c>) against the JavaScript circom generates next to
/// each wasm, the independent oracle: byte-identical <c>.wtns</c> files, and clear errors for bad inputs.
/// </summary>
[Collection(CircuitCollection.Name)]
public sealed class WitnessRunnerTests(CircuitFixture f)
{
    [Theory]
    [InlineData("mul", "mul_input.json")]
    [InlineData("mul", "mul_input2.json")]
    [InlineData("pos", "pos_input.json")]
    public void OurRunner_writesTheSameWtnsAsCircomsGeneratedCalculator(string circuit, string input)
    {
        var wasm = f.P($"{circuit}_js/{circuit}.wasm");
        var ours = f.P($"runner_{circuit}_{input}.ours.wtns");
        var theirs = f.P($"runner_{circuit}_{input}.circom.wtns");
        new WitnessCalculator().Calculate(wasm, f.P(input), ours);
        var r = Tooling.Run("node", [f.P($"{circuit}_js/generate_witness.js"), wasm, f.P(input), theirs]);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal(File.ReadAllBytes(theirs), File.ReadAllBytes(ours));
    }

    [Fact]
    public void OurRunner_needsOnlyTheWasm()
    {
        // A fetched artifact is a bare wasm: no circom JavaScript next to it.
        var alone = Directory.CreateDirectory(f.P("bare-wasm")).FullName;
        var wasm = Path.Combine(alone, "circuit.wasm");
        File.Copy(f.P("mul_js/mul.wasm"), wasm, overwrite: true);
        var w = new WitnessCalculator().Calculate(wasm, f.P("mul_input.json"), Path.Combine(alone, "w.wtns"));
        Assert.Equal(WtnsFile.Read(f.P("mul.wtns")), w);
    }

    [Theory]
    [InlineData("""{"a": "3"}""", "Not enough values")]
    [InlineData("""{"a": "3", "b": ["1", "2"]}""", "Too many values for input signal 'b'")]
    [InlineData("""{"a": "3", "b": "11", "zz": 1}""", "'zz' is not an input signal")]
    [InlineData("""{"a": "three", "b": "11"}""", "input 'a': 'three' is not a decimal")]
    [InlineData("""{"a": 3.5, "b": "11"}""", "input 'a': 3.5 is not an integer")]
    [InlineData("""{"a": null, "b": "11"}""", "input 'a': a null is not a field element")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"a": """, "is not valid JSON")]
    public void OurRunner_badInput_isAClearError(string json, string expected)
    {
        var input = f.P($"bad_{Guid.NewGuid():n}.json");
        File.WriteAllText(input, json);
        var e = Assert.Throws<ProvingFormatException>(() => new WitnessCalculator().Calculate(f.P("mul_js/mul.wasm"), input, f.P("bad.wtns")));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OurRunner_aWasmThatIsNoWitnessGenerator_isAClearError()
    {
        var notWasm = f.P("not.wasm");
        File.WriteAllText(notWasm, "hello");
        var e = Assert.Throws<ProvingFormatException>(() => new WitnessCalculator().Calculate(notWasm, f.P("mul_input.json"), f.P("x.wtns")));
        Assert.Contains("not a WebAssembly module", e.Message);
    }
}
