using System.Globalization;
using System.Text.RegularExpressions;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// The size of the rollup the circuit proves: a Merkle tree of <see cref="Depth"/> levels (2^depth accounts) and
/// exactly <see cref="BatchSize"/> transfers per batch, the arguments of <c>RollupBatch(D, K)</c> in
/// <c>circuits/rollup_batch.circom</c>.
/// </summary>
/// <param name="Depth">Tree depth D.</param>
/// <param name="BatchSize">Transfers per batch K.</param>
public sealed record RollupShape(int Depth, int BatchSize)
{
    /// <summary>The demo circuit's shape, <c>RollupBatch(6, 2)</c>; <see cref="FromCircuit"/> reads it from the source.</summary>
    public static RollupShape Demo { get; } = new(6, 2);

    /// <summary>Number of accounts, 2^depth.</summary>
    public int Accounts => 1 << Depth;

    /// <summary>Reads <c>RollupBatch(D, K)</c> from a circuit's main file (as <c>rollup-input.js</c> does).</summary>
    /// <exception cref="InvalidDataException">The file has no such instantiation, or D or K is out of range.</exception>
    public static RollupShape FromCircuit(string circomFile)
    {
        var m = Regex.Match(File.ReadAllText(circomFile), @"RollupBatch\(\s*(\d+)\s*,\s*(\d+)\s*\)");
        if (!m.Success) throw new InvalidDataException($"no RollupBatch(D, K) instantiation in {circomFile}");
        int depth = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        int batch = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (depth is < 1 or > 20) throw new InvalidDataException($"RollupBatch depth {depth} in {circomFile} is outside 1..20");
        if (batch is < 1 or > 1024) throw new InvalidDataException($"RollupBatch batch size {batch} in {circomFile} is outside 1..1024");
        return new RollupShape(depth, batch);
    }
}
