using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Node;

/// <summary>Where the last transaction the worker signed for a request and action stands.</summary>
internal enum SendState
{
    /// <summary>None journalled, or the last one reverted or was dropped: sending again is not a duplicate.</summary>
    Clear,
    /// <summary>Signed and known to the node but not yet mined: wait.</summary>
    Pending,
    /// <summary>Mined and succeeded: the action is done, whatever a lagging node's state says.</summary>
    Done,
}

/// <summary>
/// Makes every transaction the worker sends for a request durable and single: the signer's hook journals the signed
/// transaction's hash (per request and action) before it is broadcast, and before the next send of the same action
/// the guard looks that transaction up. One still in the mempool (a reply lost, or a <c>kill -9</c> between broadcast
/// and mining) is waited for, one that succeeded is never repeated, and only one that reverted or vanished is
/// re-sent. This replaces wall-clock cooldowns, which a restart forgot.
/// <para>
/// A send holds its request's step only until the transaction is broadcast (or fails before: a revert at estimation
/// comes back to the caller); the wait for its receipt goes on in the background, and the action reads as pending
/// meanwhile. So a slow or faulty RPC node stretching one receipt wait cannot eat the request's next window (a reveal
/// after a commit, say): the next step reads chain state and acts.
/// </para>
/// </summary>
internal sealed class SendGuard
{
    private static readonly AsyncLocal<(IReadOnlyList<string> RequestIds, string Action, TaskCompletionSource Broadcast)?> Current = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), Task> _inFlight = new();
    private readonly ILogger _log;
    private readonly WorkerJournal _journal;
    private readonly EthClient _client;
    private readonly ContractBindings.Primitives.Address _from;
    // A transaction the node does not know, whose nonce is still unused, is treated as never sent only after this long
    // (a load-balanced RPC may not have seen it yet).
    private static readonly TimeSpan DroppedAfter = TimeSpan.FromSeconds(6);
    // A used nonce with no receipt for our transaction is taken as "replaced" only after this long.
    private static readonly TimeSpan NonceUsedSettleAfter = TimeSpan.FromSeconds(30);

    public SendGuard(Signer signer, WorkerJournal journal, ILogger log)
    {
        _journal = journal;
        _log = log;
        _client = signer.Client;
        _from = signer.From;
        signer.BeforeBroadcast = (tx, _) =>
        {
            if (Current.Value is { } c)
            {
                // A batch is one transaction acting on several requests: it is journalled under each, so each request's
                // next send of the action sees it (pending, done, or failed and clear to send again).
                foreach (var id in c.RequestIds) _journal.RecordSend(id, c.Action, tx.Hash, tx.Transaction.Nonce);
                c.Broadcast.TrySetResult();
            }
            return Task.CompletedTask;
        };
    }

    /// <summary>Where the last journalled transaction of <paramref name="action"/> on <paramref name="requestId"/> stands.</summary>
    public async Task<SendState> StateAsync(string requestId, string action, CancellationToken ct)
    {
        if (_inFlight.TryGetValue((requestId, action), out var running) && !running.IsCompleted) return SendState.Pending;
        var versions = _journal.GetSends(requestId, action);
        if (versions.Count == 0) return SendState.Clear;
        // Every signed version of the last send (a fee-bumped replacement shares its nonce): one mined decides it.
        var sent = versions[0];
        foreach (var version in versions.Where(v => v.Nonce == sent.Nonce))
        {
            var receipt = await _client.GetTransactionReceiptAsync(version.TransactionHash, ct).ConfigureAwait(false);
            if (receipt is not null) return receipt.Succeeded ? SendState.Done : SendState.Clear;
        }
        foreach (var version in versions.Where(v => v.Nonce == sent.Nonce))
            if (await _client.IsTransactionKnownAsync(version.TransactionHash, ct).ConfigureAwait(false)) return SendState.Pending;
        var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - sent.SentAt;
        // Its nonce is used: either another transaction took it (ours can never be mined), or ours was mined and this
        // node has no receipt yet (a backend behind the one that answered the nonce). Only time tells them apart.
        if (await _client.GetTransactionCountAsync(_from, "latest", ct).ConfigureAwait(false) > sent.Nonce)
            return age < NonceUsedSettleAfter.TotalSeconds ? SendState.Pending : SendState.Clear;
        return age < DroppedAfter.TotalSeconds ? SendState.Pending : SendState.Clear;
    }

    /// <summary>
    /// Sends <paramref name="action"/> for <paramref name="requestId"/> unless an earlier one is pending or done.
    /// Returns whether it was sent: once the transaction is broadcast this returns, and its receipt is awaited in the
    /// background (a failure there is logged; chain state, read next step, says what happened). A failure before the
    /// broadcast (a revert at gas estimation, a refused transaction) is thrown to the caller.
    /// </summary>
    public Task<bool> SendAsync(string requestId, string action, Func<Task> send, CancellationToken ct) =>
        SendAsync([requestId], action, send, ct);

    /// <summary>
    /// Sends one transaction that performs <paramref name="action"/> on every request of <paramref name="requestIds"/>
    /// (a batch), unless an earlier send of the action on any of them is pending or done: it is journalled under each
    /// request before it is broadcast and reads as pending for each until its receipt, exactly like a single send.
    /// Returns and throws as the single form does.
    /// </summary>
    public async Task<bool> SendAsync(IReadOnlyList<string> requestIds, string action, Func<Task> send, CancellationToken ct)
    {
        if (requestIds.Count == 0) throw new ArgumentException("a send acts on at least one request", nameof(requestIds));
        foreach (var id in requestIds)
            if (await StateAsync(id, action, ct).ConfigureAwait(false) != SendState.Clear) return false;
        var broadcast = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task running;
        Current.Value = (requestIds, action, broadcast);
        try
        {
            running = Task.Run(send, CancellationToken.None); // flows the context above into the send
        }
        finally
        {
            Current.Value = null;
        }
        foreach (var id in requestIds) _inFlight[(id, action)] = running;
        if (await Task.WhenAny(running, broadcast.Task).ConfigureAwait(false) == running)
        {
            foreach (var id in requestIds) _inFlight.TryRemove((id, action), out _);
            await running.ConfigureAwait(false); // done (or failed) before or right at the broadcast: the caller sees it
            return true;
        }
        _ = running.ContinueWith(t =>
        {
            foreach (var id in requestIds) _inFlight.TryRemove((id, action), out _);
            if (t.Exception?.GetBaseException() is { } e && !(e is OperationCanceledException && ct.IsCancellationRequested))
                _log.LogInformation("Request {Id}: {Action} was broadcast but did not succeed ({Error}); the next step reads chain state",
                    string.Join(", ", requestIds), action, e.Message);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }
}
