using System.Text;
using FsCheck;
using FsCheck.Fluent;
using ProverMarketChain.ContractBindings.Generator.Json;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Generator;

public sealed class JsonReaderTests
{
    [Fact]
    public void Parses_objects_arrays_literals_numbers_and_escapes()
    {
        var v = JsonReader.Parse("\uFEFF { \"a\" : [1, -2.5e+3, true, false, null, {}], \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\" }\r\n");
        Assert.Equal(JsonKind.Object, v.Kind);
        var a = v["a"]!;
        Assert.Equal(6, a.Items.Count);
        Assert.Equal("1", a.Items[0].NumberText);
        Assert.Equal("-2.5e+3", a.Items[1].NumberText);
        Assert.True(a.Items[2].AsBoolean);
        Assert.False(a.Items[3].AsBoolean);
        Assert.True(a.Items[4].IsNull);
        Assert.Empty(a.Items[5].Members);
        Assert.Equal("q\"\\/\b\f\n\r\té😀", v["s"]!.AsString);
        Assert.Null(v["missing"]);
    }

    [Theory]
    [InlineData("", "end of input")]
    [InlineData("{\"a\":1,}", "member name")]
    [InlineData("[1,]", "Unexpected character")]
    [InlineData("{\"a\" 1}", "Expected ':'")]
    [InlineData("\"abc", "Unterminated string")]
    [InlineData("\"a\u0001\"", "Control character")]
    [InlineData("\"\\x\"", "Invalid escape")]
    [InlineData("01", "after the JSON value")]
    [InlineData("1.", "decimal point")]
    [InlineData("tru", "expected 'true'")]
    [InlineData("{} x", "after the JSON value")]
    [InlineData("\"\\u12g4\"", "hex digit")]
    public void Rejects_invalid_json_with_a_position(string text, string expected)
    {
        var ex = Assert.Throws<JsonParseException>(() => JsonReader.Parse(text));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("line", ex.Message);
    }

    [Fact]
    public void Reports_line_and_column_of_the_error()
    {
        var ex = Assert.Throws<JsonParseException>(() => JsonReader.Parse("{\n  \"a\": [1,\n  2 3]\n}"));
        Assert.Equal(3, ex.Line);
        Assert.Equal(5, ex.Column);
    }

    [Fact]
    public void Refuses_nesting_deeper_than_the_limit_instead_of_overflowing_the_stack()
    {
        var deep = new string('[', JsonReader.MaxDepth + 2) + new string(']', JsonReader.MaxDepth + 2);
        Assert.Contains("Nesting", Assert.Throws<JsonParseException>(() => JsonReader.Parse(deep)).Message);
        var ok = new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth);
        Assert.Equal(JsonKind.Array, JsonReader.Parse(ok).Kind);
    }

    [Fact]
    public void Any_string_round_trips_through_writing_and_parsing()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll<string>(s =>
        {
            s ??= string.Empty;
            var written = JsonValue.Object([new("k", JsonValue.String(s)), new("n", JsonValue.Array([JsonValue.String(s), JsonValue.Null]))]).ToString();
            var back = JsonReader.Parse(written);
            return back["k"]!.AsString == s && back["n"]!.Items[0].AsString == s && back.ToString() == written;
        }));
    }
}
