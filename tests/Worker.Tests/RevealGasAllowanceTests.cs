using System.Numerics;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Worker.Tests;

/// <summary>A reveal's fee cap: a share of its ETH bond spread over its gas limit, never below the normal cap.</summary>
public sealed class RevealGasAllowanceTests
{
    private static readonly BigInteger Gwei = BigInteger.Pow(10, 9);
    private static readonly BigInteger Bond = BigInteger.Pow(10, 17); // 0.1 ETH

    [Fact]
    public void AnEthBond_raisesTheCapToItsShareOverTheGasLimit()
    {
        var cap = RevealGasAllowance.FeeCap(Bond, 0, shareBps: 5000, gasLimit: 100_000, normalCap: 20 * Gwei);
        Assert.Equal(500 * Gwei, cap); // 0.05 ETH over 100k gas
    }

    [Fact]
    public void MoreGas_lowersThePricePerGas_notTheTotal()
    {
        // Rival bids can make a reveal burn more gas: the most it may cost stays the share of the bond.
        foreach (ulong gas in new ulong[] { 80_000, 400_000, 5_000_000 })
        {
            var cap = RevealGasAllowance.FeeCap(Bond, 0, 1000, gas, Gwei);
            Assert.True(cap * gas <= Bond / 10, $"{gas} gas at {cap} costs over the share");
        }
    }

    [Theory]
    [InlineData(1, 5000)] // a bond in a token: its nominal amount says nothing in ETH
    [InlineData(0, 0)]    // disabled
    public void ATokenBond_orAZeroShare_keepsTheNormalCap(byte assetId, int shareBps)
    {
        Assert.Equal(20 * Gwei, RevealGasAllowance.FeeCap(BigInteger.Pow(10, 30), assetId, shareBps, 100_000, 20 * Gwei));
    }

    [Fact]
    public void ASmallBond_neverLowersTheNormalCap()
    {
        Assert.Equal(20 * Gwei, RevealGasAllowance.FeeCap(1000, 0, 5000, 100_000, 20 * Gwei));
    }
}
