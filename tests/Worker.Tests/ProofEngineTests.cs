using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Tests;

/// <summary>
/// The proof engine's prover is pluggable (the worker's <c>device</c>), and a proof that fails verification is a
/// rejected input, abandoned once, not a transient fault proved again at every reconciliation.
/// </summary>
public sealed class ProofEngineTests
{
    private static readonly string Build = Path.Combine(RepoPaths.Root, "circuits", "build", "multiplier");
    private static readonly byte[] Input = Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(Build, "input.json")));

    private static ProofEngine Engine(IGroth16Backend prover) =>
        new([new CircuitArtifacts(1, Path.Combine(Build, "multiplier.zkey"), Path.Combine(Build, "multiplier_js", "multiplier.wasm"))],
            NullLogger.Instance, prover: prover);

    [Fact]
    public async Task ProveAsync_proofFailingVerification_isARejectedInput()
    {
        var failing = new ThrowingBackend(new Groth16Exception("witness does not satisfy the circuit: the proof fails verification") { SelfVerificationFailed = true });
        using var engine = Engine(failing);

        var e = await Assert.ThrowsAsync<InputRejectedException>(() => engine.ProveAsync(1, Input, null, CancellationToken.None));

        Assert.Contains("circuit 1: witness does not satisfy the circuit", e.Message);
        Assert.Equal(1, failing.Calls);
    }

    [Fact]
    public async Task ProveAsync_deviceFault_staysATransientError()
    {
        var failing = new ThrowingBackend(new InvalidOperationException("device lost"));
        using var engine = Engine(failing);

        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.ProveAsync(1, Input, null, CancellationToken.None));
    }

    [Fact]
    public async Task ProveAsync_usesTheGivenProver_andReportsIt()
    {
        using var engine = Engine(new Groth16Prover());

        var proof = await engine.ProveAsync(1, Input, null, CancellationToken.None);

        Assert.Equal(8, proof.Proof.Length);
        Assert.StartsWith("cpu (", engine.ProverDescription);
    }

    private sealed class ThrowingBackend(Exception error) : IGroth16Backend
    {
        public int Calls { get; private set; }

        public string Description => "throwing test backend";

        public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
            CancellationToken cancellationToken = default)
        {
            Calls++;
            throw error;
        }
    }
}
