using System.Text.Json;
using System.Text.Json.Serialization;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>Writes addresses as checksummed 0x hex strings.</summary>
public sealed class AddressJsonConverter : JsonConverter<Address>
{
    /// <inheritdoc />
    public override Address Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Address.Parse(reader.GetString() ?? throw new JsonException("expected an address string"));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
