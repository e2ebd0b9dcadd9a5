using System.Globalization;
using System.Numerics;
using System.Text;

namespace ProverMarketChain.Sequencer.State;

/// <summary>
/// The signals of <c>RollupBatch(D, K)</c> for one batch, per transfer k: its accounts, amount, the sender's and the
/// receiver's leaf fields before the transfer and their Merkle paths (the receiver's taken after the sender's update).
/// </summary>
public sealed class RollupCircuitInput
{
    /// <summary>The state root before the batch (public).</summary>
    public required BigInteger OldRoot { get; init; }

    /// <summary>The state root after it (public).</summary>
    public required BigInteger NewRoot { get; init; }

    /// <summary>The batch hash (public).</summary>
    public required BigInteger BatchHash { get; init; }

    /// <summary>Sender indices.</summary>
    public required IReadOnlyList<int> From { get; init; }

    /// <summary>Receiver indices.</summary>
    public required IReadOnlyList<int> To { get; init; }

    /// <summary>Amounts.</summary>
    public required IReadOnlyList<ulong> Amount { get; init; }

    /// <summary>Senders' owners.</summary>
    public required IReadOnlyList<BigInteger> SenderOwner { get; init; }

    /// <summary>Senders' balances before the transfer.</summary>
    public required IReadOnlyList<ulong> SenderBalance { get; init; }

    /// <summary>Senders' nonces before the transfer.</summary>
    public required IReadOnlyList<ulong> SenderNonce { get; init; }

    /// <summary>Senders' Merkle paths against the root before the transfer.</summary>
    public required IReadOnlyList<BigInteger[]> SenderSiblings { get; init; }

    /// <summary>Receivers' owners.</summary>
    public required IReadOnlyList<BigInteger> ReceiverOwner { get; init; }

    /// <summary>Receivers' balances before the credit.</summary>
    public required IReadOnlyList<ulong> ReceiverBalance { get; init; }

    /// <summary>Receivers' nonces.</summary>
    public required IReadOnlyList<ulong> ReceiverNonce { get; init; }

    /// <summary>Receivers' Merkle paths against the root after the sender's update.</summary>
    public required IReadOnlyList<BigInteger[]> ReceiverSiblings { get; init; }

    /// <summary>
    /// The input JSON exactly as <c>rollup-input.js</c> writes it: <c>JSON.stringify(input, null, 1) + "\n"</c>, every
    /// number a decimal string, keys in the circuit's signal order.
    /// </summary>
    public string ToJson()
    {
        var w = new StringBuilder(8192);
        w.Append("{\n");
        bool first = true;
        void Key(string name)
        {
            if (!first) w.Append(",\n");
            first = false;
            w.Append(' ').Append('"').Append(name).Append("\": ");
        }
        void Scalar(string name, BigInteger v)
        {
            Key(name);
            Number(w, v);
        }
        void Vector<T>(string name, IReadOnlyList<T> values, Func<T, BigInteger> map)
        {
            Key(name);
            Array(w, values.Count, 1, i => Number(w, map(values[i])));
        }
        void Matrix(string name, IReadOnlyList<BigInteger[]> rows)
        {
            Key(name);
            Array(w, rows.Count, 1, i => Array(w, rows[i].Length, 2, j => Number(w, rows[i][j])));
        }

        Scalar("oldRoot", OldRoot);
        Scalar("newRoot", NewRoot);
        Scalar("batchHash", BatchHash);
        Vector("from", From, x => x);
        Vector("to", To, x => x);
        Vector("amount", Amount, x => x);
        Vector("senderOwner", SenderOwner, x => x);
        Vector("senderBalance", SenderBalance, x => x);
        Vector("senderNonce", SenderNonce, x => x);
        Matrix("senderSiblings", SenderSiblings);
        Vector("receiverOwner", ReceiverOwner, x => x);
        Vector("receiverBalance", ReceiverBalance, x => x);
        Vector("receiverNonce", ReceiverNonce, x => x);
        Matrix("receiverSiblings", ReceiverSiblings);
        w.Append("\n}\n");
        return w.ToString();
    }

    private static void Number(StringBuilder w, BigInteger v) => w.Append('"').Append(v.ToString(CultureInfo.InvariantCulture)).Append('"');

    /// <summary>A JSON array at nesting <paramref name="depth"/> (its elements indented depth + 1 spaces), as
    /// <c>JSON.stringify</c> with an indent of one writes it (an empty array is <c>[]</c>).</summary>
    private static void Array(StringBuilder w, int count, int depth, Action<int> element)
    {
        if (count == 0)
        {
            w.Append("[]");
            return;
        }
        w.Append("[\n");
        for (int i = 0; i < count; i++)
        {
            if (i > 0) w.Append(",\n");
            w.Append(' ', depth + 1);
            element(i);
        }
        w.Append('\n').Append(' ', depth).Append(']');
    }
}
