using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace ProverMarketChain.Cli.Local;

/// <summary>
/// A circuit built by <c>circuits/build.sh</c> into <c>circuits/build/&lt;name&gt;</c>: its proving key, witness
/// generator, size and the example proof the build leaves behind (used to check the committed verifier).
/// </summary>
public sealed class CircuitBuild
{
    private CircuitBuild(string name, string directory, ulong constraints, int publicInputs)
    {
        Name = name;
        Directory = directory;
        Constraints = constraints;
        PublicInputs = publicInputs;
    }

    /// <summary>The circuit's name (<c>circuits/&lt;name&gt;.circom</c>).</summary>
    public string Name { get; }

    /// <summary>The build folder.</summary>
    public string Directory { get; }

    /// <summary>The proving key.</summary>
    public string Zkey => Path.Combine(Directory, Name + ".zkey");

    /// <summary>The circom witness generator.</summary>
    public string Wasm => Path.Combine(Directory, Name + "_js", Name + ".wasm");

    /// <summary>R1CS constraints: the circuit's proving units in the registry.</summary>
    public ulong Constraints { get; }

    /// <summary>Number of public inputs.</summary>
    public int PublicInputs { get; }

    /// <summary>
    /// Opens the build of <paramref name="name"/> after running <c>circuits/build.sh</c> on it, which redoes only the
    /// steps whose outputs are missing or stale (under a second when all are current). Checking files alone let a key
    /// from an older setup meet a newer committed verifier, and every proof failed on chain.
    /// </summary>
    /// <param name="repoRoot">The repository root.</param>
    /// <param name="name">The circuit.</param>
    /// <param name="say">Progress lines.</param>
    /// <param name="ct">Cancels the build.</param>
    public static async Task<CircuitBuild> EnsureAsync(string repoRoot, string name, Action<string> say, CancellationToken ct)
    {
        var dir = Path.Combine(repoRoot, "circuits", "build", name);
        var probe = new CircuitBuild(name, dir, 0, 0);
        if (!File.Exists(probe.Zkey) || !File.Exists(probe.Wasm) || !File.Exists(Path.Combine(dir, "info.json")))
            say($"building the {name} circuit (circuits/build.sh {name})");
        await ExternalProcess.RunAsync("bash", [Path.Combine(repoRoot, "circuits", "build.sh"), name], repoRoot, ct).ConfigureAwait(false);
        using var info = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "info.json"), ct).ConfigureAwait(false));
        return new CircuitBuild(name, dir, info.RootElement.GetProperty("constraints").GetUInt64(), info.RootElement.GetProperty("publicInputs").GetInt32());
    }

    /// <summary>The build's example proof (<c>proof.json</c>) in the verifier's calldata order.</summary>
    public BigInteger[] ExampleProofForChain()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "proof.json")));
        var r = doc.RootElement;
        static BigInteger N(JsonElement e) => BigInteger.Parse(e.GetString()!, CultureInfo.InvariantCulture);
        var a = r.GetProperty("pi_a"); var b = r.GetProperty("pi_b"); var c = r.GetProperty("pi_c");
        return [N(a[0]), N(a[1]), N(b[0][1]), N(b[0][0]), N(b[1][1]), N(b[1][0]), N(c[0]), N(c[1])];
    }

    /// <summary>The example proof's public inputs (<c>public.json</c>).</summary>
    public BigInteger[] ExamplePublicInputs() => ReadNumbers(Path.Combine(Directory, "public.json"));

    /// <summary>Reads a snarkjs JSON array of decimal strings.</summary>
    public static BigInteger[] ReadNumbers(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Select(e => BigInteger.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
    }
}
