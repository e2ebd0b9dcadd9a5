namespace ProverMarketChain.ContractBindings.Primitives;

/// <summary>Hexadecimal encoding and strict decoding of byte strings (optionally <c>0x</c>-prefixed).</summary>
public static class Hex
{
    private const string Digits = "0123456789abcdef";

    /// <summary>Decodes a hex string, with or without a <c>0x</c>/<c>0X</c> prefix. Both letter cases are accepted.</summary>
    /// <param name="hex">The text to decode.</param>
    /// <returns>The decoded bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="FormatException">The text has an odd number of digits or a non-hex character (the message names it and its position).</exception>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return Decode(hex.AsSpan());
    }

    /// <summary>Decodes hex characters, with or without a <c>0x</c> prefix.</summary>
    /// <exception cref="FormatException">Odd length or a non-hex character.</exception>
    public static byte[] Decode(ReadOnlySpan<char> hex)
    {
        int start = HasPrefix(hex) ? 2 : 0;
        var digits = hex[start..];
        if ((digits.Length & 1) != 0)
        {
            throw new FormatException($"Hex string has an odd number of digits ({digits.Length}); every byte needs two digits.");
        }

        var result = new byte[digits.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            int hi = Nibble(digits[2 * i], start + 2 * i);
            int lo = Nibble(digits[2 * i + 1], start + 2 * i + 1);
            result[i] = (byte)((hi << 4) | lo);
        }

        return result;
    }

    /// <summary>Encodes bytes as lowercase hex.</summary>
    /// <param name="bytes">The bytes to encode.</param>
    /// <param name="prefix">Whether to prepend <c>0x</c>.</param>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
    {
        int offset = prefix ? 2 : 0;
        var chars = bytes.Length * 2 + offset <= 512 ? stackalloc char[bytes.Length * 2 + offset] : new char[bytes.Length * 2 + offset];
        if (prefix)
        {
            chars[0] = '0';
            chars[1] = 'x';
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            chars[offset + 2 * i] = Digits[bytes[i] >> 4];
            chars[offset + 2 * i + 1] = Digits[bytes[i] & 0xF];
        }

        return new string(chars);
    }

    /// <summary>True when the text starts with <c>0x</c> or <c>0X</c>.</summary>
    internal static bool HasPrefix(ReadOnlySpan<char> hex) => hex.Length >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X');

    /// <summary>Value of one hex digit, or a <see cref="FormatException"/> naming the character and its position.</summary>
    internal static int Nibble(char c, int position) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new FormatException($"Invalid hex character '{c}' (U+{(int)c:X4}) at position {position}."),
    };
}
