using System.Globalization;
using System.Numerics;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Lifecycle;

/// <summary>anvil-only RPC used by the lifecycle tests: time travel, funding, the latest block's timestamp.</summary>
internal sealed class ChainControl(AnvilFixture anvil)
{
    private readonly JsonRpcClient _rpc = anvil.CreateRpc();
    private readonly EthClient _client = anvil.CreateClient();

    public EthClient Client => _client;

    /// <summary>Moves the chain clock forward and mines a block at the new time.</summary>
    public async Task AdvanceAsync(ulong seconds)
    {
        await _rpc.SendAsync("evm_increaseTime", [seconds]);
        await _rpc.SendAsync("evm_mine", []);
    }

    public async Task<ulong> NowAsync() => (await _client.GetBlockByTagAsync("latest"))!.Timestamp;

    /// <summary>A fresh funded account with a signer.</summary>
    public async Task<Signer> NewFundedSignerAsync(BigInteger wei)
    {
        var key = EthKey.Generate();
        await _rpc.SendAsync("anvil_setBalance", [key.Address.ToString(), "0x" + wei.ToString("x", CultureInfo.InvariantCulture).TrimStart('0')]);
        return new Signer(anvil.CreateClient(), key, new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) });
    }

    /// <summary>
    /// Deploys an accept-all Groth16 verifier stand-in: its runtime returns the 32-byte word <paramref name="publicInputCount"/>
    /// for every call, so <c>publicInputCount()</c> reports it and <c>verifyProof</c> (no return value) succeeds.
    /// Creation code: CODECOPY the 10-byte runtime <c>PUSH1 n PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN</c> and return it.
    /// </summary>
    public static async Task<Address> DeployAcceptAllVerifierAsync(IContractTransport transport, byte publicInputCount)
    {
        var code = Hex.Decode("0x600a600c600039600a6000f3" + "60" + publicInputCount.ToString("x2", CultureInfo.InvariantCulture) + "60005260206000f3");
        var receipt = await transport.SendTransactionAsync(null, code, BigInteger.Zero);
        return receipt.ContractAddress ?? throw new InvalidOperationException("verifier deployment returned no address");
    }
}
