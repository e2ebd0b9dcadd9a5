using System.Numerics;

namespace ProverMarketChain.Sequencer.Chain;

/// <summary>The rollup's finalized root advanced over the batch.</summary>
/// <param name="Index">The batch.</param>
/// <param name="Root">The root the contract holds for the batch (its committed new root).</param>
/// <param name="LocalRoot">The sequencer's own tree root after the batch (equal unless the chain and the sequencer disagree).</param>
/// <param name="RequestId">The request whose proof finalized it.</param>
public sealed record BatchFinalized(int Index, BigInteger Root, BigInteger LocalRoot, byte[] RequestId) : SequencerEvent(Index);
