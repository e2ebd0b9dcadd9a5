using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>
/// <c>--device auto</c> with a GPU: proves on the GPU, and when the GPU fails (a device error, or a proof that fails
/// self-verification although the witness passed the key's checks) proves the same witness on the CPU prover and counts
/// the fallback. A prover operator's deadlines do not depend on a driver fault; a witness the CPU also refuses is
/// refused with the CPU's error. Errors about the witness itself (wrong length, a failing constraint) and cancellation
/// are not retried.
/// </summary>
public sealed class FallbackGroth16Backend : IGroth16Backend, IDisposable
{
    private readonly IGroth16Backend _primary;
    private readonly IGroth16Backend _fallback;
    private readonly ILogger _logger;
    private int _fallbacks;

    /// <summary>Wraps <paramref name="primary"/> with <paramref name="fallback"/> (both disposed with this).</summary>
    public FallbackGroth16Backend(IGroth16Backend primary, IGroth16Backend fallback, ILogger logger)
    {
        _primary = primary ?? throw new ArgumentNullException(nameof(primary));
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public string Description => $"{_primary.Description}, falling back to {_fallback.Description}";

    /// <summary>Proofs the fallback computed because the primary failed.</summary>
    public int Fallbacks => Volatile.Read(ref _fallbacks);

    /// <inheritdoc />
    public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return _primary.Prove(zkey, witness, r1cs, progress, cancellationToken);
        }
        catch (Exception e) when (ShouldFallBack(e))
        {
            Interlocked.Increment(ref _fallbacks);
            _logger.LogError(e, "{Primary} failed ({Message}); proving on {Fallback}", _primary.Description, e.Message, _fallback.Description);
            // The r1cs was checked already (the failure came after the witness checks).
            return _fallback.Prove(zkey, witness, null, progress, cancellationToken);
        }
    }

    private static bool ShouldFallBack(Exception e) => e switch
    {
        OperationCanceledException => false,
        Groth16Exception g => g.SelfVerificationFailed,
        ProvingFormatException => false,
        ArgumentException => false,
        _ => true,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        (_primary as IDisposable)?.Dispose();
        (_fallback as IDisposable)?.Dispose();
    }
}
