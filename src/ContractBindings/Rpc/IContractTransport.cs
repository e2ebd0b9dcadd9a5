using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// The narrow seam that generated contract bindings talk through: calls, transactions and logs.
/// Implemented by the JSON-RPC client with a signing account.
/// </summary>
public interface IContractTransport
{
    /// <summary>The account that signs transactions sent through this transport.</summary>
    Address From { get; }

    /// <summary>Runs <c>eth_call</c> at the latest block and returns the raw return data.</summary>
    /// <exception cref="Contracts.ContractRevertException">The call reverted; the exception carries the revert data.</exception>
    Task<byte[]> CallAsync(Address to, byte[] data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Signs and sends a transaction (a contract creation when <paramref name="to"/> is null), waits for its receipt and
    /// returns it. A transaction that would revert is refused before sending, and one that reverted on chain throws.
    /// </summary>
    /// <exception cref="Contracts.ContractRevertException">The transaction reverts; the exception carries the revert data.</exception>
    Task<TransactionReceipt> SendTransactionAsync(Address? to, byte[] data, BigInteger value, CancellationToken cancellationToken = default);

    /// <summary>Returns the logs matching <paramref name="filter"/> (<c>eth_getLogs</c>).</summary>
    Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default);
}

/// <summary>A mined transaction's receipt.</summary>
public sealed record TransactionReceipt(
    byte[] TransactionHash,
    ulong BlockNumber,
    byte[] BlockHash,
    bool Succeeded,
    ulong GasUsed,
    BigInteger EffectiveGasPrice,
    Address? ContractAddress,
    IReadOnlyList<LogEntry> Logs);

/// <summary>One event log.</summary>
public sealed record LogEntry(
    Address Address,
    IReadOnlyList<byte[]> Topics,
    byte[] Data,
    ulong BlockNumber,
    byte[] BlockHash,
    byte[] TransactionHash,
    ulong LogIndex,
    bool Removed);

/// <summary>An <c>eth_getLogs</c> filter. A null topic position matches anything.</summary>
public sealed record LogFilter(
    ulong FromBlock,
    ulong? ToBlock,
    IReadOnlyList<Address>? Addresses,
    IReadOnlyList<byte[]?>? Topics);
