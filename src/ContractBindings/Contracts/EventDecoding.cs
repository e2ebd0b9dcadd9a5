using System.Diagnostics.CodeAnalysis;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// Decodes the logs the project's own log follower and receipts carry (<see cref="LogEntry"/>, which keeps block hashes for
/// reorg checks) into generated <c>[Event]</c> DTOs, through Nethereum's <see cref="EventExtensions"/>.
/// </summary>
public static class EventDecoding
{
    /// <summary>The log as Nethereum's <see cref="FilterLog"/>.</summary>
    public static FilterLog ToFilterLog(this LogEntry log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return new FilterLog
        {
            Address = log.Address.ToString(),
            Topics = log.Topics.Select(t => (object)Hex.Encode(t)).ToArray(),
            Data = Hex.Encode(log.Data),
            BlockNumber = new HexBigInteger(log.BlockNumber),
            BlockHash = Hex.Encode(log.BlockHash),
            TransactionHash = Hex.Encode(log.TransactionHash),
            LogIndex = new HexBigInteger(log.LogIndex),
            Removed = log.Removed,
        };
    }

    /// <summary>Decodes <paramref name="log"/> as event <typeparamref name="TEvent"/>; false when it is another event or malformed.</summary>
    public static bool TryDecodeEvent<TEvent>(this LogEntry log, [NotNullWhen(true)] out TEvent? decoded)
        where TEvent : class, IEventDTO, new() =>
        log.ToFilterLog().TryDecodeEvent(out decoded);

    /// <summary>Decodes <paramref name="filterLog"/> as event <typeparamref name="TEvent"/>; false when it is another event or malformed
    /// (for trying one log against several events without converting it each time).</summary>
    public static bool TryDecodeEvent<TEvent>(this FilterLog filterLog, [NotNullWhen(true)] out TEvent? decoded)
        where TEvent : class, IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(filterLog);
        decoded = null;
        if (!filterLog.IsLogForEvent<TEvent>())
        {
            return false;
        }

        try
        {
            decoded = filterLog.DecodeEvent<TEvent>()?.Event;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            decoded = null;
        }

        return decoded is not null;
    }

    /// <summary>The logs of event <typeparamref name="TEvent"/> among <paramref name="logs"/>, decoded, each with its log (block, transaction), in order.</summary>
    public static IReadOnlyList<(TEvent Event, LogEntry Log)> DecodeEvents<TEvent>(this IEnumerable<LogEntry> logs)
        where TEvent : class, IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(logs);
        var result = new List<(TEvent, LogEntry)>();
        foreach (var log in logs)
        {
            if (log.TryDecodeEvent<TEvent>(out var e))
            {
                result.Add((e, log));
            }
        }

        return result;
    }

    /// <summary>Decodes every log of event <typeparamref name="TEvent"/> in a receipt, in log order; optionally only those <paramref name="emitter"/> emitted.</summary>
    public static IReadOnlyList<TEvent> DecodeEvents<TEvent>(this Rpc.TransactionReceipt receipt, Address? emitter = null)
        where TEvent : class, IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var result = new List<TEvent>();
        foreach (var log in receipt.Logs)
        {
            if ((emitter is null || log.Address == emitter.Value) && log.TryDecodeEvent<TEvent>(out var e))
            {
                result.Add(e);
            }
        }

        return result;
    }
}
