using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>The balance sheet of one ERC-20 collateral token over the run's accounts (tokens pay no gas: the sums must match).</summary>
/// <param name="AssetId">The vault's asset id.</param>
/// <param name="Token">The token contract.</param>
/// <param name="Before">Sum of the tracked accounts' token balances at the first block.</param>
/// <param name="After">Sum at the last block.</param>
public sealed record TokenReport(byte AssetId, Address Token, BigInteger Before, BigInteger After)
{
    /// <summary>Whether the sums match.</summary>
    public bool Conserved => Before == After;
}
