using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Abi;

/// <summary>
/// A contract call or transaction reverted. <see cref="RevertData"/> holds the raw revert payload. Use
/// <see cref="FromRevertData"/> to get the most specific subclass: <see cref="RevertReasonException"/> for
/// <c>Error(string)</c>, <see cref="PanicException"/> for <c>Panic(uint256)</c>, or a <see cref="CustomErrorException"/>.
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
    /// Decodes revert data into the most specific exception: <c>Error(string)</c>, <c>Panic(uint256)</c>, a registered
    /// custom error, or a plain <see cref="ContractRevertException"/> when the data is empty, unknown or malformed.
    /// </summary>
    /// <param name="data">The revert payload.</param>
    /// <param name="customErrors">Decoders keyed by <c>0x</c>-prefixed selector hex (case-insensitive).</param>
    public static ContractRevertException FromRevertData(byte[] data, IReadOnlyDictionary<string, Func<byte[], CustomErrorException>>? customErrors = null)
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
                var reason = (string)AbiCodec.Decode([AbiType.String], data.AsSpan(4))[0]!;
                return new RevertReasonException(reason, data);
            }

            if (selector.SequenceEqual(PanicSelector))
            {
                var code = (BigInteger)AbiCodec.Decode([AbiType.UInt256], data.AsSpan(4))[0]!;
                return new PanicException(code, data);
            }
        }
        catch (AbiDecodingException e)
        {
            return new ContractRevertException($"Execution reverted with a malformed standard error payload {Hex.Encode(data)}: {e.Message}", data, e);
        }

        string key = Hex.Encode(selector);
        if (customErrors is not null && TryFind(customErrors, key, out var decoder))
        {
            try
            {
                return decoder(data);
            }
            catch (AbiDecodingException e)
            {
                return new ContractRevertException($"Execution reverted with custom error {key} whose arguments are malformed: {e.Message}", data, e);
            }
        }

        return new ContractRevertException($"Execution reverted with unknown custom error {key} (data {Hex.Encode(data)}).", data);
    }

    private static bool TryFind(IReadOnlyDictionary<string, Func<byte[], CustomErrorException>> map, string key, out Func<byte[], CustomErrorException> decoder)
    {
        if (map.TryGetValue(key, out decoder!))
        {
            return true;
        }

        foreach (var (k, v) in map)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                decoder = v;
                return true;
            }
        }

        return false;
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

/// <summary>
/// The contract reverted with a custom error declared in its ABI. Generated bindings derive one exception type per
/// error from this class and register decoders with <see cref="ContractRevertException.FromRevertData"/>.
/// </summary>
public class CustomErrorException : ContractRevertException
{
    /// <summary>Creates the exception for a decoded custom error.</summary>
    /// <param name="errorName">The error's name, e.g. <c>InsufficientBalance</c>.</param>
    /// <param name="selector">The 4-byte selector.</param>
    /// <param name="arguments">The decoded arguments (ABI value mapping as in <see cref="AbiCodec"/>).</param>
    /// <param name="revertData">The raw revert data.</param>
    public CustomErrorException(string errorName, byte[] selector, object?[] arguments, byte[] revertData)
        : base($"Execution reverted with custom error {errorName}({string.Join(", ", (arguments ?? []).Select(FormatArgument))}).", revertData)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.Length != 4)
        {
            throw new ArgumentException($"A selector is 4 bytes, got {selector.Length}.", nameof(selector));
        }

        ErrorName = errorName;
        Selector = selector;
        Arguments = arguments ?? [];
    }

    /// <summary>The error's name.</summary>
    public string ErrorName { get; }

    /// <summary>The 4-byte error selector.</summary>
    public byte[] Selector { get; }

    /// <summary>The decoded arguments.</summary>
    public object?[] Arguments { get; }

    private static string FormatArgument(object? value) => value switch
    {
        null => "null",
        byte[] b => Hex.Encode(b),
        object?[] a => "[" + string.Join(", ", a.Select(FormatArgument)) + "]",
        string s => "\"" + s + "\"",
        _ => value.ToString() ?? string.Empty,
    };
}
