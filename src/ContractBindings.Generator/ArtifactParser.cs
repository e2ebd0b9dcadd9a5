using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ProverMarketChain.ContractBindings.Generator.Json;
using ProverMarketChain.ContractBindings.Generator.Model;

namespace ProverMarketChain.ContractBindings.Generator;

/// <summary>An artifact is well-formed JSON but its ABI cannot be bound; the message says what and where.</summary>
internal sealed class InvalidAbiException : Exception
{
    public InvalidAbiException(string message)
        : base(message)
    {
    }
}

/// <summary>Turns the text of one forge artifact (<c>out/&lt;File&gt;.sol/&lt;Contract&gt;.json</c>) into a <see cref="ContractModel"/>.</summary>
internal static class ArtifactParser
{
    /// <summary>Parses an artifact; returns a result that is a model, a skip (not ours) or a diagnostic.</summary>
    public static ArtifactResult Parse(string path, string? text, string sourceRoot)
    {
        if (text == null)
        {
            return ArtifactResult.Failure(DiagnosticInfo.Create(Diagnostics.MalformedArtifact, path, path, "the file could not be read"));
        }

        JsonValue root;
        try
        {
            root = JsonReader.Parse(text);
        }
        catch (JsonParseException ex)
        {
            return ArtifactResult.Failure(DiagnosticInfo.Create(Diagnostics.MalformedArtifact, path, path, ex.Message));
        }

        if (root.Kind != JsonKind.Object)
        {
            return ArtifactResult.Failure(DiagnosticInfo.Create(Diagnostics.MalformedArtifact, path, path, "the top-level value is not an object"));
        }

        if (root["abi"] == null && root["bytecode"] == null)
        {
            // Not a contract artifact (for example a build-info or cache file that slipped through the globs).
            return ArtifactResult.Skip;
        }

        var (sourcePath, contractName) = FindSource(root, path);
        if (sourcePath == null)
        {
            return ArtifactResult.Failure(DiagnosticInfo.Create(Diagnostics.UnknownSource, path, path));
        }

        if (!IsUnder(sourcePath, sourceRoot))
        {
            return ArtifactResult.Skip;
        }

        try
        {
            var model = BuildModel(root, path, sourcePath, contractName!);
            return model == null ? ArtifactResult.Skip : ArtifactResult.Success(model);
        }
        catch (InvalidAbiException ex)
        {
            return ArtifactResult.Failure(DiagnosticInfo.Create(Diagnostics.InvalidAbi, path, path, ex.Message));
        }
    }

    /// <summary>Whether <paramref name="sourcePath"/> (relative or absolute) lies under the source root.</summary>
    internal static bool IsUnder(string sourcePath, string sourceRoot)
    {
        var p = sourcePath.Replace('\\', '/');
        var r = sourceRoot.Replace('\\', '/').Trim('/') + "/";
        return p.StartsWith(r, StringComparison.Ordinal) || p.IndexOf("/" + r, StringComparison.Ordinal) >= 0;
    }

    private static (string? Source, string? Name) FindSource(JsonValue root, string path)
    {
        var target = root["metadata"]?["settings"]?["compilationTarget"];
        if (target == null)
        {
            var raw = root["rawMetadata"]?.AsString;
            if (raw != null)
            {
                try
                {
                    target = JsonReader.Parse(raw)["settings"]?["compilationTarget"];
                }
                catch (JsonParseException)
                {
                    target = null;
                }
            }
        }

        if (target != null && target.Kind == JsonKind.Object && target.Members.Count == 1 && target.Members[0].Value.AsString != null)
        {
            return (target.Members[0].Key, target.Members[0].Value.AsString);
        }

        var absolute = root["ast"]?["absolutePath"]?.AsString;
        if (absolute != null)
        {
            var file = path.Replace('\\', '/');
            var slash = file.LastIndexOf('/');
            var name = file.Substring(slash + 1);
            if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                name = name.Substring(0, name.Length - 5);
            }

            return (absolute, name);
        }

        return (null, null);
    }

    private static ContractModel? BuildModel(JsonValue root, string path, string sourcePath, string contractName)
    {
        var abi = root["abi"];
        if (abi == null || abi.Kind != JsonKind.Array)
        {
            throw new InvalidAbiException("\"abi\" is missing or is not an array");
        }

        if (abi.Items.Count == 0)
        {
            // Libraries with only internal functions and empty interfaces: nothing to bind.
            return null;
        }

        if (!IsIdentifier(contractName))
        {
            throw new InvalidAbiException($"contract name '{contractName}' is not a Solidity identifier");
        }

        var bytecodeValue = root["bytecode"];
        var bytecode = bytecodeValue?.Kind == JsonKind.Object ? bytecodeValue["object"]?.AsString : bytecodeValue?.AsString;
        bytecode ??= "0x";
        if (!bytecode.StartsWith("0x", StringComparison.Ordinal))
        {
            bytecode = "0x" + bytecode;
        }

        ValidateBytecode(bytecode);

        var output = root["metadata"]?["output"];
        var userdoc = output?["userdoc"];
        var devdoc = output?["devdoc"];

        AbiFunction? constructor = null;
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        for (var i = 0; i < abi.Items.Count; i++)
        {
            var entry = abi.Items[i];
            if (entry.Kind != JsonKind.Object)
            {
                throw new InvalidAbiException($"abi[{i}] is not an object");
            }

            var type = entry["type"]?.AsString ?? "function";
            var name = entry["name"]?.AsString;
            var where = $"abi[{i}] ({type} {name ?? "<unnamed>"})";
            switch (type)
            {
                case "constructor":
                    constructor = new AbiFunction("constructor", ReadParams(entry["inputs"], where + " inputs", false), Array.Empty<AbiParameter>(), ReadMutability(entry, where));
                    break;
                case "function":
                    RequireName(name, where);
                    var fn = new AbiFunction(name!, ReadParams(entry["inputs"], where + " inputs", false), ReadParams(entry["outputs"], where + " outputs", false), ReadMutability(entry, where));
                    fn.Documentation = MethodDoc(userdoc, devdoc, "methods", fn.Signature);
                    functions.Add(fn);
                    break;
                case "event":
                    RequireName(name, where);
                    var ev = new AbiEvent(name!, ReadParams(entry["inputs"], where + " inputs", true), entry["anonymous"]?.AsBoolean ?? false);
                    ev.Documentation = MethodDoc(userdoc, devdoc, "events", ev.Signature);
                    events.Add(ev);
                    break;
                case "error":
                    RequireName(name, where);
                    var er = new AbiError(name!, ReadParams(entry["inputs"], where + " inputs", false));
                    er.Documentation = MethodDoc(userdoc, devdoc, "errors", er.Signature);
                    errors.Add(er);
                    break;
                case "fallback":
                case "receive":
                    break;
                default:
                    throw new InvalidAbiException($"{where}: unknown ABI entry type '{type}'");
            }
        }

        var contractDoc = JoinDoc(userdoc?["notice"]?.AsString, devdoc?["title"]?.AsString, devdoc?["details"]?.AsString);

        var fp = new StringBuilder();
        fp.Append(contractName).Append('|').Append(sourcePath).Append('|').Append(path).Append('|').Append(bytecode).Append('|');
        abi.WriteTo(fp);
        fp.Append('|');
        userdoc?.WriteTo(fp);
        fp.Append('|');
        devdoc?.WriteTo(fp);

        return new ContractModel(contractName, sourcePath, path, bytecode, constructor, functions, events, errors, contractDoc, fp.ToString());
    }

    private static void ValidateBytecode(string bytecode)
    {
        if (bytecode.Length % 2 != 0)
        {
            throw new InvalidAbiException("bytecode.object has an odd number of hex digits");
        }

        for (var i = 2; i < bytecode.Length; i++)
        {
            var c = bytecode[i];
            var hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            // Unlinked library placeholders look like __$<34 hex>$__; accept them (the binding then cannot deploy).
            if (!hex && c != '_' && c != '$')
            {
                throw new InvalidAbiException($"bytecode.object has a non-hex character '{c}' at offset {i}");
            }
        }
    }

    private static void RequireName(string? name, string where)
    {
        if (name == null || !IsIdentifier(name))
        {
            throw new InvalidAbiException($"{where}: missing or invalid name");
        }
    }

    private static Mutability ReadMutability(JsonValue entry, string where)
    {
        var m = entry["stateMutability"]?.AsString;
        switch (m)
        {
            case "pure": return Mutability.Pure;
            case "view": return Mutability.View;
            case "nonpayable": return Mutability.NonPayable;
            case "payable": return Mutability.Payable;
            case null:
                // Pre-0.5 ABI: constant/payable flags.
                if (entry["constant"]?.AsBoolean == true)
                {
                    return Mutability.View;
                }

                return entry["payable"]?.AsBoolean == true ? Mutability.Payable : Mutability.NonPayable;
            default:
                throw new InvalidAbiException($"{where}: unknown stateMutability '{m}'");
        }
    }

    private static IReadOnlyList<AbiParameter> ReadParams(JsonValue? list, string where, bool allowIndexed)
    {
        if (list == null || list.IsNull)
        {
            return Array.Empty<AbiParameter>();
        }

        if (list.Kind != JsonKind.Array)
        {
            throw new InvalidAbiException($"{where} is not an array");
        }

        var result = new List<AbiParameter>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            result.Add(ReadParam(list.Items[i], $"{where}[{i}]", allowIndexed));
        }

        return result;
    }

    private static AbiParameter ReadParam(JsonValue p, string where, bool allowIndexed)
    {
        if (p.Kind != JsonKind.Object)
        {
            throw new InvalidAbiException($"{where} is not an object");
        }

        var name = p["name"]?.AsString ?? string.Empty;
        if (name.Length > 0 && !IsIdentifier(name))
        {
            throw new InvalidAbiException($"{where}: invalid parameter name '{name}'");
        }

        var type = p["type"]?.AsString;
        if (string.IsNullOrEmpty(type))
        {
            throw new InvalidAbiException($"{where}: missing \"type\"");
        }

        var internalType = p["internalType"]?.AsString;
        var node = ParseType(type!, p["components"], internalType, where);
        var indexed = allowIndexed && (p["indexed"]?.AsBoolean ?? false);
        return new AbiParameter(name, node, indexed, internalType);
    }

    private static AbiTypeNode ParseType(string type, JsonValue? components, string? internalType, string where)
    {
        // Split "base[2][]" into base and array suffixes, applied left to right (T[2][] is a dynamic array of T[2]).
        var bracket = type.IndexOf('[');
        var baseType = bracket < 0 ? type : type.Substring(0, bracket);
        var suffixes = new List<int>();
        if (bracket >= 0)
        {
            var i = bracket;
            while (i < type.Length)
            {
                if (type[i] != '[')
                {
                    throw new InvalidAbiException($"{where}: malformed type '{type}'");
                }

                var close = type.IndexOf(']', i);
                if (close < 0)
                {
                    throw new InvalidAbiException($"{where}: malformed type '{type}'");
                }

                var inner = type.Substring(i + 1, close - i - 1);
                if (inner.Length == 0)
                {
                    suffixes.Add(-1);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var len) && len > 0)
                {
                    suffixes.Add(len);
                }
                else
                {
                    throw new InvalidAbiException($"{where}: invalid array length in type '{type}'");
                }

                i = close + 1;
            }
        }

        AbiTypeNode node;
        if (baseType == "tuple" && suffixes.Count >= 2)
        {
            // Nethereum's ABI layer describes an array of arrays of structs as "()[..][..]": its selector and encoding
            // would be wrong, so such a parameter is refused rather than bound.
            throw new InvalidAbiException($"{where}: '{type}' (an array of arrays of structs) is not supported by Nethereum's ABI encoder; use an array of a wrapper struct");
        }

        if (baseType == "tuple")
        {
            if (components == null || components.Kind != JsonKind.Array)
            {
                throw new InvalidAbiException($"{where}: tuple type without \"components\"");
            }

            node = AbiTypeNode.TupleOf(ReadParams(components, where + " components", false), StructNameOf(internalType));
        }
        else
        {
            node = AbiTypeNode.Elem(CanonicalElementary(baseType, where));
        }

        foreach (var s in suffixes)
        {
            node = AbiTypeNode.ArrayOf(node, s);
        }

        return node;
    }

    /// <summary>"struct Market.Order[2][]" gives "Market.Order"; anything else gives null.</summary>
    private static string? StructNameOf(string? internalType)
    {
        if (internalType == null || !internalType.StartsWith("struct ", StringComparison.Ordinal))
        {
            return null;
        }

        var name = internalType.Substring(7);
        var bracket = name.IndexOf('[');
        if (bracket >= 0)
        {
            name = name.Substring(0, bracket);
        }

        name = name.Trim();
        foreach (var part in name.Split('.'))
        {
            if (!IsIdentifier(part))
            {
                return null;
            }
        }

        return name;
    }

    private static string CanonicalElementary(string t, string where)
    {
        switch (t)
        {
            case "address":
            case "bool":
            case "string":
            case "bytes":
                return t;
            case "uint":
                return "uint256";
            case "int":
                return "int256";
        }

        if (t.StartsWith("uint", StringComparison.Ordinal) && ValidBits(t.Substring(4)))
        {
            return t;
        }

        if (t.StartsWith("int", StringComparison.Ordinal) && ValidBits(t.Substring(3)))
        {
            return t;
        }

        if (t.StartsWith("bytes", StringComparison.Ordinal)
            && int.TryParse(t.Substring(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && n <= 32 && t.Substring(5) == n.ToString(CultureInfo.InvariantCulture))
        {
            return t;
        }

        throw new InvalidAbiException($"{where}: unsupported ABI type '{t}'");
    }

    private static bool ValidBits(string digits)
    {
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
            && bits >= 8 && bits <= 256 && bits % 8 == 0 && digits == bits.ToString(CultureInfo.InvariantCulture);
    }

    internal static bool IsIdentifier(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || (i > 0 && c >= '0' && c <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static string? MethodDoc(JsonValue? userdoc, JsonValue? devdoc, string section, string signature)
    {
        string? notice = null;
        string? details = null;
        var u = userdoc?[section]?[signature];
        var d = devdoc?[section]?[signature];

        // Errors map to arrays of entries (one per declaration); functions and events to one object.
        if (u != null)
        {
            notice = (u.Kind == JsonKind.Array && u.Items.Count > 0 ? u.Items[0] : u)["notice"]?.AsString;
        }

        if (d != null)
        {
            details = (d.Kind == JsonKind.Array && d.Items.Count > 0 ? d.Items[0] : d)["details"]?.AsString;
        }

        return JoinDoc(notice, null, details);
    }

    private static string? JoinDoc(string? a, string? b, string? c)
    {
        var parts = new List<string>();
        foreach (var s in new[] { b, a, c })
        {
            if (!string.IsNullOrWhiteSpace(s))
            {
                parts.Add(s!.Trim());
            }
        }

        return parts.Count == 0 ? null : string.Join(" ", parts);
    }
}
