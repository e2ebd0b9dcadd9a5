using System.Numerics;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Sequencer.Poseidon;
using ProverMarketChain.Sequencer.State;

namespace ProverMarketChain.Sequencer.Tests;

/// <summary>The batch builder's checks and its bookkeeping (balances, nonces, the batch hash chain).</summary>
public sealed class BatchBuilderTests
{
    private static readonly CircomPoseidon Poseidon = CircomPoseidon.FromRepository(RepoPaths.Root);

    private static RollupState SmallState() =>
        new(Poseidon, RollupShape.Demo, Enumerable.Range(0, 64).Select(i => new Account(1000 + i, (ulong)(100 * i), (ulong)i)).ToArray());

    [Fact]
    public void test_add_movesBalanceBumpsNonceAndChainsTheHash()
    {
        var state = SmallState();
        var b = new BatchBuilder(state).Add(new Transfer(5, 9, 200)).Add(new Transfer(9, 5, 50)).Build();
        Assert.Equal(500UL - 200 + 50, state[5].Balance);
        Assert.Equal(900UL + 200 - 50, state[9].Balance);
        Assert.Equal(6UL, state[5].Nonce);
        Assert.Equal(10UL, state[9].Nonce);
        var h0 = Poseidon.Hash(BigInteger.Zero, 5, 9, 200, 5);
        Assert.Equal(Poseidon.Hash(h0, 9, 5, 50, 9), b.BatchHash);
        Assert.Equal(state.Root, b.NewRoot);
    }

    [Fact]
    public void test_add_transferToOneselfOnlyBumpsTheNonce()
    {
        var state = SmallState();
        new BatchBuilder(state).Add(new Transfer(3, 3, 300)).Add(new Transfer(4, 5, 0)).Build();
        Assert.Equal(300UL, state[3].Balance);
        Assert.Equal(4UL, state[3].Nonce);
    }

    [Fact]
    public void test_add_refusesOverdraftBadIndexAndOverflowWithoutChangingTheState()
    {
        var state = SmallState();
        var root = state.Root;
        var builder = new BatchBuilder(state);
        Assert.Contains("501 overdraws account 5 (balance 500)", Assert.Throws<ArgumentException>(() => builder.Add(new Transfer(5, 6, 501))).Message);
        Assert.Contains("sender 64 is outside 0..63", Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(new Transfer(64, 1, 1))).Message);
        Assert.Contains("receiver -1 is outside 0..63", Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(new Transfer(1, -1, 1))).Message);
        var rich = new RollupState(Poseidon, RollupShape.Demo, Enumerable.Range(0, 64).Select(i => new Account(i, i == 1 ? ulong.MaxValue : 10, 0)).ToArray());
        Assert.Contains("overflows account 1's 64-bit balance", Assert.Throws<ArgumentException>(() => new BatchBuilder(rich).Add(new Transfer(0, 1, 1))).Message);
        Assert.Equal(root, state.Root);
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void test_build_needsExactlyTheCircuitsBatchSize()
    {
        var builder = new BatchBuilder(SmallState()).Add(new Transfer(1, 2, 1));
        Assert.Contains("exactly 2 transfers, this one 1", Assert.Throws<InvalidOperationException>(() => builder.Build()).Message);
        builder.Add(new Transfer(2, 1, 1));
        Assert.Contains("exactly 2 transfers", Assert.Throws<InvalidOperationException>(() => builder.Add(new Transfer(1, 2, 1))).Message);
    }

    [Fact]
    public void test_clone_isIndependent()
    {
        var state = SmallState();
        var copy = state.Clone();
        new BatchBuilder(copy).Add(new Transfer(1, 2, 10)).Add(new Transfer(2, 1, 5)).Build();
        Assert.NotEqual(state.Root, copy.Root);
        Assert.Equal(100UL, state[1].Balance);
        Assert.Equal(SmallState().Root, state.Root);
    }

    [Fact]
    public void test_state_refusesWrongAccountCountAndOwnerOutsideTheField()
    {
        Assert.Contains("has 64 accounts, got 3", Assert.Throws<ArgumentException>(() => new RollupState(Poseidon, RollupShape.Demo, new Account[3])).Message);
        var accounts = Enumerable.Range(0, 64).Select(i => new Account(i == 7 ? CircomPoseidon.FieldModulus : i, 0, 0)).ToArray();
        Assert.Contains("account 7's owner", Assert.Throws<ArgumentOutOfRangeException>(() => new RollupState(Poseidon, RollupShape.Demo, accounts)).Message);
    }
}
