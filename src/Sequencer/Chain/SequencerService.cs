using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Sequencer.State;

namespace ProverMarketChain.Sequencer.Chain;

/// <summary>
/// The sequencer of an <c>ExampleRollup</c>: it keeps the rollup's state locally, commits batches built on it (the
/// rollup then requests each batch's proof from the market and pays from its escrow), and follows them until they
/// finalize. Following is by polling (<see cref="PollAsync"/>): for each unfinalized batch it reads the rollup and the
/// market, and does what the contract leaves to anyone: <c>syncProof</c> when the market fulfilled a batch's request but
/// the rollup's callback failed, <c>repostBatch</c> when a request ended unproven (it expired, or it can be expired
/// now), and <c>finalize</c> when proven batches wait beyond the callback's bound.
/// </summary>
/// <remarks>Not thread-safe: one caller commits and polls.</remarks>
public sealed class SequencerService
{
    /// <summary>Batches one <c>finalize</c> call of the sequencer advances at most.</summary>
    public const int FinalizeStep = 64;

    private const int Pending = 1, Proven = 2;
    private const int StatusFulfilled = 4, StatusCancelled = 5, StatusExpired = 6;
    private const int ModeSealedBid = 0, ModeDutch = 1;

    private readonly Signer _signer;
    private readonly ExampleRollupService _rollup;
    private readonly IProverMarketService _market;
    private readonly Address _marketAddress;
    private readonly ulong _fromBlock;
    private readonly ILogger _logger;
    private readonly Dictionary<int, CommittedBatch> _tracked = [];
    private RollupState _head;
    private int _committed;
    private int _finalized;

    private SequencerService(Signer signer, ExampleRollupService rollup, Address market, RollupState head, int committed, int finalized, ulong fromBlock, ILogger logger)
    {
        _signer = signer;
        _rollup = rollup;
        _marketAddress = market;
        _market = new IProverMarketService(signer.Web3(), market.ToString());
        _head = head;
        _committed = committed;
        _finalized = finalized;
        _fromBlock = fromBlock;
        _logger = logger;
        Rollup = Address.Parse(rollup.ContractAddress);
    }

    /// <summary>The rollup contract.</summary>
    public Address Rollup { get; }

    /// <summary>The market the rollup buys its proofs from.</summary>
    public Address Market => _marketAddress;

    /// <summary>The rollup's binding, over the sequencer's signer.</summary>
    public ExampleRollupService Contract => _rollup;

    /// <summary>The local state after the last committed batch (the next batch's old root is its root).</summary>
    public RollupState Head => _head;

    /// <summary>Batches committed.</summary>
    public int CommittedBatches => _committed;

    /// <summary>Batches finalized, as of the last poll.</summary>
    public int FinalizedBatches => _finalized;

    /// <summary>The batches this sequencer follows (committed and, from attaching on, seen), by index.</summary>
    public IReadOnlyDictionary<int, CommittedBatch> Batches => _tracked;

    /// <summary>
    /// Deploys an <c>ExampleRollup</c> for <paramref name="circuitId"/> on <paramref name="market"/> (owned by
    /// <paramref name="owner"/>, with <paramref name="sequencer"/> as its sequencer and <paramref name="genesis"/>'s root
    /// as its genesis root) and attaches to it.
    /// </summary>
    public static async Task<SequencerService> DeployAsync(Signer owner, Signer sequencer, Address market, uint circuitId, RollupState genesis,
        ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(sequencer);
        ArgumentNullException.ThrowIfNull(genesis);
        var deployment = new ExampleRollupService.ExampleRollupDeployment
        {
            InitialOwner = owner.From.ToString(),
            InitialSequencer = sequencer.From.ToString(),
            Market = market.ToString(),
            CircuitId = circuitId,
            GenesisRoot = Words.Bytes32(genesis.Root),
        };
        var receipt = await ExampleRollupService.DeployContractAndWaitForReceiptAsync(owner.Web3(), deployment, ct).ConfigureAwait(false);
        if (receipt.Status?.Value != 1 || string.IsNullOrEmpty(receipt.ContractAddress))
            throw new InvalidOperationException($"the ExampleRollup deployment failed (transaction {receipt.TransactionHash})");
        return await AttachAsync(sequencer, Address.Parse(receipt.ContractAddress), genesis, (ulong)receipt.BlockNumber.Value, logger, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Attaches to a deployed rollup whose committed head is <paramref name="head"/>'s root, following its unfinalized
    /// batches (their requests are read from the market's <c>RequestSubmitted</c> events from <paramref name="fromBlock"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="sequencer"/> is not the rollup's sequencer, or the local
    /// state's root is not the rollup's head root.</exception>
    public static async Task<SequencerService> AttachAsync(Signer sequencer, Address rollup, RollupState head, ulong fromBlock = 0,
        ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sequencer);
        ArgumentNullException.ThrowIfNull(head);
        var contract = new ExampleRollupService(sequencer.Web3(), rollup.ToString());
        var role = Address.Parse(await contract.SequencerQueryAsync(cancellationToken: ct).ConfigureAwait(false));
        if (role != sequencer.From) throw new InvalidOperationException($"{sequencer.From} is not the sequencer of rollup {rollup} (its sequencer is {role})");
        var headRoot = Words.ToBigInteger(await contract.HeadRootQueryAsync(cancellationToken: ct).ConfigureAwait(false));
        if (headRoot != head.Root) throw new InvalidOperationException($"the local state root {head.Root} is not rollup {rollup}'s head root {headRoot}");
        var market = Address.Parse(await contract.MarketQueryAsync(cancellationToken: ct).ConfigureAwait(false));
        int committed = (int)await contract.CommittedBatchesQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        int finalized = (int)await contract.FinalizedBatchesQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        var s = new SequencerService(sequencer, contract, market, head, committed, finalized, fromBlock, logger ?? NullLogger.Instance);
        for (int i = finalized; i < committed; i++)
        {
            var v = await contract.BatchQueryAsync(i, cancellationToken: ct).ConfigureAwait(false);
            var (request, input, uri, block) = await s.SubmittedAsync(v.RequestId).ConfigureAwait(false);
            s._tracked[i] = new CommittedBatch(i, Words.ToBigInteger(v.OldRoot), Words.ToBigInteger(v.NewRoot), Words.ToBigInteger(v.BatchHash), input, uri, block, v.RequestId, request, null)
            {
                Attempts = (int)v.Attempts,
            };
        }
        return s;
    }

    /// <summary>Adds <paramref name="wei"/> to the rollup's proving escrow (from the sequencer's account).</summary>
    public Task DepositAsync(BigInteger wei, CancellationToken ct = default) =>
        _rollup.DepositRequestAndWaitForReceiptAsync(wei, ct);

    /// <summary>
    /// Builds the next batch with <paramref name="build"/> on a copy of the head state, commits it with
    /// <paramref name="terms"/> (the rollup requests its proof from its escrow) and, once the commit is mined, adopts the
    /// copy as the head.
    /// </summary>
    /// <param name="build">Builds the batch on the state it is given (with <see cref="BatchBuilder"/> or
    /// <see cref="RandomRollup.NextBatch"/>).</param>
    /// <param name="terms">The batch's proving terms (kept by the rollup for reposts).</param>
    /// <param name="ct">Cancels the wait for the commit.</param>
    /// <exception cref="InvalidOperationException">The batch is not built on the head state.</exception>
    /// <exception cref="ContractRevertException">The rollup refused the commit (escrow, terms, roles: the exception names it).</exception>
    public async Task<CommittedBatch> CommitAsync(Func<RollupState, RollupBatch> build, ProofTerms terms, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(terms);
        var next = _head.Clone();
        var batch = build(next);
        if (batch.OldRoot != _head.Root) throw new InvalidOperationException($"the batch starts at root {batch.OldRoot}, not at the head root {_head.Root}");
        if (batch.NewRoot != next.Root) throw new InvalidOperationException($"the batch ends at root {batch.NewRoot}, but the state it was built on is at {next.Root}");
        var input = batch.InputBytes;
        var receipt = await _rollup.CommitBatchRequestAndWaitForReceiptAsync(Words.Bytes32(batch.NewRoot), Words.Bytes32(batch.BatchHash), Keccak.Hash(input), input, string.Empty, terms, ct).ConfigureAwait(false);
        var requested = receipt.DecodeAllEvents<ExampleRollupService.BatchRequestedEventDTO>().Single(e => Address.Parse(e.Log.Address) == Rollup).Event;
        var submitted = receipt.DecodeAllEvents<IProverMarketService.RequestSubmittedEventDTO>().Single(e => Address.Parse(e.Log.Address) == _marketAddress).Event;
        int index = (int)requested.Batch;
        var committed = new CommittedBatch(index, batch.OldRoot, batch.NewRoot, batch.BatchHash, input, string.Empty, (ulong)receipt.BlockNumber.Value, requested.RequestId, submitted.Request, batch);
        _tracked[index] = committed;
        _committed = index + 1;
        _head = next;
        _logger.LogInformation("Committed batch {Index}: root {OldRoot} -> {NewRoot}, request {RequestId}", index, batch.OldRoot, batch.NewRoot, Hex.Encode(requested.RequestId));
        return committed;
    }

    /// <summary>
    /// One round of following: for each unfinalized batch, syncs a proof the rollup missed, reposts a request that ended
    /// unproven (expiring it first when its deadline passed), adopts a repost someone else made; then finalizes proven
    /// batches the callback left waiting, and reports the batches finalized since the last round.
    /// </summary>
    public async Task<IReadOnlyList<SequencerEvent>> PollAsync(CancellationToken ct = default)
    {
        var events = new List<SequencerEvent>();
        int finalized = (int)await _rollup.FinalizedBatchesQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        ulong? now = null;
        for (int i = finalized; i < _committed; i++)
        {
            if (!_tracked.TryGetValue(i, out var c)) continue;
            var view = await _rollup.BatchQueryAsync(i, cancellationToken: ct).ConfigureAwait(false);
            if ((int)view.Status != Pending) continue;
            if (!view.RequestId.AsSpan().SequenceEqual(c.RequestId))
            {
                // Someone else reposted it (anyone may): follow the new request.
                var previous = c.RequestId;
                (c.Request, _, _, var block) = await SubmittedAsync(view.RequestId).ConfigureAwait(false);
                c.RequestId = view.RequestId;
                c.Attempts = (int)view.Attempts;
                events.Add(new BatchReposted(i, previous, c.RequestId, c.Request, block));
                continue;
            }
            var state = await _market.RequestStateQueryAsync(c.RequestId, cancellationToken: ct).ConfigureAwait(false);
            int status = (int)state.Status;
            if (status == StatusFulfilled)
            {
                if (await TryAsync(() => _rollup.SyncProofQueryAsync(i, cancellationToken: ct), () => _rollup.SyncProofRequestAndWaitForReceiptAsync(i, ct)).ConfigureAwait(false))
                {
                    _logger.LogWarning("Batch {Index}: the market fulfilled request {RequestId} but the rollup's callback did not mark it; synced", i, Hex.Encode(c.RequestId));
                    events.Add(new BatchSynced(i, c.RequestId));
                }
                continue;
            }
            now ??= (await _signer.Client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))?.Timestamp ?? 0;
            if (status is not (StatusExpired or StatusCancelled) && !MayBeExpirable(c.Request, state, now.Value)) continue;
            var previousId = c.RequestId;
            Nethereum.RPC.Eth.DTOs.TransactionReceipt? receipt = null;
            if (await TryAsync(() => _rollup.RepostBatchQueryAsync(i, c.Request, c.Input, c.InputUri, cancellationToken: ct),
                    async () => receipt = await _rollup.RepostBatchRequestAndWaitForReceiptAsync(i, c.Request, c.Input, c.InputUri, ct).ConfigureAwait(false)).ConfigureAwait(false)
                && receipt is not null)
            {
                var submitted = receipt.DecodeAllEvents<IProverMarketService.RequestSubmittedEventDTO>().Single(e => Address.Parse(e.Log.Address) == _marketAddress).Event;
                c.RequestId = submitted.RequestId;
                c.Request = submitted.Request;
                c.Attempts++;
                _logger.LogInformation("Batch {Index}: request {Previous} ended unproven; reposted as {RequestId}", i, Hex.Encode(previousId), Hex.Encode(c.RequestId));
                events.Add(new BatchReposted(i, previousId, c.RequestId, c.Request, (ulong)receipt.BlockNumber.Value));
            }
        }

        // Proven batches beyond the callback's bound wait for a finalize call.
        finalized = (int)await _rollup.FinalizedBatchesQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        if (finalized < _committed && (int)(await _rollup.BatchQueryAsync(finalized, cancellationToken: ct).ConfigureAwait(false)).Status == Proven)
        {
            await TryAsync(() => _rollup.FinalizeQueryAsync(FinalizeStep, cancellationToken: ct), () => _rollup.FinalizeRequestAndWaitForReceiptAsync(FinalizeStep, ct)).ConfigureAwait(false);
            finalized = (int)await _rollup.FinalizedBatchesQueryAsync(cancellationToken: ct).ConfigureAwait(false);
        }

        for (int i = _finalized; i < finalized; i++)
        {
            var view = await _rollup.BatchQueryAsync(i, cancellationToken: ct).ConfigureAwait(false);
            var root = Words.ToBigInteger(view.NewRoot);
            var local = _tracked.TryGetValue(i, out var c) ? c.NewRoot : root;
            if (local != root) _logger.LogError("Batch {Index} finalized root {Root} differs from the sequencer's {Local}", i, root, local);
            events.Add(new BatchFinalized(i, root, local, view.RequestId));
        }
        _finalized = Math.Max(_finalized, finalized);
        return events;
    }

    /// <summary>Polls every <paramref name="pollInterval"/> until <paramref name="batches"/> batches are finalized,
    /// handing each event to <paramref name="onEvent"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More batches than committed.</exception>
    public async Task WaitForFinalizationAsync(int batches, TimeSpan pollInterval, Action<SequencerEvent>? onEvent = null, CancellationToken ct = default)
    {
        if (batches > _committed) throw new ArgumentOutOfRangeException(nameof(batches), batches, $"only {_committed} batches are committed");
        while (true)
        {
            foreach (var e in await PollAsync(ct).ConfigureAwait(false)) onEvent?.Invoke(e);
            if (_finalized >= batches) return;
            await Task.Delay(pollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The rollup's finalized root on chain.</summary>
    public async Task<BigInteger> FinalizedRootAsync(CancellationToken ct = default) =>
        Words.ToBigInteger(await _rollup.FinalizedRootQueryAsync(cancellationToken: ct).ConfigureAwait(false));

    /// <summary>
    /// Whether a live request may be expirable now, judged from its terms and state alone: past its sealed reveal phase
    /// or Dutch ramp while still open, or past its deadline. Only a hint that saves simulations: the simulated repost
    /// (which expires the request inside) decides.
    /// </summary>
    private static bool MayBeExpirable(Request r, RequestView state, ulong now)
    {
        if ((ulong)state.Deadline != 0) return now > (ulong)state.Deadline;
        return (int)r.Mode switch
        {
            ModeSealedBid => now > (ulong)r.RevealDeadline,
            ModeDutch => now > (ulong)r.BidDeadline,
            _ => true,
        };
    }

    /// <summary>The terms, input and block of request <paramref name="requestId"/>, from its <c>RequestSubmitted</c> event.</summary>
    private async Task<(Request Request, byte[] Input, string InputUri, ulong Block)> SubmittedAsync(byte[] requestId)
    {
        var found = await _market.GetRequestSubmittedEventsAsync(_fromBlock, null, requestId).ConfigureAwait(false);
        if (found.Count == 0) throw new InvalidOperationException($"no RequestSubmitted event for request {Hex.Encode(requestId)} from block {_fromBlock}");
        var e = found[^1];
        return (e.Event.Request, e.Event.Input, e.Event.InputUri, (ulong)e.Log.BlockNumber.Value);
    }

    /// <summary>Sends a permissionless call only when its simulation passes; false when it would revert now, or when it
    /// reverted all the same (someone else moved the batch on in between).</summary>
    private Task<bool> TryAsync(Func<Task> simulate, Func<Task> send) =>
        Permissionless.TryAsync(simulate, send,
            reason => _logger.LogInformation("A permissionless rollup call reverted after its simulation passed: {Reason}", reason));
}
