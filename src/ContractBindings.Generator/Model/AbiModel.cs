using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ProverMarketChain.ContractBindings.Generator.Model;

/// <summary>The shape of an ABI type.</summary>
internal enum AbiTypeKind
{
    /// <summary>uintN, intN, address, bool, bytesN, bytes, string.</summary>
    Elementary,

    /// <summary>T[] (<see cref="AbiTypeNode.FixedLength"/> is -1) or T[k].</summary>
    Array,

    /// <summary>A tuple: a Solidity struct when <see cref="AbiTypeNode.StructName"/> is set.</summary>
    Tuple,
}

/// <summary>One node of a parsed ABI type.</summary>
internal sealed class AbiTypeNode
{
    private AbiTypeNode(AbiTypeKind kind, string? elementary, AbiTypeNode? element, int fixedLength,
        IReadOnlyList<AbiParameter>? components, string? structName)
    {
        Kind = kind;
        Elementary = elementary;
        Element = element;
        FixedLength = fixedLength;
        Components = components ?? System.Array.Empty<AbiParameter>();
        StructName = structName;
        Canonical = BuildCanonical();
    }

    public AbiTypeKind Kind { get; }

    /// <summary>The elementary type name (canonical, e.g. <c>uint256</c>), for <see cref="AbiTypeKind.Elementary"/>.</summary>
    public string? Elementary { get; }

    /// <summary>The element type, for <see cref="AbiTypeKind.Array"/>.</summary>
    public AbiTypeNode? Element { get; }

    /// <summary>The fixed length of a T[k] array, or -1 for a dynamic T[].</summary>
    public int FixedLength { get; }

    /// <summary>The tuple's components, for <see cref="AbiTypeKind.Tuple"/>.</summary>
    public IReadOnlyList<AbiParameter> Components { get; }

    /// <summary>The Solidity struct's full name (<c>Market.Order</c> or <c>Order</c>), or null for an anonymous tuple.</summary>
    public string? StructName { get; }

    /// <summary>The canonical type as used in signatures: tuples are written <c>(t1,t2)</c>.</summary>
    public string Canonical { get; }

    public static AbiTypeNode Elem(string name) => new AbiTypeNode(AbiTypeKind.Elementary, name, null, -1, null, null);

    public static AbiTypeNode ArrayOf(AbiTypeNode element, int fixedLength) =>
        new AbiTypeNode(AbiTypeKind.Array, null, element, fixedLength, null, null);

    public static AbiTypeNode TupleOf(IReadOnlyList<AbiParameter> components, string? structName) =>
        new AbiTypeNode(AbiTypeKind.Tuple, null, null, -1, components, structName);

    /// <summary>Whether an indexed event field of this type is stored as the keccak256 hash of its encoding.</summary>
    public bool IsHashedWhenIndexed => Kind != AbiTypeKind.Elementary || Elementary == "bytes" || Elementary == "string";

    private string BuildCanonical()
    {
        switch (Kind)
        {
            case AbiTypeKind.Elementary:
                return Elementary!;
            case AbiTypeKind.Array:
                return Element!.Canonical + (FixedLength < 0 ? "[]" : "[" + FixedLength + "]");
            default:
                var sb = new StringBuilder("(");
                for (var i = 0; i < Components.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    sb.Append(Components[i].Type.Canonical);
                }

                return sb.Append(')').ToString();
        }
    }
}

/// <summary>A function/event/error parameter or a tuple component.</summary>
internal sealed class AbiParameter
{
    public AbiParameter(string name, AbiTypeNode type, bool indexed, string? internalType)
    {
        Name = name;
        Type = type;
        Indexed = indexed;
        InternalType = internalType;
    }

    /// <summary>The Solidity name; may be empty.</summary>
    public string Name { get; }

    public AbiTypeNode Type { get; }

    /// <summary>For event parameters: whether it is a topic.</summary>
    public bool Indexed { get; }

    public string? InternalType { get; }
}

/// <summary>The state mutability of a function.</summary>
internal enum Mutability
{
    Pure,
    View,
    NonPayable,
    Payable,
}

/// <summary>A function or constructor of the ABI.</summary>
internal sealed class AbiFunction
{
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, Mutability mutability)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Mutability = mutability;
        Signature = name + "(" + string.Join(",", inputs.Select(i => i.Type.Canonical)) + ")";
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiParameter> Outputs { get; }

    public Mutability Mutability { get; }

    /// <summary>The canonical signature, e.g. <c>commit(uint256,bytes32)</c>.</summary>
    public string Signature { get; }

    public bool IsReadOnly => Mutability == Mutability.View || Mutability == Mutability.Pure;

    /// <summary>NatSpec notice/dev text, when the artifact carries it.</summary>
    public string? Documentation { get; set; }
}

/// <summary>An event of the ABI.</summary>
internal sealed class AbiEvent
{
    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous)
    {
        Name = name;
        Inputs = inputs;
        Anonymous = anonymous;
        Signature = name + "(" + string.Join(",", inputs.Select(i => i.Type.Canonical)) + ")";
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public bool Anonymous { get; }

    public string Signature { get; }

    public string? Documentation { get; set; }
}

/// <summary>A custom error of the ABI.</summary>
internal sealed class AbiError
{
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        Signature = name + "(" + string.Join(",", inputs.Select(i => i.Type.Canonical)) + ")";
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public string Signature { get; }

    public string? Documentation { get; set; }
}

/// <summary>Everything the generator needs from one forge artifact.</summary>
internal sealed class ContractModel
{
    public ContractModel(string name, string sourcePath, string artifactPath, string bytecode, AbiFunction? constructor,
        IReadOnlyList<AbiFunction> functions, IReadOnlyList<AbiEvent> events, IReadOnlyList<AbiError> errors,
        string? documentation, string fingerprint)
    {
        Name = name;
        SourcePath = sourcePath;
        ArtifactPath = artifactPath;
        Bytecode = bytecode;
        Constructor = constructor;
        Functions = functions;
        Events = events;
        Errors = errors;
        Documentation = documentation;
        Fingerprint = fingerprint;
    }

    public string Name { get; }

    /// <summary>The Solidity source file, relative to the project root (e.g. <c>contracts/src/Market.sol</c>).</summary>
    public string SourcePath { get; }

    public string ArtifactPath { get; }

    /// <summary>Creation bytecode as 0x-hex; "0x" for interfaces and abstract contracts.</summary>
    public string Bytecode { get; }

    public AbiFunction? Constructor { get; }

    public IReadOnlyList<AbiFunction> Functions { get; }

    public IReadOnlyList<AbiEvent> Events { get; }

    public IReadOnlyList<AbiError> Errors { get; }

    public string? Documentation { get; }

    /// <summary>A compact serialization of everything above; equality of models is equality of fingerprints.</summary>
    public string Fingerprint { get; }

    public bool HasDeployableBytecode => Bytecode.Length > 2 && Bytecode.IndexOf("__$", System.StringComparison.Ordinal) < 0;

    public bool NeedsLinking => Bytecode.IndexOf("__$", System.StringComparison.Ordinal) >= 0;
}
