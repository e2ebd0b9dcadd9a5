using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Accounts;
using Nethereum.RPC.AccountSigning;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.RPC.NonceServices;
using Nethereum.RPC.TransactionManagers;
using ProverMarketChain.ContractBindings.Primitives;
using NethereumReceipt = Nethereum.RPC.Eth.DTOs.TransactionReceipt;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// A Nethereum <c>Web3</c> whose account sends through the project's <see cref="Signer"/> and whose client is the
/// resilient <see cref="JsonRpcClient"/>: generated contract services used on it get Nethereum's typed API and the
/// worker's transaction pipeline (nonce management, fee caps, stuck-transaction replacement, the broadcast journal hook).
/// </summary>
public sealed class SignerWeb3 : Nethereum.Web3.Web3
{
    /// <summary>A Web3 that sends as <paramref name="signer"/>.</summary>
    public SignerWeb3(Signer signer)
        : base(new SignerAccount(signer), new NethereumClient(signer.Client.Rpc))
    {
        Signer = signer;
    }

    /// <summary>The signer transactions go through.</summary>
    public Signer Signer { get; }

    /// <summary>A read-only Web3 over <paramref name="client"/> (queries and logs; sending throws).</summary>
    public static Nethereum.Web3.Web3 ReadOnly(EthClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new Nethereum.Web3.Web3(new NethereumClient(client.Rpc));
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
    }

    /// <inheritdoc />
    public override BigInteger DefaultGas { get; set; }

    /// <summary>Signs and broadcasts; returns the hash once the node accepted it (not mined).</summary>
    /// <exception cref="Contracts.ContractRevertException">Gas estimation reverted.</exception>
    public override async Task<string> SendTransactionAsync(TransactionInput transactionInput)
    {
        ArgumentNullException.ThrowIfNull(transactionInput);
        var (to, data, value, gas) = Unpack(transactionInput);
        var signed = await _signer.SignAndSendAsync(to, data, value, gas).ConfigureAwait(false);
        return Hex.Encode(signed.Hash);
    }

    /// <summary>Signs, broadcasts and waits for a successful receipt (the signer replaces a stuck transaction meanwhile).</summary>
    /// <exception cref="Contracts.ContractRevertException">Gas estimation reverted, or the mined transaction did.</exception>
    public new async Task<NethereumReceipt> SendTransactionAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionInput);
        var (to, data, value, gas) = Unpack(transactionInput);
        var signed = await _signer.SignAndSendAsync(to, data, value, gas, cancellationToken).ConfigureAwait(false);
        var mined = await _signer.WaitForReceiptAsync(signed, _signer.Options.Confirmations, cancellationToken).ConfigureAwait(false);
        var receipt = await new EthGetTransactionReceipt(Client).SendRequestAsync(Hex.Encode(mined.TransactionHash)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The node has no receipt for mined transaction {Hex.Encode(mined.TransactionHash)}.");
        if (!mined.Succeeded)
        {
            throw await _signer.ExplainFailureAsync(signed, mined, cancellationToken).ConfigureAwait(false);
        }

        return receipt;
    }

    Task<NethereumReceipt> ITransactionManager.SendTransactionAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken) =>
        SendTransactionAndWaitForReceiptAsync(transactionInput, cancellationToken);

    /// <summary>The signer's gas limit for the call: <c>eth_estimateGas</c> times its headroom multiplier.</summary>
    /// <exception cref="Contracts.ContractRevertException">The call would revert.</exception>
    public override async Task<HexBigInteger> EstimateGasAsync(CallInput callInput)
    {
        ArgumentNullException.ThrowIfNull(callInput);
        var to = string.IsNullOrEmpty(callInput.To) ? (Address?)null : Address.Parse(callInput.To);
        var gas = await _signer.EstimateGasLimitAsync(to, Data(callInput.Data), callInput.Value?.Value ?? BigInteger.Zero, CancellationToken.None).ConfigureAwait(false);
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
