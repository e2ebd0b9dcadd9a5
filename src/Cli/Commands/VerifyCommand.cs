using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc verify</c>: prints OK and exits 0 for a valid proof; prints INVALID and exits 1 otherwise.</summary>
public sealed class VerifyCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "verify";

    /// <inheritdoc />
    public string Usage => "verify <verification_key.json> <public.json> <proof.json>";

    /// <inheritdoc />
    public string Summary => "Groth16 verification (pairing check)";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext ctx)
    {
        var a = new Args(args, [], []);
        a.ExpectPositional(3);
        var vk = SnarkjsJson.ReadVerificationKey(a.Positional[0]);
        var pub = SnarkjsJson.ReadPublic(a.Positional[1]);
        var proof = SnarkjsJson.ReadProof(a.Positional[2]);
        if (pub.Length != vk.NPublic)
            throw new ProvingFormatException(a.Positional[1], $"has {pub.Length} public signals but the verification key expects {vk.NPublic}");
        if (Groth16Verifier.Verify(vk, pub, proof))
        {
            ctx.Out.WriteLine("OK");
            return 0;
        }

        ctx.Out.WriteLine("INVALID");
        ctx.Err.WriteLine($"pmc verify: proof {a.Positional[2]} is not valid for {a.Positional[1]} under {a.Positional[0]}");
        return 1;
    }
}
