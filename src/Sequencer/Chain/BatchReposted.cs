using ProverMarketChain.ContractBindings.Contracts;

namespace ProverMarketChain.Sequencer.Chain;

/// <summary>The batch's request ended unproven (expired, cancelled, or past every deadline) and it was posted
/// again with its stored terms (by this sequencer, or by anyone: the sequencer then follows the new request).</summary>
/// <param name="Index">The batch.</param>
/// <param name="PreviousRequestId">The request that ended.</param>
/// <param name="RequestId">The new request.</param>
/// <param name="Request">The new request's terms.</param>
/// <param name="Block">The block of the repost.</param>
public sealed record BatchReposted(int Index, byte[] PreviousRequestId, byte[] RequestId, Request Request, ulong Block) : SequencerEvent(Index);
