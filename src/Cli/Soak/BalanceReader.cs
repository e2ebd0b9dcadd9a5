using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Soak;

/// <summary>Reads balances at a given block: ETH, and the ERC-20 collateral tokens the vault accepts.</summary>
public sealed class BalanceReader(EthClient client)
{
    /// <summary>ERC-20 <c>balanceOf(address)</c>.</summary>
    [Function("balanceOf", "uint256")]
    private sealed class BalanceOfFunction : FunctionMessage
    {
        [Parameter("address", "account", 1)]
        public string Account { get; set; } = string.Empty;
    }

    /// <summary>Its output.</summary>
    [FunctionOutput]
    private sealed class BalanceOfOutput : IFunctionOutputDTO
    {
        [Parameter("uint256", "balance", 1)]
        public BigInteger Balance { get; set; }
    }

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
            var call = new BalanceOfFunction { Account = accounts[i] }.GetCallData();
            var data = await client.CallAsync(new CallRequest(null, token, call), Quantity.Encode(block), ct).ConfigureAwait(false);
            result[i] = new FunctionCallDecoder().DecodeFunctionOutput<BalanceOfOutput>(Hex.Encode(data)).Balance;
        }
        return result;
    }

    /// <summary>The vault's ERC-20 collateral assets (asset 0, ETH, has no token).</summary>
    public static async Task<IReadOnlyList<(byte AssetId, Address Token)>> CollateralTokensAsync(ICollateralVaultService vault, CancellationToken ct)
    {
        var count = (int)await vault.AssetCountQueryAsync().ConfigureAwait(false);
        var tokens = new List<(byte, Address)>();
        for (int id = 0; id < count; id++)
        {
            var token = await vault.AssetTokenQueryAsync(id).ConfigureAwait(false);
            if (token != Address.Zero) tokens.Add(((byte)id, Address.Parse(token)));
        }
        return tokens;
    }
}
