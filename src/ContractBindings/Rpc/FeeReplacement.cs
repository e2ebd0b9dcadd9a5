using System.Numerics;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// The fee arithmetic of replacing a pending EIP-1559 transaction (same nonce, new signature). Nodes accept a
/// replacement only when BOTH <c>maxFeePerGas</c> and <c>maxPriorityFeePerGas</c> rise by at least 10% (geth's
/// <c>txpool.pricebump</c>; reth and anvil follow it), so both are raised by the bump, never just one.
/// Pure functions: no I/O.
/// </summary>
public static class FeeReplacement
{
    /// <summary>The smallest bump nodes accept, in percent.</summary>
    public const int MinBumpPercent = 10;

    /// <summary><paramref name="value"/> raised by <paramref name="percent"/>%, rounded up (0 stays 0).</summary>
    public static BigInteger Bump(BigInteger value, int percent) =>
        value + ((value * Math.Max(percent, MinBumpPercent)) + 99) / 100;

    /// <summary>
    /// Whether a pending transaction offering <paramref name="maxFee"/> and <paramref name="tip"/> is stuck at
    /// today's fees: its max fee no longer covers the next base fee plus its tip (it cannot be included), or its tip
    /// is below today's tip (builders prefer others).
    /// </summary>
    public static bool IsStuck(BigInteger maxFee, BigInteger tip, FeeEstimate today)
    {
        ArgumentNullException.ThrowIfNull(today);
        return maxFee < today.NextBaseFee + tip || tip < today.MaxPriorityFeePerGas;
    }

    /// <summary>
    /// The fees of a replacement for a transaction offering <paramref name="maxFee"/> and <paramref name="tip"/>, or
    /// null when <paramref name="cap"/> leaves no room for one that nodes would accept and that would be mined.
    /// The tip is the larger of the bumped old tip and today's tip (which the caller has already held under its tip
    /// cap: only the mandatory bump of our own earlier tip may exceed it); the max fee is the larger of the bumped old
    /// max fee and two next base fees plus the tip, at most <paramref name="cap"/>; under a tight cap the tip gives way
    /// (down to the bump) so that the max fee still covers the next base fee plus the tip.
    /// </summary>
    /// <param name="maxFee">The pending version's max fee per gas.</param>
    /// <param name="tip">The pending version's priority fee per gas.</param>
    /// <param name="today">Today's fees (next base fee and tip).</param>
    /// <param name="bumpPercent">How much both fees rise at least (raised to <see cref="MinBumpPercent"/>).</param>
    /// <param name="cap">The most the replacement may offer per gas.</param>
    public static (BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas)? Compute(
        BigInteger maxFee, BigInteger tip, FeeEstimate today, int bumpPercent, BigInteger cap)
    {
        ArgumentNullException.ThrowIfNull(today);
        var minTip = Bump(tip, bumpPercent);
        var minMaxFee = Bump(maxFee, bumpPercent);
        var newTip = BigInteger.Max(minTip, today.MaxPriorityFeePerGas);
        var newMaxFee = BigInteger.Min(BigInteger.Max(minMaxFee, (2 * today.NextBaseFee) + newTip), cap);
        newTip = BigInteger.Min(newTip, newMaxFee - today.NextBaseFee); // a tight cap gives up tip above the bump, not inclusion
        if (newMaxFee < minMaxFee || newTip < minTip)
        {
            return null;
        }

        return (newMaxFee, newTip);
    }
}
