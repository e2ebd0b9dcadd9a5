using ProverMarketChain.ContractBindings.Contracts;

namespace ProverMarketChain.Sequencer.Chain;

/// <summary>The batch's request ended unproven (expired, cancelled, or past every deadline) and the sequencer posted
/// it again with its stored terms.</summary>
/// <param name="Index">The batch.</param>
/// <param name="PreviousRequestId">The request that ended.</param>
/// <param name="RequestId">The new request.</param>
/// <param name="Request">The new request's terms.</param>
public sealed record BatchReposted(int Index, byte[] PreviousRequestId, byte[] RequestId, Request Request) : SequencerEvent(Index);
