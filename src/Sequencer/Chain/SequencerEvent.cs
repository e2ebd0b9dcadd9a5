namespace ProverMarketChain.Sequencer.Chain;

/// <summary>Something the sequencer saw or did for one batch while following the rollup (<see cref="SequencerService.PollAsync"/>).</summary>
/// <param name="Index">The batch.</param>
public abstract record SequencerEvent(int Index);
