using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>
/// Something that computes Groth16 proofs: the CPU prover (<see cref="Groth16Prover"/>) or a GPU backend. Every backend
/// checks the witness and self-verifies through <see cref="Groth16Assembly"/>, so their outputs are interchangeable.
/// </summary>
public interface IGroth16Backend
{
    /// <summary>What computes the proofs, for logs and reports (for example "cpu (2 cores)" or the GPU's name).</summary>
    string Description { get; }

    /// <summary>Computes a proof for <paramref name="witness"/> with the proving key <paramref name="zkey"/>.</summary>
    /// <param name="zkey">The proving key.</param>
    /// <param name="witness">The full witness (signal 0 is the constant 1).</param>
    /// <param name="r1cs">When given, every constraint is checked first and the first failing one is named.</param>
    /// <param name="progress">Told the name of each phase as it completes.</param>
    /// <param name="cancellationToken">Checked at each phase boundary.</param>
    /// <exception cref="Groth16Exception">Witness length mismatch, a violated constraint, or a failed self-verification.</exception>
    Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default);
}

/// <summary>File-level proving for any <see cref="IGroth16Backend"/>.</summary>
public static class Groth16BackendExtensions
{
    /// <summary>Proves from files, mapping witness/key mismatches to errors that name the witness file.</summary>
    /// <exception cref="ProvingFormatException">A file is missing, corrupt, or the witness belongs to another circuit/curve.</exception>
    /// <exception cref="Groth16Exception">The witness does not satisfy the circuit.</exception>
    public static Groth16ProveResult ProveFiles(this IGroth16Backend backend, string zkeyPath, string witnessPath, string? r1csPath = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        // The witness is read on another core while the key's headers are opened (both are start-up latency).
        var witnessRead = Task.Run(() => WtnsFile.Read(witnessPath));
        using var zkey = ZkeyFile.Open(zkeyPath);
        var witness = witnessRead.GetAwaiter().GetResult();
        if (witness.Length != zkey.NVars)
            throw new ProvingFormatException(witnessPath,
                $"witness has {witness.Length} values but {zkeyPath} expects {zkey.NVars} (witness from another circuit?)");
        R1csFile? r1cs = r1csPath is null ? null : R1csFile.Read(r1csPath);
        if (r1cs is not null && (r1cs.NVars != zkey.NVars || r1cs.NPublic != zkey.NPublic))
            throw new ProvingFormatException(r1csPath!, $"constraint system has {r1cs.NVars} wires/{r1cs.NPublic} public but {zkeyPath} has {zkey.NVars}/{zkey.NPublic}");
        try
        {
            return backend.Prove(zkey, witness, r1cs);
        }
        catch (Groth16Exception e)
        {
            throw new Groth16Exception($"{witnessPath}: {e.Message}", e.FailingConstraint) { SelfVerificationFailed = e.SelfVerificationFailed };
        }
    }
}
