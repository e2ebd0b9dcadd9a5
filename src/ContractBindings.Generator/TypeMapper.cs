using System.Collections.Generic;
using System.Linq;
using System.Text;
using ProverMarketChain.ContractBindings.Generator.Model;

namespace ProverMarketChain.ContractBindings.Generator;

/// <summary>One Solidity struct, bound as a C# record shared by all contracts that use it.</summary>
internal sealed class StructDefinition
{
    public StructDefinition(string fullName, AbiTypeNode tuple, string layout, string artifactPath)
    {
        FullName = fullName;
        Tuple = tuple;
        Layout = layout;
        ArtifactPath = artifactPath;
        CsName = string.Empty;
    }

    /// <summary>The Solidity name, e.g. <c>Market.Order</c>.</summary>
    public string FullName { get; }

    public AbiTypeNode Tuple { get; }

    /// <summary>Component names and types, e.g. <c>(uint256 id,address maker)</c>; two definitions conflict when they differ.</summary>
    public string Layout { get; }

    public string ArtifactPath { get; }

    public string CsName { get; set; }
}

/// <summary>Collects the structs of all bound contracts, de-duplicated by full name, and names their records.</summary>
internal sealed class StructRegistry
{
    private static readonly HashSet<string> ReservedTypeNames = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "Address", "BigInteger", "Task", "Object", "String", "Exception", "List", "Web3", "IWeb3", "Event", "Function",
        "FunctionMessage", "ContractDeploymentMessage", "TransactionReceipt", "BlockParameter", "ContractHandler",
    };

    private readonly Dictionary<string, StructDefinition> _byName = new Dictionary<string, StructDefinition>(System.StringComparer.Ordinal);

    public IEnumerable<StructDefinition> All => _byName.Values.OrderBy(s => s.CsName, System.StringComparer.Ordinal);

    public StructDefinition? Find(string fullName) => _byName.TryGetValue(fullName, out var d) ? d : null;

    public static StructRegistry Build(IReadOnlyList<ContractModel> contracts, List<DiagnosticInfo> diagnostics)
    {
        var registry = new StructRegistry();
        foreach (var c in contracts)
        {
            foreach (var p in AllParameters(c))
            {
                registry.Visit(p.Type, c.ArtifactPath, diagnostics);
            }
        }

        // Short names where unambiguous (Market.Order -> Order), else the full name flattened (MarketOrder).
        var contractNames = new HashSet<string>(contracts.Select(c => c.Name), System.StringComparer.Ordinal);
        var taken = new HashSet<string>(contractNames, System.StringComparer.Ordinal);
        foreach (var r in ReservedTypeNames)
        {
            taken.Add(r);
        }

        var byShort = registry._byName.Values.GroupBy(s => ShortName(s.FullName)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var s in registry._byName.Values.OrderBy(s => s.FullName, System.StringComparer.Ordinal))
        {
            var shortName = Naming.Pascal(ShortName(s.FullName), "Struct");
            var candidate = byShort[ShortName(s.FullName)] == 1 && !taken.Contains(shortName)
                ? shortName
                : string.Concat(s.FullName.Split('.').Select(part => Naming.Pascal(part, "Struct")));
            s.CsName = Naming.Unique(candidate, taken, null);
        }

        return registry;
    }

    public static IEnumerable<AbiParameter> AllParameters(ContractModel c)
    {
        if (c.Constructor != null)
        {
            foreach (var p in c.Constructor.Inputs)
            {
                yield return p;
            }
        }

        foreach (var f in c.Functions)
        {
            foreach (var p in f.Inputs.Concat(f.Outputs))
            {
                yield return p;
            }
        }

        foreach (var e in c.Events)
        {
            foreach (var p in e.Inputs)
            {
                yield return p;
            }
        }

        foreach (var e in c.Errors)
        {
            foreach (var p in e.Inputs)
            {
                yield return p;
            }
        }
    }

    private static string ShortName(string fullName)
    {
        var dot = fullName.LastIndexOf('.');
        return dot < 0 ? fullName : fullName.Substring(dot + 1);
    }

    private void Visit(AbiTypeNode node, string artifactPath, List<DiagnosticInfo> diagnostics)
    {
        switch (node.Kind)
        {
            case AbiTypeKind.Array:
                Visit(node.Element!, artifactPath, diagnostics);
                return;
            case AbiTypeKind.Tuple:
                foreach (var c in node.Components)
                {
                    Visit(c.Type, artifactPath, diagnostics);
                }

                if (node.StructName == null)
                {
                    return;
                }

                var layout = Layout(node);
                if (_byName.TryGetValue(node.StructName, out var existing))
                {
                    if (existing.Layout != layout)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ConflictingStruct, artifactPath, artifactPath, node.StructName, layout, existing.Layout));
                    }

                    return;
                }

                _byName.Add(node.StructName, new StructDefinition(node.StructName, node, layout, artifactPath));
                return;
        }
    }

    private static string Layout(AbiTypeNode tuple)
    {
        var sb = new StringBuilder("(");
        for (var i = 0; i < tuple.Components.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var c = tuple.Components[i];
            sb.Append(c.Type.Canonical).Append(' ').Append(c.Name);
        }

        return sb.Append(')').ToString();
    }
}

/// <summary>
/// Maps ABI types to the C# types Nethereum's ABI encoder and decoder work with, as Nethereum's own code generator does:
/// <c>address</c> and <c>string</c> are strings, <c>bytes</c> and <c>bytesN</c> byte arrays, integers
/// <see cref="System.Numerics.BigInteger"/>, arrays <c>List&lt;T&gt;</c> and tuples the generated <c>[Struct]</c> records.
/// </summary>
internal sealed class TypeMapper
{
    public const string Root = "global::ProverMarketChain.ContractBindings";
    public const string BigInteger = "global::System.Numerics.BigInteger";
    public const string List = "global::System.Collections.Generic.List";
    public const string Attributes = "global::Nethereum.ABI.FunctionEncoding.Attributes";

    private readonly StructRegistry _structs;
    private readonly string _namespace;

    public TypeMapper(StructRegistry structs, string ns)
    {
        _structs = structs;
        _namespace = ns;
    }

    public string StructReference(AbiTypeNode tuple) => "global::" + _namespace + "." + _structs.Find(tuple.StructName!)!.CsName;

    /// <summary>The C# type of a value of <paramref name="node"/>.</summary>
    public string CsType(AbiTypeNode node)
    {
        switch (node.Kind)
        {
            case AbiTypeKind.Elementary:
                return ElementaryType(node.Elementary!);
            case AbiTypeKind.Array:
                return List + "<" + CsType(node.Element!) + ">";
            default:
                return node.StructName != null ? StructReference(node) : "object";
        }
    }

    /// <summary>An initializer for a property of the type, so that a new message or struct never holds a null Nethereum cannot encode.</summary>
    public string Initializer(AbiTypeNode node)
    {
        switch (node.Kind)
        {
            case AbiTypeKind.Elementary:
                if (node.Elementary == "address")
                {
                    return " = \"0x0000000000000000000000000000000000000000\";";
                }

                if (node.Elementary == "string")
                {
                    return " = string.Empty;";
                }

                return node.Elementary!.StartsWith("bytes", System.StringComparison.Ordinal)
                    ? (node.Elementary == "bytes" ? " = global::System.Array.Empty<byte>();" : $" = new byte[{node.Elementary.Substring(5)}];")
                    : string.Empty;
            case AbiTypeKind.Array:
                return " = new();";
            default:
                return node.StructName != null ? " = new();" : " = default!;";
        }
    }

    /// <summary>The type string of a <c>[Parameter]</c> attribute: the canonical type, with tuples written <c>tuple</c>.</summary>
    public static string ParameterType(AbiTypeNode node)
    {
        switch (node.Kind)
        {
            case AbiTypeKind.Elementary:
                return node.Elementary!;
            case AbiTypeKind.Array:
                return ParameterType(node.Element!) + "[" + (node.FixedLength >= 0 ? node.FixedLength.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty) + "]";
            default:
                return "tuple";
        }
    }

    /// <summary>The struct a parameter's tuple (or array of tuples) is, for the <c>[Parameter]</c> attribute's struct type name.</summary>
    public string? StructName(AbiTypeNode node)
    {
        while (node.Kind == AbiTypeKind.Array)
        {
            node = node.Element!;
        }

        return node.Kind == AbiTypeKind.Tuple && node.StructName != null ? _structs.Find(node.StructName)!.CsName : null;
    }

    public static string ElementaryType(string elementary)
    {
        if (elementary == "address" || elementary == "string")
        {
            return "string";
        }

        if (elementary == "bool")
        {
            return "bool";
        }

        if (elementary.StartsWith("bytes", System.StringComparison.Ordinal))
        {
            return "byte[]";
        }

        return BigInteger;
    }

    public static bool IsElementary(AbiTypeNode node) => node.Kind == AbiTypeKind.Elementary;
}
