using System.CommandLine;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Witness;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc witness</c>: runs circom's generated witness calculator with node.</summary>
public sealed class WitnessCommand : PmcCommand
{
    private readonly Argument<string> _wasm = new("circuit.wasm") { Description = "circom's witness generator (wasm)" };
    private readonly Argument<string> _input = new("input.json") { Description = "The circuit's input signals (JSON)" };
    private readonly Argument<string> _witness = new("witness.wtns") { Description = "Where to write the witness" };

    /// <summary>Creates the command.</summary>
    public WitnessCommand(CliIo io)
        : base("witness", "Compute a witness from the circuit's wasm (with node)", io)
    {
        Arguments.Add(_wasm);
        Arguments.Add(_input);
        Arguments.Add(_witness);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext ctx)
    {
        string witnessPath = parseResult.GetRequiredValue(_witness);
        var w = new WitnessCalculator(logger: ctx.Loggers.CreateLogger("pmc.witness"))
            .Calculate(parseResult.GetRequiredValue(_wasm), parseResult.GetRequiredValue(_input), witnessPath);
        ctx.Err.WriteLine($"witness: {w.Length} values written to {witnessPath}");
        return ExitCodes.Success;
    }
}
