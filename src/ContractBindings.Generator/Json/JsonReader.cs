using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ProverMarketChain.ContractBindings.Generator.Json;

/// <summary>A JSON text could not be parsed; the message names the line and column.</summary>
internal sealed class JsonParseException : Exception
{
    public JsonParseException(string message, int line, int column)
        : base($"{message} at line {line}, column {column}")
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }
}

/// <summary>
/// A small strict RFC 8259 JSON reader with no dependencies, for use inside a netstandard2.0 analyzer where
/// System.Text.Json is not available. It rejects trailing garbage, control characters in strings, lone surrogate
/// escapes are kept as-is (they cannot occur in solc output), and nesting deeper than <see cref="MaxDepth"/>.
/// </summary>
internal sealed class JsonReader
{
    /// <summary>Deepest nesting accepted; forge artifacts nest far less (ASTs are the deepest, around 60).</summary>
    public const int MaxDepth = 512;

    private readonly string _s;
    private int _pos;

    private JsonReader(string s)
    {
        _s = s;
    }

    /// <summary>Parses a complete JSON document.</summary>
    /// <exception cref="JsonParseException">The text is not valid JSON.</exception>
    public static JsonValue Parse(string text)
    {
        if (text == null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var r = new JsonReader(text);
        r.SkipWhitespace();
        if (r._pos < r._s.Length && r._s[r._pos] == '\uFEFF')
        {
            r._pos++;
            r.SkipWhitespace();
        }

        var value = r.ReadValue(0);
        r.SkipWhitespace();
        if (r._pos != r._s.Length)
        {
            throw r.Error("Unexpected content after the JSON value");
        }

        return value;
    }

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"Nesting deeper than {MaxDepth}");
        }

        if (_pos >= _s.Length)
        {
            throw Error("Unexpected end of input, expected a value");
        }

        var c = _s[_pos];
        switch (c)
        {
            case '{':
                return ReadObject(depth);
            case '[':
                return ReadArray(depth);
            case '"':
                return JsonValue.String(ReadString());
            case 't':
                ExpectLiteral("true");
                return JsonValue.True;
            case 'f':
                ExpectLiteral("false");
                return JsonValue.False;
            case 'n':
                ExpectLiteral("null");
                return JsonValue.Null;
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return JsonValue.Number(ReadNumber());
                }

                throw Error($"Unexpected character '{Printable(c)}', expected a value");
        }
    }

    private JsonValue ReadObject(int depth)
    {
        _pos++; // '{'
        var members = new List<KeyValuePair<string, JsonValue>>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return JsonValue.Object(members);
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("Expected a string member name");
            }

            var key = ReadString();
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            var value = ReadValue(depth + 1);
            members.Add(new KeyValuePair<string, JsonValue>(key, value));
            SkipWhitespace();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == '}')
            {
                _pos++;
                return JsonValue.Object(members);
            }

            throw Error("Expected ',' or '}' in object");
        }
    }

    private JsonValue ReadArray(int depth)
    {
        _pos++; // '['
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return JsonValue.Array(items);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == ']')
            {
                _pos++;
                return JsonValue.Array(items);
            }

            throw Error("Expected ',' or ']' in array");
        }
    }

    private string ReadString()
    {
        _pos++; // opening quote
        var start = _pos;

        // Fast path: no escapes.
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c == '"')
            {
                var plain = _s.Substring(start, _pos - start);
                _pos++;
                return plain;
            }

            if (c == '\\')
            {
                break;
            }

            if (c < 0x20)
            {
                throw Error("Control character in string");
            }

            _pos++;
        }

        var sb = new StringBuilder();
        sb.Append(_s, start, _pos - start);
        while (true)
        {
            if (_pos >= _s.Length)
            {
                throw Error("Unterminated string");
            }

            var c = _s[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c < 0x20)
            {
                _pos--;
                throw Error("Control character in string");
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos >= _s.Length)
            {
                throw Error("Unterminated escape sequence");
            }

            var e = _s[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    sb.Append((char)ReadHex4());
                    break;
                default:
                    _pos--;
                    throw Error($"Invalid escape '\\{Printable(e)}'");
            }
        }
    }

    private int ReadHex4()
    {
        if (_pos + 4 > _s.Length)
        {
            throw Error("Truncated \\u escape");
        }

        var v = 0;
        for (var i = 0; i < 4; i++)
        {
            var c = _s[_pos];
            int d;
            if (c >= '0' && c <= '9')
            {
                d = c - '0';
            }
            else if (c >= 'a' && c <= 'f')
            {
                d = c - 'a' + 10;
            }
            else if (c >= 'A' && c <= 'F')
            {
                d = c - 'A' + 10;
            }
            else
            {
                throw Error("Invalid hex digit in \\u escape");
            }

            v = (v << 4) | d;
            _pos++;
        }

        return v;
    }

    private string ReadNumber()
    {
        var start = _pos;
        if (Peek() == '-')
        {
            _pos++;
        }

        if (Peek() == '0')
        {
            _pos++;
        }
        else if (IsDigit(Peek()))
        {
            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }
        else
        {
            throw Error("Invalid number");
        }

        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigit(Peek()))
            {
                throw Error("Expected a digit after the decimal point");
            }

            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        if (Peek() == 'e' || Peek() == 'E')
        {
            _pos++;
            if (Peek() == '+' || Peek() == '-')
            {
                _pos++;
            }

            if (!IsDigit(Peek()))
            {
                throw Error("Expected a digit in the exponent");
            }

            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        return _s.Substring(start, _pos - start);
    }

    private void ExpectLiteral(string literal)
    {
        if (string.CompareOrdinal(_s, _pos, literal, 0, literal.Length) != 0)
        {
            throw Error($"Invalid literal, expected '{literal}'");
        }

        _pos += literal.Length;
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"Expected '{c}'");
        }

        _pos++;
    }

    private char Peek() => _pos < _s.Length ? _s[_pos] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private void SkipWhitespace()
    {
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }

            _pos++;
        }
    }

    private static string Printable(char c) =>
        c < 0x20 || c > 0x7e ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString();

    private JsonParseException Error(string message)
    {
        var line = 1;
        var col = 1;
        var end = Math.Min(_pos, _s.Length);
        for (var i = 0; i < end; i++)
        {
            if (_s[i] == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }

        if (_pos >= _s.Length && message.IndexOf("end of input", StringComparison.Ordinal) < 0)
        {
            message += " (reached the end of input)";
        }

        return new JsonParseException(message, line, col);
    }
}
