namespace ProverMarketChain.Sequencer.State;

/// <summary>One transfer of a batch.</summary>
/// <param name="From">Sender account index.</param>
/// <param name="To">Receiver account index (may equal <paramref name="From"/>: the circuit allows it).</param>
/// <param name="Amount">Amount moved.</param>
public readonly record struct Transfer(int From, int To, ulong Amount);
