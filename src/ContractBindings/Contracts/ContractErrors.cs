using System.Collections;
using System.Reflection;
using System.Text.Json;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// Turns a revert, whichever layer raised it, into <see cref="CustomErrorException{TError}"/> of a generated
/// <c>[Error]</c> DTO, decoded by Nethereum's <see cref="ErrorExtensions"/>. It exists because a revert reaches a generated
/// service in several shapes: our signer's <see cref="ContractRevertException"/> (gas estimation), Nethereum's
/// <see cref="SmartContractCustomErrorRevertException"/> and <see cref="SmartContractRevertException"/> (a plain
/// Nethereum <c>Web3</c>), or a bare <see cref="RpcResponseException"/> carrying the payload in its error data.
/// </summary>
public static class ContractErrors
{
    /// <summary>
    /// Throws the typed exception for <paramref name="e"/> when it is a revert: a <see cref="CustomErrorException{TError}"/>
    /// when its data matches one of <paramref name="errorTypes"/>, else a <see cref="ContractRevertException"/>. Returns
    /// when <paramref name="e"/> is not a revert or is already typed, so that the caller rethrows it unchanged.
    /// </summary>
    /// <param name="e">The exception a query or send raised.</param>
    /// <param name="errorTypes">The contract's <c>[Error]</c> DTO types.</param>
    /// <param name="contractName">The contract, for messages.</param>
    public static void ThrowTyped(Exception e, IReadOnlyList<Type> errorTypes, string contractName)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is CustomErrorException)
        {
            return;
        }

        if (!TryGetRevertData(e, out var data, out var reason))
        {
            return;
        }

        if (TryDecode(data, errorTypes, out var typed))
        {
            throw typed;
        }

        if (e is ContractRevertException)
        {
            return;
        }

        if (data.Length == 0 && reason is not null)
        {
            throw new RevertReasonException(reason, data);
        }

        var plain = ContractRevertException.FromRevertData(data);
        throw new ContractRevertException($"{contractName}: {plain.Message}", data, e);
    }

    /// <summary>Whether the revert carries the custom error <typeparamref name="TError"/> (by selector), whichever contract raised it.</summary>
    public static bool Is<TError>(this ContractRevertException e)
        where TError : class
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is CustomErrorException<TError> || (e.RevertData.Length >= 4 && Hex.Encode(e.RevertData).IsExceptionEncodedDataForError(typeof(TError)));
    }

    /// <summary>Decodes <paramref name="data"/> as one of <paramref name="errorTypes"/>; false when no selector matches.</summary>
    public static bool TryDecode(byte[] data, IReadOnlyList<Type> errorTypes, out ContractRevertException typed)
    {
        ArgumentNullException.ThrowIfNull(errorTypes);
        typed = null!;
        if (data is not { Length: >= 4 })
        {
            return false;
        }

        var hex = Hex.Encode(data);
        foreach (var type in errorTypes)
        {
            if (!hex.IsExceptionEncodedDataForError(type))
            {
                continue;
            }

            var name = type.GetCustomAttribute<ErrorAttribute>()?.Name ?? type.Name;
            object dto;
            try
            {
                dto = hex.DecodeExceptionEncodedData(type);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                typed = new ContractRevertException($"Execution reverted with custom error {name} whose arguments are malformed: {ex.Message}", data, ex);
                return true;
            }

            var generic = typeof(CustomErrorException<>).MakeGenericType(type);
            typed = (ContractRevertException)Activator.CreateInstance(generic, name, dto, data)!;
            return true;
        }

        return false;
    }

    /// <summary>Extracts the revert payload from any of the shapes a revert takes; false when <paramref name="e"/> is not a revert.</summary>
    public static bool TryGetRevertData(Exception e, out byte[] data, out string? reason)
    {
        reason = null;
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case ContractRevertException c:
                    data = c.RevertData;
                    return true;
                case SmartContractCustomErrorRevertException s:
                    data = HexOrEmpty(s.ExceptionEncodedData);
                    return true;
                case SmartContractRevertException r:
                    reason = r.RevertMessage;
                    data = HexOrEmpty(r.EncodedData);
                    return true;
                case RpcResponseException { RpcError: { } error } when IsRevertError(error.Code, error.Message):
                    data = RevertPayload(error.Data switch
                    {
                        null => null,
                        string text => JsonSerializer.Serialize(text),
                        Newtonsoft.Json.Linq.JToken token => token.ToString(Newtonsoft.Json.Formatting.None),
                        JsonElement element => element.GetRawText(),
                        _ => null,
                    });
                    return true;
            }
        }

        data = [];
        return false;
    }

    /// <summary>The arguments of a decoded error DTO, for messages.</summary>
    public static string Describe(object dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        return string.Join(", ", dto.GetType().GetProperties()
            .Where(p => p.GetCustomAttribute<ParameterAttribute>() is not null)
            .OrderBy(p => p.GetCustomAttribute<ParameterAttribute>()!.Order)
            .Select(p => p.Name + ": " + Format(p.GetValue(dto))));
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        byte[] b => Hex.Encode(b),
        string s => s,
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Whether a node's JSON-RPC error is a revert: code 3, or a message naming one (nodes differ).</summary>
    internal static bool IsRevertError(int? code, string? message) =>
        code == 3 || (message ?? string.Empty).Contains("revert", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The revert payload a node put in an error's <c>data</c> (given as raw JSON): a 0x-hex string, or an object whose
    /// <c>data</c> member is one. Anything else (absent, malformed, unprefixed) is an empty payload.
    /// </summary>
    internal static byte[] RevertPayload(string? dataJson)
    {
        if (dataJson is null)
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(dataJson);
            var root = doc.RootElement;
            string? hex = root.ValueKind == JsonValueKind.String ? root.GetString()
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var inner) && inner.ValueKind == JsonValueKind.String ? inner.GetString()
                : null;
            return hex is not null && Hex.HasPrefix(hex) ? Hex.Decode(hex) : [];
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return [];
        }
    }

    private static byte[] HexOrEmpty(string? hex)
    {
        if (string.IsNullOrEmpty(hex))
        {
            return [];
        }

        try
        {
            return Hex.Decode(hex);
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
