using System.Numerics;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;

namespace ProverMarketChain.ContractBindings.Transactions;

/// <summary>One EIP-2930 access list entry: an address and the storage keys it touches.</summary>
/// <param name="Address">The accessed account.</param>
/// <param name="StorageKeys">32-byte storage keys.</param>
public sealed record AccessListEntry(Address Address, IReadOnlyList<byte[]> StorageKeys);

/// <summary>An unsigned transaction of any supported type.</summary>
public abstract record UnsignedTransaction
{
    private protected UnsignedTransaction()
    {
    }

    /// <summary>Sender nonce.</summary>
    public required ulong Nonce { get; init; }

    /// <summary>Gas limit.</summary>
    public required ulong GasLimit { get; init; }

    /// <summary>Recipient; null for a contract creation.</summary>
    public Address? To { get; init; }

    /// <summary>Value in wei.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Call data or init code.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>The hash that is signed.</summary>
    public abstract byte[] SigningHash();

    /// <summary>Signs the transaction.</summary>
    public abstract SignedTransaction Sign(EthKey key);

    /// <summary>Validates field ranges; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    internal virtual void Validate()
    {
        if (Value.Sign < 0)
        {
            throw new ArgumentException($"Transaction value must be non-negative, got {Value}.");
        }

        if (Data is null)
        {
            throw new ArgumentException("Transaction data must not be null (use an empty array).");
        }
    }

    /// <summary>This transaction as Nethereum's model, which encodes and hashes it.</summary>
    public abstract ISignedTransaction ToNethereum();

    private protected static string ToHex(Address? to) => to?.ToString() ?? string.Empty;

    private protected static void CheckFee(BigInteger fee, string name)
    {
        if (fee.Sign < 0 || fee.GetBitLength() > 256)
        {
            throw new ArgumentException($"{name} must be in [0, 2^256), got {fee}.");
        }
    }
}

/// <summary>
/// An EIP-1559 (type 2) transaction. Encoding, hashing and signing are Nethereum's (<see cref="Transaction1559"/>,
/// <see cref="Transaction1559Signer"/>); this record is the field set the signer and worker build and journal.
/// </summary>
public sealed record Eip1559Transaction : UnsignedTransaction
{
    /// <summary>EIP-2718 transaction type byte.</summary>
    public const byte TypeByte = 0x02;

    /// <summary>EIP-155 chain id.</summary>
    public required ulong ChainId { get; init; }

    /// <summary>Tip per gas paid to the block producer.</summary>
    public required BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>Maximum total fee per gas (base fee + tip).</summary>
    public required BigInteger MaxFeePerGas { get; init; }

    /// <summary>EIP-2930 access list.</summary>
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    internal override void Validate()
    {
        base.Validate();
        CheckFee(MaxPriorityFeePerGas, nameof(MaxPriorityFeePerGas));
        CheckFee(MaxFeePerGas, nameof(MaxFeePerGas));
        if (MaxPriorityFeePerGas > MaxFeePerGas)
        {
            throw new ArgumentException($"MaxPriorityFeePerGas ({MaxPriorityFeePerGas}) exceeds MaxFeePerGas ({MaxFeePerGas}).");
        }

        foreach (var entry in AccessList)
        {
            if (entry.StorageKeys.Any(k => k is not { Length: 32 }))
            {
                throw new ArgumentException("Access list storage keys must be 32 bytes.");
            }
        }
    }

    /// <inheritdoc />
    public override ISignedTransaction ToNethereum()
    {
        Validate();
        var access = AccessList.Select(e => new AccessListItem(e.Address.ToString(), e.StorageKeys.ToList())).ToList();
        return new Transaction1559(ChainId, Nonce, MaxPriorityFeePerGas, MaxFeePerGas, GasLimit, ToHex(To), Value, Data.ToHex(true), access);
    }

    /// <inheritdoc />
    public override byte[] SigningHash() => ToNethereum().RawHash;

    /// <inheritdoc />
    public override SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var tx = (Transaction1559)ToNethereum();
        var raw = new Transaction1559Signer().SignTransaction(key.NethereumKey, tx).HexToByteArray();
        return new SignedTransaction(this, SignedTransaction.SignatureOf(tx.Signature), raw, key.Address);
    }
}

/// <summary>
/// A legacy (pre-EIP-2718) transaction, optionally EIP-155 replay-protected. Encoding and signing are Nethereum's
/// (<see cref="LegacyTransactionChainId"/>, <see cref="LegacyTransactionSigner"/>).
/// </summary>
public sealed record LegacyTransaction : UnsignedTransaction
{
    /// <summary>Gas price in wei.</summary>
    public required BigInteger GasPrice { get; init; }

    /// <summary>EIP-155 chain id; null for an unprotected (pre-EIP-155) transaction.</summary>
    public ulong? ChainId { get; init; }

    internal override void Validate()
    {
        base.Validate();
        CheckFee(GasPrice, nameof(GasPrice));
    }

    /// <inheritdoc />
    public override ISignedTransaction ToNethereum()
    {
        Validate();
        return ChainId is { } id
            ? new LegacyTransactionChainId(ToHex(To), Value, Nonce, GasPrice, GasLimit, Data.ToHex(true), id)
            : new Nethereum.Model.LegacyTransaction(ToHex(To), Value, Nonce, GasPrice, GasLimit, Data.ToHex(true));
    }

    /// <inheritdoc />
    public override byte[] SigningHash() => ToNethereum().RawHash;

    /// <inheritdoc />
    public override SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signer = new LegacyTransactionSigner();
        var priv = key.ExportPrivateKey();
        var tx = ToNethereum();
        var rawHex = tx is LegacyTransactionChainId withId ? signer.SignTransaction(priv, withId) : signer.SignTransaction(priv, (Nethereum.Model.LegacyTransaction)tx);
        // The signer set the signature on tx; the sender is the key's (decoding the bytes again would recover it).
        var sig = SignedTransaction.SignatureOf(tx.Signature, SignedTransaction.LegacyParity(tx.Signature.V, ChainId));
        return new SignedTransaction(this, sig, rawHex.HexToByteArray(), key.Address);
    }
}

/// <summary>A signed transaction: its fields, signature, raw bytes (for <c>eth_sendRawTransaction</c>), hash and sender.</summary>
public sealed class SignedTransaction
{
    internal SignedTransaction(UnsignedTransaction transaction, EthSignature signature, byte[] raw, Address sender)
    {
        Transaction = transaction;
        Signature = signature;
        RawBytes = raw;
        Hash = Keccak.Hash(raw);
        Sender = sender;
    }

    /// <summary>The signed fields.</summary>
    public UnsignedTransaction Transaction { get; }

    /// <summary>The signature (r, s, y-parity).</summary>
    public EthSignature Signature { get; }

    /// <summary>The network encoding (EIP-2718 typed envelope or legacy RLP).</summary>
    public byte[] RawBytes { get; }

    /// <summary>The transaction hash, keccak256 of <see cref="RawBytes"/>.</summary>
    public byte[] Hash { get; }

    /// <summary>The signer's address (recovered when decoded).</summary>
    public Address Sender { get; }

    /// <summary><see cref="RawBytes"/> as 0x-hex.</summary>
    public string RawHex => Hex.Encode(RawBytes);

    /// <summary>
    /// Decodes a raw signed transaction (type 2 or legacy) with Nethereum's <see cref="TransactionFactory"/>, checks the
    /// signature (low s, valid recovery) and recovers the sender.
    /// </summary>
    /// <exception cref="FormatException">Malformed bytes, an unsupported type, or an invalid signature.</exception>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.Length == 0)
        {
            throw new FormatException("Empty transaction bytes.");
        }

        if (raw[0] < 0xc0 && raw[0] != Eip1559Transaction.TypeByte)
        {
            throw new FormatException($"Unsupported transaction type 0x{raw[0]:x2} (supported: 0x02 and legacy).");
        }

        ISignedTransaction tx;
        try
        {
            tx = TransactionFactory.CreateTransaction(raw.ToArray());
        }
        catch (Exception e) when (e is not FormatException)
        {
            throw new FormatException($"Malformed transaction encoding: {e.Message}", e);
        }

        if (tx?.Signature is not { R: { Length: > 0 }, S: { Length: > 0 } })
        {
            throw new FormatException("The transaction is not signed.");
        }

        UnsignedTransaction fields;
        byte recoveryId;
        try
        {
            (fields, recoveryId) = tx switch
            {
                Transaction1559 t => ((UnsignedTransaction)Fields1559(t), Parity(t.Signature.V)),
                LegacyTransactionChainId t => (LegacyFields(t, checked((ulong)t.GetChainIdAsBigInteger())), LegacyParity(t.Signature.V, t.GetChainIdAsBigInteger())),
                Nethereum.Model.LegacyTransaction t => (LegacyFields(t, null), LegacyParity(t.Signature.V, null)),
                _ => throw new FormatException($"Unsupported transaction type {tx.TransactionType}."),
            };
        }
        catch (OverflowException e)
        {
            throw new FormatException($"A transaction field is out of range: {e.Message}", e);
        }

        var sig = SignatureOf(tx.Signature, recoveryId);
        if (!EthKey.IsLowS(sig.S))
        {
            throw new FormatException("Signature s is in the upper half of the curve order (EIP-2 forbids it).");
        }

        Address sender;
        try
        {
            sender = EthKey.Recover(tx.RawHash, sig);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Invalid transaction signature: {e.Message}", e);
        }

        return new SignedTransaction(fields, sig, raw.ToArray(), sender);
    }

    internal static EthSignature SignatureOf(ISignature signature, byte? recoveryId = null) =>
        new(Pad32(signature.R), Pad32(signature.S), recoveryId ?? Parity(signature.V));

    private static Eip1559Transaction Fields1559(Transaction1559 t) => new()
    {
        ChainId = checked((ulong)t.ChainId),
        Nonce = checked((ulong)(t.Nonce ?? 0)),
        MaxPriorityFeePerGas = t.MaxPriorityFeePerGas ?? 0,
        MaxFeePerGas = t.MaxFeePerGas ?? 0,
        GasLimit = checked((ulong)(t.GasLimit ?? 0)),
        To = ToAddress(t.ReceiverAddress),
        Value = t.Amount ?? 0,
        Data = string.IsNullOrEmpty(t.Data) ? [] : t.Data.HexToByteArray(),
        AccessList = (t.AccessList ?? []).Select(a => new AccessListEntry(Address.Parse(a.Address), a.StorageKeys ?? [])).ToList(),
    };

    private static LegacyTransaction LegacyFields(SignedLegacyTransaction t, ulong? chainId) => new()
    {
        Nonce = checked((ulong)Big(t.Nonce)),
        GasPrice = Big(t.GasPrice),
        GasLimit = checked((ulong)Big(t.GasLimit)),
        To = t.ReceiveAddress is { Length: > 0 } to ? Address.FromBytes(to) : null,
        Value = Big(t.Value),
        Data = t.Data ?? [],
        ChainId = chainId,
    };

    private static Address? ToAddress(string? hex) => string.IsNullOrEmpty(hex) || hex == "0x" ? null : Address.Parse(hex);

    private static BigInteger Big(byte[]? bytes) => bytes is { Length: > 0 } ? new BigInteger(bytes, isUnsigned: true, isBigEndian: true) : BigInteger.Zero;

    private static byte Parity(byte[]? v)
    {
        var p = Big(v);
        return p <= 1 ? (byte)p : throw new FormatException($"yParity must be 0 or 1, got {p}.");
    }

    internal static byte LegacyParity(byte[]? vBytes, BigInteger? chainId)
    {
        var v = Big(vBytes);
        if (v == 27 || v == 28)
        {
            return (byte)(v - 27);
        }

        if (chainId is { } id && (v == id * 2 + 35 || v == id * 2 + 36))
        {
            return (byte)(v - id * 2 - 35);
        }

        throw new FormatException($"Invalid legacy v {v} (expected 27, 28 or chainId*2+35/36).");
    }

    private static byte[] Pad32(byte[] x)
    {
        var trimmed = x.AsSpan().TrimStart((byte)0);
        if (trimmed.Length > 32)
        {
            throw new FormatException($"A signature component is {trimmed.Length} bytes; at most 32.");
        }

        var result = new byte[32];
        trimmed.CopyTo(result.AsSpan(32 - trimmed.Length));
        return result;
    }
}
