using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Pairing;

namespace ProverMarketChain.Proving.Formats;

/// <summary>
/// Reads and writes the snarkjs JSON artefacts byte-for-byte like snarkjs does (one-space indentation, decimal strings,
/// projective coordinates with z = "1", no trailing newline): <c>proof.json</c>, <c>public.json</c> and
/// <c>verification_key.json</c>.
/// </summary>
public static class SnarkjsJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, IndentSize = 1, NewLine = "\n" };

    /// <summary>Serialises a proof as snarkjs <c>groth16 prove</c> does.</summary>
    /// <remarks>The proof and public signals are written by hand (same bytes as the indented JSON writer, which the
    /// interop tests check against snarkjs's own files): loading System.Text.Json cost a proving process about 20 ms of
    /// start-up at its end.</remarks>
    public static string ProofToJson(Groth16Proof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var sb = new StringBuilder(1024);
        sb.Append("{\n \"pi_a\": ");
        AppendStrings(sb, 1, G1Strings(proof.A));
        sb.Append(",\n \"pi_b\": [\n");
        var (x, y, z) = proof.B.IsInfinity ? (Fq2.Zero, Fq2.One, Fq2.Zero) : (proof.B.X, proof.B.Y, Fq2.One);
        Fq2[] coords = [x, y, z];
        for (int i = 0; i < coords.Length; i++)
        {
            sb.Append("  ");
            AppendStrings(sb, 2, [Dec(coords[i].C0), Dec(coords[i].C1)]);
            sb.Append(i + 1 < coords.Length ? ",\n" : "\n");
        }
        sb.Append(" ],\n \"pi_c\": ");
        AppendStrings(sb, 1, G1Strings(proof.C));
        sb.Append(",\n \"protocol\": \"groth16\",\n \"curve\": \"bn128\"\n}");
        return sb.ToString();
    }

    /// <summary>Serialises public signals as a JSON array of decimal strings.</summary>
    public static string PublicToJson(IReadOnlyList<BigInteger> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var sb = new StringBuilder(16 + 80 * signals.Count);
        AppendStrings(sb, 0, signals.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray());
        return sb.ToString();
    }

    private static string[] G1Strings(in G1Affine p) => p.IsInfinity ? ["0", "1", "0"] : [Dec(p.X), Dec(p.Y), "1"];

    /// <summary>An array of decimal strings at nesting <paramref name="depth"/>: one item per line, indented one space per
    /// level, "[]" when empty (the indented writer's layout). The strings are digits, so nothing needs escaping.</summary>
    private static void AppendStrings(StringBuilder sb, int depth, string[] items)
    {
        if (items.Length == 0)
        {
            sb.Append("[]");
            return;
        }
        sb.Append("[\n");
        for (int i = 0; i < items.Length; i++)
        {
            sb.Append(' ', depth + 1).Append('"').Append(items[i]).Append('"').Append(i + 1 < items.Length ? ",\n" : "\n");
        }
        sb.Append(' ', depth).Append(']');
    }

    /// <summary>Serialises a verification key as snarkjs <c>zkey export verificationkey</c> does.</summary>
    public static string VerificationKeyToJson(VerificationKey vk)
    {
        ArgumentNullException.ThrowIfNull(vk);
        var alphaBeta = Bn254Pairing.Pair(vk.Alpha1, vk.Beta2);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("protocol", "groth16");
            w.WriteString("curve", "bn128");
            w.WriteNumber("nPublic", vk.NPublic);
            w.WritePropertyName("vk_alpha_1");
            WriteG1(w, vk.Alpha1);
            w.WritePropertyName("vk_beta_2");
            WriteG2(w, vk.Beta2);
            w.WritePropertyName("vk_gamma_2");
            WriteG2(w, vk.Gamma2);
            w.WritePropertyName("vk_delta_2");
            WriteG2(w, vk.Delta2);
            w.WritePropertyName("vk_alphabeta_12");
            w.WriteStartArray();
            foreach (var f6 in new[] { alphaBeta.C0, alphaBeta.C1 })
            {
                w.WriteStartArray();
                foreach (var f2 in new[] { f6.C0, f6.C1, f6.C2 })
                {
                    w.WriteStartArray();
                    w.WriteStringValue(Dec(f2.C0));
                    w.WriteStringValue(Dec(f2.C1));
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WritePropertyName("IC");
            w.WriteStartArray();
            foreach (var p in vk.IC) WriteG1(w, p);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Writes <paramref name="json"/> to <paramref name="path"/> (UTF-8, no BOM).</summary>
    /// <exception cref="ProvingFormatException">The file cannot be written.</exception>
    public static void WriteFile(string path, string json)
    {
        try
        {
            File.WriteAllText(path, json, new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProvingFormatException(path, $"cannot write: {e.Message}", e);
        }
    }

    /// <summary>Reads a snarkjs <c>proof.json</c>.</summary>
    /// <exception cref="ProvingFormatException">Missing file, bad JSON, wrong protocol/curve, or invalid points.</exception>
    public static Groth16Proof ReadProof(string path)
    {
        using var doc = Load(path);
        var root = Object(path, doc.RootElement, "proof");
        CheckProtocol(path, root);
        var a = ParseG1(path, Prop(path, root, "pi_a"), "pi_a");
        var b = ParseG2(path, Prop(path, root, "pi_b"), "pi_b");
        var c = ParseG1(path, Prop(path, root, "pi_c"), "pi_c");
        return new Groth16Proof(a, b, c);
    }

    /// <summary>Reads a snarkjs <c>public.json</c>; every signal must be a decimal below r.</summary>
    public static BigInteger[] ReadPublic(string path)
    {
        using var doc = Load(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new ProvingFormatException(path, "public signals must be a JSON array");
        var list = new List<BigInteger>();
        int i = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var v = Number(path, e, $"public signal {i}");
            if (v >= Fr.Modulus) throw new ProvingFormatException(path, $"public signal {i} is not below the BN254 scalar field prime");
            list.Add(v);
            i++;
        }

        return list.ToArray();
    }

    /// <summary>Reads a snarkjs <c>verification_key.json</c> (Groth16, bn128). <c>vk_alphabeta_12</c> is ignored.</summary>
    public static VerificationKey ReadVerificationKey(string path)
    {
        using var doc = Load(path);
        var root = Object(path, doc.RootElement, "verification key");
        CheckProtocol(path, root);
        var alpha = ParseG1(path, Prop(path, root, "vk_alpha_1"), "vk_alpha_1");
        var beta = ParseG2(path, Prop(path, root, "vk_beta_2"), "vk_beta_2");
        var gamma = ParseG2(path, Prop(path, root, "vk_gamma_2"), "vk_gamma_2");
        var delta = ParseG2(path, Prop(path, root, "vk_delta_2"), "vk_delta_2");
        var icEl = Prop(path, root, "IC");
        if (icEl.ValueKind != JsonValueKind.Array || icEl.GetArrayLength() == 0)
            throw new ProvingFormatException(path, "IC must be a non-empty array of G1 points");
        var ic = new List<G1Affine>();
        foreach (var e in icEl.EnumerateArray()) ic.Add(ParseG1(path, e, $"IC[{ic.Count}]"));
        if (root.TryGetProperty("nPublic", out var np) && (np.ValueKind != JsonValueKind.Number || !np.TryGetInt32(out int n) || n != ic.Count - 1))
            throw new ProvingFormatException(path, $"nPublic does not match the {ic.Count} IC points");
        return new VerificationKey(alpha, beta, gamma, delta, ic.ToArray());
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions)) body(w);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Dec(Fq v) => v.ToBigInteger().ToString(CultureInfo.InvariantCulture);

    private static void WriteG1(Utf8JsonWriter w, in G1Affine p)
    {
        w.WriteStartArray();
        if (p.IsInfinity)
        {
            w.WriteStringValue("0");
            w.WriteStringValue("1");
            w.WriteStringValue("0");
        }
        else
        {
            w.WriteStringValue(Dec(p.X));
            w.WriteStringValue(Dec(p.Y));
            w.WriteStringValue("1");
        }

        w.WriteEndArray();
    }

    private static void WriteG2(Utf8JsonWriter w, in G2Affine p)
    {
        w.WriteStartArray();
        var (x, y, z) = p.IsInfinity ? (Fq2.Zero, Fq2.One, Fq2.Zero) : (p.X, p.Y, Fq2.One);
        foreach (var c in new[] { x, y, z })
        {
            w.WriteStartArray();
            w.WriteStringValue(Dec(c.C0));
            w.WriteStringValue(Dec(c.C1));
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static JsonDocument Load(string path)
    {
        if (!File.Exists(path)) throw new ProvingFormatException(path, "file not found");
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ProvingFormatException(path, $"invalid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProvingFormatException(path, $"cannot read: {e.Message}", e);
        }
    }

    private static JsonElement Object(string path, JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new ProvingFormatException(path, $"{what} must be a JSON object");

    private static JsonElement Prop(string path, JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v : throw new ProvingFormatException(path, $"missing \"{name}\"");

    private static void CheckProtocol(string path, JsonElement root)
    {
        if (root.TryGetProperty("protocol", out var p) && p.GetString() != "groth16")
            throw new ProvingFormatException(path, $"protocol is \"{p}\", expected \"groth16\"");
        if (root.TryGetProperty("curve", out var c) && c.GetString() is not ("bn128" or "bn254"))
            throw new ProvingFormatException(path, $"curve is \"{c}\", expected \"bn128\"");
    }

    private static BigInteger Number(string path, JsonElement e, string what)
    {
        string? s = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            _ => null,
        };
        if (s is null || s.Length == 0 || s.Length > 100 || !s.All(char.IsAsciiDigit) ||
            !BigInteger.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            throw new ProvingFormatException(path, $"{what} is not a non-negative decimal integer");
        return v;
    }

    private static Fq BaseField(string path, JsonElement e, string what)
    {
        var v = Number(path, e, what);
        if (v >= Fq.Modulus) throw new ProvingFormatException(path, $"{what} is not below the BN254 base field prime");
        return Fq.FromBigInteger(v);
    }

    private static JsonElement[] Items(string path, JsonElement e, string what, int min, int max)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() < min || e.GetArrayLength() > max)
            throw new ProvingFormatException(path, $"{what} must be an array of {min}..{max} items");
        return e.EnumerateArray().ToArray();
    }

    private static G1Affine ParseG1(string path, JsonElement e, string what)
    {
        var it = Items(path, e, what, 2, 3);
        var x = BaseField(path, it[0], what + ".x");
        var y = BaseField(path, it[1], what + ".y");
        var z = it.Length == 3 ? BaseField(path, it[2], what + ".z") : Fq.One;
        if (z.IsZero) return G1Affine.Infinity;
        var p = z.IsOne ? new G1Affine(x, y) : new G1Jacobian(x, y, z).ToAffine();
        if (!p.IsOnCurve()) throw new ProvingFormatException(path, $"{what} is not on the BN254 curve");
        return p;
    }

    private static G2Affine ParseG2(string path, JsonElement e, string what)
    {
        var it = Items(path, e, what, 2, 3);
        Fq2 F2(JsonElement el, string n)
        {
            var c = Items(path, el, n, 2, 2);
            return new Fq2(BaseField(path, c[0], n + ".c0"), BaseField(path, c[1], n + ".c1"));
        }

        var x = F2(it[0], what + ".x");
        var y = F2(it[1], what + ".y");
        var z = it.Length == 3 ? F2(it[2], what + ".z") : Fq2.One;
        if (z.IsZero) return G2Affine.Infinity;
        var p = z.IsOne ? new G2Affine(x, y) : new G2Jacobian(x, y, z).ToAffine();
        if (!p.IsOnCurve()) throw new ProvingFormatException(path, $"{what} is not on the BN254 twist");
        if (!p.IsInSubgroup()) throw new ProvingFormatException(path, $"{what} is not in the G2 subgroup");
        return p;
    }
}
