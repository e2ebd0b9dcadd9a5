namespace ProverMarketChain.Worker.Node.Delivery;

/// <summary>How the <see cref="DeliveryBatcher"/> reaches the market (the chain in the node, a fake in tests).</summary>
internal interface IDeliveryChannel
{
    /// <summary>Whether no delivery of the request is pending or done (its last one, if any, failed or vanished).</summary>
    Task<bool> IsClearAsync(string requestId, CancellationToken ct);

    /// <summary>
    /// Delivers one proof (<c>fulfill</c>) unless a delivery of it is pending or done; returns once broadcast.
    /// </summary>
    /// <exception cref="ContractBindings.Contracts.ContractRevertException">The delivery would revert.</exception>
    Task SendSingleAsync(PendingDelivery delivery, CancellationToken ct);

    /// <summary>
    /// Delivers the proofs in one <c>fulfillBatch</c>; returns once broadcast. <paramref name="revertedOnChain"/> is told
    /// when the broadcast batch is mined and reverts (its requests are then clear to deliver again).
    /// </summary>
    /// <returns>False when a delivery of one of them turned out pending or done, and nothing was sent.</returns>
    /// <exception cref="ContractBindings.Contracts.ContractRevertException">The batch would revert (at gas estimation).</exception>
    Task<bool> SendBatchAsync(IReadOnlyList<PendingDelivery> batch, Action<Exception> revertedOnChain, CancellationToken ct);

    /// <summary>Whether a single delivery of the proof would go through now (simulated, nothing sent).</summary>
    Task<bool> CanDeliverAsync(PendingDelivery delivery, CancellationToken ct);
}
