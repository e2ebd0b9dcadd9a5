using System.Numerics;
using System.Text.Json;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The test requester contract <c>contracts/test/mocks/CallbackRequester.sol</c> on the harness's chain, deployed from its
/// forge artifact in <c>out/</c> (test contracts are not bound by the generator): it submits requests as itself and
/// answers each request's callback as told at submission.
/// </summary>
internal sealed class CallbackRequester
{
    /// <summary>What the contract's <c>onProofFulfilled</c> does for a request (its <c>Behaviour</c> enum).</summary>
    public enum Behaviour : byte { Record = 0, Revert = 1, BurnAll = 2, HugeReturn = 3 }

    private readonly MarketHarness _h;

    private CallbackRequester(MarketHarness h, Address address)
    {
        _h = h;
        Address = address;
    }

    /// <summary>The contract (the requester of what it submits).</summary>
    public Address Address { get; }

    /// <summary>Deploys one for the harness's market, from the harness's requester account.</summary>
    public static async Task<CallbackRequester> DeployAsync(MarketHarness h)
    {
        var artifact = Path.Combine(RepoPaths.Root, "out", "CallbackRequester.sol", "CallbackRequester.json");
        if (!File.Exists(artifact)) throw new InvalidOperationException($"{artifact} is missing: run forge build");
        using var json = JsonDocument.Parse(File.ReadAllText(artifact));
        var code = Hex.Decode(json.RootElement.GetProperty("bytecode").GetProperty("object").GetString()!);
        var args = new ABIEncode().GetABIEncoded(new ABIValue("address", h.Market.ContractAddress));
        var signed = await h.Requester.SignAndSendAsync(null, [.. code, .. args], BigInteger.Zero);
        var receipt = await h.Requester.WaitForReceiptAsync(signed);
        Assert.True(receipt.Succeeded && receipt.ContractAddress is not null, "the CallbackRequester deployment failed");
        return new CallbackRequester(h, receipt.ContractAddress!.Value);
    }

    /// <summary>Submits through this contract, its callback set to <paramref name="behaviour"/>.</summary>
    public MarketHarness.SubmitVia Via(Behaviour behaviour) => (request, input, inputUri, publics, escrow) =>
        _h.Requester.Web3().Eth.GetContractTransactionHandler<SubmitFunction>().SendRequestAndWaitForReceiptAsync(Address.ToString(),
            new SubmitFunction { Request = request, Input = input, InputUri = inputUri, PublicInputs = publics, Behaviour = (byte)behaviour, AmountToSend = escrow });

    /// <summary>How many callbacks completed (only <see cref="Behaviour.Record"/> ones do).</summary>
    public Task<BigInteger> RecordedAsync() =>
        _h.Requester.Web3().Eth.GetContractQueryHandler<RecordedFunction>().QueryAsync<BigInteger>(Address.ToString(), new RecordedFunction());

    [Function("submit", "bytes32")]
    private sealed class SubmitFunction : FunctionMessage
    {
        [Parameter("tuple", "request", 1, "Request")]
        public Request Request { get; set; } = new();

        [Parameter("bytes", "input", 2)]
        public byte[] Input { get; set; } = [];

        [Parameter("string", "inputUri", 3)]
        public string InputUri { get; set; } = "";

        [Parameter("uint256[]", "publicInputs", 4)]
        public List<BigInteger> PublicInputs { get; set; } = [];

        [Parameter("uint8", "behaviour", 5)]
        public byte Behaviour { get; set; }
    }

    [Function("recorded", "uint256")]
    private sealed class RecordedFunction : FunctionMessage;
}
