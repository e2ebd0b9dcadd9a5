using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Node.Delivery;

/// <summary>Which proofs may share one <c>fulfillBatch</c>: the market takes a batch for one circuit and one verifier.</summary>
/// <param name="CircuitId">The circuit.</param>
/// <param name="Verifier">The verifier the requests pin.</param>
public readonly record struct BatchKey(uint CircuitId, Address Verifier)
{
    /// <inheritdoc />
    public override string ToString() => $"circuit {CircuitId} / verifier {Verifier}";
}

/// <summary>A finished proof of one of the worker's assigned jobs, waiting for its delivery.</summary>
/// <param name="RequestId">The request (hex).</param>
/// <param name="Key">Which batch it may join.</param>
/// <param name="ReadyAt">When it was first offered for delivery (chain seconds).</param>
/// <param name="Deadline">The job's proving deadline (chain seconds): the proof must be on chain by then.</param>
/// <param name="CallbackGas">The request's callback gas limit (the delivery pays it).</param>
/// <param name="Terms">The request's terms, as the market takes them back.</param>
/// <param name="Proof">The proof's eight words.</param>
/// <param name="PublicInputs">Its public inputs.</param>
internal sealed record PendingDelivery(string RequestId, BatchKey Key, ulong ReadyAt, ulong Deadline, ulong CallbackGas, Request Terms,
    BigInteger[] Proof, BigInteger[] PublicInputs);

/// <summary>
/// When the worker's finished proofs go out, and together with which (pure: it is given the time and never reads a
/// clock). Proofs of one <see cref="BatchKey"/> are grouped most urgent first (earliest deadline). A group goes out
/// <list type="bullet">
/// <item>as soon as it holds <c>maxBatchSize</c> proofs (or as many as one batch's gas budget holds);</item>
/// <item>when any of its proofs is due: it has waited <c>maxWait</c> seconds since it was ready, or its deadline less
///   the safety margin has come (a proof never waits past that: sent then, it still lands before its deadline);</item>
/// <item>at once when waiting cannot pay: no other job of its kind is still proving (nothing can join it), or too few
///   are for the group ever to reach <c>minBatchSize</c>.</item>
/// </list>
/// A group that goes out with fewer than <c>minBatchSize</c> proofs is split into single deliveries (<c>fulfill</c>),
/// and a batch of one is always a single delivery.
/// </summary>
internal sealed class BatchPolicy
{
    /// <summary>Gas of one proof in a batch, for the batch's gas budget (the market's target is under 100k at 16).</summary>
    public const ulong GasPerProof = 120_000;

    /// <summary>Gas of a batch beyond its proofs: the transaction, the three shared pairings, the calldata's head.</summary>
    public const ulong GasPerBatch = 300_000;

    /// <summary>The most gas one batch may be sent with (half of a 30M block, so it is not hard to include).</summary>
    public const ulong MaxBatchGas = 15_000_000;

    private readonly int _minBatchSize;
    private readonly int _maxBatchSize;
    private readonly ulong _maxWaitSeconds;

    /// <summary>A policy.</summary>
    /// <param name="minBatchSize">Fewest proofs sent as a batch (at least 2).</param>
    /// <param name="maxBatchSize">Most proofs in one batch (at least <paramref name="minBatchSize"/>).</param>
    /// <param name="maxWaitSeconds">Most seconds a finished proof waits for others.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are inconsistent.</exception>
    public BatchPolicy(int minBatchSize, int maxBatchSize, ulong maxWaitSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minBatchSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, minBatchSize);
        _minBatchSize = minBatchSize;
        _maxBatchSize = maxBatchSize;
        _maxWaitSeconds = maxWaitSeconds;
    }

    /// <summary>Most seconds a finished proof waits for others.</summary>
    public ulong MaxWaitSeconds => _maxWaitSeconds;

    /// <summary>Fewest proofs sent as a batch.</summary>
    public int MinBatchSize => _minBatchSize;

    /// <summary>The latest time <paramref name="p"/> may be sent: its deadline less <paramref name="safetyMarginSeconds"/>.</summary>
    public static ulong SubmitBy(PendingDelivery p, ulong safetyMarginSeconds) =>
        p.Deadline > safetyMarginSeconds ? p.Deadline - safetyMarginSeconds : 0;

    /// <summary>When <paramref name="p"/> is due: after its wait, and never after <see cref="SubmitBy"/>.</summary>
    public ulong ReleaseAt(PendingDelivery p, ulong safetyMarginSeconds)
    {
        var waited = p.ReadyAt > ulong.MaxValue - _maxWaitSeconds ? ulong.MaxValue : p.ReadyAt + _maxWaitSeconds;
        return Math.Min(waited, SubmitBy(p, safetyMarginSeconds));
    }

    /// <summary>
    /// What goes out now: each list is one transaction, most urgent first (one entry: <c>fulfill</c>; more:
    /// <c>fulfillBatch</c>). Proofs not named wait.
    /// </summary>
    /// <param name="ready">The proofs waiting.</param>
    /// <param name="now">The current time (chain seconds).</param>
    /// <param name="safetyMarginSeconds">How long before its deadline a proof must be sent at the latest.</param>
    /// <param name="stillProving">How many more jobs of a key are still being proved (they may join a batch).</param>
    public IReadOnlyList<IReadOnlyList<PendingDelivery>> Due(IEnumerable<PendingDelivery> ready, ulong now, ulong safetyMarginSeconds,
        Func<BatchKey, int> stillProving)
    {
        var sends = new List<IReadOnlyList<PendingDelivery>>();
        foreach (var group in ready.GroupBy(p => p.Key))
        {
            var queue = group.OrderBy(p => SubmitBy(p, safetyMarginSeconds)).ThenBy(p => p.ReadyAt).ThenBy(p => p.RequestId, StringComparer.Ordinal).ToList();
            int proving = Math.Max(0, stillProving(group.Key));
            int start = 0;
            while (start < queue.Count)
            {
                int count = ChunkSize(queue, start);
                bool full = count == _maxBatchSize || start + count < queue.Count; // by size, or by the gas budget
                bool due = false;
                for (int i = start; i < queue.Count && !due; i++) due = ReleaseAt(queue[i], safetyMarginSeconds) <= now;
                int waiting = queue.Count - start;
                bool worthWaiting = proving > 0 && waiting + proving >= _minBatchSize;
                if (!full && !due && worthWaiting) break; // the rest of the group waits for others to join
                var chunk = queue.GetRange(start, count);
                if (chunk.Count >= _minBatchSize) sends.Add(chunk);
                else sends.AddRange(chunk.Select(p => (IReadOnlyList<PendingDelivery>)[p]));
                start += count;
            }
        }
        return sends.OrderBy(s => s.Min(p => SubmitBy(p, safetyMarginSeconds))).ToList();
    }

    /// <summary>The gas a batch of <paramref name="proofs"/> is budgeted at, callbacks included.</summary>
    public static ulong BudgetGas(IEnumerable<PendingDelivery> proofs) =>
        GasPerBatch + proofs.Aggregate(0UL, (sum, p) => sum + GasPerProof + DeliveryGas.Allowance(p.CallbackGas));

    /// <summary>How many proofs from <paramref name="start"/> on fit one batch (at least one).</summary>
    private int ChunkSize(List<PendingDelivery> queue, int start)
    {
        ulong gas = GasPerBatch;
        int n = 0;
        for (int i = start; i < queue.Count && n < _maxBatchSize; i++)
        {
            var add = GasPerProof + DeliveryGas.Allowance(queue[i].CallbackGas);
            if (n > 0 && gas + add > MaxBatchGas) break;
            gas += add;
            n++;
        }
        return Math.Max(1, n);
    }
}
