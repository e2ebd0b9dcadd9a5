using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc export vkey|verifier</c>.</summary>
public sealed class ExportCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "export";

    /// <inheritdoc />
    public string Usage => "export vkey <circuit.zkey> <verification_key.json> | export verifier <circuit.zkey> <Verifier.sol>";

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
            default:
                throw new UsageException($"unknown export target '{a.Positional[0]}' (expected vkey or verifier)");
        }

        return 0;
    }

    private static VerificationKey ReadVk(string zkeyPath)
    {
        using var zkey = ZkeyFile.Open(zkeyPath);
        return new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC());
    }
}
