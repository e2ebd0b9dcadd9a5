using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Transactions;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>Options for <see cref="Signer"/>.</summary>
public sealed record SignerOptions
{
    /// <summary>Hard cap on <c>maxFeePerGas</c> in wei; sending throws <see cref="FeeCapExceededException"/> when the
    /// next block's base fee plus the tip exceeds it. Default 500 gwei.</summary>
    public BigInteger MaxFeePerGasCap { get; init; } = BigInteger.Parse("500000000000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Minimum priority fee (tip) in wei: the tip is today's sampled tip, raised to this. Default 1 gwei; 0 and sub-gwei
    /// values are valid (L2s such as OP Stack or Arbitrum chains include transactions at tips far below 1 gwei).
    /// </summary>
    public BigInteger MinPriorityFeePerGas { get; init; } = 1_000_000_000;

    /// <summary>
    /// Maximum priority fee (tip) in wei: the sampled tip is held under it. The sample is the reward percentile of recent
    /// blocks, which anyone who buys block space sets: without a cap, a few transactions paying huge tips in the
    /// sampled blocks would make every send overpay. Only a replacement's mandatory bump of our own earlier tip may go
    /// above it (nodes require it), and <see cref="MaxFeePerGasCap"/> bounds that. At least
    /// <see cref="MinPriorityFeePerGas"/>. Default 50 gwei.
    /// </summary>
    public BigInteger MaxPriorityFeePerGas { get; init; } = 50_000_000_000;

    /// <summary>Blocks of fee history to sample. Default 10.</summary>
    public int FeeHistoryBlocks { get; init; } = 10;

    /// <summary>Reward percentile used for the tip. Default 50.</summary>
    public double PriorityFeePercentile { get; init; } = 50;

    /// <summary>Gas limit = estimate × this factor (headroom). Default 1.2.</summary>
    public double GasLimitMultiplier { get; init; } = 1.2;

    /// <summary>Confirmations to wait for (1 = mined). Default 1.</summary>
    public int Confirmations { get; init; } = 1;

    /// <summary>Receipt polling interval. Default 200 ms.</summary>
    public TimeSpan ReceiptPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a transaction may stay unmined before the <see cref="TransactionTracker"/> re-broadcasts it, or
    /// replaces it when its fees are stuck. Default 15 s.
    /// </summary>
    public TimeSpan RebroadcastInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How deep (in blocks, 1 = mined) the <see cref="TransactionTracker"/> follows every sent transaction; one removed
    /// by a reorg before that is broadcast again. Default 12.
    /// </summary>
    public int TrackConfirmations { get; init; } = 12;

    /// <summary>How often the <see cref="TransactionTracker"/> checks the account while it follows anything. Default 1 s.</summary>
    public TimeSpan TrackerPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The <see cref="TransactionTracker"/> stops following a transaction this long after it was sent. Default 1 hour.</summary>
    public TimeSpan TrackingTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Give up waiting for a receipt after this long. Default 5 minutes.</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts to get one signed transaction accepted (each after the client's own retries). Default 5.</summary>
    public int SendAttempts { get; init; } = 5;

    /// <summary>
    /// How much a replacement raises both fees (max fee and tip), in percent; nodes require at least 10, and a lower
    /// value is raised to 10. Default 15.
    /// </summary>
    public int ReplacementBumpPercent { get; init; } = 15;
}

/// <summary>The fee the network requires exceeds the configured cap.</summary>
public sealed class FeeCapExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FeeCapExceededException(BigInteger required, BigInteger cap)
        : base($"The required fee per gas {required} wei (next base fee + tip) exceeds the cap of {cap} wei.")
    {
        Required = required;
        Cap = cap;
    }

    /// <summary>Next base fee plus tip, in wei.</summary>
    public BigInteger Required { get; }

    /// <summary>The configured cap, in wei.</summary>
    public BigInteger Cap { get; }
}

/// <summary>The node refused a transaction for a reason other than a revert (insufficient funds, bad nonce...).</summary>
public sealed class TransactionRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransactionRejectedException(string message, byte[] transactionHash, Exception? inner = null)
        : base(message, inner)
    {
        TransactionHash = transactionHash;
    }

    /// <summary>Hash of the refused transaction.</summary>
    public byte[] TransactionHash { get; }
}

/// <summary>EIP-1559 fees chosen for a transaction.</summary>
/// <param name="MaxFeePerGas">Maximum total fee per gas.</param>
/// <param name="MaxPriorityFeePerGas">Tip per gas.</param>
/// <param name="NextBaseFee">The next block's base fee the estimate is based on.</param>
public sealed record FeeEstimate(BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas, BigInteger NextBaseFee);

/// <summary>
/// A signing account on a JSON-RPC node: implements <see cref="IContractTransport"/> for generated bindings.
/// Sends EIP-1559 transactions with gas estimation (reverts throw <see cref="ContractRevertException"/>), fees from
/// <c>eth_feeHistory</c> under a cap, a gap-free <see cref="NonceManager"/> that recovers from "nonce too low", and
/// idempotent delivery: a signed transaction is re-sent unchanged (same hash) after timeouts and looked up by hash, so
/// it lands exactly once. Every accepted transaction is then followed by the <see cref="Tracker"/> in the background
/// (re-broadcast when dropped, replaced when stuck, sent again when a reorg removes it), so a caller may return as
/// soon as <see cref="SignAndSendAsync"/> does. Thread-safe; concurrent sends are serialised only while their nonce is
/// being claimed.
/// </summary>
public sealed class Signer : IContractTransport
{
    private readonly EthKey _key;
    private readonly ILogger _logger;
    private readonly NonceManager _nonces;
    private readonly AsyncLocal<Func<ulong, BigInteger>?> _feeCapOverride = new();
    private ulong? _chainId;

    /// <summary>Creates a signer.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent (a negative fee, a tip minimum over its maximum).</exception>
    public Signer(EthClient client, EthKey key, SignerOptions? options = null, ILogger<Signer>? logger = null)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Options = options ?? new SignerOptions();
        if (Options.MinPriorityFeePerGas.Sign < 0 || Options.MaxPriorityFeePerGas < Options.MinPriorityFeePerGas || Options.MaxFeePerGasCap.Sign < 0)
        {
            throw new ArgumentException(
                $"Signer fees: need 0 <= minPriorityFeePerGas ({Options.MinPriorityFeePerGas}) <= maxPriorityFeePerGas ({Options.MaxPriorityFeePerGas}) and maxFeePerGasCap ({Options.MaxFeePerGasCap}) >= 0.",
                nameof(options));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _nonces = new NonceManager(client, key.Address, _logger);
        Tracker = new TransactionTracker(this, _logger);
    }

    /// <summary>The typed RPC client.</summary>
    public EthClient Client { get; }

    /// <summary>The options in use.</summary>
    public SignerOptions Options { get; }

    /// <summary>
    /// Called with every signed transaction before it is broadcast (and again for each re-signed one): a caller that
    /// must survive a crash journals the hash here, so after a restart it can tell a transaction in flight from one
    /// never sent instead of sending the same action twice. A replacement the <see cref="Tracker"/> signs later is
    /// passed in the execution context of the send it replaces, so AsyncLocal state the caller set around that send
    /// is seen again. An exception thrown here stops the send (or that replacement).
    /// </summary>
    public Func<SignedTransaction, CancellationToken, Task>? BeforeBroadcast { get; set; }

    /// <summary>The nonce manager of this account.</summary>
    public NonceManager Nonces => _nonces;

    /// <summary>Follows this account's accepted transactions until they are deep enough (see <see cref="TransactionTracker"/>).</summary>
    public TransactionTracker Tracker { get; }

    /// <inheritdoc />
    public Address From => _key.Address;

    /// <inheritdoc />
    public Task<byte[]> CallAsync(Address to, byte[] data, CancellationToken cancellationToken = default) =>
        Client.CallAsync(new CallRequest(From, to, data ?? []), "latest", cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default) =>
        Client.GetLogsAsync(filter, cancellationToken);

    /// <summary>
    /// Overrides <see cref="SignerOptions.MaxFeePerGasCap"/> for the sends made in the current async flow until the
    /// returned scope is disposed (bindings calls made inside it included, and the replacements of those sends).
    /// <paramref name="capForGasLimit"/> gets each send's gas limit and returns its cap per gas, so a caller can bound
    /// what the transaction may cost in total (<c>cap = budget / gasLimit</c>): gas the callee burns then lowers the
    /// price the signer may pay, never the total. The caller decides whether the override may exceed the normal cap.
    /// </summary>
    public IDisposable OverrideFeeCap(Func<ulong, BigInteger> capForGasLimit)
    {
        ArgumentNullException.ThrowIfNull(capForGasLimit);
        var previous = _feeCapOverride.Value;
        _feeCapOverride.Value = capForGasLimit;
        return new Scope(() => _feeCapOverride.Value = previous);
    }

    /// <summary>The fee cap per gas a send with <paramref name="gasLimit"/> gets in the current async flow.</summary>
    public BigInteger FeeCapFor(ulong gasLimit) => _feeCapOverride.Value is { } f ? f(gasLimit) : Options.MaxFeePerGasCap;

    /// <inheritdoc />
    public async Task<TransactionReceipt> SendTransactionAsync(Address? to, byte[] data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var signed = await SignAndSendAsync(to, data ?? [], value, null, cancellationToken).ConfigureAwait(false);
        var receipt = await WaitForReceiptAsync(signed, Options.Confirmations, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            throw await ExplainFailureAsync(signed, receipt, cancellationToken).ConfigureAwait(false);
        }

        return receipt;
    }

    /// <summary>Estimates EIP-1559 fees from <c>eth_feeHistory</c>: tip = the percentile reward held within
    /// [<see cref="SignerOptions.MinPriorityFeePerGas"/>, <see cref="SignerOptions.MaxPriorityFeePerGas"/>];
    /// maxFee = min(2 × next base fee + tip, cap).</summary>
    /// <exception cref="FeeCapExceededException">Next base fee + tip exceeds the cap.</exception>
    public Task<FeeEstimate> EstimateFeesAsync(CancellationToken cancellationToken = default) =>
        EstimateFeesAsync(Options.MaxFeePerGasCap, cancellationToken);

    private async Task<FeeEstimate> EstimateFeesAsync(BigInteger cap, CancellationToken cancellationToken)
    {
        var today = await TodaysFeesAsync(cancellationToken).ConfigureAwait(false);
        var required = today.NextBaseFee + today.MaxPriorityFeePerGas;
        if (required > cap)
        {
            throw new FeeCapExceededException(required, cap);
        }

        return today with { MaxFeePerGas = BigInteger.Min(today.MaxFeePerGas, cap) };
    }

    /// <summary>Today's fees from <c>eth_feeHistory</c>, uncapped: next base fee, tip held within the tip bounds,
    /// max fee = 2 × next base fee + tip.</summary>
    private async Task<FeeEstimate> TodaysFeesAsync(CancellationToken cancellationToken)
    {
        var history = await Client.FeeHistoryAsync(Options.FeeHistoryBlocks, "latest", [Options.PriorityFeePercentile], cancellationToken).ConfigureAwait(false);
        if (history.BaseFeePerGas.Count == 0)
        {
            throw new JsonRpcException("eth_feeHistory returned no base fees (pre-London chain?).", "eth_feeHistory");
        }

        var nextBase = history.BaseFeePerGas[^1];
        var rewards = history.Reward.Where(r => r.Count > 0).Select(r => r[0]).OrderBy(x => x).ToList();
        var tip = rewards.Count > 0 ? rewards[rewards.Count / 2] : BigInteger.Zero;
        tip = BigInteger.Min(BigInteger.Max(tip, Options.MinPriorityFeePerGas), Options.MaxPriorityFeePerGas);
        return new FeeEstimate((2 * nextBase) + tip, tip, nextBase);
    }

    /// <summary>
    /// Estimates gas, prices, claims a nonce, signs and broadcasts a transaction; returns once the node has accepted it
    /// (not mined), after handing it to the <see cref="Tracker"/>. <paramref name="gasLimit"/> skips estimation when
    /// given. The fee cap is <see cref="SignerOptions.MaxFeePerGasCap"/>, or what <see cref="OverrideFeeCap"/> set for
    /// this flow.
    /// </summary>
    /// <exception cref="ContractRevertException">Gas estimation reverted.</exception>
    /// <exception cref="FeeCapExceededException">Fees exceed the cap.</exception>
    /// <exception cref="TransactionRejectedException">The node refused the transaction.</exception>
    public async Task<SignedTransaction> SignAndSendAsync(Address? to, byte[] data, BigInteger value, ulong? gasLimit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        _chainId ??= await Client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        ulong gas = gasLimit ?? await EstimateGasLimitAsync(to, data, value, cancellationToken).ConfigureAwait(false);
        var cap = FeeCapFor(gas);
        var fees = await EstimateFeesAsync(cap, cancellationToken).ConfigureAwait(false);

        using var lease = await _nonces.AcquireAsync(cancellationToken).ConfigureAwait(false);
        for (int round = 0; ; round++)
        {
            var signed = new Eip1559Transaction
            {
                ChainId = _chainId.Value,
                Nonce = lease.Nonce,
                MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas,
                MaxFeePerGas = fees.MaxFeePerGas,
                GasLimit = gas,
                To = to,
                Value = value,
                Data = data,
            }.Sign(_key);

            await InvokeBeforeBroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
            var outcome = await BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
            if (outcome == BroadcastOutcome.Accepted)
            {
                lease.Commit();
                Tracker.Track(signed, cap);
                _logger.LogDebug("Sent {Hash} nonce {Nonce} from {From}", Hex.Encode(signed.Hash), lease.Nonce, From);
                return signed;
            }

            // NonceTooLow: someone else used this nonce (another process with the same key); resync and re-sign.
            if (round >= Options.SendAttempts)
            {
                throw new TransactionRejectedException($"Nonce kept being too low after {round + 1} resyncs for {From}.", signed.Hash);
            }

            await lease.ResyncAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until the transaction (or a fee-bumped replacement of it) has <paramref name="confirmations"/>
    /// confirmations, and checks the receipt is still canonical at the end. It only watches: the
    /// <see cref="Tracker"/> re-broadcasts, replaces (same nonce, both fees bumped by at least
    /// <see cref="SignerOptions.ReplacementBumpPercent"/>, up to the cap the transaction was sent under) and re-sends
    /// after reorgs, whether or not anyone waits. Whichever of the signed versions is mined is the receipt returned.
    /// (A transaction the tracker does not follow, such as one signed elsewhere, is re-broadcast here unchanged every
    /// <see cref="SignerOptions.RebroadcastInterval"/>.)
    /// </summary>
    /// <exception cref="TimeoutException">No receipt within <see cref="SignerOptions.ReceiptTimeout"/>.</exception>
    public async Task<TransactionReceipt> WaitForReceiptAsync(SignedTransaction signed, int confirmations = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var started = DateTime.UtcNow;
        var lastBroadcast = DateTime.UtcNow;
        var versions = new List<SignedTransaction> { signed };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tracked = Tracker.VersionsOf(signed);
            foreach (var v in tracked ?? [])
            {
                if (!versions.Any(k => k.Hash.AsSpan().SequenceEqual(v.Hash)))
                {
                    versions.Add(v);
                }
            }

            TransactionReceipt? receipt = null;
            SignedTransaction mined = signed;
            for (int i = versions.Count - 1; i >= 0 && receipt is null; i--)
            {
                receipt = await Client.GetTransactionReceiptAsync(versions[i].Hash, cancellationToken).ConfigureAwait(false);
                mined = versions[i];
            }

            if (receipt is not null)
            {
                ulong head = confirmations <= 1 ? receipt.BlockNumber : await Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
                if (head + 1 >= receipt.BlockNumber + (ulong)Math.Max(1, confirmations))
                {
                    if (confirmations <= 1)
                    {
                        return receipt;
                    }

                    // Still canonical? A reorg may have moved or dropped it while we waited.
                    var again = await Client.GetTransactionReceiptAsync(mined.Hash, cancellationToken).ConfigureAwait(false);
                    if (again is not null && again.BlockHash.AsSpan().SequenceEqual(receipt.BlockHash))
                    {
                        return again;
                    }
                }
            }

            if (DateTime.UtcNow - started > Options.ReceiptTimeout)
            {
                throw new TimeoutException($"No receipt with {confirmations} confirmation(s) for {Hex.Encode(signed.Hash)} after {Options.ReceiptTimeout}.");
            }

            if (receipt is null && tracked is null && DateTime.UtcNow - lastBroadcast > Options.RebroadcastInterval)
            {
                lastBroadcast = DateTime.UtcNow;
                if (await RebroadcastAsync(versions[^1], cancellationToken).ConfigureAwait(false) is { } refusal)
                {
                    _logger.LogWarning("Re-broadcast of {Hash} refused: {Error}", Hex.Encode(versions[^1].Hash), refusal);
                }
            }

            await Task.Delay(Options.ReceiptPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <see cref="BeforeBroadcast"/>, if set.</summary>
    internal Task InvokeBeforeBroadcastAsync(SignedTransaction signed, CancellationToken cancellationToken) =>
        BeforeBroadcast is { } hook ? hook(signed, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// A re-signed copy of <paramref name="latest"/> (same nonce, same call) with both fees raised enough to be mined and
    /// to replace it, or null when it is not stuck at today's fees or <paramref name="cap"/> leaves no room for a valid
    /// replacement (<see cref="FeeReplacement"/>).
    /// </summary>
    internal async Task<SignedTransaction?> ReplacementAsync(SignedTransaction latest, BigInteger cap, CancellationToken cancellationToken)
    {
        if (latest.Transaction is not Eip1559Transaction tx)
        {
            return null;
        }

        var today = await TodaysFeesAsync(cancellationToken).ConfigureAwait(false);
        if (!FeeReplacement.IsStuck(tx.MaxFeePerGas, tx.MaxPriorityFeePerGas, today))
        {
            return null; // includable at today's fees: waiting is enough
        }

        if (FeeReplacement.Compute(tx.MaxFeePerGas, tx.MaxPriorityFeePerGas, today, Options.ReplacementBumpPercent, cap) is not { } fees)
        {
            _logger.LogWarning("Transaction {Hash} (nonce {Nonce}) is stuck under the base fee {BaseFee}, and the fee cap {Cap} leaves no room for a replacement that would be mined",
                Hex.Encode(latest.Hash), tx.Nonce, today.NextBaseFee, cap);
            return null;
        }

        return Resign(tx, fees.MaxFeePerGas, fees.MaxPriorityFeePerGas);
    }

    /// <summary>
    /// Fills a nonce gap the node has and nothing tracked holds: a zero-value transfer to ourselves at
    /// <paramref name="nonce"/>, at today's fees under the normal cap, tracked like any send.
    /// </summary>
    internal async Task FillGapAsync(ulong nonce, CancellationToken cancellationToken)
    {
        _chainId ??= await Client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        var fees = await EstimateFeesAsync(Options.MaxFeePerGasCap, cancellationToken).ConfigureAwait(false);
        var filler = new Eip1559Transaction
        {
            ChainId = _chainId.Value,
            Nonce = nonce,
            MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas,
            MaxFeePerGas = fees.MaxFeePerGas,
            GasLimit = 21_000,
            To = From,
            Value = BigInteger.Zero,
            Data = [],
        }.Sign(_key);
        await InvokeBeforeBroadcastAsync(filler, cancellationToken).ConfigureAwait(false);
        if (await BroadcastAsync(filler, cancellationToken).ConfigureAwait(false) == BroadcastOutcome.Accepted)
        {
            Tracker.Track(filler, Options.MaxFeePerGasCap);
        }
    }

    /// <summary>
    /// Broadcasts the exact signed bytes again. A refusal (already mined, a better version pending, under the base fee)
    /// is not thrown: its reason is returned (null when the node has the transaction) and logged at debug level.
    /// </summary>
    internal async Task<string?> RebroadcastAsync(SignedTransaction signed, CancellationToken cancellationToken)
    {
        try
        {
            await BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (TransactionRejectedException e)
        {
            _logger.LogDebug("Re-broadcast of {Hash} refused: {Error}", Hex.Encode(signed.Hash), e.Message);
            return e.Message;
        }
    }

    /// <summary>The same transaction (nonce, call, gas) with new fees, signed.</summary>
    private SignedTransaction Resign(Eip1559Transaction tx, BigInteger maxFee, BigInteger tip) =>
        new Eip1559Transaction
        {
            ChainId = tx.ChainId,
            Nonce = tx.Nonce,
            MaxPriorityFeePerGas = tip,
            MaxFeePerGas = maxFee,
            GasLimit = tx.GasLimit,
            To = tx.To,
            Value = tx.Value,
            Data = tx.Data,
        }.Sign(_key);

    private sealed class Scope(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }

    internal async Task<ulong> EstimateGasLimitAsync(Address? to, byte[] data, BigInteger value, CancellationToken cancellationToken)
    {
        ulong estimate = await Client.EstimateGasAsync(new CallRequest(From, to, data, value), cancellationToken).ConfigureAwait(false);
        return (ulong)Math.Ceiling(estimate * Math.Max(1.0, Options.GasLimitMultiplier));
    }

    private enum BroadcastOutcome
    {
        Accepted,
        NonceTooLow,
    }

    /// <summary>Broadcasts the exact signed bytes until the node has them; transient failures re-send the same bytes.</summary>
    private async Task<BroadcastOutcome> BroadcastAsync(SignedTransaction signed, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var hash = await Client.SendRawTransactionAsync(signed.RawBytes, cancellationToken).ConfigureAwait(false);
                if (!hash.AsSpan().SequenceEqual(signed.Hash))
                {
                    _logger.LogWarning("Node reported hash {Reported} for transaction {Hash}", Hex.Encode(hash), Hex.Encode(signed.Hash));
                }

                return BroadcastOutcome.Accepted;
            }
            catch (TransientJsonRpcException e)
            {
                // The request may have reached the node before the failure: look the transaction up by hash.
                _logger.LogWarning(e, "Broadcast of {Hash} failed transiently (attempt {Attempt})", Hex.Encode(signed.Hash), attempt);
                if (await IsKnownSafeAsync(signed.Hash, cancellationToken).ConfigureAwait(false))
                {
                    return BroadcastOutcome.Accepted;
                }

                if (attempt >= Options.SendAttempts)
                {
                    throw;
                }
            }
            catch (JsonRpcException e) when (IsAlreadyKnown(e))
            {
                return BroadcastOutcome.Accepted;
            }
            catch (JsonRpcException e) when (IsNonceTooLow(e))
            {
                // Either our own earlier attempt landed (then the hash is known) or another sender took the nonce.
                return await Client.IsTransactionKnownAsync(signed.Hash, cancellationToken).ConfigureAwait(false)
                    ? BroadcastOutcome.Accepted
                    : BroadcastOutcome.NonceTooLow;
            }
            catch (JsonRpcException e)
            {
                throw new TransactionRejectedException($"The node rejected transaction {Hex.Encode(signed.Hash)}: {e.Message}", signed.Hash, e);
            }
        }
    }

    private async Task<bool> IsKnownSafeAsync(byte[] hash, CancellationToken cancellationToken)
    {
        try
        {
            return await Client.IsTransactionKnownAsync(hash, cancellationToken).ConfigureAwait(false);
        }
        catch (TransientJsonRpcException)
        {
            return false;
        }
    }

    private static bool IsAlreadyKnown(JsonRpcException e)
    {
        var m = e.NodeMessage ?? string.Empty;
        return m.Contains("already known", StringComparison.OrdinalIgnoreCase)
            || m.Contains("already imported", StringComparison.OrdinalIgnoreCase)
            || m.Contains("known transaction", StringComparison.OrdinalIgnoreCase)
            || m.Contains("already exists", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsNonceTooLow(JsonRpcException e)
    {
        var m = e.NodeMessage ?? string.Empty;
        return m.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
            || m.Contains("nonce is too low", StringComparison.OrdinalIgnoreCase)
            || m.Contains("replacement transaction underpriced", StringComparison.OrdinalIgnoreCase);
    }

    internal async Task<Exception> ExplainFailureAsync(SignedTransaction signed, TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        // Replay the call on the parent block's state to recover the revert data (best effort).
        var tx = signed.Transaction;
        try
        {
            await Client.CallAsync(
                new CallRequest(From, tx.To, tx.Data, tx.Value, tx.GasLimit),
                Quantity.Encode(receipt.BlockNumber == 0 ? 0 : receipt.BlockNumber - 1),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException revert)
        {
            return revert;
        }
        catch (JsonRpcException)
        {
            // Fall through to the generic error.
        }

        return new ContractRevertException($"Transaction {Hex.Encode(signed.Hash)} reverted on chain in block {receipt.BlockNumber} (gas used {receipt.GasUsed} of {tx.GasLimit}).", []);
    }
}
