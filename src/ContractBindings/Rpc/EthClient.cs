using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>A block header subset.</summary>
/// <param name="Number">Block number.</param>
/// <param name="Hash">Block hash.</param>
/// <param name="ParentHash">Parent block hash.</param>
/// <param name="Timestamp">Unix timestamp.</param>
/// <param name="BaseFeePerGas">EIP-1559 base fee; null before London.</param>
/// <param name="GasLimit">Block gas limit.</param>
public sealed record BlockHeader(ulong Number, byte[] Hash, byte[] ParentHash, ulong Timestamp, BigInteger? BaseFeePerGas, ulong GasLimit);

/// <summary>The result of <c>eth_feeHistory</c>.</summary>
/// <param name="OldestBlock">First block covered.</param>
/// <param name="BaseFeePerGas">Base fees, one per block plus the next block's.</param>
/// <param name="GasUsedRatio">Fullness of each block.</param>
/// <param name="Reward">Priority fees at the requested percentiles, per block.</param>
public sealed record FeeHistory(ulong OldestBlock, IReadOnlyList<BigInteger> BaseFeePerGas, IReadOnlyList<double> GasUsedRatio, IReadOnlyList<IReadOnlyList<BigInteger>> Reward);

/// <summary>Parameters of <c>eth_call</c> / <c>eth_estimateGas</c>.</summary>
/// <param name="From">Sender.</param>
/// <param name="To">Recipient; null for a creation.</param>
/// <param name="Data">Call data.</param>
/// <param name="Value">Value in wei.</param>
/// <param name="Gas">Optional gas limit.</param>
public sealed record CallRequest(Address? From, Address? To, byte[] Data, BigInteger Value = default, ulong? Gas = null)
{
    internal Dictionary<string, object?> ToJson()
    {
        var map = new Dictionary<string, object?>();
        if (From is { } f)
        {
            map["from"] = f.ToLowerHex();
        }

        if (To is { } t)
        {
            map["to"] = t.ToLowerHex();
        }

        map["data"] = Hex.Encode(Data ?? []);
        if (!Value.IsZero)
        {
            map["value"] = Quantity.Encode(Value);
        }

        if (Gas is { } g)
        {
            map["gas"] = Quantity.Encode(g);
        }

        return map;
    }
}

/// <summary>
/// Typed Ethereum JSON-RPC methods over a <see cref="JsonRpcClient"/>. Reverts in <c>eth_call</c> and
/// <c>eth_estimateGas</c> surface as <see cref="ContractRevertException"/> decoded from the node's error data.
/// </summary>
public sealed class EthClient
{
    /// <summary>Wraps a JSON-RPC client.</summary>
    public EthClient(JsonRpcClient rpc)
    {
        Rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
    }

    /// <summary>The underlying JSON-RPC client (for batching or methods not wrapped here).</summary>
    public JsonRpcClient Rpc { get; }

    /// <summary><c>eth_chainId</c>.</summary>
    public async Task<ulong> ChainIdAsync(CancellationToken cancellationToken = default) =>
        Quantity.U64(await Rpc.SendAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_blockNumber</c>.</summary>
    public async Task<ulong> BlockNumberAsync(CancellationToken cancellationToken = default) =>
        Quantity.U64(await Rpc.SendAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getBalance</c> at <paramref name="blockTag"/> (default latest).</summary>
    public async Task<BigInteger> GetBalanceAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        Quantity.Big(await Rpc.SendAsync("eth_getBalance", [address.ToLowerHex(), blockTag], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getTransactionCount</c> at <paramref name="blockTag"/> (<c>pending</c> includes pool transactions).</summary>
    public async Task<ulong> GetTransactionCountAsync(Address address, string blockTag = "pending", CancellationToken cancellationToken = default) =>
        Quantity.U64(await Rpc.SendAsync("eth_getTransactionCount", [address.ToLowerHex(), blockTag], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_gasPrice</c>.</summary>
    public async Task<BigInteger> GasPriceAsync(CancellationToken cancellationToken = default) =>
        Quantity.Big(await Rpc.SendAsync("eth_gasPrice", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getCode</c>.</summary>
    public async Task<byte[]> GetCodeAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        Quantity.Data(await Rpc.SendAsync("eth_getCode", [address.ToLowerHex(), blockTag], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_call</c>; a revert throws <see cref="ContractRevertException"/> (standard errors decoded).</summary>
    /// <exception cref="ContractRevertException">The call reverted.</exception>
    public async Task<byte[]> CallAsync(CallRequest call, string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return Quantity.Data(await Rpc.SendAsync("eth_call", [call.ToJson(), blockTag], cancellationToken).ConfigureAwait(false));
        }
        catch (JsonRpcException e) when (TryGetRevert(e, out var revert))
        {
            throw revert;
        }
    }

    /// <summary><c>eth_estimateGas</c>; a revert throws <see cref="ContractRevertException"/>.</summary>
    /// <exception cref="ContractRevertException">Execution reverts.</exception>
    public async Task<ulong> EstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return Quantity.U64(await Rpc.SendAsync("eth_estimateGas", [call.ToJson()], cancellationToken).ConfigureAwait(false));
        }
        catch (JsonRpcException e) when (TryGetRevert(e, out var revert))
        {
            throw revert;
        }
    }

    /// <summary><c>eth_sendRawTransaction</c>; returns the transaction hash reported by the node.</summary>
    public async Task<byte[]> SendRawTransactionAsync(byte[] rawTransaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawTransaction);
        return Quantity.Data(await Rpc.SendAsync("eth_sendRawTransaction", [Hex.Encode(rawTransaction)], cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>eth_getTransactionReceipt</c>; null while the transaction is not mined.</summary>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(byte[] transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await Rpc.SendAsync("eth_getTransactionReceipt", [Hex.Encode(transactionHash)], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : ParseReceipt(result);
    }

    /// <summary>True when the node knows the transaction (pending or mined), via <c>eth_getTransactionByHash</c>.</summary>
    public async Task<bool> IsTransactionKnownAsync(byte[] transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await Rpc.SendAsync("eth_getTransactionByHash", [Hex.Encode(transactionHash)], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Object;
    }

    /// <summary><c>eth_getBlockByNumber</c> (header only); null when the block does not exist.</summary>
    public async Task<BlockHeader?> GetBlockByNumberAsync(ulong number, CancellationToken cancellationToken = default) =>
        ParseHeader(await Rpc.SendAsync("eth_getBlockByNumber", [Quantity.Encode(number), false], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getBlockByNumber</c> for a tag such as <c>latest</c>, <c>pending</c>, <c>finalized</c>.</summary>
    public async Task<BlockHeader?> GetBlockByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        ParseHeader(await Rpc.SendAsync("eth_getBlockByNumber", [tag, false], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getBlockByHash</c> (header only); null when the node does not know the block (for example a
    /// block of an abandoned branch that the node has dropped).</summary>
    public async Task<BlockHeader?> GetBlockByHashAsync(byte[] hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return ParseHeader(await Rpc.SendAsync("eth_getBlockByHash", [Hex.Encode(hash), false], cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Fetches several headers in one JSON-RPC batch; entries are null for blocks that do not exist.</summary>
    public async Task<IReadOnlyList<BlockHeader?>> GetBlocksByNumberAsync(IReadOnlyList<ulong> numbers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var calls = numbers.Select(n => ("eth_getBlockByNumber", (IReadOnlyList<object?>)[Quantity.Encode(n), false])).ToList();
        var results = await Rpc.SendBatchAsync(calls, cancellationToken).ConfigureAwait(false);
        return results.Select(r => ParseHeader(r.GetResultOrThrow())).ToList();
    }

    /// <summary><c>eth_feeHistory</c> over <paramref name="blockCount"/> blocks ending at <paramref name="newestBlock"/>.</summary>
    public async Task<FeeHistory> FeeHistoryAsync(int blockCount, string newestBlock, IReadOnlyList<double> rewardPercentiles, CancellationToken cancellationToken = default)
    {
        var r = await Rpc.SendAsync("eth_feeHistory", [Quantity.Encode((ulong)blockCount), newestBlock, rewardPercentiles.ToArray()], cancellationToken).ConfigureAwait(false);
        try
        {
            var baseFees = r.GetProperty("baseFeePerGas").EnumerateArray().Select(Quantity.Big).ToList();
            var ratios = r.TryGetProperty("gasUsedRatio", out var g) && g.ValueKind == JsonValueKind.Array ? g.EnumerateArray().Select(x => x.GetDouble()).ToList() : [];
            var rewards = r.TryGetProperty("reward", out var rw) && rw.ValueKind == JsonValueKind.Array
                ? rw.EnumerateArray().Select(row => (IReadOnlyList<BigInteger>)row.EnumerateArray().Select(Quantity.Big).ToList()).ToList()
                : [];
            return new FeeHistory(Quantity.U64(r, "oldestBlock"), baseFees, ratios, rewards);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new JsonRpcException($"eth_feeHistory returned a malformed result: {e.Message}", "eth_feeHistory", inner: e);
        }
    }

    /// <summary><c>eth_getLogs</c>.</summary>
    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var map = new Dictionary<string, object?>
        {
            ["fromBlock"] = Quantity.Encode(filter.FromBlock),
            ["toBlock"] = filter.ToBlock is { } to ? Quantity.Encode(to) : "latest",
        };
        if (filter.Addresses is { Count: > 0 } addresses)
        {
            map["address"] = addresses.Select(a => (object?)a.ToLowerHex()).ToArray();
        }

        if (filter.Topics is { Count: > 0 } topics)
        {
            map["topics"] = topics.Select(t => t is null ? null : (object?)Hex.Encode(t)).ToArray();
        }

        var result = await Rpc.SendAsync("eth_getLogs", [map], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw new JsonRpcException($"eth_getLogs returned {result.ValueKind}, expected an array.", "eth_getLogs");
        }

        return result.EnumerateArray().Select(ParseLog).ToList();
    }

    /// <summary>
    /// Extracts a revert from a node error: error code 3 or an "execution reverted"/"revert" message, with the revert
    /// payload from the error's <c>data</c> (a hex string, or an object with a <c>data</c> member).
    /// </summary>
    public static bool TryGetRevert(JsonRpcException error, out ContractRevertException revert)
    {
        ArgumentNullException.ThrowIfNull(error);
        revert = null!;
        if (error is TransientJsonRpcException || !ContractErrors.IsRevertError(error.Code, error.NodeMessage))
        {
            return false;
        }

        revert = ContractRevertException.FromRevertData(ContractErrors.RevertPayload(error.ErrorData));
        return true;
    }

    internal static TransactionReceipt ParseReceipt(JsonElement r)
    {
        var contract = Quantity.OptStr(r, "contractAddress");
        var logs = r.TryGetProperty("logs", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().Select(ParseLog).ToList() : [];
        var status = Quantity.OptStr(r, "status");
        var price = Quantity.OptStr(r, "effectiveGasPrice");
        return new TransactionReceipt(
            Quantity.Data(r, "transactionHash"),
            Quantity.U64(r, "blockNumber"),
            Quantity.Data(r, "blockHash"),
            status is null || Quantity.ParseBig(status) == 1,
            Quantity.U64(r, "gasUsed"),
            price is null ? BigInteger.Zero : Quantity.ParseBig(price),
            contract is null ? null : Address.Parse(contract),
            logs);
    }

    internal static LogEntry ParseLog(JsonElement e)
    {
        var topics = e.TryGetProperty("topics", out var t) && t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(Quantity.Data).ToList() : [];
        bool removed = e.TryGetProperty("removed", out var rm) && rm.ValueKind == JsonValueKind.True;
        return new LogEntry(
            Address.Parse(Quantity.Str(e, "address")),
            topics,
            Quantity.Data(e, "data"),
            Quantity.U64(e, "blockNumber"),
            Quantity.Data(e, "blockHash"),
            Quantity.Data(e, "transactionHash"),
            Quantity.U64(e, "logIndex"),
            removed);
    }

    private static BlockHeader? ParseHeader(JsonElement b)
    {
        if (b.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var baseFee = Quantity.OptStr(b, "baseFeePerGas");
        return new BlockHeader(
            Quantity.U64(b, "number"),
            Quantity.Data(b, "hash"),
            Quantity.Data(b, "parentHash"),
            Quantity.U64(b, "timestamp"),
            baseFee is null ? null : Quantity.ParseBig(baseFee),
            Quantity.U64(b, "gasLimit"));
    }
}
