using ProverMarketChain.ContractBindings.Contracts;

namespace ProverMarketChain.Cli.Soak;

/// <summary>A request the soak posted.</summary>
/// <param name="Id">The market's request id.</param>
/// <param name="Terms">Its terms.</param>
/// <param name="Case">The hostile case, or null for an honest request.</param>
/// <param name="Block">The block it was submitted in.</param>
/// <param name="Timestamp">That block's timestamp.</param>
public sealed record SoakRequest(byte[] Id, Request Terms, HostileCase? Case, ulong Block, ulong Timestamp)
{
    /// <summary>Whether an honest requester posted it.</summary>
    public bool Honest => Case is null;

    /// <summary>The allocation mode (0 sealed bid, 1 Dutch, 2 standing ask, 3 open race).</summary>
    public int Mode => (int)Terms.Mode;
}
