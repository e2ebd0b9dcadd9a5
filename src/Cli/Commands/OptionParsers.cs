using System.CommandLine.Parsing;
using System.Globalization;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Cli.Commands;

/// <summary>Option value parsers that check a range and report a bad value as a parse error naming the option.</summary>
internal static class OptionParsers
{
    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int> WholeNumber(string option, int min, int max) => result =>
    {
        string text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max) return value;
        result.AddError(max == int.MaxValue
            ? $"{option}: '{text}' is not a whole number of at least {min}"
            : $"{option}: '{text}' is not a whole number from {min} to {max}");
        return default;
    };

    /// <summary>A number more than <paramref name="above"/> and at most <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, double> Number(string option, double above, double max) => result =>
    {
        string text = result.Tokens[^1].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > above && value <= max) return value;
        result.AddError($"{option}: '{text}' is not a number in ({above}, {max}]");
        return default;
    };

    /// <summary>A number from <paramref name="min"/> to <paramref name="max"/>, both included.</summary>
    public static Func<ArgumentResult, double> NumberBetween(string option, double min, double max) => result =>
    {
        string text = result.Tokens[^1].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max) return value;
        result.AddError($"{option}: '{text}' is not a number in [{min}, {max}]");
        return default;
    };

    /// <summary>A prover device name: cpu, gpu, ilgpu-cpu or auto.</summary>
    public static Func<ArgumentResult, ProverDevice> Device(string option) => result =>
    {
        string text = result.Tokens[^1].Value;
        if (ProverDevices.TryParse(text, out var device)) return device;
        result.AddError($"{option}: '{text}' is not one of {string.Join(", ", ProverDevices.Names)}");
        return default;
    };

    /// <summary>Comma-separated whole numbers, each from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int[]> WholeNumberList(string option, int min, int max) => result =>
    {
        string text = result.Tokens[^1].Value;
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            {
                result.AddError($"{option}: '{part}' in '{text}' is not a whole number from {min} to {max}");
                return [];
            }
            values.Add(v);
        }
        return [.. values];
    };
}
