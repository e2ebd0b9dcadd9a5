using System.Numerics;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Sequencer.Poseidon;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// The rollup's accounts and their Poseidon Merkle tree, as <c>circuits/lib/rollup.circom</c> defines it:
/// <c>leaf(i) = Poseidon(owner_i, balance_i, nonce_i)</c>, <c>node = Poseidon(left, right)</c>, 2^depth leaves. Every
/// level is kept, so a sibling path is a lookup and an update rehashes one path (depth hashes).
/// </summary>
public sealed class RollupState
{
    private readonly Account[] _accounts;
    private readonly Fr[][] _levels;

    private RollupState(CircomPoseidon poseidon, RollupShape shape, Account[] accounts, Fr[][] levels)
    {
        Poseidon = poseidon;
        Shape = shape;
        _accounts = accounts;
        _levels = levels;
    }

    /// <summary>Builds the tree over <paramref name="accounts"/> (exactly 2^depth of them).</summary>
    /// <exception cref="ArgumentException">The account count is not 2^depth, or an owner is not a field element.</exception>
    public RollupState(CircomPoseidon poseidon, RollupShape shape, IReadOnlyList<Account> accounts)
    {
        ArgumentNullException.ThrowIfNull(poseidon);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(accounts);
        if (accounts.Count != shape.Accounts)
            throw new ArgumentException($"a depth-{shape.Depth} rollup has {shape.Accounts} accounts, got {accounts.Count}", nameof(accounts));
        Poseidon = poseidon;
        Shape = shape;
        _accounts = [.. accounts];
        _levels = new Fr[shape.Depth + 1][];
        _levels[0] = new Fr[shape.Accounts];
        for (int i = 0; i < _accounts.Length; i++) _levels[0][i] = Leaf(_accounts[i], i);
        Span<Fr> pair = stackalloc Fr[2];
        for (int l = 0; l < shape.Depth; l++)
        {
            var below = _levels[l];
            var above = _levels[l + 1] = new Fr[below.Length / 2];
            for (int i = 0; i < above.Length; i++)
            {
                pair[0] = below[2 * i];
                pair[1] = below[2 * i + 1];
                above[i] = poseidon.Hash(pair);
            }
        }
    }

    /// <summary>The hash the tree uses.</summary>
    public CircomPoseidon Poseidon { get; }

    /// <summary>Depth and batch size.</summary>
    public RollupShape Shape { get; }

    /// <summary>The state root.</summary>
    public BigInteger Root => _levels[Shape.Depth][0].ToBigInteger();

    /// <summary>The accounts, by index.</summary>
    public IReadOnlyList<Account> Accounts => _accounts;

    /// <summary>Account <paramref name="index"/>.</summary>
    public Account this[int index] => _accounts[CheckIndex(index, nameof(index))];

    /// <summary>The Merkle path of account <paramref name="index"/>: its sibling at each level, leaf level first.</summary>
    public BigInteger[] Siblings(int index)
    {
        CheckIndex(index, nameof(index));
        var path = new BigInteger[Shape.Depth];
        for (int l = 0; l < Shape.Depth; l++) path[l] = _levels[l][(index >> l) ^ 1].ToBigInteger();
        return path;
    }

    /// <summary>An independent copy (a batch can be built on it and adopted only once it is committed).</summary>
    public RollupState Clone() => new(Poseidon, Shape, (Account[])_accounts.Clone(), _levels.Select(l => (Fr[])l.Clone()).ToArray());

    /// <summary>Writes account <paramref name="index"/> and rehashes its path.</summary>
    internal void Set(int index, Account account)
    {
        CheckIndex(index, nameof(index));
        _accounts[index] = account;
        _levels[0][index] = Leaf(account, index);
        Span<Fr> pair = stackalloc Fr[2];
        int i = index;
        for (int l = 0; l < Shape.Depth; l++)
        {
            i >>= 1;
            pair[0] = _levels[l][2 * i];
            pair[1] = _levels[l][2 * i + 1];
            _levels[l + 1][i] = Poseidon.Hash(pair);
        }
    }

    private Fr Leaf(in Account a, int index)
    {
        Span<Fr> fields = stackalloc Fr[3];
        fields[0] = CircomPoseidon.ToField(a.Owner, $"account {index}'s owner");
        fields[1] = Fr.FromBigInteger(a.Balance);
        fields[2] = Fr.FromBigInteger(a.Nonce);
        return Poseidon.Hash(fields);
    }

    private int CheckIndex(int index, string name)
    {
        if ((uint)index >= (uint)_accounts.Length)
            throw new ArgumentOutOfRangeException(name, index, $"account index {index} is outside 0..{_accounts.Length - 1}");
        return index;
    }
}
