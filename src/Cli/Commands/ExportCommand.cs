using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc export vkey|verifier</c>.</summary>
public sealed class ExportCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "export";

    /// <inheritdoc />
    public string Usage => "export vkey <circuit.zkey> <verification_key.json> | export verifier <circuit.zkey> <Verifier.sol> (contract name = file name)";

    /// <inheritdoc />
    public string Summary => "verification key JSON, or the reverting Solidity verifier";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext ctx)
    {
        var a = new Args(args, [], []);
        a.ExpectPositional(3);
        var vk = ReadVk(a.Positional[1]);
        switch (a.Positional[0])
        {
            case "vkey":
                SnarkjsJson.WriteFile(a.Positional[2], SnarkjsJson.VerificationKeyToJson(vk));
                break;
            case "verifier":
                string name = SolidityVerifierExporter.ContractNameFromPath(a.Positional[2]);
                SnarkjsJson.WriteFile(a.Positional[2], SolidityVerifierExporter.Render(LoadTemplate(), vk, name));
                ctx.Err.WriteLine($"export verifier: wrote {name} ({vk.NPublic} public inputs) to {a.Positional[2]}");
                break;
            default:
                throw new UsageException($"unknown export target '{a.Positional[0]}' (expected vkey or verifier)");
        }

        return 0;
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
