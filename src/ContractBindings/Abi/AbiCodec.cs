using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Abi;

/// <summary>
/// Solidity ABI encoder/decoder (head/tail encoding of a top-level tuple).
/// Value mapping: <c>uintN</c>/<c>intN</c> ⇄ <see cref="BigInteger"/> (encoding also takes int, uint, long, ulong, short,
/// ushort, byte, sbyte, <see cref="UInt128"/>, <see cref="Int128"/>); <c>address</c> ⇄ <see cref="Address"/> (encoding also
/// takes a hex string); <c>bool</c> ⇄ <see cref="bool"/>; <c>bytesN</c>/<c>bytes</c> ⇄ <c>byte[]</c>; <c>string</c> ⇄
/// <see cref="string"/>; arrays and tuples ⇄ <c>object?[]</c> (encoding takes any <see cref="IList"/>).
/// Decoding is strict: it rejects out-of-range offsets and lengths, dirty padding of address/bool/uintN/intN/bytesN values,
/// invalid bools and invalid UTF-8 with an <see cref="AbiDecodingException"/>.
/// </summary>
public static class AbiCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes <paramref name="values"/> as the tuple of <paramref name="types"/>.</summary>
    /// <exception cref="AbiEncodingException">A value does not match its type (the message names the parameter path).</exception>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        CheckCount(types.Count, values.Count, "parameters");
        int size = TupleSize(types, values, new PathStack());
        var result = new byte[size];
        WriteTuple(types, values, result, new PathStack());
        return result;
    }

    /// <summary>Encodes a function call: the 4-byte selector followed by the encoded arguments.</summary>
    /// <exception cref="ArgumentException">The selector is not 4 bytes.</exception>
    /// <exception cref="AbiEncodingException">An argument does not match its type.</exception>
    public static byte[] EncodeFunctionCall(byte[] selector4, IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(selector4);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (selector4.Length != 4)
        {
            throw new ArgumentException($"A function selector is 4 bytes, got {selector4.Length}.", nameof(selector4));
        }

        CheckCount(types.Count, values.Count, "arguments");
        int size = TupleSize(types, values, new PathStack());
        var result = new byte[checked(4 + size)];
        selector4.CopyTo(result, 0);
        WriteTuple(types, values, result.AsSpan(4), new PathStack());
        return result;
    }

    /// <summary>Decodes <paramref name="data"/> as the tuple of <paramref name="types"/>. Trailing bytes are ignored.</summary>
    /// <exception cref="AbiDecodingException">The data is malformed for these types.</exception>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        var reader = new Reader(data);
        return reader.DecodeTuple(types, 0, new PathStack());
    }

    /// <summary>Decodes a single value of <paramref name="type"/> (a one-element tuple) from <paramref name="data"/>.</summary>
    /// <exception cref="AbiDecodingException">The data is malformed for this type.</exception>
    public static object? DecodeSingle(AbiType type, ReadOnlySpan<byte> data) => Decode([type], data)[0];

    // ---------------------------------------------------------------- encoding: sizes

    private static int Pad32(int length) => checked((length + 31) & ~31);

    private static void CheckCount(int expected, int actual, string what)
    {
        if (expected != actual)
        {
            throw new AbiEncodingException($"Expected {expected} {what}, got {actual} values.");
        }
    }

    private static int TupleSize(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, PathStack path)
    {
        int size = 0;
        for (int i = 0; i < types.Count; i++)
        {
            var t = types[i];
            size = checked(size + t.HeadSize);
            if (t.IsDynamic)
            {
                path.Push(i);
                size = checked(size + EncodedSize(t, values[i], path));
                path.Pop();
            }
        }

        return size;
    }

    private static int EncodedSize(AbiType type, object? value, PathStack path)
    {
        switch (type)
        {
            case AbiBytes:
                return checked(32 + Pad32(AsBytes(value, path).Length));
            case AbiString:
                return checked(32 + Pad32(StrictUtf8.GetByteCount(AsString(value, path))));
            case AbiArray a:
            {
                var list = AsList(value, path, null);
                return checked(32 + ListSize(a.Element, list, path));
            }

            case AbiFixedArray fa:
            {
                var list = AsList(value, path, fa.Length);
                return fa.IsDynamic ? ListSize(fa.Element, list, path) : fa.StaticSize;
            }

            case AbiTuple tu:
            {
                var list = AsList(value, path, tu.Components.Count);
                return tu.IsDynamic ? TupleSize(tu.Components, AsReadOnly(list), path) : tu.StaticSize;
            }

            default:
                return 32;
        }
    }

    private static int ListSize(AbiType element, IList list, PathStack path)
    {
        int size = checked(element.HeadSize * list.Count);
        if (element.IsDynamic)
        {
            for (int i = 0; i < list.Count; i++)
            {
                path.Push(i);
                size = checked(size + EncodedSize(element, list[i], path));
                path.Pop();
            }
        }

        return size;
    }

    // ---------------------------------------------------------------- encoding: writing

    private static int WriteTuple(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, Span<byte> dst, PathStack path)
    {
        int head = 0;
        int tail = 0;
        for (int i = 0; i < types.Count; i++)
        {
            tail += types[i].HeadSize;
        }

        for (int i = 0; i < types.Count; i++)
        {
            var t = types[i];
            if (t.IsDynamic)
            {
                WriteUInt64(dst.Slice(head, 32), (ulong)tail);
                path.Push(i);
                tail += WriteValue(t, values[i], dst[tail..], path);
                path.Pop();
                head += 32;
            }
            else
            {
                path.Push(i);
                head += WriteValue(t, values[i], dst[head..], path);
                path.Pop();
            }
        }

        return tail;
    }

    private static int WriteList(AbiType element, IList list, Span<byte> dst, PathStack path)
    {
        int head = 0;
        int tail = element.HeadSize * list.Count;
        for (int i = 0; i < list.Count; i++)
        {
            if (element.IsDynamic)
            {
                WriteUInt64(dst.Slice(head, 32), (ulong)tail);
                path.Push(i);
                tail += WriteValue(element, list[i], dst[tail..], path);
                path.Pop();
                head += 32;
            }
            else
            {
                path.Push(i);
                head += WriteValue(element, list[i], dst[head..], path);
                path.Pop();
            }
        }

        return element.IsDynamic ? tail : head;
    }

    /// <summary>Writes a value at the start of <paramref name="dst"/> and returns the bytes written. Dst is pre-zeroed.</summary>
    private static int WriteValue(AbiType type, object? value, Span<byte> dst, PathStack path)
    {
        switch (type)
        {
            case AbiUInt u:
                WriteInteger(dst[..32], ToBigInteger(value, type, path), u.Bits, signed: false, path);
                return 32;
            case AbiInt s:
                WriteInteger(dst[..32], ToBigInteger(value, type, path), s.Bits, signed: true, path);
                return 32;
            case AbiAddress:
                AsAddress(value, path).CopyTo(dst.Slice(12, 20));
                return 32;
            case AbiBool:
                dst[31] = value switch
                {
                    bool b => b ? (byte)1 : (byte)0,
                    _ => throw new AbiEncodingException($"{path}: bool expects a System.Boolean, got {Describe(value)}."),
                };
                return 32;
            case AbiFixedBytes fb:
            {
                var bytes = AsBytes(value, path);
                if (bytes.Length != fb.Size)
                {
                    throw new AbiEncodingException($"{path}: {fb.CanonicalName} expects exactly {fb.Size} bytes, got {bytes.Length}.");
                }

                bytes.CopyTo(dst);
                return 32;
            }

            case AbiBytes:
            {
                var bytes = AsBytes(value, path);
                WriteUInt64(dst[..32], (ulong)bytes.Length);
                bytes.CopyTo(dst[32..]);
                return 32 + Pad32(bytes.Length);
            }

            case AbiString:
            {
                var s = AsString(value, path);
                int n = StrictUtf8.GetBytes(s, dst[32..]);
                WriteUInt64(dst[..32], (ulong)n);
                return 32 + Pad32(n);
            }

            case AbiArray a:
            {
                var list = AsList(value, path, null);
                WriteUInt64(dst[..32], (ulong)list.Count);
                return 32 + WriteList(a.Element, list, dst[32..], path);
            }

            case AbiFixedArray fa:
                return WriteList(fa.Element, AsList(value, path, fa.Length), dst, path);
            case AbiTuple tu:
            {
                var list = AsList(value, path, tu.Components.Count);
                return WriteTuple(tu.Components, AsReadOnly(list), dst, path);
            }

            default:
                throw new AbiEncodingException($"{path}: unsupported ABI type {type.CanonicalName}.");
        }
    }

    private static void WriteUInt64(Span<byte> slot32, ulong value) =>
        BinaryPrimitives.WriteUInt64BigEndian(slot32.Slice(24, 8), value);

    private static void WriteInteger(Span<byte> slot32, BigInteger value, int bits, bool signed, PathStack path)
    {
        bool fits = signed
            ? value.GetBitLength() <= bits - 1
            : value.Sign >= 0 && value.GetBitLength() <= bits;
        if (!fits)
        {
            string range = signed ? $"-2^{bits - 1} .. 2^{bits - 1}-1" : $"0 .. 2^{bits}-1";
            throw new AbiEncodingException($"{path}: value {value} is out of range for {(signed ? "int" : "uint")}{bits} ({range}).");
        }

        bool negative = value.Sign < 0;
        if (negative)
        {
            slot32.Fill(0xFF);
        }

        int count = value.GetByteCount(isUnsigned: !negative);
        if (!value.TryWriteBytes(slot32[(32 - count)..], out _, isUnsigned: !negative, isBigEndian: true))
        {
            throw new AbiEncodingException($"{path}: value {value} does not fit 32 bytes.");
        }
    }

    private static BigInteger ToBigInteger(object? value, AbiType type, PathStack path) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        short s => s,
        ushort us => us,
        byte by => by,
        sbyte sb => sb,
        UInt128 u128 => (BigInteger)u128,
        Int128 i128 => (BigInteger)i128,
        _ => throw new AbiEncodingException($"{path}: {type.CanonicalName} expects a BigInteger or an integral number, got {Describe(value)}."),
    };

    private static Address AsAddress(object? value, PathStack path) => value switch
    {
        Address a => a,
        string s => ParseAddress(s, path),
        _ => throw new AbiEncodingException($"{path}: address expects an Address, got {Describe(value)}."),
    };

    private static Address ParseAddress(string s, PathStack path)
    {
        try
        {
            return Address.Parse(s);
        }
        catch (FormatException e)
        {
            throw new AbiEncodingException($"{path}: {e.Message}");
        }
    }

    private static ReadOnlySpan<byte> AsBytes(object? value, PathStack path) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.Span,
        Memory<byte> m => m.Span,
        _ => throw new AbiEncodingException($"{path}: bytes expects a byte[], got {Describe(value)}."),
    };

    private static string AsString(object? value, PathStack path) =>
        value as string ?? throw new AbiEncodingException($"{path}: string expects a System.String, got {Describe(value)}.");

    private static IList AsList(object? value, PathStack path, int? expectedCount)
    {
        if (value is not IList list || value is byte[] || value is string)
        {
            throw new AbiEncodingException($"{path}: expected an object?[] (or any IList), got {Describe(value)}.");
        }

        if (expectedCount is int n && list.Count != n)
        {
            throw new AbiEncodingException($"{path}: expected exactly {n} elements, got {list.Count}.");
        }

        return list;
    }

    /// <summary>The position inside the value tree, for error messages; one allocation per encode/decode call.</summary>
    private sealed class PathStack
    {
        private int[] _items = new int[8];
        private int _depth;

        public void Push(int index)
        {
            if (_depth == _items.Length)
            {
                Array.Resize(ref _items, _depth * 2);
            }

            _items[_depth++] = index;
        }

        public void Pop() => _depth--;

        public override string ToString()
        {
            var sb = new StringBuilder("$");
            for (int i = 0; i < _depth; i++)
            {
                sb.Append('[').Append(_items[i]).Append(']');
            }

            return sb.ToString();
        }
    }

    private static string Describe(object? value) => value is null ? "null" : value.GetType().Name;

    private static IReadOnlyList<object?> AsReadOnly(IList list) => list as IReadOnlyList<object?> ?? new ListView(list);

    /// <summary>Adapts a non-generic IList to IReadOnlyList without copying.</summary>
    private readonly struct ListView(IList list) : IReadOnlyList<object?>
    {
        public object? this[int index] => list[index];

        public int Count => list.Count;

        public IEnumerator<object?> GetEnumerator()
        {
            foreach (var item in list)
            {
                yield return item;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => list.GetEnumerator();
    }

    // ---------------------------------------------------------------- decoding

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private long _budget;

        public Reader(ReadOnlySpan<byte> data)
        {
            _data = data;

            // Every honestly encoded leaf value occupies at least one distinct 32-byte word, so more leaves than words
            // means offsets alias the same data (an amplification attack); a small slack covers empty encodings.
            _budget = data.Length / 32 + 8;
        }

        public object?[] DecodeTuple(IReadOnlyList<AbiType> types, int start, PathStack path)
        {
            var result = new object?[types.Count];
            int head = start;
            for (int i = 0; i < types.Count; i++)
            {
                var t = types[i];
                path.Push(i);
                if (t.IsDynamic)
                {
                    int offset = ReadLength(head, path, "offset");
                    long target = (long)start + offset;
                    if (target >= _data.Length)
                    {
                        throw new AbiDecodingException($"{path}: offset {offset} (absolute {target}) points past the end of the {_data.Length}-byte data.");
                    }

                    result[i] = DecodeValue(t, (int)target, path);
                    head += 32;
                }
                else
                {
                    result[i] = DecodeValue(t, head, path);
                    head += t.StaticSize;
                }

                path.Pop();
            }

            return result;
        }

        private object?[] DecodeList(AbiType element, int count, int start, PathStack path)
        {
            if (element.HeadSize == 0 ? count > _data.Length : (long)count * element.HeadSize > _data.Length - start)
            {
                throw new AbiDecodingException($"{path}: {count} elements of {element.CanonicalName} cannot fit in the {_data.Length - start} bytes left.");
            }

            var result = new object?[count];
            int head = start;
            for (int i = 0; i < count; i++)
            {
                path.Push(i);
                if (element.IsDynamic)
                {
                    int offset = ReadLength(head, path, "offset");
                    long target = (long)start + offset;
                    if (target >= _data.Length)
                    {
                        throw new AbiDecodingException($"{path}: offset {offset} (absolute {target}) points past the end of the {_data.Length}-byte data.");
                    }

                    result[i] = DecodeValue(element, (int)target, path);
                    head += 32;
                }
                else
                {
                    result[i] = DecodeValue(element, head, path);
                    head += element.StaticSize;
                }

                path.Pop();
            }

            return result;
        }

        private object? DecodeValue(AbiType type, int pos, PathStack path)
        {
            switch (type)
            {
                case AbiUInt u:
                {
                    var w = Word(pos, path);
                    int zeroBytes = 32 - u.Bits / 8;
                    if (w[..zeroBytes].ContainsAnyExcept((byte)0))
                    {
                        throw new AbiDecodingException($"{path}: uint{u.Bits} at byte {pos} has non-zero high-order padding.");
                    }

                    return new BigInteger(w, isUnsigned: true, isBigEndian: true);
                }

                case AbiInt s:
                {
                    var w = Word(pos, path);
                    int padBytes = 32 - s.Bits / 8;
                    byte fill = (w[padBytes] & 0x80) != 0 ? (byte)0xFF : (byte)0;
                    if (w[..padBytes].ContainsAnyExcept(fill))
                    {
                        throw new AbiDecodingException($"{path}: int{s.Bits} at byte {pos} is not correctly sign-extended.");
                    }

                    return new BigInteger(w, isUnsigned: false, isBigEndian: true);
                }

                case AbiAddress:
                {
                    var w = Word(pos, path);
                    if (w[..12].ContainsAnyExcept((byte)0))
                    {
                        throw new AbiDecodingException($"{path}: address at byte {pos} has non-zero high-order padding.");
                    }

                    return Address.FromBytes(w[12..]);
                }

                case AbiBool:
                {
                    var w = Word(pos, path);
                    if (w[..31].ContainsAnyExcept((byte)0) || w[31] > 1)
                    {
                        throw new AbiDecodingException($"{path}: bool at byte {pos} is neither 0 nor 1.");
                    }

                    return w[31] == 1;
                }

                case AbiFixedBytes fb:
                {
                    var w = Word(pos, path);
                    if (w[fb.Size..].ContainsAnyExcept((byte)0))
                    {
                        throw new AbiDecodingException($"{path}: {fb.CanonicalName} at byte {pos} has non-zero low-order padding.");
                    }

                    return w[..fb.Size].ToArray();
                }

                case AbiBytes:
                    return Payload(pos, path).ToArray();
                case AbiString:
                {
                    var payload = Payload(pos, path);
                    try
                    {
                        return StrictUtf8.GetString(payload);
                    }
                    catch (DecoderFallbackException e)
                    {
                        throw new AbiDecodingException($"{path}: string at byte {pos} is not valid UTF-8.", e);
                    }
                }

                case AbiArray a:
                {
                    int count = ReadLength(pos, path, "array length");
                    return DecodeList(a.Element, count, pos + 32, path);
                }

                case AbiFixedArray fa:
                    return DecodeList(fa.Element, fa.Length, pos, path);
                case AbiTuple tu:
                    return DecodeTuple(tu.Components, pos, path);
                default:
                    throw new AbiDecodingException($"{path}: unsupported ABI type {type.CanonicalName}.");
            }
        }

        private ReadOnlySpan<byte> Word(int pos, PathStack path)
        {
            if (pos < 0 || (long)pos + 32 > _data.Length)
            {
                throw new AbiDecodingException($"{path}: needs a 32-byte word at byte {pos} but the data is {_data.Length} bytes long.");
            }

            if (--_budget < 0)
            {
                throw new AbiDecodingException($"{path}: the data decodes to more values than it has 32-byte words (overlapping offsets).");
            }

            return _data.Slice(pos, 32);
        }

        private ReadOnlySpan<byte> Payload(int pos, PathStack path)
        {
            int length = ReadLength(pos, path, "byte length");
            long start = (long)pos + 32;
            if (start + length > _data.Length)
            {
                throw new AbiDecodingException($"{path}: length {length} at byte {pos} runs past the end of the {_data.Length}-byte data.");
            }

            return _data.Slice((int)start, length);
        }

        /// <summary>Reads a word that must be a non-negative integer small enough to be a real offset or length.</summary>
        private int ReadLength(int pos, PathStack path, string what)
        {
            var w = Word(pos, path);
            if (w[..28].ContainsAnyExcept((byte)0) || BinaryPrimitives.ReadUInt32BigEndian(w[28..]) > int.MaxValue)
            {
                throw new AbiDecodingException($"{path}: {what} at byte {pos} is larger than any possible data (0x{Convert.ToHexString(w)}).");
            }

            return (int)BinaryPrimitives.ReadUInt32BigEndian(w[28..]);
        }
    }
}
