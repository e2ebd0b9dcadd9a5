using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Witness;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc witness</c>: runs circom's generated witness calculator with node.</summary>
public sealed class WitnessCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "witness";

    /// <inheritdoc />
    public string Usage => "witness <circuit.wasm> <input.json> <witness.wtns>";

    /// <inheritdoc />
    public string Summary => "compute a witness with <name>_js/generate_witness.js";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext ctx)
    {
        var a = new Args(args, [], []);
        a.ExpectPositional(3);
        var w = new WitnessCalculator(logger: ctx.Loggers.CreateLogger("pmc.witness"))
            .Calculate(a.Positional[0], a.Positional[1], a.Positional[2]);
        ctx.Err.WriteLine($"witness: {w.Length} values written to {a.Positional[2]}");
        return 0;
    }
}
