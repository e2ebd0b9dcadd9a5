using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.Sequencer.State;

namespace ProverMarketChain.Sequencer.Chain;

/// <summary>A batch the sequencer committed (or found committed when it attached), and the proof request standing for it.</summary>
public sealed class CommittedBatch
{
    internal CommittedBatch(int index, BigInteger oldRoot, BigInteger newRoot, BigInteger batchHash, byte[] input, string inputUri, ulong commitBlock, byte[] requestId, Request request, RollupBatch? batch)
    {
        Index = index;
        OldRoot = oldRoot;
        NewRoot = newRoot;
        BatchHash = batchHash;
        Input = input;
        InputUri = inputUri;
        CommitBlock = commitBlock;
        RequestId = requestId;
        Request = request;
        Batch = batch;
    }

    /// <summary>The batch's index in the rollup.</summary>
    public int Index { get; }

    /// <summary>The state root before the batch.</summary>
    public BigInteger OldRoot { get; }

    /// <summary>The state root after the batch.</summary>
    public BigInteger NewRoot { get; }

    /// <summary>The batch hash.</summary>
    public BigInteger BatchHash { get; }

    /// <summary>The input bytes posted with its requests (the circuit's input JSON; empty for a URI batch).</summary>
    public byte[] Input { get; }

    /// <summary>The input's URI when it was not posted inline (empty otherwise).</summary>
    public string InputUri { get; }

    /// <summary>The block of the commit (for a batch found when attaching: of its current request).</summary>
    public ulong CommitBlock { get; }

    /// <summary>The batch as built (its transfers and circuit input); null for a batch found when attaching.</summary>
    public RollupBatch? Batch { get; }

    /// <summary>The request standing for the batch (its latest posting).</summary>
    public byte[] RequestId { get; internal set; }

    /// <summary>That request's terms.</summary>
    public Request Request { get; internal set; }

    /// <summary>Times this sequencer saw the batch's proof requested (1 until a repost).</summary>
    public int Attempts { get; internal set; } = 1;
}
