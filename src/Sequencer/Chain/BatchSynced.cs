namespace ProverMarketChain.Sequencer.Chain;

/// <summary>The market reported the batch's request fulfilled but the rollup had not heard (its callback failed): the
/// sequencer called <c>syncProof</c>.</summary>
/// <param name="Index">The batch.</param>
/// <param name="RequestId">The fulfilled request.</param>
public sealed record BatchSynced(int Index, byte[] RequestId) : SequencerEvent(Index);
