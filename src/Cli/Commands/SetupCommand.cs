using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc setup</c>: Groth16 circuit setup into a snarkjs-compatible zkey.</summary>
public sealed class SetupCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "setup";

    /// <inheritdoc />
    public string Usage => "setup <circuit.r1cs> <circuit.zkey> [--ptau <prepared.ptau>]";

    /// <inheritdoc />
    public string Summary => "zkey from a prepared ptau, or an INSECURE development setup";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext ctx)
    {
        var a = new Args(args, ["--ptau"], []);
        a.ExpectPositional(2);
        var r1cs = R1csFile.Read(a.Positional[0]);
        var setup = new Groth16Setup(ctx.Loggers.CreateLogger("pmc.setup"));
        string? ptauPath = a.Option("--ptau");
        ZkeyContents zkey;
        if (ptauPath is null)
        {
            zkey = setup.CreateDevelopment(r1cs);
        }
        else
        {
            using var ptau = PtauFile.Open(ptauPath);
            zkey = setup.CreateFromPtau(r1cs, ptau);
        }

        ZkeyWriter.Write(a.Positional[1], zkey);
        ctx.Out.WriteLine(ptauPath is null
            ? $"INSECURE development setup written to {a.Positional[1]} ({r1cs.NConstraints} constraints, domain {zkey.DomainSize}): single-party randomness, do not use to secure value"
            : $"zkey written to {a.Positional[1]} from {ptauPath} ({r1cs.NConstraints} constraints, domain {zkey.DomainSize}), with one local delta contribution");
        return 0;
    }
}
