using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// Hands out nonces for one account, one at a time: a lease holds a <see cref="SemaphoreSlim"/> until the transaction
/// using it has been accepted by the node (<see cref="NonceLease.Commit"/> advances the nonce) or abandoned
/// (<see cref="NonceLease.Dispose"/> keeps it). This makes gaps impossible while letting receipt waits run concurrently.
/// The first lease and every <see cref="NonceLease.ResyncAsync"/> read <c>eth_getTransactionCount(pending)</c>.
/// </summary>
public sealed class NonceManager
{
    private readonly EthClient _client;
    private readonly Address _account;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private ulong? _next;
    // _next as the tracker reads it without the lease lock: -1 when unknown.
    private long _published = -1;

    /// <summary>Creates a nonce manager for <paramref name="account"/>.</summary>
    public NonceManager(EthClient client, Address account, ILogger? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _account = account;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// The next nonce this manager would hand out (every lower one was accepted by the node), or null before the first
    /// lease and after <see cref="Reset"/>. Read without waiting for a lease: the <see cref="TransactionTracker"/>
    /// compares it with the node's pending nonce to find gaps.
    /// </summary>
    public ulong? LocalNext
    {
        get
        {
            long v = Interlocked.Read(ref _published);
            return v < 0 ? null : (ulong)v;
        }
    }

    private void SetNext(ulong? next)
    {
        _next = next;
        Interlocked.Exchange(ref _published, next is { } n ? (long)n : -1);
    }

    /// <summary>Waits for exclusive use of the next nonce.</summary>
    public async Task<NonceLease> AcquireAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_next is not { } next)
            {
                next = await _client.GetTransactionCountAsync(_account, "pending", cancellationToken).ConfigureAwait(false);
                SetNext(next);
            }

            return new NonceLease(this, next);
        }
        catch
        {
            _lock.Release();
            throw;
        }
    }

    /// <summary>Forgets the cached nonce so the next lease re-reads it from the node.</summary>
    public void Reset()
    {
        _lock.Wait();
        try
        {
            SetNext(null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Exclusive use of one nonce. Dispose always; call <see cref="Commit"/> once the node accepted the transaction.</summary>
    public sealed class NonceLease : IDisposable
    {
        private readonly NonceManager _owner;
        private bool _done;

        internal NonceLease(NonceManager owner, ulong nonce)
        {
            _owner = owner;
            Nonce = nonce;
        }

        /// <summary>The reserved nonce.</summary>
        public ulong Nonce { get; private set; }

        /// <summary>Re-reads the pending nonce from the node (after "nonce too low") and returns it.</summary>
        public async Task<ulong> ResyncAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            ulong fresh = await _owner._client.GetTransactionCountAsync(_owner._account, "pending", cancellationToken).ConfigureAwait(false);
            _owner._logger.LogWarning("Nonce for {Account} resynced from {Old} to {New}", _owner._account, Nonce, fresh);
            Nonce = fresh;
            _owner.SetNext(fresh);
            return fresh;
        }

        /// <summary>Marks the nonce used (the node accepted the transaction) and releases the lease.</summary>
        public void Commit()
        {
            if (_done)
            {
                return;
            }

            _owner.SetNext(Nonce + 1);
            _done = true;
            _owner._lock.Release();
        }

        /// <summary>Releases the lease without consuming the nonce (unless <see cref="Commit"/> was called).</summary>
        public void Dispose()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _owner._lock.Release();
        }
    }
}
