using System.Reflection;
using System.Text;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Generator;

/// <summary>
/// Nethereum derives every selector and event topic at run time from the generated <c>[Parameter]</c> attributes (for a
/// struct, from the C# types of its properties). A wrong derivation would call the wrong function, or make the worker
/// ingest no events, without any error; so, for every function, event and error of every bound contract, the derived
/// value is held to the keccak of the canonical signature the artifact's ABI gives.
/// </summary>
public sealed class SelectorAgreementTests
{
    private static IEnumerable<Type> Nested(Type marker) =>
        typeof(IProverMarketService).Assembly.GetTypes().Where(t => t.IsNested && t.IsClass && !t.IsAbstract && marker.IsAssignableFrom(t));

    private static string Canonical(Type t) => (string)t.GetField("AbiSignature", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    private static string Keccak(string signature) => Hex.Encode(ProverMarketChain.ContractBindings.Primitives.Keccak.Hash(Encoding.ASCII.GetBytes(signature)), prefix: false);

    [Fact]
    public void Every_function_selector_nethereum_derives_matches_the_abi()
    {
        var functions = Nested(typeof(FunctionMessage)).ToList();
        Assert.True(functions.Count > 100, $"only {functions.Count} function messages found");
        Assert.Contains(functions, t => t == typeof(IProverMarketService.CommitBidFunction));
        foreach (var t in functions)
        {
            Assert.True(Keccak(Canonical(t))[..8] == ABITypedRegistry.GetFunctionABI(t).Sha3Signature, $"{t.FullName}: {Canonical(t)} vs {ABITypedRegistry.GetFunctionABI(t).Signature}");
        }
    }

    [Fact]
    public void Every_event_topic_and_error_selector_nethereum_derives_matches_the_abi()
    {
        var events = Nested(typeof(IEventDTO)).ToList();
        var errors = Nested(typeof(IErrorDTO)).ToList();
        Assert.True(events.Count > 20 && errors.Count > 20, $"{events.Count} events, {errors.Count} errors");
        Assert.Contains(events, t => t == typeof(IProverMarketService.RequestSubmittedEventDTO)); // carries the Request tuple
        foreach (var t in events)
        {
            Assert.True(Keccak(Canonical(t)) == ABITypedRegistry.GetEvent(t).Sha3Signature, $"{t.FullName}: {Canonical(t)} vs {ABITypedRegistry.GetEvent(t).Sha3Signature}");
        }

        foreach (var t in errors)
        {
            Assert.True(Keccak(Canonical(t))[..8] == ABITypedRegistry.GetError(t).Sha3Signature, $"{t.FullName}: {Canonical(t)} vs {ABITypedRegistry.GetError(t).Signature}");
        }
    }
}
