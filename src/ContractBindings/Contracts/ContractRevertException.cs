using System.Numerics;
using Nethereum.ABI.Decoders;
using Nethereum.ABI.FunctionEncoding;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// A contract call or transaction reverted. <see cref="RevertData"/> holds the raw revert payload. Use
/// <see cref="FromRevertData"/> to get the most specific subclass: <see cref="RevertReasonException"/> for
/// <c>Error(string)</c>, <see cref="PanicException"/> for <c>Panic(uint256)</c>, or a
/// <see cref="CustomErrorException{TError}"/> of a generated <c>[Error]</c> DTO. The payloads are decoded by Nethereum;
/// this family exists so that every layer (the signer's gas estimation, <c>eth_call</c>, Nethereum's own revert
/// exceptions) reaches callers as one exception type that carries the raw data.
/// </summary>
public class ContractRevertException : Exception
{
    /// <summary>Selector of <c>Error(string)</c>: 0x08c379a0.</summary>
    public static readonly byte[] ErrorSelector = [0x08, 0xc3, 0x79, 0xa0];

    /// <summary>Selector of <c>Panic(uint256)</c>: 0x4e487b71.</summary>
    public static readonly byte[] PanicSelector = [0x4e, 0x48, 0x7b, 0x71];

    /// <summary>Creates the exception with a message and the raw revert data.</summary>
    public ContractRevertException(string message, byte[] revertData)
        : base(message)
    {
        RevertData = revertData ?? [];
    }

    /// <summary>Creates the exception with a message, the raw revert data and an inner cause.</summary>
    public ContractRevertException(string message, byte[] revertData, Exception? inner)
        : base(message, inner)
    {
        RevertData = revertData ?? [];
    }

    /// <summary>The raw revert payload (possibly empty).</summary>
    public byte[] RevertData { get; }

    /// <summary>
    /// Decodes revert data into the most specific exception: <c>Error(string)</c>, <c>Panic(uint256)</c>, one of
    /// <paramref name="customErrorTypes"/> (generated <c>[Error]</c> DTOs), or a plain <see cref="ContractRevertException"/>
    /// when the data is empty, unknown or malformed.
    /// </summary>
    /// <param name="data">The revert payload.</param>
    /// <param name="customErrorTypes">The custom-error DTO types to try.</param>
    public static ContractRevertException FromRevertData(byte[] data, IReadOnlyList<Type>? customErrorTypes = null)
    {
        data ??= [];
        if (data.Length == 0)
        {
            return new ContractRevertException("Execution reverted without data.", data);
        }

        if (data.Length < 4)
        {
            return new ContractRevertException($"Execution reverted with {data.Length} bytes of data, too short for a selector: {Hex.Encode(data)}.", data);
        }

        var selector = data.AsSpan(0, 4);
        try
        {
            if (selector.SequenceEqual(ErrorSelector))
            {
                // Nethereum decodes a truncated payload leniently; the layout is checked first: offset 32, then a length
                // whose bytes are all present.
                if (data.Length < 68 || new BigInteger(data.AsSpan(4, 32), isUnsigned: true, isBigEndian: true) != 32
                    || new BigInteger(data.AsSpan(36, 32), isUnsigned: true, isBigEndian: true) > data.Length - 68)
                {
                    throw new FormatException("the Error(string) payload is truncated or its offset is not 32");
                }

                var reason = new FunctionCallDecoder().DecodeFunctionErrorMessage(Hex.Encode(data))
                    ?? throw new FormatException("the Error(string) payload does not decode");
                return new RevertReasonException(reason, data);
            }

            if (selector.SequenceEqual(PanicSelector))
            {
                if (data.Length != 36)
                {
                    throw new FormatException($"a Panic(uint256) payload is 36 bytes, got {data.Length}");
                }

                return new PanicException(new IntTypeDecoder().DecodeBigInteger(data.AsSpan(4, 32).ToArray()), data);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ContractRevertException($"Execution reverted with a malformed standard error payload {Hex.Encode(data)}: {e.Message}", data, e);
        }

        if (customErrorTypes is not null && ContractErrors.TryDecode(data, customErrorTypes, out var typed))
        {
            return typed;
        }

        return new ContractRevertException($"Execution reverted with unknown custom error {Hex.Encode(selector)} (data {Hex.Encode(data)}).", data);
    }
}

/// <summary>The contract reverted with <c>Error(string)</c> (a <c>require</c>/<c>revert</c> message).</summary>
public sealed class RevertReasonException : ContractRevertException
{
    /// <summary>Creates the exception for a decoded reason string.</summary>
    public RevertReasonException(string reason, byte[] revertData)
        : base($"Execution reverted: {reason}", revertData)
    {
        Reason = reason;
    }

    /// <summary>The revert reason string.</summary>
    public string Reason { get; }
}

/// <summary>The contract hit a Solidity panic, <c>Panic(uint256)</c> (failed assert, overflow, division by zero...).</summary>
public sealed class PanicException : ContractRevertException
{
    /// <summary>Creates the exception for a decoded panic code.</summary>
    public PanicException(BigInteger code, byte[] revertData)
        : base($"Execution panicked with code 0x{code:x2}: {Describe(code)}", revertData)
    {
        Code = code;
        Description = Describe(code);
    }

    /// <summary>The panic code (e.g. 0x11 for arithmetic overflow).</summary>
    public BigInteger Code { get; }

    /// <summary>A readable description of <see cref="Code"/>.</summary>
    public string Description { get; }

    /// <summary>Describes a Solidity panic code.</summary>
    public static string Describe(BigInteger code) => (int)BigInteger.Min(code, 0x1000) switch
    {
        0x00 => "generic compiler-inserted panic",
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "conversion to an out-of-range enum value",
        0x22 => "incorrectly encoded storage byte array",
        0x31 => "pop() on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory (allocation too large)",
        0x51 => "call to a zero-initialised internal function",
        _ => "unknown panic code",
    };
}

/// <summary>The contract reverted with a custom error declared in its ABI.</summary>
public abstract class CustomErrorException : ContractRevertException
{
    /// <summary>Creates the exception for a decoded custom error.</summary>
    /// <param name="errorName">The error's name, e.g. <c>InsufficientBalance</c>.</param>
    /// <param name="error">The decoded <c>[Error]</c> DTO.</param>
    /// <param name="revertData">The raw revert data.</param>
    protected CustomErrorException(string errorName, object error, byte[] revertData)
        : base($"Execution reverted with custom error {errorName}({ContractErrors.Describe(error)}).", revertData)
    {
        ErrorName = errorName;
        Selector = revertData.Length >= 4 ? revertData[..4] : [];
    }

    /// <summary>The error's name.</summary>
    public string ErrorName { get; }

    /// <summary>The 4-byte error selector.</summary>
    public byte[] Selector { get; }

    /// <summary>The decoded error DTO.</summary>
    public abstract object DecodedError { get; }
}

/// <summary>The contract reverted with the custom error whose generated <c>[Error]</c> DTO is <typeparamref name="TError"/>.</summary>
/// <typeparam name="TError">The error DTO.</typeparam>
public sealed class CustomErrorException<TError> : CustomErrorException
    where TError : class
{
    /// <summary>Creates the exception for a decoded custom error.</summary>
    public CustomErrorException(string errorName, TError error, byte[] revertData)
        : base(errorName, error, revertData)
    {
        Error = error;
    }

    /// <summary>The decoded error, with its arguments as properties.</summary>
    public TError Error { get; }

    /// <inheritdoc />
    public override object DecodedError => Error;
}
