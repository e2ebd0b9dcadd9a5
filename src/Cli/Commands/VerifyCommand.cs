using System.CommandLine;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc verify</c>: prints OK and exits 0 for a valid proof; prints INVALID and exits 1 otherwise.</summary>
public sealed class VerifyCommand : PmcCommand
{
    private readonly Argument<string> _vkey = new("verification_key.json") { Description = "Verification key (snarkjs JSON)" };
    private readonly Argument<string> _public = new("public.json") { Description = "Public signals (snarkjs JSON)" };
    private readonly Argument<string> _proof = new("proof.json") { Description = "Proof (snarkjs JSON)" };

    /// <summary>Creates the command.</summary>
    public VerifyCommand(CliIo io)
        : base("verify", "Groth16 verification (pairing check): prints OK (exit 0) or INVALID (exit 1)", io)
    {
        Arguments.Add(_vkey);
        Arguments.Add(_public);
        Arguments.Add(_proof);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext ctx)
    {
        string vkPath = parseResult.GetRequiredValue(_vkey), publicPath = parseResult.GetRequiredValue(_public), proofPath = parseResult.GetRequiredValue(_proof);
        var vk = SnarkjsJson.ReadVerificationKey(vkPath);
        var pub = SnarkjsJson.ReadPublic(publicPath);
        var proof = SnarkjsJson.ReadProof(proofPath);
        if (pub.Length != vk.NPublic)
            throw new ProvingFormatException(publicPath, $"has {pub.Length} public signals but the verification key expects {vk.NPublic}");
        if (Groth16Verifier.Verify(vk, pub, proof))
        {
            ctx.Out.WriteLine("OK");
            return ExitCodes.Success;
        }

        ctx.Out.WriteLine("INVALID");
        ctx.Err.WriteLine($"pmc verify: proof {proofPath} is not valid for {publicPath} under {vkPath}");
        return ExitCodes.Failure;
    }
}
