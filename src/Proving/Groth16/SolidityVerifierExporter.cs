using System.Globalization;
using System.Text.RegularExpressions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>
/// Fills <c>contracts/templates/Groth16Verifier.sol.tmpl</c> for a verification key with exactly the rules stated in the
/// template header (and implemented by <c>tools/export-verifier.js</c>), so both exporters emit byte-identical Solidity:
/// drop <c>//#</c> lines, expand every <c>{{#EACH_IC}}</c> block per public input, substitute the plain placeholders
/// with canonical decimals (G2 in EIP-197 order, imaginary part first), and refuse any leftover <c>{{</c>.
/// </summary>
public static partial class SolidityVerifierExporter
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierRegex();

    [GeneratedRegex(@"\{\{(INDEX|IC_X|IC_Y)\}\}")]
    private static partial Regex IcPlaceholderRegex();

    [GeneratedRegex(@"\{\{([A-Z0-9_]+)\}\}")]
    private static partial Regex PlaceholderRegex();

    /// <summary>Contract name derived like the node exporter: the output file name without <c>.sol</c>.</summary>
    public static string ContractNameFromPath(string outputPath)
    {
        string name = Path.GetFileName(outputPath);
        return name.EndsWith(".sol", StringComparison.Ordinal) ? name[..^4] : name;
    }

    /// <summary>Renders the verifier.</summary>
    /// <param name="template">Template text (LF line endings are preserved as they are).</param>
    /// <param name="vk">Verification key.</param>
    /// <param name="contractName">Solidity identifier of the contract.</param>
    /// <exception cref="ArgumentException">Bad contract name, malformed template, or a G2 point at infinity.</exception>
    public static string Render(string template, VerificationKey vk, string contractName)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(vk);
        if (contractName is null || !IdentifierRegex().IsMatch(contractName))
            throw new ArgumentException($"invalid contract name '{contractName}'", nameof(contractName));

        // Rule 1: drop template comment lines.
        var lines = template.Split('\n').Where(l => !l.TrimStart().StartsWith("//#", StringComparison.Ordinal)).ToList();

        // Rule 2: expand every IC block, from the top.
        var ic = new (string X, string Y)[vk.NPublic];
        for (int i = 0; i < vk.NPublic; i++) ic[i] = G1(vk.IC[i + 1]);
        var expanded = new List<string>(lines.Count);
        int blocks = 0;
        for (int at = 0; at < lines.Count; at++)
        {
            string marker = lines[at].Trim();
            if (marker == "{{/EACH_IC}}") throw new ArgumentException("template: {{/EACH_IC}} without {{#EACH_IC}}", nameof(template));
            if (marker != "{{#EACH_IC}}")
            {
                expanded.Add(lines[at]);
                continue;
            }

            int close = lines.FindIndex(at + 1, l => l.Trim() is "{{/EACH_IC}}" or "{{#EACH_IC}}");
            if (close < 0 || lines[close].Trim() != "{{/EACH_IC}}")
                throw new ArgumentException("template: {{#EACH_IC}} without its {{/EACH_IC}} (blocks do not nest)", nameof(template));
            var body = lines.GetRange(at + 1, close - at - 1);
            for (int i = 0; i < vk.NPublic; i++)
            {
                var values = new Dictionary<string, string> { ["INDEX"] = Dec(i), ["IC_X"] = ic[i].X, ["IC_Y"] = ic[i].Y };
                foreach (var line in body) expanded.Add(IcPlaceholderRegex().Replace(line, m => values[m.Groups[1].Value]));
            }

            blocks++;
            at = close;
        }

        if (blocks == 0) throw new ArgumentException("template: no {{#EACH_IC}} ... {{/EACH_IC}} block", nameof(template));
        lines = expanded;

        // Rule 3: plain placeholders.
        var (ax, ay) = G1(vk.Alpha1);
        var (ic0x, ic0y) = G1(vk.IC[0]);
        var plain = new Dictionary<string, string>
        {
            ["CONTRACT_NAME"] = contractName,
            ["PUBLIC_INPUT_COUNT"] = Dec(vk.NPublic),
            ["ALPHA_X"] = ax,
            ["ALPHA_Y"] = ay,
            ["IC0_X"] = ic0x,
            ["IC0_Y"] = ic0y,
        };
        AddG2(plain, "BETA", vk.Beta2);
        AddG2(plain, "GAMMA", vk.Gamma2);
        AddG2(plain, "DELTA", vk.Delta2);
        string output = PlaceholderRegex().Replace(string.Join('\n', lines), m =>
            plain.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new ArgumentException($"template: unknown placeholder {m.Value}", nameof(template)));

        // Rule 5.
        if (output.Contains("{{", StringComparison.Ordinal)) throw new ArgumentException("template: a placeholder was left unfilled", nameof(template));
        return output;
    }

    private static string Dec(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Dec(Fq v) => v.ToBigInteger().ToString(CultureInfo.InvariantCulture);

    // Infinity in G1 is written as (0, 0), the EIP-196 encoding the ecAdd/ecMul precompiles accept.
    private static (string X, string Y) G1(in G1Affine p) => p.IsInfinity ? ("0", "0") : (Dec(p.X), Dec(p.Y));

    private static void AddG2(Dictionary<string, string> values, string name, in G2Affine p)
    {
        if (p.IsInfinity) throw new ArgumentException($"{name.ToLowerInvariant()}2 is the point at infinity");
        values[name + "_X1"] = Dec(p.X.C1);
        values[name + "_X0"] = Dec(p.X.C0);
        values[name + "_Y1"] = Dec(p.Y.C1);
        values[name + "_Y0"] = Dec(p.Y.C0);
    }
}
