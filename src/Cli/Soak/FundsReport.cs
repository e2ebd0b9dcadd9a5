using System.Numerics;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// The ETH balance sheet of every account and contract in a run: the sum before must equal the sum after plus the gas
/// the tracked accounts paid (less the priority fees a tracked account received as block fee recipient).
/// </summary>
/// <param name="Accounts">How many accounts and contracts are summed.</param>
/// <param name="Before">Sum of their balances at the first block.</param>
/// <param name="After">Sum at the last block.</param>
/// <param name="GasPaid">Fees of the tracked accounts' transactions in between.</param>
/// <param name="TipsReceived">Priority fees paid to a tracked block fee recipient (they stay in the set).</param>
/// <param name="Transactions">Tracked accounts' transactions counted.</param>
/// <param name="ForeignTransactions">Transactions in the range sent by an account outside the set.</param>
public sealed record FundsReport(int Accounts, BigInteger Before, BigInteger After, BigInteger GasPaid, BigInteger TipsReceived, int Transactions, int ForeignTransactions)
{
    /// <summary>Wei unaccounted for: before − after − gas paid + tips received; zero when conserved.</summary>
    public BigInteger Discrepancy => Before - After - GasPaid + TipsReceived;

    /// <summary>Whether the balances add up to the wei.</summary>
    public bool Conserved => Discrepancy.IsZero;
}
