using System.Numerics;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// A rollup account: its leaf in the state tree is <c>Poseidon(owner, balance, nonce)</c>. Balances are 64-bit, as the
/// circuit range-checks them.
/// </summary>
/// <param name="Owner">The owner's key (a field element; the demo draws 248 bits).</param>
/// <param name="Balance">The balance.</param>
/// <param name="Nonce">Transfers sent so far (the batch hash binds each transfer to its sender's nonce).</param>
public readonly record struct Account(BigInteger Owner, ulong Balance, ulong Nonce);
