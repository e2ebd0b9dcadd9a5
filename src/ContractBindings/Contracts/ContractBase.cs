using System.Numerics;
using ProverMarketChain.ContractBindings.Abi;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// Base class of the generated typed contract bindings: a contract at an address, reached through an
/// <see cref="IContractTransport"/>. Reverts surface as the contract's own custom-error exception types: the revert data
/// of every <see cref="ContractRevertException"/> is re-decoded with the contract's error table.
/// </summary>
public abstract class ContractBase
{
    /// <summary>Binds to the contract deployed at <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="transport"/> is null.</exception>
    protected ContractBase(IContractTransport transport, Address address)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Transport = transport;
        Address = address;
    }

    /// <summary>The transport calls and transactions go through.</summary>
    public IContractTransport Transport { get; }

    /// <summary>The contract's address.</summary>
    public Address Address { get; }

    /// <summary>The custom-error decoders of this contract, keyed by <c>0x</c>-prefixed selector.</summary>
    protected abstract IReadOnlyDictionary<string, Func<byte[], CustomErrorException>> ErrorDecoders { get; }

    /// <summary>Runs a read-only call (<c>eth_call</c>) and decodes the outputs.</summary>
    /// <exception cref="ContractRevertException">The call reverted (a generated error type when the contract declares it).</exception>
    protected async Task<object?[]> CallFunctionAsync(ContractFunction function, object?[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var data = function.EncodeCall(arguments);
        byte[] result;
        try
        {
            result = await Transport.CallAsync(Address, data, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException ex) when (TryTranslate(ex, ErrorDecoders, out var typed))
        {
            throw typed;
        }

        if (result.Length == 0 && function.Outputs.Count > 0)
        {
            throw new InvalidOperationException($"{function.Signature} at {Address} returned no data; is a contract deployed there?");
        }

        return function.DecodeOutput(result);
    }

    /// <summary>Sends a transaction calling the function and waits for its receipt.</summary>
    /// <exception cref="ContractRevertException">The transaction reverts (a generated error type when the contract declares it).</exception>
    protected async Task<TransactionReceipt> SendFunctionAsync(ContractFunction function, object?[] arguments, BigInteger value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value sent with a transaction cannot be negative.");
        }

        var data = function.EncodeCall(arguments);
        try
        {
            return await Transport.SendTransactionAsync(Address, data, value, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException ex) when (TryTranslate(ex, ErrorDecoders, out var typed))
        {
            throw typed;
        }
    }

    /// <summary>Deploys a contract: sends creation code followed by the ABI-encoded constructor arguments.</summary>
    /// <returns>The receipt, whose <see cref="TransactionReceipt.ContractAddress"/> is set.</returns>
    /// <exception cref="ContractRevertException">The constructor reverts (a generated error type when declared).</exception>
    /// <exception cref="InvalidOperationException">The receipt has no contract address.</exception>
    protected static async Task<TransactionReceipt> DeployContractAsync(
        IContractTransport transport,
        string contractName,
        byte[] creationCode,
        IReadOnlyList<AbiType> constructorTypes,
        object?[] constructorArguments,
        BigInteger value,
        IReadOnlyDictionary<string, Func<byte[], CustomErrorException>> errorDecoders,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(creationCode);
        if (creationCode.Length == 0)
        {
            throw new InvalidOperationException($"{contractName} has no creation code (an interface or abstract contract cannot be deployed).");
        }

        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value sent with a deployment cannot be negative.");
        }

        var args = AbiCodec.Encode(constructorTypes, constructorArguments);
        var data = new byte[creationCode.Length + args.Length];
        creationCode.CopyTo(data, 0);
        args.CopyTo(data, creationCode.Length);
        TransactionReceipt receipt;
        try
        {
            receipt = await transport.SendTransactionAsync(null, data, value, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException ex) when (TryTranslate(ex, errorDecoders, out var typed))
        {
            throw typed;
        }

        if (receipt.ContractAddress is null)
        {
            throw new InvalidOperationException($"Deploying {contractName} produced receipt {Hex.Encode(receipt.TransactionHash)} without a contract address.");
        }

        return receipt;
    }

    /// <summary>
    /// Re-decodes a revert with a contract's error table. Returns false (so the original exception propagates) when the
    /// selector is not one of the contract's errors or the exception already is the decoded type.
    /// </summary>
    public static bool TryTranslate(
        ContractRevertException exception,
        IReadOnlyDictionary<string, Func<byte[], CustomErrorException>> errorDecoders,
        out ContractRevertException translated)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(errorDecoders);
        translated = exception;
        var data = exception.RevertData;
        if (data.Length < 4 || !errorDecoders.ContainsKey(Hex.Encode(data.AsSpan(0, 4))))
        {
            return false;
        }

        var decoded = ContractRevertException.FromRevertData(data, errorDecoders);
        if (decoded.GetType() == exception.GetType())
        {
            return false;
        }

        translated = decoded;
        return true;
    }

    /// <summary>Builds an error table from error descriptions and their typed factories.</summary>
    /// <exception cref="ArgumentException">Two errors share a selector.</exception>
    public static IReadOnlyDictionary<string, Func<byte[], CustomErrorException>> CreateErrorTable(
        params (ContractError Error, Func<byte[], CustomErrorException> Create)[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var table = new Dictionary<string, Func<byte[], CustomErrorException>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (error, create) in errors)
        {
            if (!table.TryAdd(error.SelectorKey, create))
            {
                throw new ArgumentException($"Error {error.Signature} has selector {error.SelectorKey}, which another error of the contract already uses.", nameof(errors));
            }
        }

        return table;
    }
}
