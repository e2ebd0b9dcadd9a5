using ProverMarketChain.ContractBindings.Abi;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// A contract function as seen by a binding: its canonical signature, selector and parameter types, parsed once per
/// binding type (generated code keeps instances in static fields).
/// </summary>
public sealed class ContractFunction
{
    /// <summary>Creates the description of a function.</summary>
    /// <param name="signature">Canonical signature, e.g. <c>commit(uint256,bytes32)</c>.</param>
    /// <param name="outputs">Comma-separated canonical output types without parentheses (empty for none).</param>
    /// <exception cref="FormatException">The signature or the outputs are not valid ABI type lists.</exception>
    public ContractFunction(string signature, string outputs)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(outputs);
        int open = signature.IndexOf('(');
        if (open <= 0 || !signature.EndsWith(')'))
        {
            throw new FormatException($"'{signature}' is not a function signature of the form name(types).");
        }

        Name = signature[..open];
        Signature = signature;
        Inputs = AbiType.ParseList(signature[(open + 1)..^1]);
        Outputs = AbiType.ParseList(outputs);
        Selector = AbiSignature.Selector(signature);
    }

    /// <summary>The Solidity function name.</summary>
    public string Name { get; }

    /// <summary>The canonical signature.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector, <c>keccak256(signature)[0..4]</c>.</summary>
    public byte[] Selector { get; }

    /// <summary>The input types.</summary>
    public IReadOnlyList<AbiType> Inputs { get; }

    /// <summary>The output types.</summary>
    public IReadOnlyList<AbiType> Outputs { get; }

    /// <summary>Encodes a call: selector followed by the ABI-encoded arguments.</summary>
    /// <exception cref="AbiEncodingException">An argument does not match its type.</exception>
    public byte[] EncodeCall(IReadOnlyList<object?> arguments) => AbiCodec.EncodeFunctionCall(Selector, Inputs, arguments);

    /// <summary>Decodes the function's return data.</summary>
    /// <exception cref="AbiDecodingException">The data does not match the output types.</exception>
    public object?[] DecodeOutput(ReadOnlySpan<byte> data) => AbiCodec.Decode(Outputs, data);
}
