using System.Numerics;
using ProverMarketChain.Sequencer.Poseidon;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// A demo rollup's activity drawn from a <see cref="SeededRandom"/> exactly as <c>circuits/scripts/rollup-input.js</c>
/// draws it: a genesis of 2^depth accounts (248-bit owner, balance below 2^40, nonce below 1000), then batches of
/// random transfers between distinct accounts, each moving at most its sender's balance. The first batch after
/// <see cref="Genesis"/> is the script's batch for the same seed; later batches continue the same stream.
/// </summary>
public static class RandomRollup
{
    /// <summary>Draws the genesis accounts.</summary>
    public static RollupState Genesis(CircomPoseidon poseidon, RollupShape shape, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var accounts = new Account[shape.Accounts];
        for (int i = 0; i < accounts.Length; i++)
        {
            var owner = rng.Bits(248);
            var balance = (ulong)rng.Below(BigInteger.One << 40);
            var nonce = (ulong)rng.Below(1000);
            accounts[i] = new Account(owner, balance, nonce);
        }
        return new RollupState(poseidon, shape, accounts);
    }

    /// <summary>Draws a batch of random transfers and applies it to <paramref name="state"/>.</summary>
    public static RollupBatch NextBatch(RollupState state, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(rng);
        int size = state.Shape.Accounts;
        var builder = new BatchBuilder(state);
        for (int k = 0; k < state.Shape.BatchSize; k++)
        {
            int from = (int)rng.Below(size);
            int to = (int)rng.Below(size - 1);
            if (to >= from) to++; // distinct accounts (the circuit also accepts from == to)
            var amount = (ulong)rng.Below(new BigInteger(state[from].Balance) + 1);
            builder.Add(new Transfer(from, to, amount));
        }
        return builder.Build();
    }
}
