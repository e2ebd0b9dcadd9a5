using System.Text.Json;
using Nethereum.JsonRpc.Client;
using Nethereum.JsonRpc.Client.RpcMessages;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RpcError = Nethereum.JsonRpc.Client.RpcMessages.RpcError;

namespace ProverMarketChain.ContractBindings.Rpc;

/// <summary>
/// Nethereum's <see cref="IClient"/> over the project's resilient <see cref="JsonRpcClient"/>, so that a Nethereum
/// <c>Web3</c> (and every generated contract service on it) gets the retries, timeouts, circuit breaker and response
/// limits of that client. Nethereum serialises the parameters (Newtonsoft, its own settings) and decodes the results;
/// this class only carries them. A revert comes back as <see cref="Contracts.ContractRevertException"/>, the payload
/// intact; any other node error as Nethereum's <see cref="RpcResponseException"/>.
/// </summary>
public sealed class NethereumClient : ClientBase
{
    private readonly JsonRpcClient _rpc;

    /// <summary>Wraps <paramref name="rpc"/>.</summary>
    public NethereumClient(JsonRpcClient rpc)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
    }

    /// <inheritdoc />
    public override async Task<RpcResponseMessage> SendAsync(RpcRequestMessage rpcRequestMessage, string? route = null)
    {
        ArgumentNullException.ThrowIfNull(rpcRequestMessage);
        try
        {
            var result = await _rpc.SendAsync(rpcRequestMessage.Method, Parameters(rpcRequestMessage.RawParameters)).ConfigureAwait(false);
            return new RpcResponseMessage(rpcRequestMessage.Id, Token(result));
        }
        catch (JsonRpcException e) when (e is not TransientJsonRpcException && e.Code is { } code)
        {
            if (EthClient.TryGetRevert(e, out var revert))
            {
                throw revert;
            }

            return new RpcResponseMessage(rpcRequestMessage.Id, new RpcError { Code = code, Message = e.NodeMessage ?? e.Message, Data = e.ErrorData is { } d ? JToken.Parse(d) : null });
        }
    }

    /// <inheritdoc />
    protected override async Task<RpcResponseMessage[]> SendAsync(RpcRequestMessage[] requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var results = await _rpc.SendBatchAsync(requests.Select(r => (r.Method, Parameters(r.RawParameters))).ToList()).ConfigureAwait(false);
        var responses = new RpcResponseMessage[requests.Length];
        for (int i = 0; i < requests.Length; i++)
        {
            var r = results[i];
            responses[i] = r.Error is { } error
                ? new RpcResponseMessage(requests[i].Id, new RpcError { Code = error.Code ?? -32603, Message = error.NodeMessage ?? error.Message, Data = error.ErrorData is { } d ? JToken.Parse(d) : null })
                : new RpcResponseMessage(requests[i].Id, Token(r.Result!.Value));
        }

        return responses;
    }

    private static JToken Token(JsonElement result) => JToken.Parse(result.GetRawText());

    private static IReadOnlyList<object?> Parameters(object? raw)
    {
        if (raw is null)
        {
            return [];
        }

        var json = JsonConvert.SerializeObject(raw, DefaultJsonSerializerSettingsFactory.BuildDefaultJsonSerializerSettings());
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.ValueKind == JsonValueKind.Array
            ? doc.RootElement.EnumerateArray().Select(e => (object?)e.Clone()).ToList()
            : [doc.RootElement.Clone()];
    }
}
