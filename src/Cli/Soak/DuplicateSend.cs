using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// A worker transaction mined after the same worker's successful transaction of the same function on the same request:
/// a second commit, reveal, lock, acceptance or proof that the worker should never have sent.
/// </summary>
/// <param name="Worker">The sender.</param>
/// <param name="Function">The market function.</param>
/// <param name="RequestId">The request (0x hex).</param>
/// <param name="Transaction">The duplicate's hash (0x hex).</param>
/// <param name="Block">The duplicate's block.</param>
/// <param name="Succeeded">Whether the duplicate itself succeeded (usually it reverts).</param>
/// <param name="FirstSuccess">The earlier successful transaction's hash (0x hex).</param>
public sealed record DuplicateSend(Address Worker, string Function, string RequestId, string Transaction, ulong Block, bool Succeeded, string FirstSuccess);
