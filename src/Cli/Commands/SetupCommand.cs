using System.CommandLine;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc setup</c>: Groth16 circuit setup into a snarkjs-compatible zkey.</summary>
public sealed class SetupCommand : PmcCommand
{
    private readonly Argument<string> _r1cs = new("circuit.r1cs") { Description = "The circuit (circom r1cs)" };
    private readonly Argument<string> _zkey = new("circuit.zkey") { Description = "Where to write the proving key" };

    private readonly Option<string> _ptau = new("--ptau")
    {
        Description = "Prepared powers of tau; without it the setup is an INSECURE single-party development setup",
        HelpName = "prepared.ptau",
    };

    private readonly Option<string> _insecureSeed = new("--insecure-seed")
    {
        Description = "Derive the development setup's trapdoor from this PUBLIC text: the same circuit and seed give the same "
            + "zkey, and anyone who knows the seed can forge proofs (tests and demos only; not with --ptau)",
        HelpName = "text",
    };

    /// <summary>Creates the command.</summary>
    public SetupCommand(CliIo io)
        : base("setup", "zkey from a prepared ptau, or an INSECURE development setup", io)
    {
        Arguments.Add(_r1cs);
        Arguments.Add(_zkey);
        Options.Add(_ptau);
        Options.Add(_insecureSeed);
        Validators.Add(result =>
        {
            if (result.GetValue(_ptau) is not null && result.GetValue(_insecureSeed) is not null)
                result.AddError("--insecure-seed makes a development setup; it cannot be combined with --ptau");
            if (result.GetValue(_insecureSeed) is { Length: 0 })
                result.AddError("--insecure-seed must not be empty");
        });
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext ctx)
    {
        string zkeyPath = parseResult.GetRequiredValue(_zkey);
        var r1cs = R1csFile.Read(parseResult.GetRequiredValue(_r1cs));
        var setup = new Groth16Setup(ctx.Loggers.CreateLogger("pmc.setup"));
        string? ptauPath = parseResult.GetValue(_ptau);
        string? seed = parseResult.GetValue(_insecureSeed);
        ZkeyContents zkey;
        if (ptauPath is null)
        {
            zkey = setup.CreateDevelopment(r1cs, seed);
        }
        else
        {
            using var ptau = PtauFile.Open(ptauPath);
            zkey = setup.CreateFromPtau(r1cs, ptau);
        }

        ZkeyWriter.Write(zkeyPath, zkey);
        ctx.Out.WriteLine(seed is not null
            ? $"INSECURE seeded development setup written to {zkeyPath} ({r1cs.NConstraints} constraints, domain {zkey.DomainSize}): deterministic from a public seed, anyone can forge proofs; tests and demos only"
            : ptauPath is null
            ? $"INSECURE development setup written to {zkeyPath} ({r1cs.NConstraints} constraints, domain {zkey.DomainSize}): single-party randomness, do not use to secure value"
            : $"zkey written to {zkeyPath} from {ptauPath} ({r1cs.NConstraints} constraints, domain {zkey.DomainSize}), with one local delta contribution");
        return ExitCodes.Success;
    }
}
