using System.Numerics;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Sequencer.Poseidon;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// Builds one batch on a <see cref="RollupState"/>: each <see cref="Add"/> checks a transfer, records the circuit's
/// witness for it (leaf fields and Merkle paths before the update, as <c>circuits/lib/rollup.circom</c> takes them) and
/// applies it to the state at once, so the next transfer sees its effect. The batch hash follows the circuit:
/// <c>h_0 = 0, h_{k+1} = Poseidon(h_k, from_k, to_k, amount_k, senderNonce_k)</c>.
/// </summary>
/// <remarks>The state is changed by every <see cref="Add"/>: build on <see cref="RollupState.Clone"/> to keep the
/// original until the batch is committed.</remarks>
public sealed class BatchBuilder
{
    private readonly RollupState _state;
    private readonly BigInteger _oldRoot;
    private readonly List<Transfer> _transfers = [];
    private readonly List<ulong> _senderBalance = [], _senderNonce = [], _receiverBalance = [], _receiverNonce = [];
    private readonly List<BigInteger> _senderOwner = [], _receiverOwner = [];
    private readonly List<BigInteger[]> _senderSiblings = [], _receiverSiblings = [];
    private Fr _batchHash = Fr.Zero;

    /// <summary>Starts a batch on <paramref name="state"/> (which the transfers then change).</summary>
    public BatchBuilder(RollupState state)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _oldRoot = state.Root;
    }

    /// <summary>Transfers added so far.</summary>
    public int Count => _transfers.Count;

    /// <summary>The state the batch is applied to.</summary>
    public RollupState State => _state;

    /// <summary>Checks <paramref name="t"/>, records its witness and applies it.</summary>
    /// <exception cref="InvalidOperationException">The batch already holds the circuit's batch size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An account index is out of range.</exception>
    /// <exception cref="ArgumentException">The transfer overdraws its sender or overflows its receiver's 64-bit balance.</exception>
    public BatchBuilder Add(Transfer t)
    {
        var shape = _state.Shape;
        if (_transfers.Count == shape.BatchSize)
            throw new InvalidOperationException($"a batch of the circuit holds exactly {shape.BatchSize} transfers");
        if ((uint)t.From >= (uint)shape.Accounts) throw new ArgumentOutOfRangeException(nameof(t), t.From, $"transfer {Count}: sender {t.From} is outside 0..{shape.Accounts - 1}");
        if ((uint)t.To >= (uint)shape.Accounts) throw new ArgumentOutOfRangeException(nameof(t), t.To, $"transfer {Count}: receiver {t.To} is outside 0..{shape.Accounts - 1}");

        var sender = _state[t.From];
        if (t.Amount > sender.Balance)
            throw new ArgumentException($"transfer {Count}: {t.Amount} overdraws account {t.From} (balance {sender.Balance})", nameof(t));
        if (sender.Nonce == ulong.MaxValue) throw new ArgumentException($"transfer {Count}: account {t.From}'s nonce is exhausted", nameof(t));
        if (t.From != t.To && _state[t.To].Balance > ulong.MaxValue - t.Amount)
            throw new ArgumentException($"transfer {Count}: {t.Amount} overflows account {t.To}'s 64-bit balance ({_state[t.To].Balance})", nameof(t));

        _senderOwner.Add(sender.Owner);
        _senderBalance.Add(sender.Balance);
        _senderNonce.Add(sender.Nonce);
        _senderSiblings.Add(_state.Siblings(t.From));
        Span<Fr> h = stackalloc Fr[5];
        h[0] = _batchHash;
        h[1] = Fr.FromBigInteger(t.From);
        h[2] = Fr.FromBigInteger(t.To);
        h[3] = Fr.FromBigInteger(t.Amount);
        h[4] = Fr.FromBigInteger(sender.Nonce);
        _batchHash = _state.Poseidon.Hash(h);
        _state.Set(t.From, sender with { Balance = sender.Balance - t.Amount, Nonce = sender.Nonce + 1 });

        // The receiver is read after the sender's update: a transfer to oneself nets to a nonce bump.
        var receiver = _state[t.To];
        _receiverOwner.Add(receiver.Owner);
        _receiverBalance.Add(receiver.Balance);
        _receiverNonce.Add(receiver.Nonce);
        _receiverSiblings.Add(_state.Siblings(t.To));
        _state.Set(t.To, receiver with { Balance = receiver.Balance + t.Amount });
        _transfers.Add(t);
        return this;
    }

    /// <summary>The batch, once it holds exactly the circuit's batch size.</summary>
    /// <exception cref="InvalidOperationException">It holds fewer transfers.</exception>
    public RollupBatch Build()
    {
        if (_transfers.Count != _state.Shape.BatchSize)
            throw new InvalidOperationException($"a batch of the circuit holds exactly {_state.Shape.BatchSize} transfers, this one {_transfers.Count}");
        var newRoot = _state.Root;
        var batchHash = _batchHash.ToBigInteger();
        var input = new RollupCircuitInput
        {
            OldRoot = _oldRoot,
            NewRoot = newRoot,
            BatchHash = batchHash,
            From = _transfers.Select(x => x.From).ToArray(),
            To = _transfers.Select(x => x.To).ToArray(),
            Amount = _transfers.Select(x => x.Amount).ToArray(),
            SenderOwner = [.. _senderOwner],
            SenderBalance = [.. _senderBalance],
            SenderNonce = [.. _senderNonce],
            SenderSiblings = [.. _senderSiblings],
            ReceiverOwner = [.. _receiverOwner],
            ReceiverBalance = [.. _receiverBalance],
            ReceiverNonce = [.. _receiverNonce],
            ReceiverSiblings = [.. _receiverSiblings],
        };
        return new RollupBatch(_oldRoot, newRoot, batchHash, [.. _transfers], input);
    }
}
