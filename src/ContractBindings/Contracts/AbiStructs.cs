using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// Solidity's <c>abi.encode(value)</c> of one generated <c>[Struct]</c> value (a single tuple parameter, so a struct with
/// dynamic fields gets its head offset), and its inverse, through Nethereum's <see cref="ParametersEncoder"/> and
/// <see cref="ParameterDecoder"/>. The market identifies a request by <c>keccak256(abi.encode(request))</c>; Nethereum's
/// <c>GetABIParamsEncoded</c> would encode the fields as separate parameters, which differs for dynamic structs.
/// </summary>
public static class AbiStructs
{
    /// <summary><c>abi.encode(value)</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static byte[] Encode<T>(T value)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(value);
        return new ParametersEncoder().EncodeParametersFromTypeAttributes(typeof(Single<T>), new Single<T> { Value = value });
    }

    /// <summary>Decodes <c>abi.encode(value)</c> back into a <typeparamref name="T"/>.</summary>
    /// <exception cref="FormatException">The bytes are not an encoding of <typeparamref name="T"/>.</exception>
    public static T Decode<T>(byte[] encoded)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(encoded);
        try
        {
            var single = (Single<T>)new ParameterDecoder().DecodeAttributes(encoded, typeof(Single<T>));
            return single.Value ?? throw new FormatException($"No {typeof(T).Name} in {encoded.Length} bytes.");
        }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException($"The bytes are not an ABI encoding of {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>A one-parameter list holding the struct as a tuple.</summary>
    private sealed class Single<T>
        where T : class, new()
    {
        [Parameter("tuple", "value", 1)]
        public T Value { get; set; } = new();
    }
}
