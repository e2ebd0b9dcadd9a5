using System.Collections.ObjectModel;
using System.Text;

namespace ProverMarketChain.ContractBindings.Abi;

/// <summary>
/// A Solidity ABI type (see the Solidity ABI specification). Parse canonical names with <see cref="Parse"/>:
/// <c>uint8..uint256</c>, <c>int8..int256</c>, <c>address</c>, <c>bool</c>, <c>bytes1..bytes32</c>, <c>bytes</c>,
/// <c>string</c>, tuples <c>(T1,T2)</c> or <c>tuple(T1,T2)</c>, and arrays <c>T[]</c> / <c>T[k]</c> nested to any depth.
/// </summary>
public abstract record AbiType
{
    /// <summary>Maximum nesting depth accepted by <see cref="Parse"/> (guards against stack exhaustion on hostile input).</summary>
    public const int MaxDepth = 64;

    private protected AbiType()
    {
    }

    /// <summary>The canonical type name used in signatures, e.g. <c>uint256</c> or <c>(address,bytes32[])[2]</c>.</summary>
    public abstract string CanonicalName { get; }

    /// <summary>True when the encoding has no fixed size (bytes, string, T[], or anything containing them).</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Size in bytes of the head slot(s) this type occupies inside an enclosing tuple.</summary>
    internal int HeadSize => IsDynamic ? 32 : StaticSize;

    /// <summary>Encoded size of a static type; 32 for dynamic types (meaningless there).</summary>
    internal abstract int StaticSize { get; }

    /// <inheritdoc />
    public override string ToString() => CanonicalName;

    /// <summary>Shorthand for <c>uint256</c>.</summary>
    public static AbiType UInt256 { get; } = new AbiUInt(256);

    /// <summary>Shorthand for <c>address</c>.</summary>
    public static AbiType Address { get; } = new AbiAddress();

    /// <summary>Shorthand for <c>bool</c>.</summary>
    public static AbiType Bool { get; } = new AbiBool();

    /// <summary>Shorthand for <c>bytes</c>.</summary>
    public static AbiType Bytes { get; } = new AbiBytes();

    /// <summary>Shorthand for <c>string</c>.</summary>
    public static AbiType String { get; } = new AbiString();

    /// <summary>Shorthand for <c>bytes32</c>.</summary>
    public static AbiType Bytes32 { get; } = new AbiFixedBytes(32);

    /// <summary>
    /// Parses a type name. Besides canonical names this accepts the aliases <c>uint</c>/<c>int</c> (256 bits), whitespace,
    /// and component names / the <c>indexed</c> keyword inside tuples, e.g. <c>(address owner, uint256 amount)</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not a valid ABI type; the message names the position.</exception>
    public static AbiType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var type = parser.ParseType(0);
        parser.SkipWhitespace();
        if (!parser.AtEnd)
        {
            throw parser.Error("unexpected trailing characters");
        }

        return type;
    }

    /// <summary>Parses a comma-separated parameter list without the surrounding parentheses, e.g. <c>address,uint256</c>.</summary>
    /// <exception cref="FormatException">The list is malformed.</exception>
    public static IReadOnlyList<AbiType> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ((AbiTuple)Parse("(" + text + ")")).Components;
    }

    private ref struct Parser
    {
        private readonly string _text;
        private int _pos;

        public Parser(string text)
        {
            _text = text;
            _pos = 0;
        }

        public readonly bool AtEnd => _pos >= _text.Length;

        public readonly FormatException Error(string what) =>
            new($"Invalid ABI type '{_text}': {what} at position {_pos}.");

        public void SkipWhitespace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }
        }

        public AbiType ParseType(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error($"nesting deeper than {MaxDepth}");
            }

            SkipWhitespace();
            AbiType type;
            if (Peek() == '(')
            {
                type = ParseTupleBody(depth);
            }
            else
            {
                string word = ReadIdentifier();
                if (word.Length == 0)
                {
                    throw Error("expected a type name");
                }

                if (word == "tuple")
                {
                    if (Peek() != '(')
                    {
                        throw Error("expected '(' after 'tuple'");
                    }

                    type = ParseTupleBody(depth);
                }
                else
                {
                    type = Elementary(word);
                }
            }

            // Array suffixes, applied left to right: uint256[2][] is a dynamic array of uint256[2].
            int arrayDepth = 0;
            while (Peek() == '[')
            {
                if (++arrayDepth + depth > MaxDepth)
                {
                    throw Error($"nesting deeper than {MaxDepth}");
                }

                _pos++;
                int start = _pos;
                while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
                {
                    _pos++;
                }

                if (Peek() != ']')
                {
                    throw Error("expected ']' or a decimal array length");
                }

                if (_pos == start)
                {
                    type = new AbiArray(type);
                }
                else
                {
                    var digits = _text.AsSpan(start, _pos - start);
                    if ((digits.Length > 1 && digits[0] == '0') || !int.TryParse(digits, out int length) || length <= 0 || length > 1_000_000)
                    {
                        throw Error($"invalid fixed array length '{digits}' (1..1000000, no leading zeros)");
                    }

                    type = new AbiFixedArray(type, length);
                }

                _pos++;
            }

            return type;
        }

        private AbiTuple ParseTupleBody(int depth)
        {
            _pos++; // '('
            var components = new List<AbiType>();
            SkipWhitespace();
            if (Peek() == ')')
            {
                _pos++;
                return new AbiTuple(components);
            }

            while (true)
            {
                components.Add(ParseType(depth + 1));
                SkipWhitespace();

                // Optional "indexed" keyword and parameter name, as in human-readable ABIs.
                if (char.IsAsciiLetter(Peek()) || Peek() == '_' || Peek() == '$')
                {
                    string word = ReadIdentifier();
                    SkipWhitespace();
                    if (word == "indexed" && (char.IsAsciiLetter(Peek()) || Peek() == '_' || Peek() == '$'))
                    {
                        ReadIdentifier();
                        SkipWhitespace();
                    }
                }

                char c = Peek();
                _pos++;
                if (c == ')')
                {
                    return new AbiTuple(components);
                }

                if (c != ',')
                {
                    _pos--;
                    throw Error("expected ',' or ')'");
                }
            }
        }

        private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private string ReadIdentifier()
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_' || _text[_pos] == '$'))
            {
                _pos++;
            }

            return _text[start.._pos];
        }

        private readonly AbiType Elementary(string word)
        {
            switch (word)
            {
                case "address": return new AbiAddress();
                case "bool": return new AbiBool();
                case "string": return new AbiString();
                case "bytes": return new AbiBytes();
                case "uint": return new AbiUInt(256);
                case "int": return new AbiInt(256);
                case "function": return new AbiFixedBytes(24);
            }

            if (word.StartsWith("uint", StringComparison.Ordinal) && TryBits(word.AsSpan(4), out int ubits))
            {
                return new AbiUInt(ubits);
            }

            if (word.StartsWith("int", StringComparison.Ordinal) && TryBits(word.AsSpan(3), out int ibits))
            {
                return new AbiInt(ibits);
            }

            if (word.StartsWith("bytes", StringComparison.Ordinal) && TrySize(word.AsSpan(5), out int size))
            {
                return new AbiFixedBytes(size);
            }

            if (word.StartsWith("fixed", StringComparison.Ordinal) || word.StartsWith("ufixed", StringComparison.Ordinal))
            {
                throw Error($"fixed-point type '{word}' is not supported");
            }

            throw Error($"unknown type '{word}'");
        }

        private static bool TryBits(ReadOnlySpan<char> digits, out int bits) =>
            int.TryParse(digits, out bits) && digits[0] != '0' && bits is >= 8 and <= 256 && bits % 8 == 0;

        private static bool TrySize(ReadOnlySpan<char> digits, out int size) =>
            int.TryParse(digits, out size) && digits[0] != '0' && size is >= 1 and <= 32;
    }
}

/// <summary>Unsigned integer <c>uintN</c>, 8 ≤ N ≤ 256, N a multiple of 8. .NET value: <see cref="System.Numerics.BigInteger"/>.</summary>
public sealed record AbiUInt : AbiType
{
    /// <summary>Creates <c>uint{bits}</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Bits not in 8..256 or not a multiple of 8.</exception>
    public AbiUInt(int bits)
    {
        if (bits is < 8 or > 256 || bits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "uintN needs 8 <= N <= 256 and N a multiple of 8.");
        }

        Bits = bits;
    }

    /// <summary>Bit width N.</summary>
    public int Bits { get; }

    /// <inheritdoc />
    public override string CanonicalName => "uint" + Bits;

    /// <inheritdoc />
    public override bool IsDynamic => false;

    internal override int StaticSize => 32;
}

/// <summary>Signed two's-complement integer <c>intN</c>. .NET value: <see cref="System.Numerics.BigInteger"/>.</summary>
public sealed record AbiInt : AbiType
{
    /// <summary>Creates <c>int{bits}</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Bits not in 8..256 or not a multiple of 8.</exception>
    public AbiInt(int bits)
    {
        if (bits is < 8 or > 256 || bits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "intN needs 8 <= N <= 256 and N a multiple of 8.");
        }

        Bits = bits;
    }

    /// <summary>Bit width N.</summary>
    public int Bits { get; }

    /// <inheritdoc />
    public override string CanonicalName => "int" + Bits;

    /// <inheritdoc />
    public override bool IsDynamic => false;

    internal override int StaticSize => 32;
}

/// <summary><c>address</c>. .NET value: <see cref="Primitives.Address"/>.</summary>
public sealed record AbiAddress : AbiType
{
    /// <inheritdoc />
    public override string CanonicalName => "address";

    /// <inheritdoc />
    public override bool IsDynamic => false;

    internal override int StaticSize => 32;
}

/// <summary><c>bool</c>. .NET value: <see cref="bool"/>.</summary>
public sealed record AbiBool : AbiType
{
    /// <inheritdoc />
    public override string CanonicalName => "bool";

    /// <inheritdoc />
    public override bool IsDynamic => false;

    internal override int StaticSize => 32;
}

/// <summary>Fixed-size byte string <c>bytesN</c>, 1 ≤ N ≤ 32. .NET value: <c>byte[]</c> of exactly N bytes.</summary>
public sealed record AbiFixedBytes : AbiType
{
    /// <summary>Creates <c>bytes{size}</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Size not in 1..32.</exception>
    public AbiFixedBytes(int size)
    {
        if (size is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "bytesN needs 1 <= N <= 32.");
        }

        Size = size;
    }

    /// <summary>Byte count N.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public override string CanonicalName => "bytes" + Size;

    /// <inheritdoc />
    public override bool IsDynamic => false;

    internal override int StaticSize => 32;
}

/// <summary>Dynamic byte string <c>bytes</c>. .NET value: <c>byte[]</c>.</summary>
public sealed record AbiBytes : AbiType
{
    /// <inheritdoc />
    public override string CanonicalName => "bytes";

    /// <inheritdoc />
    public override bool IsDynamic => true;

    internal override int StaticSize => 32;
}

/// <summary>UTF-8 <c>string</c>. .NET value: <see cref="string"/>.</summary>
public sealed record AbiString : AbiType
{
    /// <inheritdoc />
    public override string CanonicalName => "string";

    /// <inheritdoc />
    public override bool IsDynamic => true;

    internal override int StaticSize => 32;
}

/// <summary>Dynamic-length array <c>T[]</c>. .NET value: <c>object?[]</c> (encoding accepts any <see cref="System.Collections.IList"/>).</summary>
public sealed record AbiArray : AbiType
{
    /// <summary>Creates <c>T[]</c>.</summary>
    public AbiArray(AbiType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        Element = element;
    }

    /// <summary>The element type.</summary>
    public AbiType Element { get; }

    /// <inheritdoc />
    public override string CanonicalName => Element.CanonicalName + "[]";

    /// <inheritdoc />
    public override bool IsDynamic => true;

    internal override int StaticSize => 32;
}

/// <summary>Fixed-length array <c>T[k]</c>. .NET value: <c>object?[]</c> of exactly k elements.</summary>
public sealed record AbiFixedArray : AbiType
{
    /// <summary>Creates <c>T[length]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Length is not positive.</exception>
    public AbiFixedArray(AbiType element, int length)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "Fixed array length must be positive.");
        }

        Element = element;
        Length = length;
        _staticSize = element.IsDynamic ? 32 : checked(element.StaticSize * length);
    }

    private readonly int _staticSize;

    /// <summary>The element type.</summary>
    public AbiType Element { get; }

    /// <summary>Element count k.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public override string CanonicalName => Element.CanonicalName + "[" + Length + "]";

    /// <inheritdoc />
    public override bool IsDynamic => Element.IsDynamic;

    internal override int StaticSize => _staticSize;
}

/// <summary>Tuple <c>(T1,...,Tn)</c> (a Solidity struct). .NET value: <c>object?[]</c> of n elements.</summary>
public sealed record AbiTuple : AbiType
{
    /// <summary>Creates a tuple of the given component types.</summary>
    public AbiTuple(IEnumerable<AbiType> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        var list = components.ToArray();
        foreach (var c in list)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(components));
        }

        Components = new ReadOnlyCollection<AbiType>(list);
        _isDynamic = list.Any(c => c.IsDynamic);
        _staticSize = _isDynamic ? 32 : list.Sum(c => c.StaticSize);
        _canonical = BuildName(list);
    }

    /// <summary>Creates a tuple of the given component types.</summary>
    public AbiTuple(params AbiType[] components)
        : this((IEnumerable<AbiType>)components)
    {
    }

    private readonly bool _isDynamic;
    private readonly int _staticSize;
    private readonly string _canonical;

    /// <summary>The component types, in order.</summary>
    public IReadOnlyList<AbiType> Components { get; }

    /// <inheritdoc />
    public override string CanonicalName => _canonical;

    /// <inheritdoc />
    public override bool IsDynamic => _isDynamic;

    internal override int StaticSize => _staticSize;

    /// <summary>Structural equality: same component types in the same order.</summary>
    public bool Equals(AbiTuple? other) => other is not null && _canonical == other._canonical;

    /// <inheritdoc />
    public override int GetHashCode() => _canonical.GetHashCode(StringComparison.Ordinal);

    private static string BuildName(AbiType[] list)
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < list.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(list[i].CanonicalName);
        }

        return sb.Append(')').ToString();
    }
}
