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

    /// <summary>Minimum priority fee (tip) in wei. Default 1 gwei.</summary>
    public BigInteger MinPriorityFeePerGas { get; init; } = 1_000_000_000;

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

    /// <summary>How often the same signed transaction is re-broadcast while waiting. Default 15 s.</summary>
    public TimeSpan RebroadcastInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Give up waiting for a receipt after this long. Default 5 minutes.</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts to get one signed transaction accepted (each after the client's own retries). Default 5.</summary>
    public int SendAttempts { get; init; } = 5;

    /// <summary>How much a replacement raises both fees, in percent (nodes require at least 10). Default 15.</summary>
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
/// it lands exactly once. Thread-safe; concurrent sends are serialised only while their nonce is being claimed.
/// </summary>
public sealed class Signer : IContractTransport
{
    private readonly EthKey _key;
    private readonly ILogger _logger;
    private readonly NonceManager _nonces;
    private ulong? _chainId;

    /// <summary>Creates a signer.</summary>
    public Signer(EthClient client, EthKey key, SignerOptions? options = null, ILogger<Signer>? logger = null)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Options = options ?? new SignerOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _nonces = new NonceManager(client, key.Address, _logger);
    }

    /// <summary>The typed RPC client.</summary>
    public EthClient Client { get; }

    /// <summary>The options in use.</summary>
    public SignerOptions Options { get; }

    /// <summary>
    /// Called with every signed transaction before it is broadcast (and again for each re-signed one): a caller that
    /// must survive a crash journals the hash here, so after a restart it can tell a transaction in flight from one
    /// never sent instead of sending the same action twice. An exception thrown here stops the send.
    /// </summary>
    public Func<SignedTransaction, CancellationToken, Task>? BeforeBroadcast { get; set; }

    /// <summary>The nonce manager of this account.</summary>
    public NonceManager Nonces => _nonces;

    /// <inheritdoc />
    public Address From => _key.Address;

    /// <inheritdoc />
    public Task<byte[]> CallAsync(Address to, byte[] data, CancellationToken cancellationToken = default) =>
        Client.CallAsync(new CallRequest(From, to, data ?? []), "latest", cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default) =>
        Client.GetLogsAsync(filter, cancellationToken);

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

    /// <summary>Estimates EIP-1559 fees from <c>eth_feeHistory</c>: tip = max(percentile reward, minimum);
    /// maxFee = min(2 × next base fee + tip, cap).</summary>
    /// <exception cref="FeeCapExceededException">Next base fee + tip exceeds the cap.</exception>
    public async Task<FeeEstimate> EstimateFeesAsync(CancellationToken cancellationToken = default)
    {
        var history = await Client.FeeHistoryAsync(Options.FeeHistoryBlocks, "latest", [Options.PriorityFeePercentile], cancellationToken).ConfigureAwait(false);
        if (history.BaseFeePerGas.Count == 0)
        {
            throw new JsonRpcException("eth_feeHistory returned no base fees (pre-London chain?).", "eth_feeHistory");
        }

        var nextBase = history.BaseFeePerGas[^1];
        var rewards = history.Reward.Where(r => r.Count > 0).Select(r => r[0]).OrderBy(x => x).ToList();
        var tip = rewards.Count > 0 ? rewards[rewards.Count / 2] : BigInteger.Zero;
        tip = BigInteger.Max(tip, Options.MinPriorityFeePerGas);
        var required = nextBase + tip;
        if (required > Options.MaxFeePerGasCap)
        {
            throw new FeeCapExceededException(required, Options.MaxFeePerGasCap);
        }

        var maxFee = BigInteger.Min(2 * nextBase + tip, Options.MaxFeePerGasCap);
        return new FeeEstimate(maxFee, tip, nextBase);
    }

    /// <summary>
    /// Estimates gas, prices, claims a nonce, signs and broadcasts a transaction; returns once the node has accepted it
    /// (not mined). <paramref name="gasLimit"/> skips estimation when given.
    /// </summary>
    /// <exception cref="ContractRevertException">Gas estimation reverted.</exception>
    /// <exception cref="FeeCapExceededException">Fees exceed the cap.</exception>
    /// <exception cref="TransactionRejectedException">The node refused the transaction.</exception>
    public async Task<SignedTransaction> SignAndSendAsync(Address? to, byte[] data, BigInteger value, ulong? gasLimit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        _chainId ??= await Client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        ulong gas = gasLimit ?? await EstimateGasLimitAsync(to, data, value, cancellationToken).ConfigureAwait(false);
        var fees = await EstimateFeesAsync(cancellationToken).ConfigureAwait(false);

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

            if (BeforeBroadcast is { } hook)
            {
                await hook(signed, cancellationToken).ConfigureAwait(false);
            }

            var outcome = await BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
            if (outcome == BroadcastOutcome.Accepted)
            {
                lease.Commit();
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
    /// confirmations, and checks the receipt is still canonical at the end. Every <see cref="SignerOptions.RebroadcastInterval"/>
    /// without a receipt the latest signed bytes are broadcast again; if the base fee has meanwhile risen past what the
    /// transaction offers, it is re-signed with the same nonce and fees raised by at least
    /// <see cref="SignerOptions.ReplacementBumpPercent"/> (as nodes require of a replacement), up to
    /// <see cref="SignerOptions.MaxFeePerGasCap"/>, and broadcast (through <see cref="BeforeBroadcast"/> like every signed
    /// transaction). A stuck transaction would otherwise hold every later nonce of the account, reveals included. Whichever
    /// of the signed versions is mined is the receipt returned.
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
            TransactionReceipt? receipt = null;
            SignedTransaction mined = signed;
            foreach (var version in versions)
            {
                receipt = await Client.GetTransactionReceiptAsync(version.Hash, cancellationToken).ConfigureAwait(false);
                if (receipt is not null)
                {
                    mined = version;
                    break;
                }
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

            if (receipt is null && DateTime.UtcNow - lastBroadcast > Options.RebroadcastInterval)
            {
                lastBroadcast = DateTime.UtcNow;
                var latest = versions[^1];
                if (await BumpedAsync(latest, cancellationToken).ConfigureAwait(false) is { } bumped)
                {
                    if (BeforeBroadcast is { } hook)
                    {
                        await hook(bumped, cancellationToken).ConfigureAwait(false);
                    }

                    versions.Add(bumped);
                    latest = bumped;
                    _logger.LogWarning("Transaction {Hash} (nonce {Nonce}) is priced under the base fee; replaced by {Replacement} at max fee {MaxFee}",
                        Hex.Encode(versions[^2].Hash), latest.Transaction.Nonce, Hex.Encode(latest.Hash), ((Eip1559Transaction)latest.Transaction).MaxFeePerGas);
                }

                try
                {
                    await BroadcastAsync(latest, cancellationToken).ConfigureAwait(false);
                }
                catch (TransactionRejectedException e)
                {
                    // An underpriced replacement or a version already mined: the receipts decide.
                    _logger.LogWarning("Re-broadcast of {Hash} refused: {Error}", Hex.Encode(latest.Hash), e.Message);
                }
            }

            await Task.Delay(Options.ReceiptPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A re-signed copy of <paramref name="latest"/> (same nonce, same call) with fees raised enough to be mined and to
    /// replace it, or null when it still pays the next base fee or the cap leaves no room for a valid replacement.
    /// </summary>
    private async Task<SignedTransaction?> BumpedAsync(SignedTransaction latest, CancellationToken cancellationToken)
    {
        if (latest.Transaction is not Eip1559Transaction tx)
        {
            return null;
        }

        var fees = await EstimateFeesUncappedAsync(cancellationToken).ConfigureAwait(false);
        if (tx.MaxFeePerGas >= fees.NextBaseFee + tx.MaxPriorityFeePerGas)
        {
            return null; // still includable: waiting is enough
        }

        BigInteger Bump(BigInteger x) => x + (x * Options.ReplacementBumpPercent + 99) / 100;
        var tip = BigInteger.Max(Bump(tx.MaxPriorityFeePerGas), fees.MaxPriorityFeePerGas);
        var maxFee = BigInteger.Min(BigInteger.Max(Bump(tx.MaxFeePerGas), 2 * fees.NextBaseFee + tip), Options.MaxFeePerGasCap);
        tip = BigInteger.Min(tip, maxFee);
        if (maxFee < Bump(tx.MaxFeePerGas) || tip < Bump(tx.MaxPriorityFeePerGas) || maxFee < fees.NextBaseFee + tip)
        {
            _logger.LogWarning("Transaction {Hash} (nonce {Nonce}) is priced under the base fee {BaseFee}, and the fee cap {Cap} leaves no room for a replacement that would be mined",
                Hex.Encode(latest.Hash), tx.Nonce, fees.NextBaseFee, Options.MaxFeePerGasCap);
            return null;
        }

        return (tx with { MaxFeePerGas = maxFee, MaxPriorityFeePerGas = tip }).Sign(_key);
    }

    /// <summary>Today's fees from <c>eth_feeHistory</c> without the cap check (a replacement decides against the cap itself).</summary>
    private async Task<FeeEstimate> EstimateFeesUncappedAsync(CancellationToken cancellationToken)
    {
        var history = await Client.FeeHistoryAsync(Options.FeeHistoryBlocks, "latest", [Options.PriorityFeePercentile], cancellationToken).ConfigureAwait(false);
        var nextBase = history.BaseFeePerGas.Count > 0 ? history.BaseFeePerGas[^1] : BigInteger.Zero;
        var rewards = history.Reward.Where(r => r.Count > 0).Select(r => r[0]).OrderBy(x => x).ToList();
        var tip = BigInteger.Max(rewards.Count > 0 ? rewards[rewards.Count / 2] : BigInteger.Zero, Options.MinPriorityFeePerGas);
        return new FeeEstimate(2 * nextBase + tip, tip, nextBase);
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
