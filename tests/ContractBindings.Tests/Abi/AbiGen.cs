using System.Numerics;
using System.Text;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Tests.Abi;

/// <summary>Seeded random ABI type trees and matching values, plus value comparison and cast argument formatting.</summary>
internal sealed class AbiGen(int seed)
{
    private readonly Random _rng = new(seed);

    public AbiType Type(int depth)
    {
        int pick = _rng.Next(depth <= 0 ? 7 : 10);
        return pick switch
        {
            0 => new AbiUInt(8 * _rng.Next(1, 33)),
            1 => new AbiInt(8 * _rng.Next(1, 33)),
            2 => new AbiAddress(),
            3 => new AbiBool(),
            4 => new AbiFixedBytes(_rng.Next(1, 33)),
            5 => new AbiBytes(),
            6 => new AbiString(),
            7 => new AbiArray(Type(depth - 1)),
            8 => new AbiFixedArray(Type(depth - 1), _rng.Next(1, 4)),
            _ => new AbiTuple(Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => Type(depth - 1)).ToArray()),
        };
    }

    public object? Value(AbiType type) => type switch
    {
        AbiUInt u => RandomBits(u.Bits, signed: false),
        AbiInt s => RandomBits(s.Bits, signed: true),
        AbiAddress => Address.FromBytes(Bytes(20)),
        AbiBool => _rng.Next(2) == 1,
        AbiFixedBytes fb => Bytes(fb.Size),
        AbiBytes => Bytes(_rng.Next(0, 70)),
        AbiString => Text(_rng.Next(0, 40)),
        AbiArray a => Enumerable.Range(0, _rng.Next(0, 4)).Select(_ => Value(a.Element)).ToArray(),
        AbiFixedArray fa => Enumerable.Range(0, fa.Length).Select(_ => Value(fa.Element)).ToArray(),
        AbiTuple t => t.Components.Select(Value).ToArray(),
        _ => throw new InvalidOperationException(type.CanonicalName),
    };

    private BigInteger RandomBits(int bits, bool signed)
    {
        // Mix extremes and random widths so boundaries are exercised.
        int mode = _rng.Next(6);
        BigInteger max = signed ? BigInteger.Pow(2, bits - 1) - 1 : BigInteger.Pow(2, bits) - 1;
        BigInteger min = signed ? -BigInteger.Pow(2, bits - 1) : 0;
        if (mode == 0)
        {
            return max;
        }

        if (mode == 1)
        {
            return min;
        }

        if (mode == 2)
        {
            return 0;
        }

        var raw = new BigInteger(Bytes(bits / 8), isUnsigned: true, isBigEndian: true) >> _rng.Next(0, bits);
        if (signed)
        {
            raw = raw & max;
            if (_rng.Next(2) == 0)
            {
                raw = -raw - 1;
            }
        }

        return raw;
    }

    private byte[] Bytes(int n)
    {
        var b = new byte[n];
        _rng.NextBytes(b);
        return b;
    }

    private string Text(int n)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éü€😀";
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            sb.Append(alphabet[_rng.Next(alphabet.Length - 5)]);
        }

        return sb.ToString().Trim() + (n > 30 ? "é€" : string.Empty);
    }

    /// <summary>Deep equality under the ABI value mapping.</summary>
    public static bool DeepEqual(object? a, object? b) => (a, b) switch
    {
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => DeepEqual(p.First, p.Second)),
        _ => Equals(a, b),
    };

    /// <summary>Formats a value as a cast abi-encode argument (strings quoted when nested).</summary>
    public static string CastArg(object? value, bool nested) => value switch
    {
        BigInteger i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Address a => a.ToString(),
        bool b => b ? "true" : "false",
        byte[] bytes => Hex.Encode(bytes),
        string s => nested ? "\"" + s + "\"" : s,
        object?[] items => items.Length == 0 ? "[]" : "[" + string.Join(",", items.Select(x => CastArg(x, true))) + "]",
        _ => throw new InvalidOperationException(value?.GetType().Name),
    };

    /// <summary>Formats a value for cast: tuples use parentheses, arrays brackets.</summary>
    public static string CastArg(AbiType type, object? value, bool nested) => (type, value) switch
    {
        (AbiTuple t, object?[] items) => "(" + string.Join(",", t.Components.Zip(items).Select(p => CastArg(p.First, p.Second, true))) + ")",
        (AbiArray a, object?[] items) => "[" + string.Join(",", items.Select(x => CastArg(a.Element, x, true))) + "]",
        (AbiFixedArray fa, object?[] items) => "[" + string.Join(",", items.Select(x => CastArg(fa.Element, x, true))) + "]",
        _ => CastArg(value, nested),
    };
}
