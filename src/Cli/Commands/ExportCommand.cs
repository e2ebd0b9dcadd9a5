using System.CommandLine;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc export vkey|verifier &lt;circuit.zkey&gt; &lt;output&gt;</c>.</summary>
public sealed class ExportCommand : PmcCommand
{
    private readonly Argument<string> _target = new("target")
    {
        Description = "vkey: the verification key as snarkjs JSON; verifier: the reverting Solidity verifier (contract name = file name)",
    };

    private readonly Argument<string> _zkey = new("circuit.zkey") { Description = "Proving key (snarkjs zkey)" };
    private readonly Argument<string> _output = new("output") { Description = "Where to write verification_key.json or Verifier.sol" };

    /// <summary>Creates the command.</summary>
    public ExportCommand(CliIo io)
        : base("export", "Verification key JSON, or the reverting Solidity verifier", io)
    {
        _target.AcceptOnlyFromAmong("vkey", "verifier");
        Arguments.Add(_target);
        Arguments.Add(_zkey);
        Arguments.Add(_output);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext ctx)
    {
        string output = parseResult.GetRequiredValue(_output);
        var vk = ReadVk(parseResult.GetRequiredValue(_zkey));
        if (parseResult.GetRequiredValue(_target) == "vkey")
        {
            SnarkjsJson.WriteFile(output, SnarkjsJson.VerificationKeyToJson(vk));
        }
        else
        {
            string name = SolidityVerifierExporter.ContractNameFromPath(output);
            SnarkjsJson.WriteFile(output, SolidityVerifierExporter.Render(LoadTemplate(), vk, name));
            ctx.Err.WriteLine($"export verifier: wrote {name} ({vk.NPublic} public inputs) to {output}");
        }

        return ExitCodes.Success;
    }

    /// <summary>The verifier template embedded at build time from contracts/templates/Groth16Verifier.sol.tmpl.</summary>
    private static string LoadTemplate()
    {
        using var stream = typeof(ExportCommand).Assembly.GetManifestResourceStream("Groth16Verifier.sol.tmpl")
            ?? throw new InvalidOperationException("Groth16Verifier.sol.tmpl is not embedded in pmc");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static VerificationKey ReadVk(string zkeyPath)
    {
        using var zkey = ZkeyFile.Open(zkeyPath);
        return new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC());
    }
}
