using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ProverMarketChain.ContractBindings.Generator.Json;

/// <summary>The kind of a parsed JSON value.</summary>
internal enum JsonKind
{
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

/// <summary>
/// An immutable JSON value produced by <see cref="JsonReader"/>. Numbers keep their source text (artifacts only hold
/// integers that are used as strings or small counts). Objects keep member order and reject nothing on duplicate keys:
/// the last duplicate wins on lookup, as in most JSON readers.
/// </summary>
internal sealed class JsonValue
{
    public static readonly JsonValue Null = new JsonValue(JsonKind.Null, null, null, null, false);
    public static readonly JsonValue True = new JsonValue(JsonKind.Boolean, null, null, null, true);
    public static readonly JsonValue False = new JsonValue(JsonKind.Boolean, null, null, null, false);

    private readonly string? _text;
    private readonly List<JsonValue>? _items;
    private readonly List<KeyValuePair<string, JsonValue>>? _members;
    private readonly Dictionary<string, JsonValue>? _index;
    private readonly bool _bool;

    private JsonValue(JsonKind kind, string? text, List<JsonValue>? items, List<KeyValuePair<string, JsonValue>>? members, bool b)
    {
        Kind = kind;
        _text = text;
        _items = items;
        _members = members;
        _bool = b;
        if (members != null)
        {
            _index = new Dictionary<string, JsonValue>(System.StringComparer.Ordinal);
            foreach (var m in members)
            {
                _index[m.Key] = m.Value;
            }
        }
    }

    public JsonKind Kind { get; }

    public static JsonValue String(string s) => new JsonValue(JsonKind.String, s, null, null, false);

    public static JsonValue Number(string raw) => new JsonValue(JsonKind.Number, raw, null, null, false);

    public static JsonValue Array(List<JsonValue> items) => new JsonValue(JsonKind.Array, null, items, null, false);

    public static JsonValue Object(List<KeyValuePair<string, JsonValue>> members) =>
        new JsonValue(JsonKind.Object, null, null, members, false);

    public bool IsNull => Kind == JsonKind.Null;

    /// <summary>The string value, or null when this is not a string.</summary>
    public string? AsString => Kind == JsonKind.String ? _text : null;

    /// <summary>The boolean value, or null when this is not a boolean.</summary>
    public bool? AsBoolean => Kind == JsonKind.Boolean ? _bool : (bool?)null;

    /// <summary>The raw number text, or null when this is not a number.</summary>
    public string? NumberText => Kind == JsonKind.Number ? _text : null;

    public IReadOnlyList<JsonValue> Items => _items ?? (IReadOnlyList<JsonValue>)System.Array.Empty<JsonValue>();

    public IReadOnlyList<KeyValuePair<string, JsonValue>> Members =>
        _members ?? (IReadOnlyList<KeyValuePair<string, JsonValue>>)System.Array.Empty<KeyValuePair<string, JsonValue>>();

    /// <summary>Looks up an object member; null when absent or when this is not an object.</summary>
    public JsonValue? this[string key] => _index != null && _index.TryGetValue(key, out var v) ? v : null;

    /// <summary>Writes this value as compact JSON (used to fingerprint the parts of an artifact that matter).</summary>
    public void WriteTo(StringBuilder sb)
    {
        switch (Kind)
        {
            case JsonKind.Null:
                sb.Append("null");
                break;
            case JsonKind.Boolean:
                sb.Append(_bool ? "true" : "false");
                break;
            case JsonKind.Number:
                sb.Append(_text);
                break;
            case JsonKind.String:
                WriteString(sb, _text!);
                break;
            case JsonKind.Array:
                sb.Append('[');
                for (var i = 0; i < _items!.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    _items[i].WriteTo(sb);
                }

                sb.Append(']');
                break;
            default:
                sb.Append('{');
                for (var i = 0; i < _members!.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    WriteString(sb, _members[i].Key);
                    sb.Append(':');
                    _members[i].Value.WriteTo(sb);
                }

                sb.Append('}');
                break;
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
