namespace ProverMarketChain.Worker.Node.Delivery;

/// <summary>
/// The gas limit a delivery (<c>fulfill</c>, <c>fulfillBatch</c>, <c>revealProof</c>) is sent with. The market calls each
/// request's callback with exactly its <c>callbackGasLimit</c> and reverts the delivery (<c>CallbackGasShort</c>) when
/// less is left, so the limit must cover the callback in full even when the node's estimate saw a cheaper path (a
/// hostile callback can branch on the block it runs in): the estimate with the signer's headroom, plus for each
/// callback its limit, the 1/64 that EIP-150 keeps back from a call, and the call's own overhead.
/// </summary>
internal static class DeliveryGas
{
    /// <summary>Gas of a callback's call beyond its limit and the 1/64 retained: account access, the call, a failure event.</summary>
    public const ulong CallOverhead = 10_000;

    /// <summary>What a callback of <paramref name="callbackGas"/> adds to a delivery's gas limit (0 for none).</summary>
    public static ulong Allowance(ulong callbackGas) =>
        callbackGas == 0 ? 0 : checked(callbackGas + (callbackGas + 62) / 63 + CallOverhead);

    /// <summary>
    /// The gas limit for a delivery: <paramref name="estimate"/> (the node's <c>eth_estimateGas</c>) times
    /// <paramref name="headroom"/>, plus the allowance of every callback, at most <paramref name="blockGasLimit"/> (0:
    /// unbounded), since a transaction above it can never be included.
    /// </summary>
    public static ulong Limit(ulong estimate, double headroom, IEnumerable<ulong> callbackGas, ulong blockGasLimit = 0)
    {
        ArgumentNullException.ThrowIfNull(callbackGas);
        var limit = (ulong)Math.Ceiling(estimate * Math.Max(1.0, headroom));
        foreach (var g in callbackGas) limit = checked(limit + Allowance(g));
        return blockGasLimit > 0 ? Math.Min(limit, blockGasLimit) : limit;
    }
}
