using System.Text.Json;

namespace ProverMarketChain.Cli.Soak;

/// <summary>How the soak audit is written as JSON: camelCase, wei as strings, addresses as hex.</summary>
public static class SoakJson
{
    /// <summary>Serializer options; <paramref name="indented"/> for people, compact for <c>--json</c>.</summary>
    public static JsonSerializerOptions Options(bool indented) => new()
    {
        WriteIndented = indented,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        Converters = { new BigIntegerJsonConverter(), new AddressJsonConverter() },
    };
}
