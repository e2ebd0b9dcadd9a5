using System.Numerics;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// What a sealed bid's reveal may pay per gas: the normal (obligation) cap, or more when a share of the bond the reveal
/// protects allows it, since an unrevealed bid forfeits the whole bond. The allowance is a total:
/// <c>cap = bond × shareBps / 10000 / gasLimit</c>, so what the reveal can cost (max fee per gas × gas limit) never
/// exceeds the share, however much gas it burns.
/// <para>
/// Who could turn this against the worker, and what bounds it:
/// <list type="bullet">
/// <item>A requester sizing the bond: the bond is the request's <c>minCollateral</c>, which the exposure limits
/// (<c>maxCollateralPerJobWei</c>) cap before the worker ever bids, and the allowance is a share of it.</item>
/// <item>A requester naming a token as the bond asset: only an ETH bond (asset 0) raises the cap; a token's nominal
/// amount says nothing about its value in the ETH that gas is paid in.</item>
/// <item>Rival bidders making the reveal burn more gas (it ranks the bid among those revealed): a larger gas limit
/// lowers the price per gas the share allows, never the total.</item>
/// <item>Anyone spiking the base fee to make the reveal expensive or to make the worker forfeit: the worker pays
/// today's fee, at most the share (beyond it the bond is forfeited, as without this allowance), while the spiker pays
/// that base fee on all the block space it fills.</item>
/// <item>Fee-history tips inflated by the same parties: the tip stays within the configured tip bounds.</item>
/// </list>
/// </para>
/// </summary>
internal static class RevealGasAllowance
{
    /// <summary>The ETH asset id: only bonds in it raise the cap.</summary>
    private const byte EthAsset = 0;

    /// <summary>
    /// The fee cap per gas of a reveal with <paramref name="gasLimit"/>: the larger of <paramref name="normalCap"/> and
    /// the bond share spread over the gas limit (the normal cap alone when the bond is not in ETH, or the share is 0).
    /// </summary>
    public static BigInteger FeeCap(BigInteger bond, byte assetId, int shareBps, ulong gasLimit, BigInteger normalCap)
    {
        if (assetId != EthAsset || shareBps <= 0 || bond.Sign <= 0 || gasLimit == 0) return normalCap;
        var budget = bond * shareBps / 10_000;
        return BigInteger.Max(normalCap, budget / gasLimit);
    }
}
