using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Accounts;
using Nethereum.RPC.AccountSigning;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.RPC.NonceServices;
using Nethereum.RPC.TransactionManagers;
using Nethereum.RPC.TransactionReceipts;
using ProverMarketChain.ContractBindings.Primitives;
using NethereumReceipt = Nethereum.RPC.Eth.DTOs.TransactionReceipt;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// A Nethereum <c>Web3</c> whose account sends through the project's <see cref="Signer"/> and whose client is the
/// resilient <see cref="JsonRpcClient.Client"/> (Nethereum's RPC client behind retries, timeouts and a circuit breaker): generated contract services used on it get Nethereum's typed API and the
/// worker's transaction pipeline (nonce management, fee caps, stuck-transaction replacement, the broadcast journal hook).
/// </summary>
public sealed class SignerWeb3 : Nethereum.Web3.Web3
{
    /// <summary>A Web3 that sends as <paramref name="signer"/>.</summary>
    public SignerWeb3(Signer signer)
        : base(new SignerAccount(signer), signer.Client.Rpc.Client)
    {
        Signer = signer;
    }

    /// <summary>The signer transactions go through.</summary>
    public Signer Signer { get; }

    /// <summary>A read-only Web3 over <paramref name="client"/> (queries and logs; sending throws).</summary>
    public static Nethereum.Web3.Web3 ReadOnly(EthClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new Nethereum.Web3.Web3(client.Rpc.Client);
    }
}

/// <summary>Nethereum's <see cref="IAccount"/> for a <see cref="Signer"/>: its address and transaction manager.</summary>
public sealed class SignerAccount : IAccount
{
    /// <summary>The account of <paramref name="signer"/>.</summary>
    public SignerAccount(Signer signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Address = signer.From.ToString();
        TransactionManager = new SignerTransactionManager(signer, this);
    }

    /// <inheritdoc />
    public string Address { get; }

    /// <inheritdoc />
    public ITransactionManager TransactionManager { get; }

    /// <summary>Unused: the <see cref="Signer"/>'s own nonce manager claims nonces.</summary>
    public INonceService? NonceService { get; set; }

    /// <summary>Unused: message signing goes through <see cref="Crypto.EthKey"/>.</summary>
    public IAccountSigningService? AccountSigningService => null;
}

/// <summary>
/// Nethereum's <see cref="ITransactionManager"/> over a <see cref="Signer"/>: a contract service's send estimates gas,
/// prices, signs and broadcasts through the signer, which Nethereum's own managers cannot do for us (they know neither
/// the worker's journal hook nor its replacement of stuck transactions nor its fee caps).
/// </summary>
public sealed class SignerTransactionManager : TransactionManagerBase, ITransactionManager
{
    private readonly Signer _signer;
    private readonly IAccount _account;

    /// <summary>The manager of <paramref name="account"/>, sending through <paramref name="signer"/>.</summary>
    public SignerTransactionManager(Signer signer, IAccount account)
    {
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        _account = account ?? throw new ArgumentNullException(nameof(account));
        Account = account;
        // Nethereum's contract handlers estimate gas through EstimateGasAsync below (the signer's estimate, with its
        // headroom multiplier); fees are the signer's alone, so Nethereum must not fill them in.
        EstimateOrSetDefaultGasIfNotSet = true;
        CalculateOrSetDefaultGasPriceFeesIfNotSet = false;
        TransactionReceiptService = new SignerReceiptService(this);
    }

    // What this manager broadcast and is still to be waited for, by hash: Nethereum's contract handlers send, then poll
    // the receipt service by hash, and the wait must go through the signer (fee-bumped replacement of a stuck
    // transaction, failure explained). Entries leave when their wait ends, or after the signer's tracking timeout when
    // nobody waits for them (a send-only call).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Transactions.SignedTransaction Signed, DateTime SentAt)> _pending = new(StringComparer.OrdinalIgnoreCase);

    internal Signer Signer => _signer;

    /// <summary>
    /// Waits for the transaction this manager broadcast as <paramref name="transactionHash"/> through the signer (which
    /// replaces it with bumped fees while it is stuck), and returns Nethereum's receipt of whichever version was mined.
    /// </summary>
    /// <exception cref="Contracts.ContractRevertException">The mined transaction reverted.</exception>
    internal async Task<NethereumReceipt?> WaitAsync(string transactionHash, CancellationToken cancellationToken)
    {
        if (!_pending.TryRemove(transactionHash, out var entry))
        {
            return null;
        }

        var signed = entry.Signed;

        var mined = await _signer.WaitForReceiptAsync(signed, _signer.Options.Confirmations, cancellationToken).ConfigureAwait(false);
        if (!mined.Succeeded)
        {
            throw await _signer.ExplainFailureAsync(signed, mined, cancellationToken).ConfigureAwait(false);
        }

        // Built from the receipt the signer already holds: asking again could reach a backend that has not seen the block
        // yet and turn a success into an error.
        return ToNethereum(mined);
    }

    /// <inheritdoc />
    public override BigInteger DefaultGas { get; set; }

    /// <summary>Signs and broadcasts; returns the hash once the node accepted it (not mined).</summary>
    /// <exception cref="Contracts.ContractRevertException">Gas estimation reverted.</exception>
    public override async Task<string> SendTransactionAsync(TransactionInput transactionInput)
    {
        ArgumentNullException.ThrowIfNull(transactionInput);
        var (to, data, value, gas) = Unpack(transactionInput);
        var signed = await _signer.SignAndSendAsync(to, data, value, gas, SendCancellation.Current).ConfigureAwait(false);
        var hash = Hex.Encode(signed.Hash);
        var now = DateTime.UtcNow;
        foreach (var (key, old) in _pending)
        {
            if (now - old.SentAt > _signer.Options.TrackingTimeout)
            {
                _pending.TryRemove(key, out _);
            }
        }

        _pending[hash] = (signed, now);
        return hash;
    }

    /// <summary>Signs, broadcasts and waits for a successful receipt (the signer replaces a stuck transaction meanwhile).</summary>
    /// <exception cref="Contracts.ContractRevertException">Gas estimation reverted, or the mined transaction did.</exception>
    public new async Task<NethereumReceipt> SendTransactionAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default)
    {
        var hash = await SendTransactionAsync(transactionInput).ConfigureAwait(false);
        return (await WaitAsync(hash, cancellationToken).ConfigureAwait(false))!;
    }

    Task<NethereumReceipt> ITransactionManager.SendTransactionAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken) =>
        SendTransactionAndWaitForReceiptAsync(transactionInput, cancellationToken);

    /// <summary>The signer's gas limit for the call: <c>eth_estimateGas</c> times its headroom multiplier.</summary>
    /// <exception cref="Contracts.ContractRevertException">The call would revert.</exception>
    public override async Task<HexBigInteger> EstimateGasAsync(CallInput callInput)
    {
        ArgumentNullException.ThrowIfNull(callInput);
        var to = string.IsNullOrEmpty(callInput.To) ? (Address?)null : Address.Parse(callInput.To);
        var gas = await _signer.EstimateGasLimitAsync(to, Data(callInput.Data), callInput.Value?.Value ?? BigInteger.Zero, SendCancellation.Current).ConfigureAwait(false);
        return new HexBigInteger(gas);
    }

    /// <summary>Not supported: the signer signs only what it broadcasts, so that every signed transaction is journalled.</summary>
    public override Task<string> SignTransactionAsync(TransactionInput transaction) =>
        throw new NotSupportedException("The worker's signer signs only transactions it broadcasts (each is journalled); use SendTransactionAsync.");

    /// <summary>Not supported: EIP-7702 authorisations are not used by this market.</summary>
    public override Task<Authorisation> SignAuthorisationAsync(Authorisation authorisation) =>
        throw new NotSupportedException("EIP-7702 authorisations are not supported by the worker's signer.");

    private (Address? To, byte[] Data, BigInteger Value, ulong? Gas) Unpack(TransactionInput input)
    {
        if (!string.IsNullOrEmpty(input.From) && !string.Equals(input.From, _signer.From.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The transaction is from {input.From}, but this manager signs as {_signer.From}.", nameof(input));
        }

        var to = string.IsNullOrEmpty(input.To) ? (Address?)null : Address.Parse(input.To);
        ulong? gas = input.Gas is { } g && g.Value > 0 ? checked((ulong)g.Value) : null;
        return (to, Data(input.Data), input.Value?.Value ?? BigInteger.Zero, gas);
    }

    /// <summary>Nethereum's receipt DTO for a receipt the signer read.</summary>
    internal static NethereumReceipt ToNethereum(TransactionReceipt mined) => new()
    {
        TransactionHash = Hex.Encode(mined.TransactionHash),
        BlockHash = Hex.Encode(mined.BlockHash),
        BlockNumber = new HexBigInteger(mined.BlockNumber),
        Status = new HexBigInteger(mined.Succeeded ? 1 : 0),
        GasUsed = new HexBigInteger(mined.GasUsed),
        EffectiveGasPrice = new HexBigInteger(mined.EffectiveGasPrice),
        ContractAddress = mined.ContractAddress?.ToString(),
        Logs = mined.Logs.Select(l => Contracts.EventDecoding.ToFilterLog(l)).ToArray(),
    };

    private static byte[] Data(string? hex) => string.IsNullOrEmpty(hex) || hex == "0x" ? [] : Hex.Decode(hex);
}

/// <summary>One <see cref="SignerWeb3"/> per <see cref="Signer"/>, for binding generated services to it.</summary>
public static class SignerWeb3Extensions
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Signer, SignerWeb3> Instances = new();

    /// <summary>The Web3 that sends as <paramref name="signer"/> (created once per signer).</summary>
    public static SignerWeb3 Web3(this Signer signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return Instances.GetValue(signer, static s => new SignerWeb3(s));
    }
}

/// <summary>
/// Nethereum's receipt service for a <see cref="SignerTransactionManager"/>: the contract handlers' "send and wait"
/// polls this by hash, so the wait for a transaction the manager sent goes through the signer (replacement of a stuck
/// transaction, a revert thrown with its reason). A hash it did not send is polled plainly.
/// </summary>
public sealed class SignerReceiptService : ITransactionReceiptService
{
    private readonly SignerTransactionManager _manager;
    private int _pollMs = 200;

    /// <summary>The service of <paramref name="manager"/>.</summary>
    public SignerReceiptService(SignerTransactionManager manager)
    {
        _manager = manager ?? throw new ArgumentNullException(nameof(manager));
    }

    /// <inheritdoc />
    public async Task<NethereumReceipt> PollForReceiptAsync(string transactionHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionHash);
        if (await _manager.WaitAsync(transactionHash, cancellationToken).ConfigureAwait(false) is { } receipt)
        {
            return receipt;
        }

        // A transaction this manager did not send (or sent without waiting, long ago): polled plainly, but with the same
        // guarantees as a send — a deadline, and a reverted transaction thrown, not returned.
        var poll = new EthGetTransactionReceipt(_manager.Client);
        var deadline = DateTime.UtcNow + _manager.Signer.Options.ReceiptTimeout;
        while (true)
        {
            if (await poll.SendRequestAsync(transactionHash).ConfigureAwait(false) is { } found)
            {
                return found.Status?.Value == 0
                    ? throw new Contracts.ContractRevertException($"Transaction {transactionHash} was mined and reverted.", [])
                    : found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No receipt for {transactionHash} after {_manager.Signer.Options.ReceiptTimeout}.");
            }

            await Task.Delay(_pollMs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<NethereumReceipt> SendRequestAndWaitForReceiptAsync(Func<Task<string>> transactionFunction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionFunction);
        return await PollForReceiptAsync(await transactionFunction().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<NethereumReceipt> SendRequestAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default) =>
        SendRequestAndWaitForReceiptAsync(() => _manager.SendTransactionAsync(transactionInput), cancellationToken);

    /// <inheritdoc />
    public async Task<List<NethereumReceipt>> SendRequestsAndWaitForReceiptAsync(IEnumerable<TransactionInput> transactionInputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionInputs);
        var receipts = new List<NethereumReceipt>();
        foreach (var input in transactionInputs)
        {
            receipts.Add(await SendRequestAndWaitForReceiptAsync(input, cancellationToken).ConfigureAwait(false));
        }

        return receipts;
    }

    /// <inheritdoc />
    public async Task<List<NethereumReceipt>> SendRequestsAndWaitForReceiptAsync(IEnumerable<Func<Task<string>>> transactionFunctions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionFunctions);
        var receipts = new List<NethereumReceipt>();
        foreach (var f in transactionFunctions)
        {
            receipts.Add(await SendRequestAndWaitForReceiptAsync(f, cancellationToken).ConfigureAwait(false));
        }

        return receipts;
    }

    /// <inheritdoc />
    public async Task<NethereumReceipt> DeployContractAndWaitForReceiptAsync(Func<Task<string>> deployFunction, CancellationToken cancellationToken = default) =>
        await ValidateDeploymentTransactionReceipt(await SendRequestAndWaitForReceiptAsync(deployFunction, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<NethereumReceipt> DeployContractAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default) =>
        DeployContractAndWaitForReceiptAsync(() => _manager.SendTransactionAsync(transactionInput), cancellationToken);

    /// <inheritdoc />
    public async Task<string> DeployContractAndGetAddressAsync(Func<Task<string>> deployFunction, CancellationToken cancellationToken = default) =>
        (await DeployContractAndWaitForReceiptAsync(deployFunction, cancellationToken).ConfigureAwait(false)).ContractAddress;

    /// <inheritdoc />
    public int GetPollingRetryIntervalInMilliseconds() => _pollMs;

    /// <inheritdoc />
    public void SetPollingRetryIntervalInMilliseconds(int retryMilliseconds) => _pollMs = Math.Max(10, retryMilliseconds);

    /// <summary>A deployment's receipt must name the created contract.</summary>
    /// <exception cref="Contracts.ContractRevertException">It names none (the creation failed).</exception>
    public Task<NethereumReceipt> ValidateDeploymentTransactionReceipt(NethereumReceipt transactionReceipt)
    {
        ArgumentNullException.ThrowIfNull(transactionReceipt);
        return string.IsNullOrEmpty(transactionReceipt.ContractAddress)
            ? throw new Contracts.ContractRevertException($"Deployment {transactionReceipt.TransactionHash} created no contract.", [])
            : Task.FromResult(transactionReceipt);
    }
}

/// <summary>
/// The cancellation of the contract call in progress on this logical flow. Nethereum's contract handlers take no
/// cancellation token for a send (only for its receipt wait), so a generated service's send-and-wait enters a scope
/// here and the signer's nonce wait, gas estimate and broadcast honour it: a stopping worker does not sit out a send.
/// </summary>
public static class SendCancellation
{
    private static readonly AsyncLocal<CancellationToken> Ambient = new();

    /// <summary>The token of the innermost scope, or none.</summary>
    public static CancellationToken Current => Ambient.Value;

    /// <summary>Makes <paramref name="cancellationToken"/> the ambient one until the scope is disposed.</summary>
    public static IDisposable Enter(CancellationToken cancellationToken)
    {
        var previous = Ambient.Value;
        Ambient.Value = cancellationToken;
        return new Scope(previous);
    }

    private sealed class Scope(CancellationToken previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
