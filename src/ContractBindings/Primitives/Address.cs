using System.Buffers.Binary;

namespace ProverMarketChain.ContractBindings.Primitives;

/// <summary>
/// A 20-byte Ethereum account address. Immutable value type; <see cref="ToString"/> renders the EIP-55 checksummed form.
/// </summary>
public readonly struct Address : IEquatable<Address>
{
    /// <summary>Length of an address in bytes.</summary>
    public const int Length = 20;

    // 20 bytes stored as two ulongs and a uint (big-endian order) so the struct has no heap reference.
    private readonly ulong _hi;
    private readonly ulong _mid;
    private readonly uint _lo;

    private Address(ulong hi, ulong mid, uint lo)
    {
        _hi = hi;
        _mid = mid;
        _lo = lo;
    }

    /// <summary>The all-zero address.</summary>
    public static Address Zero => default;

    /// <summary>The address bytes (a fresh 20-byte array; mutating it does not change the address).</summary>
    public ReadOnlySpan<byte> Bytes => ToArray();

    /// <summary>True when this is <see cref="Zero"/>.</summary>
    public bool IsZero => _hi == 0 && _mid == 0 && _lo == 0;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    /// <exception cref="ArgumentException">The span is not 20 bytes long.</exception>
    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An address is {Length} bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new Address(
            BinaryPrimitives.ReadUInt64BigEndian(bytes[..8]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..16]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[16..20]));
    }

    /// <summary>Copies the 20 address bytes into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than 20 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"Destination must hold {Length} bytes, got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination[..8], _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..16], _mid);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..20], _lo);
    }

    /// <summary>Returns the 20 address bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var result = new byte[Length];
        CopyTo(result);
        return result;
    }

    /// <summary>
    /// Parses a <c>0x</c>-prefixed (or unprefixed) 40-digit hex address. All-lowercase and all-uppercase digits are
    /// accepted as-is; mixed case must be a valid EIP-55 checksum.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">Wrong length, a non-hex character, or a mixed-case address with a bad EIP-55 checksum.</exception>
    public static Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var digits = Hex.HasPrefix(text) ? text.AsSpan(2) : text.AsSpan();
        if (digits.Length != 2 * Length)
        {
            throw new FormatException($"An address has 40 hex digits, got {digits.Length} in '{text}'.");
        }

        Span<byte> bytes = stackalloc byte[Length];
        bool hasLower = false, hasUpper = false;
        int offset = text.Length - digits.Length;
        for (int i = 0; i < Length; i++)
        {
            bytes[i] = (byte)((Hex.Nibble(digits[2 * i], offset + 2 * i) << 4) | Hex.Nibble(digits[2 * i + 1], offset + 2 * i + 1));
        }

        foreach (char c in digits)
        {
            hasLower |= c is >= 'a' and <= 'f';
            hasUpper |= c is >= 'A' and <= 'F';
        }

        var address = FromBytes(bytes);
        if (hasLower && hasUpper)
        {
            var expected = address.ToChecksumDigits();
            if (!digits.SequenceEqual(expected))
            {
                throw new FormatException($"Address '{text}' has mixed case but an invalid EIP-55 checksum (expected 0x{expected}).");
            }
        }

        return address;
    }

    /// <summary>Tries to parse an address; see <see cref="Parse"/> for the rules.</summary>
    public static bool TryParse(string? text, out Address address)
    {
        address = default;
        if (text is null)
        {
            return false;
        }

        try
        {
            address = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The EIP-55 mixed-case checksummed form, <c>0x</c>-prefixed.</summary>
    public override string ToString() => "0x" + ToChecksumDigits();

    /// <summary>The lowercase hex form, <c>0x</c>-prefixed (as JSON-RPC accepts).</summary>
    public string ToLowerHex() => Hex.Encode(ToArray());

    private string ToChecksumDigits()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        Span<char> lower = stackalloc char[2 * Length];
        const string digits = "0123456789abcdef";
        for (int i = 0; i < Length; i++)
        {
            lower[2 * i] = digits[bytes[i] >> 4];
            lower[2 * i + 1] = digits[bytes[i] & 0xF];
        }

        Span<byte> ascii = stackalloc byte[2 * Length];
        for (int i = 0; i < ascii.Length; i++)
        {
            ascii[i] = (byte)lower[i];
        }

        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash(ascii, hash);
        for (int i = 0; i < lower.Length; i++)
        {
            int nibble = (i & 1) == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0xF;
            if (lower[i] >= 'a' && nibble >= 8)
            {
                lower[i] = (char)(lower[i] - 32);
            }
        }

        return new string(lower);
    }

    /// <inheritdoc />
    public bool Equals(Address other) => _hi == other._hi && _mid == other._mid && _lo == other._lo;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_hi, _mid, _lo);

    /// <summary>Equality by value.</summary>
    public static bool operator ==(Address left, Address right) => left.Equals(right);

    /// <summary>Inequality by value.</summary>
    public static bool operator !=(Address left, Address right) => !left.Equals(right);

    /// <summary>
    /// The EIP-55 string, as Nethereum's ABI encoder and generated DTOs take an address. The reverse is explicit
    /// (<see cref="Parse"/>), since a string may be null or malformed.
    /// </summary>
    public static implicit operator string(Address address) => address.ToString();

    /// <summary>
    /// Compares a hex address string (as Nethereum decodes one: lowercase, checksummed or uppercase) with an address by
    /// value, not by text: without this, the implicit conversion to string would compare checksummed with lowercase text.
    /// </summary>
    public static bool operator ==(string? left, Address right) => left is not null && TryParse(left, out var a) && a == right;

    /// <summary>Negation of <see cref="op_Equality(string, Address)"/>.</summary>
    public static bool operator !=(string? left, Address right) => !(left == right);

    /// <summary>Compares an address with a hex address string by value.</summary>
    public static bool operator ==(Address left, string? right) => right == left;

    /// <summary>Negation of <see cref="op_Equality(Address, string)"/>.</summary>
    public static bool operator !=(Address left, string? right) => !(right == left);
}
