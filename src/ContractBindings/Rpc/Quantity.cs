using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>Ethereum JSON-RPC hex quantities (<c>0x</c>, no leading zeros) and data fields.</summary>
public static class Quantity
{
    /// <summary>Encodes a non-negative number as a 0x-quantity, e.g. 0 → <c>0x0</c>, 255 → <c>0xff</c>.</summary>
    public static string Encode(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Encodes a non-negative number as a 0x-quantity.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public static string Encode(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Quantities are non-negative.");
        }

        if (value.IsZero)
        {
            return "0x0";
        }

        return "0x" + Hex.Encode(value.ToByteArray(isUnsigned: true, isBigEndian: true), prefix: false).TrimStart('0');
    }

    /// <summary>Parses a 0x-quantity into a <see cref="BigInteger"/> (leading zeros tolerated).</summary>
    /// <exception cref="FormatException">Not a 0x-prefixed hex number.</exception>
    public static BigInteger ParseBig(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Hex.HasPrefix(text) || text.Length == 2)
        {
            throw new FormatException($"'{text}' is not a 0x-prefixed hex quantity.");
        }

        var digits = text.AsSpan(2);
        for (int i = 0; i < digits.Length; i++)
        {
            Hex.Nibble(digits[i], i + 2);
        }

        return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a 0x-quantity that must fit 64 bits.</summary>
    /// <exception cref="FormatException">Not a quantity or too large.</exception>
    public static ulong ParseULong(string text)
    {
        var big = ParseBig(text);
        if (big > ulong.MaxValue)
        {
            throw new FormatException($"Quantity {text} does not fit 64 bits.");
        }

        return (ulong)big;
    }

    internal static string Str(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.String)
        {
            throw new JsonRpcException($"JSON-RPC result is missing the string field '{name}'.");
        }

        return p.GetString()!;
    }

    internal static string? OptStr(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    internal static ulong U64(JsonElement e, string name) => Wrap(name, () => ParseULong(Str(e, name)));

    internal static BigInteger Big(JsonElement e, string name) => Wrap(name, () => ParseBig(Str(e, name)));

    internal static byte[] Data(JsonElement e, string name) => Wrap(name, () => Hex.Decode(Str(e, name)));

    internal static ulong U64(JsonElement e) => Wrap("result", () => ParseULong(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException($"expected a hex string, got {e.ValueKind}")));

    internal static BigInteger Big(JsonElement e) => Wrap("result", () => ParseBig(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException($"expected a hex string, got {e.ValueKind}")));

    internal static byte[] Data(JsonElement e) => Wrap("result", () => Hex.Decode(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException($"expected a hex string, got {e.ValueKind}")));

    private static T Wrap<T>(string name, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new JsonRpcException($"JSON-RPC result field '{name}' is malformed: {e.Message}", inner: e);
        }
    }
}
