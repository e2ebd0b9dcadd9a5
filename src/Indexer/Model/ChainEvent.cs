using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace ProverMarketChain.Indexer.Model;

/// <summary>
/// One decoded contract event as the indexer stores it: where it happened, which contract and event, the projection
/// keys it touches, and its fields as JSON (numbers as decimal strings, addresses and bytes as lowercase 0x-hex, tuples
/// as objects, arrays as arrays).
/// </summary>
/// <param name="Block">Block number.</param>
/// <param name="LogIndex">Log index in the block.</param>
/// <param name="BlockHash">Block hash (0x-hex).</param>
/// <param name="TxHash">Transaction hash (0x-hex).</param>
/// <param name="Timestamp">Block time (unix seconds).</param>
/// <param name="Contract">ProverMarket, CollateralVault, AskBook or CircuitRegistry.</param>
/// <param name="Name">The event's name.</param>
/// <param name="RequestId">The request it belongs to, if any (0x-hex).</param>
/// <param name="AccountKey">The other projection key it touches (a vault account, an ask, a circuit), if any.</param>
/// <param name="GasShare">This transaction's gas divided among the requests it touched (0 for events of no request).</param>
/// <param name="Data">The decoded fields.</param>
public sealed record ChainEvent(
    ulong Block, int LogIndex, string BlockHash, string TxHash, ulong Timestamp, string Contract, string Name,
    string? RequestId, string? AccountKey, long GasShare, JsonObject Data)
{
    /// <summary>A field (a dotted name reaches into a tuple, e.g. <c>request.maxFee</c>).</summary>
    /// <exception cref="InvalidDataException">The field is missing: names the event and the field.</exception>
    public JsonNode Field(string name)
    {
        JsonNode? node = Data;
        foreach (var part in name.Split('.'))
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var v) ? v : null;
        return node ?? throw new InvalidDataException($"{Name} at block {Block} log {LogIndex} has no field '{name}'");
    }

    /// <summary>A string field (address, hex, or decimal number).</summary>
    public string Text(string name) => Field(name).GetValue<string>();

    /// <summary>An unsigned integer field of any width.</summary>
    public BigInteger Big(string name) => BigInteger.Parse(Text(name), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>
    /// An integer field as 64 bits, saturating at <see cref="long.MaxValue"/>: a uint64 a participant chooses (a circuit's
    /// proving units, a nonce) may exceed it, and must not stop the indexer.
    /// </summary>
    public long Long(string name)
    {
        var v = Big(name);
        return v > long.MaxValue ? long.MaxValue : (long)v;
    }

    /// <summary>An address field (lowercase 0x-hex).</summary>
    public string Address(string name) => Text(name);
}
