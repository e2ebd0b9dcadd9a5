using ProverMarketChain.ContractBindings.Abi;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>A custom error declared in a contract's ABI: its signature, selector and argument types.</summary>
public sealed class ContractError
{
    /// <summary>Creates the description of an error from its canonical signature, e.g. <c>WrongPhase(uint256,uint8)</c>.</summary>
    /// <exception cref="FormatException">The signature is malformed.</exception>
    public ContractError(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        int open = signature.IndexOf('(');
        if (open <= 0 || !signature.EndsWith(')'))
        {
            throw new FormatException($"'{signature}' is not an error signature of the form Name(types).");
        }

        Name = signature[..open];
        Signature = signature;
        Inputs = AbiType.ParseList(signature[(open + 1)..^1]);
        Selector = AbiSignature.Selector(signature);
        SelectorKey = Hex.Encode(Selector);
    }

    /// <summary>The error name.</summary>
    public string Name { get; }

    /// <summary>The canonical signature.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector.</summary>
    public byte[] Selector { get; }

    /// <summary>The selector as <c>0x</c> + 8 lowercase hex digits: the key used by <see cref="ContractRevertException.FromRevertData"/>.</summary>
    public string SelectorKey { get; }

    /// <summary>The argument types.</summary>
    public IReadOnlyList<AbiType> Inputs { get; }

    /// <summary>Decodes the arguments of revert data that starts with this error's selector.</summary>
    /// <exception cref="ArgumentException">The data does not start with this selector.</exception>
    /// <exception cref="AbiDecodingException">The arguments are malformed.</exception>
    public object?[] DecodeArguments(byte[] revertData)
    {
        ArgumentNullException.ThrowIfNull(revertData);
        if (revertData.Length < 4 || !revertData.AsSpan(0, 4).SequenceEqual(Selector))
        {
            throw new ArgumentException($"Revert data {Hex.Encode(revertData)} does not start with the selector {SelectorKey} of {Signature}.", nameof(revertData));
        }

        return AbiCodec.Decode(Inputs, revertData.AsSpan(4));
    }
}
