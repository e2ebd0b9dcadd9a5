using System.Numerics;
using System.Text;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// A batch ready to commit: its public inputs <c>[oldRoot, newRoot, batchHash]</c>, its transfers, and the circuit's
/// input (the witness generator's <c>input.json</c>, byte for byte what <c>circuits/scripts/rollup-input.js</c> writes
/// for the same state and transfers), which the rollup posts as the proof request's input.
/// </summary>
/// <param name="OldRoot">The state root before the batch.</param>
/// <param name="NewRoot">The state root after it.</param>
/// <param name="BatchHash">The hash chain over its transfers.</param>
/// <param name="Transfers">The transfers, in order.</param>
/// <param name="Input">The circuit input.</param>
public sealed record RollupBatch(BigInteger OldRoot, BigInteger NewRoot, BigInteger BatchHash, IReadOnlyList<Transfer> Transfers, RollupCircuitInput Input)
{
    /// <summary>The public inputs, in the circuit's order.</summary>
    public BigInteger[] PublicInputs => [OldRoot, NewRoot, BatchHash];

    /// <summary>The circuit input as JSON text (<see cref="RollupCircuitInput.ToJson"/>).</summary>
    public string InputJson => Input.ToJson();

    /// <summary>The circuit input as the bytes the proof request carries (UTF-8 JSON).</summary>
    public byte[] InputBytes => Encoding.UTF8.GetBytes(InputJson);
}
