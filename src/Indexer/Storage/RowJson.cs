using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>JSON settings for the stored fold state and the API: 256-bit numbers as decimal strings, enums by name.</summary>
public static class RowJson
{
    /// <summary>The options.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
        o.Converters.Add(new BigIntegerStringConverter());
        o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }

    /// <summary>Writes a <see cref="BigInteger"/> as a decimal string, and reads one back (strings only: a JSON number loses precision).</summary>
    public sealed class BigIntegerStringConverter : JsonConverter<BigInteger>
    {
        /// <inheritdoc />
        public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && BigInteger.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new JsonException("a 256-bit number must be a decimal string");

        /// <inheritdoc />
        public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
