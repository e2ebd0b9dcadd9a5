using System.Text;
using ProverMarketChain.ContractBindings.Abi;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// An event declared in a contract's ABI: matches and decodes logs, and builds <c>eth_getLogs</c> filters. Indexed
/// parameters of reference types (<c>string</c>, <c>bytes</c>, arrays, structs) are stored by the EVM as the keccak256
/// hash of their encoding, so they decode to that 32-byte hash.
/// </summary>
public sealed class ContractEvent
{
    private readonly AbiType[] _dataTypes;

    /// <summary>Creates the description of an event.</summary>
    /// <param name="signature">Canonical signature, e.g. <c>Committed(uint256,address,bytes32)</c>.</param>
    /// <param name="anonymous">Whether the event is anonymous (no signature topic).</param>
    /// <param name="indexed">For each parameter, whether it is indexed.</param>
    /// <exception cref="FormatException">The signature is malformed.</exception>
    /// <exception cref="ArgumentException">The flags do not match the parameters, or too many parameters are indexed.</exception>
    public ContractEvent(string signature, bool anonymous, params bool[] indexed)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(indexed);
        int open = signature.IndexOf('(');
        if (open <= 0 || !signature.EndsWith(')'))
        {
            throw new FormatException($"'{signature}' is not an event signature of the form Name(types).");
        }

        Name = signature[..open];
        Signature = signature;
        Anonymous = anonymous;
        Parameters = AbiType.ParseList(signature[(open + 1)..^1]);
        if (indexed.Length != Parameters.Count)
        {
            throw new ArgumentException($"Event {signature} has {Parameters.Count} parameters but {indexed.Length} indexed flags were given.", nameof(indexed));
        }

        Indexed = (bool[])indexed.Clone();
        IndexedCount = Indexed.Count(x => x);
        if (IndexedCount > (anonymous ? 4 : 3))
        {
            throw new ArgumentException($"Event {signature} indexes {IndexedCount} parameters; at most {(anonymous ? 4 : 3)} are possible.", nameof(indexed));
        }

        Topic0 = AbiSignature.EventTopic(signature);
        _dataTypes = Parameters.Where((_, i) => !Indexed[i]).ToArray();
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The canonical signature.</summary>
    public string Signature { get; }

    /// <summary>Whether the event is anonymous.</summary>
    public bool Anonymous { get; }

    /// <summary><c>keccak256(signature)</c>, the first topic of a non-anonymous event's logs.</summary>
    public byte[] Topic0 { get; }

    /// <summary>All parameter types, in declaration order.</summary>
    public IReadOnlyList<AbiType> Parameters { get; }

    /// <summary>For each parameter, whether it is indexed.</summary>
    public IReadOnlyList<bool> Indexed { get; }

    /// <summary>How many parameters are indexed.</summary>
    public int IndexedCount { get; }

    /// <summary>Whether an indexed parameter of this type is stored as a hash (reference types).</summary>
    public static bool IsHashedWhenIndexed(AbiType type) =>
        type is AbiBytes or AbiString or AbiArray or AbiFixedArray or AbiTuple;

    /// <summary>
    /// Decodes a log of this event into its parameter values in declaration order (hashed indexed parameters as their
    /// 32-byte topic). Returns false when the log is not of this event or its data is malformed for it: logs of another
    /// event with the same signature but a different set of indexed parameters do not match.
    /// </summary>
    public bool TryDecode(LogEntry log, out object?[] values)
    {
        ArgumentNullException.ThrowIfNull(log);
        values = [];
        int first = Anonymous ? 0 : 1;
        if (log.Topics is null || log.Topics.Count != first + IndexedCount)
        {
            return false;
        }

        if (!Anonymous && !log.Topics[0].AsSpan().SequenceEqual(Topic0))
        {
            return false;
        }

        object?[] data;
        try
        {
            data = AbiCodec.Decode(_dataTypes, log.Data ?? []);
        }
        catch (AbiDecodingException)
        {
            return false;
        }

        var result = new object?[Parameters.Count];
        int topic = first;
        int dataIndex = 0;
        for (int i = 0; i < result.Length; i++)
        {
            if (!Indexed[i])
            {
                result[i] = data[dataIndex++];
                continue;
            }

            var t = log.Topics[topic++];
            if (t is null || t.Length != 32)
            {
                return false;
            }

            if (IsHashedWhenIndexed(Parameters[i]))
            {
                result[i] = (byte[])t.Clone();
                continue;
            }

            try
            {
                result[i] = AbiCodec.Decode([Parameters[i]], t)[0];
            }
            catch (AbiDecodingException)
            {
                return false;
            }
        }

        values = result;
        return true;
    }

    /// <summary>
    /// The topic that an indexed parameter with this value has: the ABI word for value types, keccak256 of the bytes for
    /// <c>string</c>/<c>bytes</c>; for arrays and structs pass the 32-byte hash itself.
    /// </summary>
    /// <param name="parameterIndex">Index of the parameter in declaration order.</param>
    /// <param name="value">The value (ABI value mapping as in <see cref="AbiCodec"/>).</param>
    /// <exception cref="ArgumentException">The parameter is not indexed, or the value does not fit it.</exception>
    public byte[] EncodeTopic(int parameterIndex, object value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(parameterIndex, Parameters.Count);
        ArgumentNullException.ThrowIfNull(value);
        if (!Indexed[parameterIndex])
        {
            throw new ArgumentException($"Parameter {parameterIndex} of {Signature} is not indexed; it cannot be filtered on.", nameof(parameterIndex));
        }

        var type = Parameters[parameterIndex];
        switch (type)
        {
            case AbiString:
                return Keccak.Hash(Encoding.UTF8.GetBytes(value as string
                    ?? throw new ArgumentException($"Parameter {parameterIndex} of {Signature} is a string; got {value.GetType().Name}.", nameof(value))));
            case AbiBytes:
                return Keccak.Hash(value as byte[]
                    ?? throw new ArgumentException($"Parameter {parameterIndex} of {Signature} is bytes; got {value.GetType().Name}.", nameof(value)));
            default:
                if (IsHashedWhenIndexed(type))
                {
                    if (value is byte[] { Length: 32 } hash)
                    {
                        return (byte[])hash.Clone();
                    }

                    throw new ArgumentException($"Parameter {parameterIndex} of {Signature} has reference type {type}; filter on its 32-byte keccak256 topic.", nameof(value));
                }

                return AbiCodec.Encode([type], [value]);
        }
    }

    /// <summary>Builds an <c>eth_getLogs</c> filter for this event.</summary>
    /// <param name="address">The emitting contract, or null for any.</param>
    /// <param name="fromBlock">First block.</param>
    /// <param name="toBlock">Last block, or null for the latest.</param>
    /// <param name="indexedTopics">One entry per indexed parameter in order: its topic, or null to match any value.</param>
    /// <exception cref="ArgumentException">The number of topics differs from the number of indexed parameters.</exception>
    public LogFilter CreateFilter(Address? address, ulong fromBlock, ulong? toBlock, params byte[]?[] indexedTopics)
    {
        ArgumentNullException.ThrowIfNull(indexedTopics);
        if (indexedTopics.Length != IndexedCount)
        {
            throw new ArgumentException($"Event {Signature} has {IndexedCount} indexed parameters; {indexedTopics.Length} topics were given.", nameof(indexedTopics));
        }

        var topics = new List<byte[]?>(IndexedCount + 1);
        if (!Anonymous)
        {
            topics.Add(Topic0);
        }

        topics.AddRange(indexedTopics);

        // Trailing wildcards are implied by eth_getLogs; dropping them keeps the request minimal.
        while (topics.Count > 0 && topics[^1] is null)
        {
            topics.RemoveAt(topics.Count - 1);
        }

        return new LogFilter(fromBlock, toBlock, address is { } a ? [a] : null, topics);
    }
}
