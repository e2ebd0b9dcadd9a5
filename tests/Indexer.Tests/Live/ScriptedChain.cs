using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.Indexer.Tests.Live;

/// <summary>anvil with a fixed genesis time, so that every timestamp of a scripted history is the same on every run.</summary>
public sealed class ScriptedAnvil : AnvilFixture
{
    /// <summary>Genesis block time (unix seconds).</summary>
    public const ulong Genesis = 1_750_000_000;

    /// <inheritdoc />
    protected override string ExtraArguments => $"--timestamp {Genesis}";
}

/// <summary>
/// A private anvil driven block by block: every transaction is mined alone in its own block (automine), each block is one
/// second after the one before (<c>anvil_setBlockTimestampInterval</c>) unless <see cref="AdvanceToAsync"/> jumps, and
/// any address can send (<c>anvil_autoImpersonateAccount</c>), so a script needs no keys, no nonce bookkeeping and no
/// transaction tracker that could re-send a transaction a reorganisation removed. <see cref="SnapshotAsync"/> and
/// <see cref="RevertAsync"/> stage reorganisations: the blocks after a snapshot are thrown away and the same heights
/// are mined again with other transactions (and so other hashes).
/// </summary>
public sealed class ScriptedChain : IAsyncDisposable
{
    private static readonly IReadOnlyList<Type> ErrorTypes =
    [
        .. IProverMarketService.ErrorTypes, .. CollateralVaultService.ErrorTypes, .. CircuitRegistryService.ErrorTypes, .. AskBookService.ErrorTypes,
    ];

    private const ulong GasLimit = 8_000_000;

    private readonly ScriptedAnvil _anvil;
    private readonly JsonRpcClient _control;

    private ScriptedChain(ScriptedAnvil anvil)
    {
        _anvil = anvil;
        // No retries: a retried eth_sendTransaction whose first attempt went through would send the call twice.
        _control = new JsonRpcClient(anvil.Endpoint, new JsonRpcClientOptions { AttemptTimeout = TimeSpan.FromSeconds(20), OverallTimeout = TimeSpan.FromSeconds(30), MaxRetries = 0 });
        Client = anvil.CreateClient();
    }

    /// <summary>The anvil (its endpoint and signers).</summary>
    public AnvilFixture Anvil => _anvil;

    /// <summary>A client for reads (and for the indexer).</summary>
    public EthClient Client { get; }

    /// <summary>A read-only Web3 for the generated services' queries.</summary>
    public Nethereum.Web3.Web3 Reader => SignerWeb3.ReadOnly(Client);

    /// <summary>Starts a fresh anvil and sets it up for scripting.</summary>
    public static async Task<ScriptedChain> StartAsync()
    {
        var anvil = new ScriptedAnvil();
        await anvil.InitializeAsync();
        var chain = new ScriptedChain(anvil);
        await chain.RpcAsync("anvil_setBlockTimestampInterval", 1);
        await chain.RpcAsync("anvil_autoImpersonateAccount", true);
        return chain;
    }

    /// <summary>A deterministic address for a script role (the last 20 bytes of the keccak of its name).</summary>
    public static Address Named(string name) => Address.FromBytes(Keccak.Hash(Encoding.UTF8.GetBytes("pmc-scripted:" + name)).AsSpan(12));

    /// <summary>Sets an account's ETH balance (no transaction, no block).</summary>
    public Task FundAsync(Address account, BigInteger wei) => RpcAsync("anvil_setBalance", account.ToLowerHex(), Quantity.Encode(wei));

    /// <summary>The newest block's number.</summary>
    public Task<ulong> HeadAsync() => Client.BlockNumberAsync();

    /// <summary>The newest block's time.</summary>
    public async Task<ulong> NowAsync() => (await Client.GetBlockByTagAsync("latest"))!.Timestamp;

    /// <summary>Mines an empty block at <paramref name="timestamp"/> (after it, blocks go on one second apart).</summary>
    public async Task AdvanceToAsync(ulong timestamp)
    {
        var now = await NowAsync();
        if (timestamp <= now) throw new InvalidOperationException($"cannot move time back: the head is at {now}, asked for {timestamp}");
        await RpcAsync("evm_setNextBlockTimestamp", timestamp);
        await RpcAsync("evm_mine");
    }

    /// <summary>Mines an empty block <paramref name="seconds"/> after the head.</summary>
    public async Task AdvanceAsync(ulong seconds) => await AdvanceToAsync(await NowAsync() + seconds);

    /// <summary>Takes a snapshot of the chain; returns its id for <see cref="RevertAsync"/>.</summary>
    public async Task<string> SnapshotAsync() => (await _control.SendAsync("evm_snapshot", [])).GetString()!;

    /// <summary>Throws away every block after the snapshot <paramref name="id"/>.</summary>
    public async Task RevertAsync(string id)
    {
        var ok = await _control.SendAsync("evm_revert", [id]);
        if (ok.ValueKind != JsonValueKind.True) throw new InvalidOperationException($"evm_revert {id} failed: {ok}");
    }

    /// <summary>
    /// Sends <paramref name="call"/> (its <c>AmountToSend</c> as value) from <paramref name="from"/> to
    /// <paramref name="to"/> and returns the receipt of the block that mined it. A call that reverts throws with the
    /// decoded custom error (replayed on the state before its block).
    /// </summary>
    public Task<TransactionReceipt> SendAsync<TCall>(Address from, string to, TCall call)
        where TCall : FunctionMessage, new() =>
        SendAsync(from, Address.Parse(to), call.GetCallData(), call.AmountToSend, call.GetType().Name);

    /// <summary>
    /// Deploys the forge artifact <c>out/<paramref name="contract"/>.sol/<paramref name="contract"/>.json</c> (a test
    /// contract the bindings do not cover) with 32-byte constructor arguments <paramref name="words"/>.
    /// </summary>
    public async Task<Address> DeployArtifactAsync(Address from, string contract, params BigInteger[] words)
    {
        var path = Path.Combine(RepoPaths.Root, "out", contract + ".sol", contract + ".json");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var code = Hex.Decode(doc.RootElement.GetProperty("bytecode").GetProperty("object").GetString()!);
        var data = new byte[code.Length + 32 * words.Length];
        code.CopyTo(data, 0);
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i].ToByteArray(isUnsigned: true, isBigEndian: true);
            w.CopyTo(data, code.Length + 32 * i + 32 - w.Length);
        }
        var receipt = await SendAsync(from, null, data, BigInteger.Zero, "deploy " + contract);
        return receipt.ContractAddress ?? throw new InvalidOperationException($"deploying {contract} created no contract");
    }

    private async Task<TransactionReceipt> SendAsync(Address from, Address? to, byte[] data, BigInteger value, string what)
    {
        var tx = new Dictionary<string, object?>
        {
            ["from"] = from.ToLowerHex(),
            ["data"] = Hex.Encode(data),
            ["value"] = Quantity.Encode(value),
            // A fixed limit: anvil's own estimate (with no limit given) fell short for a Dutch lock here, and a script
            // needs no estimate. The indexer counts the gas used, not the limit.
            ["gas"] = Quantity.Encode(GasLimit),
        };
        if (to is { } t) tx["to"] = t.ToLowerHex();
        JsonElement hash;
        try
        {
            hash = await _control.SendAsync("eth_sendTransaction", [tx]);
        }
        catch (JsonRpcException e) when (EthClient.TryGetRevert(e, out var revert))
        {
            var why = ContractErrors.TryDecode(revert.RevertData, ErrorTypes, out var typed) ? typed.Message : revert.Message;
            throw new InvalidOperationException($"{what} from {from} reverts: {why}", e);
        }
        var txHash = Hex.Decode(hash.GetString()!);
        // Automine: the block is mined before eth_sendTransaction answers; the loop only covers a slow node.
        for (var attempt = 0; attempt < 500; attempt++)
        {
            if (await Client.GetTransactionReceiptAsync(txHash) is { } receipt)
            {
                if (!receipt.Succeeded) throw new InvalidOperationException($"{what} from {from} was mined but failed (tx {Hex.Encode(txHash)}, gas used {receipt.GasUsed}): {await ReplayAsync(tx, receipt.BlockNumber)}");
                return receipt;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"no receipt for {what} (tx {Hex.Encode(txHash)})");
    }

    // Why a mined transaction failed: the same call on the state before its block (it was alone in the block).
    private async Task<string> ReplayAsync(Dictionary<string, object?> tx, ulong block)
    {
        try
        {
            await _control.SendAsync("eth_call", [tx, Quantity.Encode(block - 1)]);
            return "the call succeeds on the state before the block (out of gas?)";
        }
        catch (JsonRpcException e) when (EthClient.TryGetRevert(e, out var revert))
        {
            return ContractErrors.TryDecode(revert.RevertData, ErrorTypes, out var typed) ? typed.Message : revert.Message;
        }
    }

    private Task<JsonElement> RpcAsync(string method, params object?[] parameters) => _control.SendAsync(method, parameters);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _anvil.DisposeAsync();
    }

    /// <summary>A decimal string (for messages).</summary>
    public static string Dec(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);
}
