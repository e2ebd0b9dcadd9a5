using System.Numerics;

namespace ProverMarketChain.ContractBindings.Rlp;

/// <summary>An RLP item: either a byte string (<see cref="RlpString"/>) or a list of items (<see cref="RlpList"/>).</summary>
public abstract record RlpItem
{
    private protected RlpItem()
    {
    }

    /// <summary>Size of this item's RLP encoding in bytes.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the encoding into <paramref name="destination"/> and returns the bytes written.</summary>
    internal abstract int WriteTo(Span<byte> destination);

    /// <summary>The RLP encoding of this item.</summary>
    public byte[] Encode()
    {
        var result = new byte[EncodedLength];
        WriteTo(result);
        return result;
    }

    /// <summary>Returns this item as a string, or throws naming what was found instead.</summary>
    /// <exception cref="RlpException">The item is a list.</exception>
    public RlpString AsString(string what) => this as RlpString ?? throw new RlpException($"{what}: expected an RLP string, found a list.");

    /// <summary>Returns this item as a list, or throws naming what was found instead.</summary>
    /// <exception cref="RlpException">The item is a string.</exception>
    public RlpList AsList(string what) => this as RlpList ?? throw new RlpException($"{what}: expected an RLP list, found a string.");

    /// <summary>Size of a header for a payload of <paramref name="payloadLength"/> bytes.</summary>
    internal static int HeaderLength(int payloadLength) => payloadLength < 56 ? 1 : 1 + ByteCount((ulong)payloadLength);

    internal static int ByteCount(ulong value) => value == 0 ? 0 : (64 - BitOperations.LeadingZeroCount(value) + 7) / 8;

    internal static int WriteHeader(Span<byte> destination, int payloadLength, byte shortBase)
    {
        if (payloadLength < 56)
        {
            destination[0] = (byte)(shortBase + payloadLength);
            return 1;
        }

        int n = ByteCount((ulong)payloadLength);
        destination[0] = (byte)(shortBase + 55 + n);
        for (int i = 0; i < n; i++)
        {
            destination[n - i] = (byte)(payloadLength >> (8 * i));
        }

        return 1 + n;
    }
}

/// <summary>An RLP byte string. Also used for scalars: big-endian with no leading zeros, zero as the empty string.</summary>
public sealed record RlpString : RlpItem
{
    /// <summary>Wraps bytes (copied).</summary>
    public RlpString(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes.ToArray();
    }

    /// <summary>The string's bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>The empty string (also the scalar zero).</summary>
    public static RlpString Empty { get; } = new([]);

    /// <inheritdoc />
    public override int EncodedLength => Bytes.Length == 1 && Bytes[0] < 0x80 ? 1 : HeaderLength(Bytes.Length) + Bytes.Length;

    /// <summary>Encodes a non-negative scalar.</summary>
    public static RlpString FromUInt(ulong value)
    {
        int n = ByteCount(value);
        Span<byte> buffer = stackalloc byte[8];
        for (int i = 0; i < n; i++)
        {
            buffer[n - 1 - i] = (byte)(value >> (8 * i));
        }

        return new RlpString(buffer[..n]);
    }

    /// <summary>Encodes a non-negative scalar.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public static RlpString FromUInt(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "RLP scalars are non-negative.");
        }

        return value.IsZero ? Empty : new RlpString(value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>Decodes a canonical scalar (no leading zero bytes) of at most 32 bytes.</summary>
    /// <exception cref="RlpException">Leading zeros or more than 32 bytes.</exception>
    public BigInteger ToBigInteger(string what)
    {
        CheckScalar(what, 32);
        return new BigInteger(Bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Decodes a canonical scalar that fits 64 bits.</summary>
    /// <exception cref="RlpException">Leading zeros or more than 8 bytes.</exception>
    public ulong ToUInt64(string what)
    {
        CheckScalar(what, 8);
        ulong value = 0;
        foreach (byte b in Bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private void CheckScalar(string what, int maxBytes)
    {
        if (Bytes.Length > maxBytes)
        {
            throw new RlpException($"{what}: scalar of {Bytes.Length} bytes exceeds the {maxBytes}-byte maximum.");
        }

        if (Bytes.Length > 0 && Bytes[0] == 0)
        {
            throw new RlpException($"{what}: scalar has a leading zero byte (non-canonical).");
        }
    }

    internal override int WriteTo(Span<byte> destination)
    {
        if (Bytes.Length == 1 && Bytes[0] < 0x80)
        {
            destination[0] = Bytes[0];
            return 1;
        }

        int h = WriteHeader(destination, Bytes.Length, 0x80);
        Bytes.CopyTo(destination[h..]);
        return h + Bytes.Length;
    }

    /// <summary>Value equality on the bytes.</summary>
    public bool Equals(RlpString? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Bytes);
        return h.ToHashCode();
    }
}

/// <summary>An RLP list of items.</summary>
public sealed record RlpList : RlpItem
{
    private readonly int _payloadLength;

    /// <summary>Creates a list of the given items.</summary>
    public RlpList(IEnumerable<RlpItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items.ToArray();
        long length = 0;
        foreach (var item in Items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            length += item.EncodedLength;
        }

        _payloadLength = checked((int)length);
    }

    /// <summary>Creates a list of the given items.</summary>
    public RlpList(params RlpItem[] items)
        : this((IEnumerable<RlpItem>)items)
    {
    }

    /// <summary>The items, in order.</summary>
    public IReadOnlyList<RlpItem> Items { get; }

    /// <inheritdoc />
    public override int EncodedLength => HeaderLength(_payloadLength) + _payloadLength;

    internal override int WriteTo(Span<byte> destination)
    {
        int pos = WriteHeader(destination, _payloadLength, 0xc0);
        foreach (var item in Items)
        {
            pos += item.WriteTo(destination[pos..]);
        }

        return pos;
    }

    /// <summary>Structural equality.</summary>
    public bool Equals(RlpList? other) => other is not null && Items.SequenceEqual(other.Items);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Items.Count, _payloadLength);
}

/// <summary>Malformed or non-canonical RLP.</summary>
public sealed class RlpException : FormatException
{
    /// <summary>Creates the exception with a message naming the problem and its offset.</summary>
    public RlpException(string message)
        : base(message)
    {
    }
}

/// <summary>Strict RLP decoding (Ethereum Yellow Paper, appendix B).</summary>
public static class RlpDecoder
{
    /// <summary>Maximum list nesting accepted (guards the stack against hostile input).</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// Decodes exactly one item spanning all of <paramref name="data"/>. Rejects non-canonical encodings: a single byte
    /// below 0x80 wrapped in a header, long-form lengths under 56 or with leading zeros, truncation, and trailing bytes.
    /// </summary>
    /// <exception cref="RlpException">The data is malformed; the message names the offset.</exception>
    public static RlpItem Decode(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        var item = DecodeItem(data, ref pos, 0);
        if (pos != data.Length)
        {
            throw new RlpException($"RLP: {data.Length - pos} trailing bytes after the item ending at offset {pos}.");
        }

        return item;
    }

    private static RlpItem DecodeItem(ReadOnlySpan<byte> data, ref int pos, int depth)
    {
        if (pos >= data.Length)
        {
            throw new RlpException($"RLP: unexpected end of data at offset {pos}.");
        }

        int start = pos;
        byte prefix = data[pos];
        if (prefix < 0x80)
        {
            pos++;
            return new RlpString(data.Slice(start, 1));
        }

        bool isList = prefix >= 0xc0;
        int shortBase = isList ? 0xc0 : 0x80;
        int offsetInType = prefix - shortBase;
        int length;
        pos++;
        if (offsetInType <= 55)
        {
            length = offsetInType;
        }
        else
        {
            int n = offsetInType - 55;
            if (pos + n > data.Length)
            {
                throw new RlpException($"RLP: length-of-length {n} at offset {start} runs past the end of the data.");
            }

            if (data[pos] == 0)
            {
                throw new RlpException($"RLP: long-form length at offset {start} has a leading zero byte.");
            }

            if (n > 4)
            {
                throw new RlpException($"RLP: length of {n} bytes at offset {start} is larger than any supported payload.");
            }

            ulong l = 0;
            for (int i = 0; i < n; i++)
            {
                l = (l << 8) | data[pos + i];
            }

            pos += n;
            if (l < 56)
            {
                throw new RlpException($"RLP: long-form length {l} at offset {start} should have used the short form.");
            }

            if (l > int.MaxValue)
            {
                throw new RlpException($"RLP: length {l} at offset {start} is too large.");
            }

            length = (int)l;
        }

        if ((long)pos + length > data.Length)
        {
            throw new RlpException($"RLP: {(isList ? "list" : "string")} at offset {start} declares {length} payload bytes but only {data.Length - pos} remain.");
        }

        var payload = data.Slice(pos, length);
        if (!isList)
        {
            if (length == 1 && payload[0] < 0x80)
            {
                throw new RlpException($"RLP: single byte 0x{payload[0]:x2} at offset {start} must be encoded as itself, not with a 0x81 prefix.");
            }

            pos += length;
            return new RlpString(payload);
        }

        if (depth >= MaxDepth)
        {
            throw new RlpException($"RLP: lists nested deeper than {MaxDepth} at offset {start}.");
        }

        var items = new List<RlpItem>();
        int end = pos + length;
        while (pos < end)
        {
            var inner = data[..end];
            items.Add(DecodeItem(inner, ref pos, depth + 1));
        }

        return new RlpList(items);
    }
}
