using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using Nethereum.ABI;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Node.Delivery;
using ProverMarketChain.Worker.Pricing;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// Drives one followed request one step, from CHAIN STATE (never from a possibly-failed RPC reply): it bids, reveals,
/// locks, accepts, proves and submits as the request's mode and phase require. Every new promise first passes the
/// request's preflight (<see cref="Preflight"/>) and the admission gate (<see cref="NodeContext.AdmitAsync"/>), and is
/// journalled before its transaction is sent; every transaction goes through the <see cref="SendGuard"/>, so a lost
/// reply or a restart neither loses a reveal nor sends an action twice. Steps of different requests run concurrently.
/// A finished proof of an assigned job is handed to the <see cref="DeliveryBatcher"/>, which sends it at once or batches
/// it with others of its kind.
/// </summary>
internal sealed class RequestReconciler(NodeContext ctx, Preflight preflight, ProvingQueue proving, MatchResponder matches,
    DeliveryBatcher batcher, MarketDeliveries deliveries)
{
    // A request the node reads as unknown this many times in a row, over as many blocks, is closed: one read from a
    // lagging node is not enough.
    private const int UnknownReadsBeforeClosing = 5;
    private readonly ConcurrentDictionary<string, (int Reads, ulong FirstBlock)> _unknownReads = new();
    // Open submissions: the block from which our reveal may be paid (an earlier commitment's reveal window is open).
    private readonly ConcurrentDictionary<string, ulong> _revealNotBefore = new();

    private Address Prover => ctx.Prover;

    /// <summary>
    /// How soon the request needs attention, in chain seconds (smaller is sooner): the next deadline among its bid,
    /// reveal and proving windows that is still ahead. The node starts the most urgent requests first.
    /// </summary>
    public static ulong Urgency(TrackedRequest r, ulong now)
    {
        var req = NodeContext.Decode(r);
        ulong[] deadlines = [(ulong)req.BidDeadline, (ulong)req.RevealDeadline, (ulong)req.RevealDeadline + (ulong)req.ProvingWindow];
        return deadlines.Where(d => d >= now).DefaultIfEmpty(ulong.MaxValue).Min();
    }

    /// <summary>One step on one request. <paramref name="gasPrice"/> is null when fees could not be estimated this tick: then
    /// no new work is taken, but promises already made are kept.</summary>
    public async Task ReconcileAsync(TrackedRequest r, BlockHeader head, BigInteger? gasPrice, CancellationToken ct)
    {
        var req = NodeContext.Decode(r);
        var id = Hex.Decode(r.RequestId);
        var view = await ctx.Market.RequestStateQueryAsync(id, cancellationToken: ct).ConfigureAwait(false);
        var status = (ChainStatus)(int)view.Status;
        var mode = (AllocationMode)(int)req.Mode;
        var now = head.Timestamp;
        bool mine = view.Prover == Prover;

        if (status == ChainStatus.None)
        {
            // A node behind the one that served the event says "unknown": close only after repeated reads spanning
            // several blocks, and never while we hold a promise on the request (a lagging read must not drop it).
            var seen = _unknownReads.AddOrUpdate(r.RequestId, (1, head.Number), (_, x) => (x.Reads + 1, x.FirstBlock));
            if (seen.Reads >= UnknownReadsBeforeClosing && head.Number >= seen.FirstBlock + UnknownReadsBeforeClosing
                && !ctx.Commitments().Any(c => c.RequestId == r.RequestId))
                Close(r.RequestId, "unknown on chain");
            return;
        }
        _unknownReads.TryRemove(r.RequestId, out _);
        if (status != ChainStatus.Open && ctx.Journal.HasOpenLock(r.RequestId)) ctx.Journal.CloseLock(r.RequestId);

        // The request's input failed our preflight: we deliver it in no way (it would fail the same way every time).
        if (status is ChainStatus.Open or ChainStatus.Secondary or ChainStatus.Matched && !(status == ChainStatus.Matched && mine)
            && ctx.Journal.Matches(r.RequestId).FirstOrDefault(m => m.InputRejected) is { } rejected)
        {
            ctx.Log.LogInformation("Request {Id}: no longer followed: we declined it ({Reason})", r.RequestId, rejected.Reason);
            Close(r.RequestId, "declined: " + rejected.Reason);
            return;
        }

        switch (status)
        {
            case ChainStatus.Matched when mine && now <= (ulong)view.Deadline:
                await matches.RespondAsync(r, req, view, now, gasPrice, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Matched:
                // Ours (the window passed without our answer landing) or another's: lapse it so the request moves on and
                // our accept decision stops holding capacity. Upkeep: only at a new-work gas price.
                if (now > (ulong)view.Deadline && gasPrice is { } lapseGas && lapseGas <= ctx.Options.MaxGasPrice)
                {
                    // The matched prover stayed silent: move the request on (its ask leaves the book). Permissionless.
                    await ctx.Sends.SendAsync(r.RequestId, $"lapseMatch:{view.Deadline}", async () =>
                    {
                        ctx.Log.LogInformation("Request {Id}: matched prover {Prover} let its acceptance window pass; lapsing the match", r.RequestId, view.Prover);
                        await ctx.Market.LapseMatchRequestAndWaitForReceiptAsync(req, ct).ConfigureAwait(false);
                    }, ct).ConfigureAwait(false);
                }
                return;
            case ChainStatus.Secondary when view.Excluded == Prover:
                // We were slashed on this request: the market keeps us out of its secondary delivery.
                AbandonJob(r.RequestId, "slashed: excluded from the secondary delivery");
                ctx.Log.LogWarning("Request {Id}: we were slashed; the secondary delivery is open to others only", r.RequestId);
                CloseBidIfOpen(r.RequestId);
                Close(r.RequestId, "slashed: excluded from the secondary delivery");
                return;
            case ChainStatus.Fulfilled or ChainStatus.Cancelled or ChainStatus.Expired:
                await FinishAsync(r, status, mine, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Assigned when mine:
                await DeliverAsync(r, req, (ulong)view.Deadline, openSubmission: false, now, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Assigned:
                // Not ours (a job of ours is never abandoned on such a read: it may come from a lagging node, and the
                // request's end, read as Fulfilled, Expired or Secondary, settles it).
                CloseBidIfOpen(r.RequestId);
                if (now > (ulong)view.Deadline)
                    await SlashAsync(r, req, Address.Parse(view.Prover), gasPrice, ct).ConfigureAwait(false);
                return;
            case ChainStatus.Secondary:
                await OpenWorkAsync(r, req, view.Fee, view.Bounty, (ulong)view.Deadline, now, gasPrice, ct).ConfigureAwait(false);
                return;
        }

        // Open.
        switch (mode)
        {
            case AllocationMode.SealedBid:
                await SealedBidAsync(r, req, view, id, now, gasPrice, ct).ConfigureAwait(false);
                break;
            case AllocationMode.Dutch:
                await DutchAsync(r, req, now, gasPrice, ct).ConfigureAwait(false);
                break;
            case AllocationMode.OpenRace:
                await OpenWorkAsync(r, req, req.MaxFee, BigInteger.Zero, (ulong)view.CreatedAt + (ulong)req.ProvingWindow, now, gasPrice, ct).ConfigureAwait(false);
                break;
            case AllocationMode.StandingAsk:
                break; // matched at submission (or refused): a standing-ask request is never left open
        }
    }

    /// <summary>
    /// The preflight's verdict on a request the worker considers taking; a rejected input closes the request (we will
    /// never take it), a pending one is asked again next tick.
    /// </summary>
    private bool PreflightPassed(TrackedRequest r, Request req, CancellationToken ct)
    {
        var verdict = preflight.Check(r, req, ct);
        if (verdict.Status == PreflightStatus.Rejected)
        {
            ctx.Metrics.JobsSkipped.Add(1);
            ctx.Log.LogWarning("Request {Id}: skipped: {Reason}", r.RequestId, verdict.Reason);
            Close(r.RequestId, "skipped: " + verdict.Reason);
        }
        return verdict.Status == PreflightStatus.Passed;
    }

    private JobTerms Terms(TrackedRequest r, Request req, AllocationMode mode, double queue) =>
        new(mode, r.ProvingUnits, req.MaxFee, r.ReserveFee, (uint)req.ProvingWindow, null, BigInteger.Zero, queue, NodeContext.CallbackGas(req));

    private async Task SealedBidAsync(TrackedRequest r, Request req, RequestView view, byte[] id, ulong now, BigInteger? gasPrice, CancellationToken ct)
    {
        var bid = ctx.Journal.GetBid(r.RequestId);
        if (now <= (ulong)req.BidDeadline)
        {
            if (bid is null)
            {
                if (gasPrice is not { } gas) return;
                // Cheap checks first (no I/O): the exposure limits and the price. Only then the input.
                if (ctx.Refusal(r, req, req.MinCollateral) is { } refusal) { ctx.SkipOnce(r, refusal); return; }
                if (ctx.Planner.Plan(Terms(r, req, AllocationMode.SealedBid, 0), gas, ctx.Options.MaxGasPrice) is JobDecision.Skip skip) { ctx.SkipOnce(r, skip.Reason); return; }
                if (!PreflightPassed(r, req, ct)) return;
                if (!await ctx.CollateralCoversAsync(r, req, ct).ConfigureAwait(false)) return;
                // The lane is read from chain before the admission gate (no RPC is made under it); under the gate it is
                // taken only if no other bid took it meanwhile.
                if (await FreeLaneAsync(r, ct).ConfigureAwait(false) is not { } lane) return;
                bid = await ctx.AdmitAsync(r, req.MinCollateral, (byte)req.AssetId,
                    queue => ctx.Planner.Plan(Terms(r, req, AllocationMode.SealedBid, queue), gas, ctx.Options.MaxGasPrice),
                    take =>
                    {
                        if (ctx.Journal.LanesInUse().Contains(lane)) return Task.FromResult<BidRecord?>(null); // taken meanwhile: next tick
                        var salt = RandomNumberGenerator.GetBytes(32);
                        var commitment = Keccak.Hash(new ABIEncode().GetABIEncoded(new ABIValue("bytes32", id), new ABIValue("address", Prover.ToString()),
                            new ABIValue("uint96", take.Fee), new ABIValue("uint32", new BigInteger(take.PromisedLatencySeconds)), new ABIValue("bytes32", salt)));
                        // Durable before the transaction: a crash after the commit still finds the salt (and lane) to reveal with.
                        return Task.FromResult<BidRecord?>(ctx.Journal.PlanBid(r.RequestId, take.Fee, take.PromisedLatencySeconds, salt, commitment, lane));
                    }, ct).ConfigureAwait(false);
                if (bid is null) return;
            }
            if (bid.State == BidState.Planned)
            {
                var status = await BidStatusAsync(id, bid, ct).ConfigureAwait(false);
                if (status == BidStatus.None)
                {
                    await ctx.Sends.SendAsync(r.RequestId, "commitBid", async () =>
                    {
                        ctx.Log.LogInformation("Request {Id}: committing bid fee={Fee} latency={Latency}s in lane {Lane}", r.RequestId, bid.Fee, bid.LatencySeconds, bid.Lane);
                        await ctx.Market.CommitBidRequestAndWaitForReceiptAsync(req, bid.Commitment, bid.Lane, ct).ConfigureAwait(false);
                        ctx.Metrics.BidsCommitted.Add(1);
                    }, ct).ConfigureAwait(false);
                    return; // sent or in flight: a later step reads the commitment on chain
                }
                ctx.Journal.AdvanceBid(r.RequestId, BidState.Committed);
            }
            return;
        }

        if (now <= (ulong)req.RevealDeadline)
        {
            if (bid is null || bid.State >= BidState.Revealed) return;
            var status = await BidStatusAsync(id, bid, ct).ConfigureAwait(false);
            if (status is BidStatus.Best or BidStatus.RunnerUp)
            {
                // An earlier reveal landed although its reply was lost.
                ctx.Journal.AdvanceBid(r.RequestId, BidState.Revealed);
                return;
            }
            if (status == BidStatus.None)
            {
                // Our commit landed (its receipt says so) but the node reads no commitment: a lagging read. Ask again
                // next tick rather than give up the reveal (and the bond with it).
                if (await ctx.Sends.StateAsync(r.RequestId, "commitBid", ct).ConfigureAwait(false) != SendState.Clear
                    && await ctx.Sends.StateAsync(r.RequestId, "revealBid", ct).ConfigureAwait(false) != SendState.Done)
                {
                    ctx.Log.LogWarning("Request {Id}: the node reads no commitment in lane {Lane}, but our commit is mined or in flight; re-reading", r.RequestId, bid.Lane);
                    return;
                }
                // Never landed, or revealed already and released at once (it did not lead): nothing left to do.
                ctx.Journal.AdvanceBid(r.RequestId, BidState.Closed);
                if (await ctx.Sends.StateAsync(r.RequestId, "revealBid", ct).ConfigureAwait(false) == SendState.Done)
                    ctx.Log.LogInformation("Request {Id}: our bid was revealed and did not lead; its bond is back", r.RequestId);
                else
                    ctx.Log.LogWarning("Request {Id}: our commitment is not (or no longer) in lane {Lane}; nothing to reveal", r.RequestId, bid.Lane);
                return;
            }
            try
            {
                await ctx.Sends.SendAsync(r.RequestId, "revealBid", async () =>
                {
                    ctx.Log.LogInformation("Request {Id}: revealing bid", r.RequestId);
                    // An unrevealed bid forfeits its bond: the reveal may spend a share of it in gas, above the normal cap.
                    using var allowance = ctx.Signer.OverrideFeeCap(gasLimit => RevealGasAllowance.FeeCap(
                        req.MinCollateral, (byte)req.AssetId, ctx.Options.RevealMaxGasShareOfBondBps, gasLimit, ctx.Signer.Options.MaxFeePerGasCap));
                    await ctx.Market.RevealBidRequestAndWaitForReceiptAsync(req, bid.Fee, bid.LatencySeconds, bid.Salt, bid.Lane, ct).ConfigureAwait(false);
                    ctx.Metrics.BidsRevealed.Add(1);
                }, ct).ConfigureAwait(false);
            }
            catch (CustomErrorException<IProverMarketService.AlreadyRevealedError>)
            {
                // An earlier reveal landed although its reply was lost: chain state says we are done.
                ctx.Journal.AdvanceBid(r.RequestId, BidState.Revealed);
            }
            catch (FeeCapExceededException e)
            {
                // Over even the bond-share allowance: paying more would cost more than the bond. Retried next tick
                // (the base fee may fall before the reveal deadline).
                ctx.Log.LogWarning("Request {Id}: revealing needs {Required} wei per gas, over the reveal's cap of {Cap}; retrying next tick",
                    r.RequestId, e.Required, e.Cap);
            }
            return; // a later step reads the reveal on chain (Best or RunnerUp, or released at once when it did not lead)
        }

        // Reveal phase over, auction not yet settled: the best bidder proves now (fulfil settles implicitly).
        var winnerDeadline = (ulong)req.RevealDeadline + (ulong)view.ProverLatency;
        if (view.Prover == Prover)
        {
            await DeliverAsync(r, req, winnerDeadline, openSubmission: false, now, ct).ConfigureAwait(false);
            return;
        }
        if (view.RunnerUp != Prover) CloseBidIfOpen(r.RequestId);
        if (view.Prover != Address.Zero && now > winnerDeadline)
            await SlashAsync(r, req, Address.Parse(view.Prover), gasPrice, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Slashes a prover that missed its deadline (permissionless; it settles the auction implicitly and opens the job to
    /// the runner-up or to secondary delivery). It earns the caller nothing, so it is sent only at a gas price the worker
    /// takes new work at: a puppet prover that misses on purpose cannot make the worker pay spike prices for it.
    /// </summary>
    private async Task SlashAsync(TrackedRequest r, Request req, Address prover, BigInteger? gasPrice, CancellationToken ct)
    {
        if (gasPrice is not { } gas || gas > ctx.Options.MaxGasPrice) return;
        await ctx.Sends.SendAsync(r.RequestId, $"slash:{prover}", async () =>
        {
            ctx.Log.LogInformation("Request {Id}: prover {Prover} missed its deadline; slashing", r.RequestId, prover);
            await ctx.Market.SlashRequestAndWaitForReceiptAsync(req, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A Dutch auction: lock once the price reaches our ask, after the preflight and the admission gate. The lock is
    /// journalled before it is sent; it holds a unit of capacity until chain state resolves it.
    /// </summary>
    private async Task DutchAsync(TrackedRequest r, Request req, ulong now, BigInteger? gasPrice, CancellationToken ct)
    {
        if (now > (ulong)req.BidDeadline)
        {
            ctx.Journal.CloseLock(r.RequestId); // the auction closed without our lock landing: the capacity is free again
            return;
        }
        bool locked = ctx.Journal.HasOpenLock(r.RequestId);
        if (!locked)
        {
            if (gasPrice is not { } gas) return;
            if (ctx.Refusal(r, req, req.MinCollateral) is { } refusal) { ctx.SkipOnce(r, refusal); return; }
            var plan = ctx.Planner.Plan(Terms(r, req, AllocationMode.Dutch, 0), gas, ctx.Options.MaxGasPrice);
            if (plan is JobDecision.Skip skip) { ctx.SkipOnce(r, skip.Reason); return; }
            var first = (JobDecision.Take)plan;
            var price = await ctx.Market.DutchPriceQueryAsync(req, cancellationToken: ct).ConfigureAwait(false);
            if (price < first.Fee) return; // wait for the price to reach our ask
            if (!PreflightPassed(r, req, ct)) return;
            if (!await ctx.CollateralCoversAsync(r, req, ct).ConfigureAwait(false)) return;
            locked = await ctx.AdmitAsync(r, req.MinCollateral, (byte)req.AssetId,
                queue => ctx.Planner.Plan(Terms(r, req, AllocationMode.Dutch, queue), gas, ctx.Options.MaxGasPrice),
                take => Task.FromResult(price >= take.Fee && ctx.Journal.PlanLock(r.RequestId, price)), ct).ConfigureAwait(false);
            if (!locked) return;
        }
        await ctx.Sends.SendAsync(r.RequestId, "lockDutch", async () =>
        {
            ctx.Log.LogInformation("Request {Id}: locking Dutch job", r.RequestId);
            await ctx.Market.LockDutchRequestAndWaitForReceiptAsync(req, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        // The next tick sees the assignment in chain state and starts proving.
    }

    /// <summary>Open work (a race, or a secondary delivery after a slash): take it after the preflight and the admission gate.</summary>
    private async Task OpenWorkAsync(TrackedRequest r, Request req, BigInteger fee, BigInteger bounty, ulong deadline, ulong now,
        BigInteger? gasPrice, CancellationToken ct)
    {
        if (now >= deadline)
        {
            // Too late to deliver: a job taken here is over (its proof stops, its capacity is free again).
            if (ctx.Journal.GetJob(r.RequestId) is { State: < JobState.Done }) AbandonJob(r.RequestId, "deadline passed");
            return;
        }
        if (ctx.Journal.GetJob(r.RequestId) is null)
        {
            if (gasPrice is not { } gas) return;
            JobTerms Open(double queue) => new(AllocationMode.OpenRace, r.ProvingUnits, fee, BigInteger.Zero, (uint)req.ProvingWindow, deadline - now, bounty, queue,
                NodeContext.CallbackGas(req));
            if (ctx.Refusal(r, req, BigInteger.Zero) is { } refusal) { ctx.SkipOnce(r, refusal); return; }
            if (ctx.Planner.Plan(Open(0), gas, ctx.Options.MaxGasPrice) is JobDecision.Skip skip) { ctx.SkipOnce(r, skip.Reason); return; }
            if (!PreflightPassed(r, req, ct)) return;
            bool taken = await ctx.AdmitAsync(r, BigInteger.Zero, (byte)req.AssetId, queue => ctx.Planner.Plan(Open(queue), gas, ctx.Options.MaxGasPrice),
                _ =>
                {
                    ctx.Journal.AcceptJob(r.RequestId, (int)req.Mode);
                    return Task.FromResult(true);
                }, ct).ConfigureAwait(false);
            if (!taken) return;
            ctx.Metrics.JobsWon.Add(1);
            ctx.Log.LogInformation("Request {Id}: taking open work (deadline {Deadline}, {Left} s left)", r.RequestId, deadline, (long)deadline - (long)now);
        }
        await DeliverAsync(r, req, deadline, openSubmission: true, now, ct).ConfigureAwait(false);
    }

    /// <summary>Proves (queued, earliest deadline first) and submits once the proof is journalled.</summary>
    private async Task DeliverAsync(TrackedRequest r, Request req, ulong deadline, bool openSubmission, ulong now, CancellationToken ct)
    {
        if (ctx.Journal.AcceptJob(r.RequestId, (int)req.Mode))
        {
            ctx.Metrics.JobsWon.Add(1);
            ctx.Log.LogInformation("Request {Id}: taking the job (deadline {Deadline}, {Left} s left)", r.RequestId, deadline, (long)deadline - (long)now);
        }
        var job = ctx.Journal.GetJob(r.RequestId)!;
        if (job.State >= JobState.Done)
        {
            batcher.Forget(r.RequestId); // done, or abandoned by its proof (bad input): nothing of it is coming
            return;
        }
        if (now > deadline)
        {
            AbandonJob(r.RequestId, "deadline passed");
            ctx.Log.LogWarning("Request {Id}: deadline passed before delivery", r.RequestId);
            return;
        }
        if (job.ProofJson is null)
        {
            // An assigned job's proof will be offered for delivery: proofs of its kind ready before it may wait for it.
            if (!openSubmission) batcher.Expect(r.RequestId, new BatchKey(r.CircuitId, Address.Parse(req.Verifier)));
            proving.Start(r, req, deadline, ct);
            return;
        }

        var proof = ParseNumbers(job.ProofJson);
        var publics = ParseNumbers(job.PublicJson!);
        var id = Hex.Decode(r.RequestId);
        if (!openSubmission)
        {
            // Sent now, or batched with others of its circuit and verifier (never past its deadline less the margin).
            await batcher.OfferAsync(new PendingDelivery(r.RequestId, new BatchKey(r.CircuitId, Address.Parse(req.Verifier)), now, deadline,
                NodeContext.CallbackGas(req), req, proof, publics), ct).ConfigureAwait(false);
            return; // chain state confirms it next tick
        }

        // Two-step submission: commit hash(proof, submitter), reveal in a later block.
        var commitment = await ctx.Market.ProofCommitmentQueryAsync(id, Prover, proof.ToList(), cancellationToken: ct).ConfigureAwait(false);
        var committedAt = await ctx.Market.ProofCommitBlockQueryAsync(commitment, cancellationToken: ct).ConfigureAwait(false);
        if (committedAt.IsZero)
        {
            await ctx.Sends.SendAsync(r.RequestId, "commitProof", async () =>
            {
                ctx.Log.LogInformation("Request {Id}: committing proof", r.RequestId);
                await ctx.Market.CommitProofRequestAndWaitForReceiptAsync(id, commitment, ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            return; // a later step reads the commitment's block on chain
        }
        if (job.State < JobState.ProofCommitted)
        {
            ctx.Journal.AdvanceJob(r.RequestId, JobState.ProofCommitted);
        }
        var block = await ctx.Signer.Client.BlockNumberAsync(ct).ConfigureAwait(false);
        if (block <= (ulong)committedAt) return; // reveal needs a later block
        // An earlier commitment's reveal window is still open: our reveal cannot be paid before it closes. The job stays
        // ours (ProofCommitted); if the earlier one is revealed, chain state shows the request fulfilled by another.
        if (_revealNotBefore.TryGetValue(r.RequestId, out var notBefore) && block + 1 < notBefore) return;
        try
        {
            await ctx.Sends.SendAsync(r.RequestId, "revealProof", async () =>
            {
                var reveal = new IProverMarketService.RevealProofFunction { Request = req, Proof = proof.ToList(), PublicInputs = publics.ToList() };
                // The reveal runs the requester's callback too: its gas limit covers it in full.
                reveal.Gas = await deliveries.GasLimitAsync(reveal, [NodeContext.CallbackGas(req)], ct).ConfigureAwait(false);
                ctx.Log.LogInformation("Request {Id}: revealing proof", r.RequestId);
                await ctx.Market.RevealProofRequestAndWaitForReceiptAsync(reveal, ct).ConfigureAwait(false);
                ctx.Metrics.ProofsSubmitted.Add(1);
            }, ct).ConfigureAwait(false);
        }
        catch (CustomErrorException<IProverMarketService.EarlierCommitmentPendingError> e)
        {
            // Matched by selector, whatever contract raised it: a value past any block is clamped, never an overflow here.
            _revealNotBefore[r.RequestId] = e.Error.RevealableFrom > ulong.MaxValue ? ulong.MaxValue : (ulong)e.Error.RevealableFrom;
            ctx.Log.LogInformation("Request {Id}: an earlier proof commitment (block {First}) has until block {From} to be revealed; our reveal waits (retrying then)",
                r.RequestId, e.Error.FirstCommitBlock, e.Error.RevealableFrom);
        }
    }

    private async Task FinishAsync(TrackedRequest r, ChainStatus status, bool mine, CancellationToken ct)
    {
        if (ctx.Journal.GetJob(r.RequestId) is { } job && job.State < JobState.Done)
        {
            // The market clears the assignment when it pays (a storage refund), so who fulfilled a request is read from
            // its RequestFulfilled event, which is chain state too.
            if (status == ChainStatus.Fulfilled && !mine)
            {
                var paid = await ctx.Market.GetRequestFulfilledEventsAsync(r.Block, null, Hex.Decode(r.RequestId), Prover).ConfigureAwait(false);
                mine = paid.Count > 0;
            }
            if (status == ChainStatus.Fulfilled && mine)
            {
                ctx.Journal.AdvanceJob(r.RequestId, JobState.Done);
                ctx.Metrics.JobsFulfilled.Add(1);
                ctx.Log.LogInformation("Request {Id}: fulfilled by us (confirmed from chain state)", r.RequestId);
            }
            else
            {
                AbandonJob(r.RequestId, $"request {status.ToString().ToLowerInvariant()} by another party");
            }
        }
        // A sealed-bid request is never cancelled (a binding offer), so no bond of ours can be left on a cancelled one.
        CloseBidIfOpen(r.RequestId);
        Close(r.RequestId, status.ToString());
    }

    /// <summary>Gives up an open job (and stops its proof).</summary>
    private void AbandonJob(string requestId, string reason)
    {
        proving.Cancel(requestId, reason);
        batcher.Forget(requestId);
        if (ctx.Journal.GetJob(requestId) is { State: < JobState.Done }) ctx.Journal.AdvanceJob(requestId, JobState.Abandoned, reason);
    }

    /// <summary>Stops following a request and drops what is kept for it.</summary>
    private void Close(string requestId, string reason)
    {
        proving.Cancel(requestId, reason);
        batcher.Forget(requestId);
        preflight.Forget(requestId);
        _revealNotBefore.TryRemove(requestId, out _);
        _unknownReads.TryRemove(requestId, out _);
        ctx.Journal.CloseLock(requestId);
        ctx.Journal.CloseRequest(requestId, reason);
        ctx.ForgetSkip(requestId);
    }

    /// <summary>Where our journalled bid stands on chain.</summary>
    private async Task<BidStatus> BidStatusAsync(byte[] requestId, BidRecord bid, CancellationToken ct) =>
        (BidStatus)(int)await ctx.Market.BidStatusQueryAsync(requestId, Prover, bid.Lane, bid.Commitment, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>
    /// The lowest bid lane that neither an open bid of ours (journal) nor the chain holds (a lane the chain still holds
    /// belongs to a bid that was never resolved, e.g. an unrevealed one awaiting its forfeit). Null, logged, when
    /// every lane is busy.
    /// </summary>
    private async Task<byte?> FreeLaneAsync(TrackedRequest r, CancellationToken ct)
    {
        var inUse = ctx.Journal.LanesInUse();
        for (int lane = 0; lane < 256; lane++)
        {
            if (inUse.Contains((byte)lane)) continue;
            if (await ctx.Market.BidLaneQueryAsync(Prover, lane, cancellationToken: ct).ConfigureAwait(false) <= BigInteger.One) return (byte)lane;
        }
        ctx.SkipOnce(r, "all 256 bid lanes are busy", LogLevel.Warning);
        return null;
    }

    private void CloseBidIfOpen(string requestId)
    {
        if (ctx.Journal.GetBid(requestId) is { State: < BidState.Closed }) ctx.Journal.AdvanceBid(requestId, BidState.Closed);
    }

    private static BigInteger[] ParseNumbers(string json) =>
        JsonSerializer.Deserialize<string[]>(json)!.Select(s => BigInteger.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
