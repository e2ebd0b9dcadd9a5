namespace ProverMarketChain.Proving.Groth16;

/// <summary>
/// Thrown when proving is refused: the witness does not fit the proving key (prime, variable count) or does not satisfy
/// the circuit. The message is one line suitable for a command-line error.
/// </summary>
public sealed class Groth16Exception : Exception
{
    /// <summary>Creates the exception.</summary>
    public Groth16Exception(string message, int failingConstraint = -1) : base(message) => FailingConstraint = failingConstraint;

    /// <summary>Index of the first violated R1CS constraint when known, else -1.</summary>
    public int FailingConstraint { get; }

    /// <summary>
    /// True when the witness passed the key's checks but the finished proof failed verification: the witness does not
    /// satisfy the circuit, or the backend computed wrongly (which a fallback to another backend can tell apart).
    /// </summary>
    public bool SelfVerificationFailed { get; init; }
}
