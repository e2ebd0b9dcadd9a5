using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.ABI;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Projection;

namespace ProverMarketChain.Indexer.Ingest;

/// <summary>The four contracts the indexer follows.</summary>
/// <param name="ProverMarket">The market (its extension's events come from this address too: it runs by delegatecall).</param>
/// <param name="CollateralVault">The vault.</param>
/// <param name="CircuitRegistry">The registry.</param>
/// <param name="AskBook">The market's ask book.</param>
public sealed record MarketContracts(Address ProverMarket, Address CollateralVault, Address CircuitRegistry, Address AskBook)
{
    /// <summary>The addresses, for an <c>eth_getLogs</c> filter.</summary>
    public IReadOnlyList<Address> All => [ProverMarket, CollateralVault, CircuitRegistry, AskBook];
}

/// <summary>
/// Turns logs into <see cref="ChainEvent"/>s with the event ABIs of the generated bindings (Nethereum's
/// <c>EventTopicDecoder</c> on each <c>[Event]</c> DTO's ABI), so a new event in the contracts is decoded without a
/// change here. A log this decoder does not know (another contract's, or a topic no ABI has) is skipped and counted.
/// </summary>
public sealed class EventDecoder
{
    // Each followed contract's name (as stored in ChainEvent.Contract) and the generated services whose event DTOs it
    // emits (the market's extension runs by delegatecall, so its events come from the market's address).
    private static readonly (string Contract, Type[] Services)[] Sources =
    [
        ("ProverMarket", [typeof(ProverMarketService), typeof(ProverMarketExtensionService)]),
        ("CollateralVault", [typeof(CollateralVaultService)]),
        ("CircuitRegistry", [typeof(CircuitRegistryService)]),
        ("AskBook", [typeof(AskBookService)]),
    ];

    private readonly Dictionary<(Address, string), (string Contract, EventABI Abi)> _events = new();
    private readonly MarketContracts _contracts;

    /// <summary>Builds the table of the four contracts' events.</summary>
    public EventDecoder(MarketContracts contracts)
    {
        _contracts = contracts;
        var addresses = new Dictionary<string, Address>
        {
            ["ProverMarket"] = contracts.ProverMarket,
            ["CollateralVault"] = contracts.CollateralVault,
            ["CircuitRegistry"] = contracts.CircuitRegistry,
            ["AskBook"] = contracts.AskBook,
        };
        foreach (var (contract, abi) in EventAbis())
            _events.TryAdd((addresses[contract], abi.Sha3Signature.ToLowerInvariant()), (contract, abi));
    }

    /// <summary>
    /// Every (contract, event name) this decoder turns into a <see cref="ChainEvent"/>: the events of the four contracts'
    /// generated bindings (the market's and its extension's together), in a fixed order.
    /// </summary>
    public static IReadOnlyCollection<(string Contract, string Event)> KnownEvents { get; } =
        EventAbis().Select(e => (e.Contract, Event: e.Abi.Name)).Distinct().OrderBy(e => e.Contract, StringComparer.Ordinal)
            .ThenBy(e => e.Event, StringComparer.Ordinal).ToArray();

    /// <summary>The address and ABI of a followed event (for the benchmark, which encodes logs to decode); null when unknown.</summary>
    internal (Address Address, EventABI Abi)? Find(string contract, string name)
    {
        foreach (var ((address, _), ev) in _events)
            if (ev.Contract == contract && ev.Abi.Name == name) return (address, ev.Abi);
        return null;
    }

    /// <summary>Logs skipped as unknown.</summary>
    public long Unknown { get; private set; }

    private static IEnumerable<(string Contract, EventABI Abi)> EventAbis() =>
        from source in Sources
        from service in source.Services
        from type in service.GetNestedTypes()
        where typeof(IEventDTO).IsAssignableFrom(type)
        select (source.Contract, ABITypedRegistry.GetEvent(type));

    /// <summary>Decodes one log of block time <paramref name="timestamp"/>; null when it is not one of the followed events.</summary>
    /// <param name="log">The log.</param>
    /// <param name="timestamp">Its block's time.</param>
    /// <param name="gasShare">Gas attributed to its request (see <see cref="ChainEvent.GasShare"/>).</param>
    public ChainEvent? Decode(LogEntry log, ulong timestamp, long gasShare = 0)
    {
        if (log.Topics.Count == 0 || !_events.TryGetValue((log.Address, Hex.Encode(log.Topics[0], prefix: false)), out var ev))
        {
            Unknown++;
            return null;
        }
        var decoded = new EventTopicDecoder().DecodeDefaultTopics(ev.Abi, log.Topics.Select(t => (object)Hex.Encode(t)).ToArray(), Hex.Encode(log.Data));
        var data = new JsonObject();
        foreach (var p in decoded) data[p.Parameter.Name] = ToJson(p.Result, p.Parameter.ABIType);
        var e = new ChainEvent(log.BlockNumber, (int)log.LogIndex, Hex.Encode(log.BlockHash), Hex.Encode(log.TransactionHash), timestamp,
            ev.Contract, ev.Abi.Name, null, null, 0, data);
        var requestId = RequestIdOf(e);
        return e with { RequestId = requestId, AccountKey = AccountKeyOf(e), GasShare = requestId is null ? 0 : gasShare };
    }

    /// <summary>The request an event belongs to: the market's <c>requestId</c>, or the vault's slash <c>reason</c>.</summary>
    public static string? RequestIdOf(ChainEvent e) =>
        e.Data.ContainsKey("requestId") ? e.Text("requestId")
        : e.Contract == "CollateralVault" && e.Name == "Slashed" ? e.Text("reason")
        : null;

    /// <summary>The entity an event updates besides a request, if any (see <see cref="EntityFold"/>).</summary>
    public static string? AccountKeyOf(ChainEvent e) => e.Contract switch
    {
        "CollateralVault" when e.Data.ContainsKey("account") && e.Data.ContainsKey("assetId") => EntityFold.AccountKey(e.Address("account"), e.Long("assetId")),
        "AskBook" when e.Data.ContainsKey("prover") => EntityFold.AskKey(e.Long("circuitId"), e.Address("prover")),
        "CircuitRegistry" when e.Data.ContainsKey("circuitId") => EntityFold.CircuitKey(e.Long("circuitId")),
        _ => null,
    };

    // A requester chooses the inline input bytes and the input URI, so their size is the attacker's: the history keeps up
    // to these many bytes or characters and otherwise their length and keccak-256 (the chain keeps the whole value).
    internal const int MaxInlineBytes = 1024;
    internal const int MaxInlineChars = 2048;

    internal static JsonNode? ToJson(object? value, ABIType type) => value switch
    {
        null => null,
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        string s when type is AddressType => s.ToLowerInvariant(),
        string s when s.Length > MaxInlineChars => $"keccak256:{Hex.Encode(Keccak.Hash(System.Text.Encoding.UTF8.GetBytes(s)))} ({s.Length} characters)",
        string s => s,
        bool b => b,
        byte[] bytes when bytes.Length > MaxInlineBytes => $"keccak256:{Hex.Encode(Keccak.Hash(bytes))} ({bytes.Length} bytes)",
        byte[] bytes => Hex.Encode(bytes),
        List<ParameterOutput> tuple => Tuple(tuple),
        System.Collections.IEnumerable list => Array(list.Cast<object?>().ToList(), ElementType(type)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    // Arrays too (a request's public inputs): past MaxInlineItems the history keeps their count and the hash of their JSON.
    internal const int MaxInlineItems = 64;

    private static JsonNode Array(List<object?> items, ABIType elementType)
    {
        var array = new JsonArray(items.Select(v => ToJson(v, elementType)).ToArray());
        if (items.Count <= MaxInlineItems) return array;
        var all = array.ToJsonString();
        return $"keccak256:{Hex.Encode(Keccak.Hash(System.Text.Encoding.UTF8.GetBytes(all)))} ({items.Count} items)";
    }

    private static JsonObject Tuple(List<ParameterOutput> fields)
    {
        var o = new JsonObject();
        foreach (var f in fields) o[f.Parameter.Name] = ToJson(f.Result, f.Parameter.ABIType);
        return o;
    }

    private static ABIType ElementType(ABIType type) => type is ArrayType a ? a.ElementType : type;
}
