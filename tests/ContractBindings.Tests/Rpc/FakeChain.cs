using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

/// <summary>
/// An in-memory JSON-RPC node (an HTTP handler for <see cref="JsonRpcClient"/>) serving the methods a
/// <see cref="LogPoller"/> uses: a chain of blocks with one log per block (data = the block number), branches for
/// reorganisations, an optional limit on the <c>eth_getLogs</c> range, and a count of every method called (batch items
/// counted one by one).
/// </summary>
internal sealed class FakeChain : HttpMessageHandler
{
    public static readonly Address Emitter = Address.FromBytes(Enumerable.Repeat((byte)0xee, 20).ToArray());
    public static readonly byte[] Topic = Enumerable.Repeat((byte)0x77, 32).ToArray();

    private readonly object _gate = new();
    private readonly List<Block> _chain = [];
    private readonly Dictionary<string, Block> _byHash = [];
    private int _branch;

    public FakeChain(int blocks) => Extend(blocks);

    private sealed record Block(ulong Number, byte[] Hash, byte[] ParentHash, bool HasLog);

    /// <summary>Calls per JSON-RPC method.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    /// <summary>When set, <c>eth_getLogs</c> over more blocks is refused with <see cref="RangeErrorCode"/> and <see cref="RangeErrorMessage"/>.</summary>
    public ulong? MaxLogRange { get; set; }

    public int RangeErrorCode { get; set; } = -32005;

    public string RangeErrorMessage { get; set; } = "query returned more than 10000 results";

    /// <summary>Whether <c>eth_getBlockByHash</c> still serves blocks of abandoned branches (geth does for a while; anvil does not).</summary>
    public bool KeepsAbandonedBlocks { get; set; } = true;

    public ulong Head
    {
        get
        {
            lock (_gate)
            {
                return _chain[^1].Number;
            }
        }
    }

    public int CallsTo(string method) => Calls.GetValueOrDefault(method);

    /// <summary>The hash of block <paramref name="number"/> on the current chain.</summary>
    public byte[] HashOf(ulong number)
    {
        lock (_gate)
        {
            return _chain[(int)number].Hash;
        }
    }

    /// <summary>Appends <paramref name="count"/> blocks, each with one log unless <paramref name="withLogs"/> is false.</summary>
    public void Extend(int count, bool withLogs = true)
    {
        lock (_gate)
        {
            for (int i = 0; i < count; i++)
            {
                ulong number = (ulong)_chain.Count;
                var parent = number == 0 ? new byte[32] : _chain[^1].Hash;
                var hash = new byte[32];
                BitConverter.TryWriteBytes(hash.AsSpan(0, 8), number);
                BitConverter.TryWriteBytes(hash.AsSpan(8, 4), _branch);
                hash[31] = 0xb1;
                var block = new Block(number, hash, parent, withLogs && number > 0);
                _chain.Add(block);
                _byHash[Hex.Encode(hash)] = block;
            }
        }
    }

    /// <summary>Abandons every block above <paramref name="forkPoint"/> and grows a new branch of <paramref name="newBlocks"/> blocks on it.</summary>
    public void Reorg(ulong forkPoint, int newBlocks)
    {
        lock (_gate)
        {
            foreach (var abandoned in _chain.Skip((int)forkPoint + 1))
            {
                if (!KeepsAbandonedBlocks)
                {
                    _byHash.Remove(Hex.Encode(abandoned.Hash));
                }
            }

            _chain.RemoveRange((int)forkPoint + 1, _chain.Count - (int)forkPoint - 1);
            _branch++;
        }

        Extend(newBlocks);
    }

    /// <summary>The block numbers whose logs a log carries (data = block number, as 8 bytes).</summary>
    public static ulong LogBlock(LogEntry log) => BitConverter.ToUInt64(log.Data);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
        var root = doc.RootElement;
        string body = root.ValueKind == JsonValueKind.Array
            ? "[" + string.Join(",", root.EnumerateArray().Select(Answer)) + "]"
            : Answer(root);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    private string Answer(JsonElement call)
    {
        string method = call.GetProperty("method").GetString()!;
        long id = call.GetProperty("id").GetInt64();
        var p = call.GetProperty("params");
        Calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        string Ok(string result) => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{result}}}";
        lock (_gate)
        {
            switch (method)
            {
                case "eth_blockNumber":
                    return Ok(Q(_chain[^1].Number));
                case "eth_getBlockByNumber":
                {
                    string tag = p[0].GetString()!;
                    ulong n = tag == "latest" ? _chain[^1].Number : Quantity.ParseULong(tag);
                    return Ok(n < (ulong)_chain.Count ? Header(_chain[(int)n]) : "null");
                }

                case "eth_getBlockByHash":
                    return Ok(_byHash.TryGetValue(p[0].GetString()!, out var b) ? Header(b) : "null");
                case "eth_getLogs":
                {
                    var filter = p[0];
                    ulong from = Quantity.ParseULong(filter.GetProperty("fromBlock").GetString()!);
                    string toText = filter.GetProperty("toBlock").GetString()!;
                    ulong to = Math.Min(toText == "latest" ? ulong.MaxValue : Quantity.ParseULong(toText), _chain[^1].Number);
                    if (MaxLogRange is { } max && to >= from && to - from + 1 > max)
                    {
                        return $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":{RangeErrorCode},\"message\":\"{RangeErrorMessage}\"}}}}";
                    }

                    var logs = _chain.Where(x => x.HasLog && x.Number >= from && x.Number <= to).Select(Log);
                    return Ok("[" + string.Join(",", logs) + "]");
                }

                default:
                    return $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32601,\"message\":\"method {method} not found\"}}}}";
            }
        }
    }

    private static string Q(ulong n) => "\"" + Quantity.Encode(n) + "\"";

    private static string Header(Block b) =>
        $"{{\"number\":{Q(b.Number)},\"hash\":\"{Hex.Encode(b.Hash)}\",\"parentHash\":\"{Hex.Encode(b.ParentHash)}\",\"timestamp\":{Q(1_700_000_000 + b.Number)},\"gasLimit\":\"0x1c9c380\",\"baseFeePerGas\":\"0x7\"}}";

    private static string Log(Block b)
    {
        var tx = (byte[])b.Hash.Clone();
        tx[31] = 0x7c;
        return $"{{\"address\":\"{Emitter.ToLowerHex()}\",\"topics\":[\"{Hex.Encode(Topic)}\"],\"data\":\"{Hex.Encode(BitConverter.GetBytes(b.Number))}\","
            + $"\"blockNumber\":{Q(b.Number)},\"blockHash\":\"{Hex.Encode(b.Hash)}\",\"transactionHash\":\"{Hex.Encode(tx)}\",\"logIndex\":\"0x0\",\"removed\":false}}";
    }

    public override string ToString() => string.Join(", ", Calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value}")));
}
