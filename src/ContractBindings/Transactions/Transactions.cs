using System.Numerics;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rlp;

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

    private protected static RlpItem ToItem(Address? to) => to is { } a ? new RlpString(a.ToArray()) : RlpString.Empty;

    private protected static void CheckFee(BigInteger fee, string name)
    {
        if (fee.Sign < 0 || fee.GetBitLength() > 256)
        {
            throw new ArgumentException($"{name} must be in [0, 2^256), got {fee}.");
        }
    }
}

/// <summary>An EIP-1559 (type 2) transaction.</summary>
public sealed record Eip1559Transaction : UnsignedTransaction
{
    /// <summary>EIP-2718 transaction type byte.</summary>
    public const byte TypeByte = 0x02;

    /// <summary>Chain id (EIP-155 replay protection).</summary>
    public required ulong ChainId { get; init; }

    /// <summary>Priority fee (tip) per gas, in wei.</summary>
    public required BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>Maximum total fee per gas, in wei.</summary>
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
    }

    internal List<RlpItem> Fields()
    {
        var access = new List<RlpItem>(AccessList.Count);
        foreach (var entry in AccessList)
        {
            var keys = new List<RlpItem>(entry.StorageKeys.Count);
            foreach (var k in entry.StorageKeys)
            {
                if (k is not { Length: 32 })
                {
                    throw new ArgumentException("Access list storage keys must be 32 bytes.");
                }

                keys.Add(new RlpString(k));
            }

            access.Add(new RlpList(new RlpString(entry.Address.ToArray()), new RlpList(keys)));
        }

        return
        [
            RlpString.FromUInt(ChainId),
            RlpString.FromUInt(Nonce),
            RlpString.FromUInt(MaxPriorityFeePerGas),
            RlpString.FromUInt(MaxFeePerGas),
            RlpString.FromUInt(GasLimit),
            ToItem(To),
            RlpString.FromUInt(Value),
            new RlpString(Data),
            new RlpList(access),
        ];
    }

    /// <inheritdoc />
    public override byte[] SigningHash()
    {
        Validate();
        return Keccak.Hash(Typed(new RlpList(Fields())));
    }

    /// <inheritdoc />
    public override SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sig = key.Sign(SigningHash());
        var fields = Fields();
        fields.Add(RlpString.FromUInt(sig.RecoveryId));
        fields.Add(RlpString.FromUInt(new BigInteger(sig.R, isUnsigned: true, isBigEndian: true)));
        fields.Add(RlpString.FromUInt(new BigInteger(sig.S, isUnsigned: true, isBigEndian: true)));
        var raw = Typed(new RlpList(fields));
        return new SignedTransaction(this, sig, raw, key.Address);
    }

    internal static byte[] Typed(RlpList list)
    {
        var raw = new byte[1 + list.EncodedLength];
        raw[0] = TypeByte;
        list.WriteTo(raw.AsSpan(1));
        return raw;
    }
}

/// <summary>A legacy (type 0) transaction, EIP-155 replay-protected when <see cref="ChainId"/> is set.</summary>
public sealed record LegacyTransaction : UnsignedTransaction
{
    /// <summary>Gas price in wei.</summary>
    public required BigInteger GasPrice { get; init; }

    /// <summary>Chain id for EIP-155 signing; null signs a pre-EIP-155 (replayable) transaction.</summary>
    public ulong? ChainId { get; init; }

    internal override void Validate()
    {
        base.Validate();
        CheckFee(GasPrice, nameof(GasPrice));
    }

    internal List<RlpItem> Fields() =>
    [
        RlpString.FromUInt(Nonce),
        RlpString.FromUInt(GasPrice),
        RlpString.FromUInt(GasLimit),
        ToItem(To),
        RlpString.FromUInt(Value),
        new RlpString(Data),
    ];

    /// <inheritdoc />
    public override byte[] SigningHash()
    {
        Validate();
        var fields = Fields();
        if (ChainId is { } id)
        {
            fields.Add(RlpString.FromUInt(id));
            fields.Add(RlpString.Empty);
            fields.Add(RlpString.Empty);
        }

        return Keccak.Hash(new RlpList(fields).Encode());
    }

    /// <inheritdoc />
    public override SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sig = key.Sign(SigningHash());
        var fields = Fields();
        BigInteger v = ChainId is { } id ? (BigInteger)id * 2 + 35 + sig.RecoveryId : 27 + sig.RecoveryId;
        fields.Add(RlpString.FromUInt(v));
        fields.Add(RlpString.FromUInt(new BigInteger(sig.R, isUnsigned: true, isBigEndian: true)));
        fields.Add(RlpString.FromUInt(new BigInteger(sig.S, isUnsigned: true, isBigEndian: true)));
        return new SignedTransaction(this, sig, new RlpList(fields).Encode(), key.Address);
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
    /// Decodes a raw signed transaction (type 2 or legacy), checks the signature (low s, valid recovery) and recovers the sender.
    /// </summary>
    /// <exception cref="RlpException">The encoding is malformed or non-canonical.</exception>
    /// <exception cref="FormatException">Wrong field count, an unsupported type, or an invalid signature.</exception>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.Length == 0)
        {
            throw new FormatException("Empty transaction bytes.");
        }

        if (raw[0] == Eip1559Transaction.TypeByte)
        {
            return Decode1559(raw);
        }

        if (raw[0] < 0xc0)
        {
            throw new FormatException($"Unsupported transaction type 0x{raw[0]:x2} (supported: 0x02 and legacy).");
        }

        return DecodeLegacy(raw);
    }

    private static SignedTransaction Decode1559(ReadOnlySpan<byte> raw)
    {
        var list = RlpDecoder.Decode(raw[1..]).AsList("type-2 transaction");
        if (list.Items.Count != 12)
        {
            throw new FormatException($"A type-2 transaction has 12 fields, got {list.Items.Count}.");
        }

        var f = list.Items;
        var access = new List<AccessListEntry>();
        foreach (var entry in f[8].AsList("accessList").Items)
        {
            var pair = entry.AsList("accessList entry");
            if (pair.Items.Count != 2)
            {
                throw new FormatException("An access list entry has 2 fields (address, storageKeys).");
            }

            var keys = pair.Items[1].AsList("storageKeys").Items.Select(k => Fixed(k.AsString("storage key").Bytes, 32, "storage key")).ToList();
            access.Add(new AccessListEntry(Address.FromBytes(Fixed(pair.Items[0].AsString("access address").Bytes, 20, "access list address")), keys));
        }

        var tx = new Eip1559Transaction
        {
            ChainId = f[0].AsString("chainId").ToUInt64("chainId"),
            Nonce = f[1].AsString("nonce").ToUInt64("nonce"),
            MaxPriorityFeePerGas = f[2].AsString("maxPriorityFeePerGas").ToBigInteger("maxPriorityFeePerGas"),
            MaxFeePerGas = f[3].AsString("maxFeePerGas").ToBigInteger("maxFeePerGas"),
            GasLimit = f[4].AsString("gasLimit").ToUInt64("gasLimit"),
            To = DecodeTo(f[5]),
            Value = f[6].AsString("value").ToBigInteger("value"),
            Data = f[7].AsString("data").Bytes,
            AccessList = access,
        };
        ulong yParity = f[9].AsString("yParity").ToUInt64("yParity");
        if (yParity > 1)
        {
            throw new FormatException($"yParity must be 0 or 1, got {yParity}.");
        }

        var sig = DecodeSignature(f[10], f[11], (byte)yParity);
        return new SignedTransaction(tx, sig, raw.ToArray(), Recover(tx, sig));
    }

    private static SignedTransaction DecodeLegacy(ReadOnlySpan<byte> raw)
    {
        var list = RlpDecoder.Decode(raw).AsList("legacy transaction");
        if (list.Items.Count != 9)
        {
            throw new FormatException($"A legacy transaction has 9 fields, got {list.Items.Count}.");
        }

        var f = list.Items;
        var v = f[6].AsString("v").ToBigInteger("v");
        ulong? chainId;
        byte recId;
        if (v == 27 || v == 28)
        {
            chainId = null;
            recId = (byte)(v - 27);
        }
        else if (v >= 37)
        {
            var id = (v - 35) / 2;
            if (id > ulong.MaxValue)
            {
                throw new FormatException($"EIP-155 v {v} implies a chain id above 2^64.");
            }

            chainId = (ulong)id;
            recId = (byte)((v - 35) % 2);
        }
        else
        {
            throw new FormatException($"Invalid legacy v {v} (expected 27, 28 or chainId*2+35/36).");
        }

        var tx = new LegacyTransaction
        {
            Nonce = f[0].AsString("nonce").ToUInt64("nonce"),
            GasPrice = f[1].AsString("gasPrice").ToBigInteger("gasPrice"),
            GasLimit = f[2].AsString("gasLimit").ToUInt64("gasLimit"),
            To = DecodeTo(f[3]),
            Value = f[4].AsString("value").ToBigInteger("value"),
            Data = f[5].AsString("data").Bytes,
            ChainId = chainId,
        };
        var sig = DecodeSignature(f[7], f[8], recId);
        return new SignedTransaction(tx, sig, raw.ToArray(), Recover(tx, sig));
    }

    private static Address? DecodeTo(RlpItem item)
    {
        var bytes = item.AsString("to").Bytes;
        return bytes.Length == 0 ? null : Address.FromBytes(Fixed(bytes, 20, "to"));
    }

    private static byte[] Fixed(byte[] bytes, int length, string what) =>
        bytes.Length == length ? bytes : throw new FormatException($"{what} must be {length} bytes, got {bytes.Length}.");

    private static EthSignature DecodeSignature(RlpItem rItem, RlpItem sItem, byte recId)
    {
        static byte[] Pad(BigInteger x)
        {
            var result = new byte[32];
            x.TryWriteBytes(result.AsSpan(32 - x.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
            return result;
        }

        var r = Pad(rItem.AsString("r").ToBigInteger("r"));
        var s = Pad(sItem.AsString("s").ToBigInteger("s"));
        if (!EthKey.IsLowS(s))
        {
            throw new FormatException("Signature s is in the upper half of the curve order (EIP-2 forbids it).");
        }

        return new EthSignature(r, s, recId);
    }

    private static Address Recover(UnsignedTransaction tx, EthSignature sig)
    {
        try
        {
            return EthKey.Recover(tx.SigningHash(), sig);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Invalid transaction signature: {e.Message}", e);
        }
    }
}
