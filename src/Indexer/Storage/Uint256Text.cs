using System.Globalization;
using System.Numerics;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>
/// A 256-bit unsigned amount as stored in SQL: 64 lowercase hexadecimal digits, zero-padded. Both databases keep it
/// losslessly (neither SQLite's INTEGER nor a double can hold 2^256), and because every value has the same width and
/// only the digits 0-9a-f, text order is numeric order (PostgreSQL columns use <c>COLLATE "C"</c> so that no locale
/// reorders them).
/// </summary>
public static class Uint256Text
{
    /// <summary>The width of every stored value.</summary>
    public const int Width = 64;

    private static readonly BigInteger Max = (BigInteger.One << 256) - 1;

    /// <summary>The stored form of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or above 2^256 - 1.</exception>
    public static string Encode(BigInteger value)
    {
        if (value.Sign < 0 || value > Max) throw new ArgumentOutOfRangeException(nameof(value), value, "a uint256 amount must be in [0, 2^256)");
        var hex = value.ToString("x", CultureInfo.InvariantCulture);
        // BigInteger's hex form may carry a leading 0 sign digit (65 characters for values at or above 2^255).
        if (hex.Length > Width) hex = hex[^Width..];
        return hex.PadLeft(Width, '0');
    }

    /// <summary>The value of a stored amount.</summary>
    /// <exception cref="FormatException">Not 64 hexadecimal digits.</exception>
    public static BigInteger Decode(string stored)
    {
        if (stored is null || stored.Length != Width) throw new FormatException($"a stored uint256 must be {Width} hex digits, got '{stored}'");
        foreach (var c in stored)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) throw new FormatException($"a stored uint256 must be lowercase hex, got '{stored}'");
        return BigInteger.Parse("0" + stored, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary><see cref="Decode"/> for a nullable column.</summary>
    public static BigInteger? DecodeNullable(object? stored) => stored is string s ? Decode(s) : null;
}
