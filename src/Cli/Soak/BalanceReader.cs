using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Soak;

/// <summary>Reads balances at a given block: ETH, and the ERC-20 collateral tokens the vault accepts.</summary>
public sealed class BalanceReader(EthClient client)
{
    private static readonly ContractFunction BalanceOf = new("balanceOf(address)", "uint256");

    /// <summary>The ETH balance of each account at <paramref name="block"/>.</summary>
    public async Task<Dictionary<Address, BigInteger>> EthAsync(IEnumerable<Address> accounts, ulong block, CancellationToken ct)
    {
        var balances = new Dictionary<Address, BigInteger>();
        foreach (var a in accounts.Distinct())
            balances[a] = await client.GetBalanceAsync(a, Quantity.Encode(block), ct).ConfigureAwait(false);
        return balances;
    }

    /// <summary>The ERC-20 balance of each account at <paramref name="block"/>, in the order given.</summary>
    public async Task<BigInteger[]> TokenAsync(Address token, IReadOnlyList<Address> accounts, ulong block, CancellationToken ct)
    {
        var result = new BigInteger[accounts.Count];
        for (int i = 0; i < accounts.Count; i++)
        {
            var data = await client.CallAsync(new CallRequest(null, token, BalanceOf.EncodeCall([accounts[i]])), Quantity.Encode(block), ct).ConfigureAwait(false);
            result[i] = (BigInteger)BalanceOf.DecodeOutput(data)[0]!;
        }
        return result;
    }

    /// <summary>The vault's ERC-20 collateral assets (asset 0, ETH, has no token).</summary>
    public static async Task<IReadOnlyList<(byte AssetId, Address Token)>> CollateralTokensAsync(ICollateralVault vault, CancellationToken ct)
    {
        var count = (int)await vault.AssetCountAsync(ct).ConfigureAwait(false);
        var tokens = new List<(byte, Address)>();
        for (int id = 0; id < count; id++)
        {
            var token = await vault.AssetTokenAsync(id, ct).ConfigureAwait(false);
            if (token != Address.Zero) tokens.Add(((byte)id, token));
        }
        return tokens;
    }
}
