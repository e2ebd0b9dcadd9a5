using Microsoft.Extensions.Logging;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Worker.Node.Delivery;

/// <summary>
/// The market side of deliveries: <c>fulfill</c>, <c>fulfillBatch</c> and <c>revealProof</c> sent through the
/// <see cref="SendGuard"/> (action <see cref="Action"/>, journalled under every request a transaction delivers) with a gas
/// limit that covers each request's callback in full (<see cref="DeliveryGas"/>), so a delivery never reverts
/// <c>CallbackGasShort</c>. A callback that reverts or burns its gas does not fail the delivery: the market pays and
/// emits <c>CallbackFailed</c>, which is logged as the requester's problem.
/// </summary>
internal sealed class MarketDeliveries(NodeContext ctx) : IDeliveryChannel
{
    /// <summary>The send action of a delivery by <c>fulfill</c> or <c>fulfillBatch</c> (one per request, whichever carried it).</summary>
    public const string Action = Journal.WorkerJournal.DeliveryAction;

    /// <inheritdoc />
    public async Task<bool> IsClearAsync(string requestId, CancellationToken ct) =>
        await ctx.Sends.StateAsync(requestId, Action, ct).ConfigureAwait(false) == SendState.Clear;

    /// <inheritdoc />
    public Task SendSingleAsync(PendingDelivery d, CancellationToken ct) =>
        ctx.Sends.SendAsync(d.RequestId, Action, async () =>
        {
            var f = new IProverMarketService.FulfillFunction { Request = d.Terms, Proof = d.Proof.ToList(), PublicInputs = d.PublicInputs.ToList() };
            f.Gas = await GasLimitAsync(f, [d.CallbackGas], ct).ConfigureAwait(false);
            ctx.Log.LogInformation("Request {Id}: submitting proof (gas limit {Gas}{Callback})", d.RequestId, f.Gas.Value,
                d.CallbackGas > 0 ? $", callback {d.CallbackGas}" : "");
            var receipt = await ctx.Market.FulfillRequestAndWaitForReceiptAsync(f, ct).ConfigureAwait(false);
            ctx.Metrics.ProofsSubmitted.Add(1);
            ctx.Log.LogInformation("Request {Id}: delivered in {Tx} ({Gas} gas)", d.RequestId, receipt.TransactionHash, receipt.GasUsed?.Value);
            LogFailedCallbacks(receipt);
        }, ct);

    /// <inheritdoc />
    public async Task<bool> SendBatchAsync(IReadOnlyList<PendingDelivery> batch, Action<Exception> revertedOnChain, CancellationToken ct)
    {
        var ids = batch.Select(p => p.RequestId).ToList();
        var f = new IProverMarketService.FulfillBatchFunction
        {
            Requests = batch.Select(p => p.Terms).ToList(),
            Proofs = batch.Select(p => p.Proof.ToList()).ToList(),
            PublicInputs = batch.Select(p => p.PublicInputs.ToList()).ToList(),
        };
        return await ctx.Sends.SendAsync(ids, Action, async () =>
        {
            f.Gas = await GasLimitAsync(f, batch.Select(p => p.CallbackGas), ct).ConfigureAwait(false);
            ctx.Log.LogInformation("Submitting {Count} proofs in one batch ({Key}; gas limit {Gas}): {Ids}", batch.Count, batch[0].Key, f.Gas.Value, string.Join(", ", ids));
            Nethereum.RPC.Eth.DTOs.TransactionReceipt receipt;
            try
            {
                receipt = await ctx.Market.FulfillBatchRequestAndWaitForReceiptAsync(f, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                revertedOnChain(e);
                throw;
            }
            ctx.Metrics.ProofsSubmitted.Add(batch.Count);
            var gas = receipt.GasUsed?.Value ?? 0;
            ctx.Log.LogInformation("Batch of {Count} delivered in {Tx}: {Gas} gas, {PerProof} per proof", batch.Count, receipt.TransactionHash, gas, gas / batch.Count);
            LogFailedCallbacks(receipt);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> CanDeliverAsync(PendingDelivery d, CancellationToken ct)
    {
        try
        {
            await ctx.Market.FulfillQueryAsync(new IProverMarketService.FulfillFunction { Request = d.Terms, Proof = d.Proof.ToList(), PublicInputs = d.PublicInputs.ToList() },
                cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (ContractRevertException)
        {
            return false;
        }
    }

    /// <summary>
    /// The gas limit for sending <paramref name="function"/> to the market: the node's estimate with the signer's
    /// headroom, plus every callback's allowance, within the latest block's gas limit.
    /// </summary>
    /// <exception cref="ContractRevertException">The call would revert (typed by the market's errors).</exception>
    public async Task<ulong> GasLimitAsync<TFunction>(TFunction function, IEnumerable<ulong> callbackGas, CancellationToken ct)
        where TFunction : FunctionMessage, new()
    {
        ulong estimate;
        try
        {
            estimate = await ctx.Signer.Client.EstimateGasAsync(new CallRequest(ctx.Prover, ctx.Deployment.ProverMarket, function.GetCallData()), ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            ContractErrors.ThrowTyped(e, IProverMarketService.ErrorTypes, IProverMarketService.ContractName);
            throw;
        }
        var block = await ctx.Signer.Client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false);
        return DeliveryGas.Limit(estimate, ctx.Signer.Options.GasLimitMultiplier, callbackGas, block?.GasLimit ?? 0);
    }

    private void LogFailedCallbacks(Nethereum.RPC.Eth.DTOs.TransactionReceipt receipt)
    {
        foreach (var e in receipt.DecodeAllEvents<IProverMarketService.CallbackFailedEventDTO>())
            ctx.Log.LogInformation("Request {Id}: the requester's callback failed (reverted or ran out of its gas); the delivery stands and is paid",
                Hex.Encode(e.Event.RequestId));
    }
}
