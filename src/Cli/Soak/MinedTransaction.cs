using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>A transaction as mined: what the audit reads from blocks and receipts, never from the sender's own account of it.</summary>
/// <param name="Hash">Transaction hash.</param>
/// <param name="Block">Block number.</param>
/// <param name="Index">Position in the block.</param>
/// <param name="From">Sender.</param>
/// <param name="To">Recipient; null for a contract creation.</param>
/// <param name="Input">Calldata.</param>
/// <param name="Value">Wei sent.</param>
/// <param name="Succeeded">Receipt status.</param>
/// <param name="GasUsed">Gas the receipt charges.</param>
/// <param name="EffectiveGasPrice">Wei per gas paid (base fee + priority fee).</param>
/// <param name="BaseFeePerGas">The block's base fee (burnt); null before London.</param>
/// <param name="Miner">The block's fee recipient (gets the priority fee).</param>
public sealed record MinedTransaction(
    byte[] Hash,
    ulong Block,
    int Index,
    Address From,
    Address? To,
    byte[] Input,
    BigInteger Value,
    bool Succeeded,
    ulong GasUsed,
    BigInteger EffectiveGasPrice,
    BigInteger? BaseFeePerGas,
    Address Miner)
{
    /// <summary>What the sender paid for gas.</summary>
    public BigInteger Fee => GasUsed * EffectiveGasPrice;

    /// <summary>The part of <see cref="Fee"/> that went to the <see cref="Miner"/> (the rest is burnt).</summary>
    public BigInteger Tip => GasUsed * (EffectiveGasPrice - (BaseFeePerGas ?? BigInteger.Zero));
}
