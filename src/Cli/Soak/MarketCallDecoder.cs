using Nethereum.Contracts;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Recognises calls to the market that concern one request, from their calldata: the function (by selector) and the
/// request id. Functions taking the <c>Request</c> terms first name the request by
/// <c>keccak256(abi.encode(request))</c>, which is the hash of the first words of the arguments, one per field of the
/// terms (a static tuple, encoded in place); <c>commitProof</c> takes the id itself. <c>fulfillBatch</c> delivers
/// several requests at once, each as <c>fulfill</c> would (<see cref="TryDecodeAll"/>).
/// </summary>
public sealed class MarketCallDecoder
{
    /// <summary>The market functions taking the request's terms as their first argument (<c>Request</c> is a static tuple).</summary>
    private static readonly Type[] TermsFirst =
    [
        typeof(IProverMarketService.SubmitRequestFunction),
        typeof(IProverMarketService.CancelRequestFunction),
        typeof(IProverMarketService.ExpireFunction),
        typeof(IProverMarketService.CommitBidFunction),
        typeof(IProverMarketService.RevealBidFunction),
        typeof(IProverMarketService.SettleFunction),
        typeof(IProverMarketService.ForfeitBondFunction),
        typeof(IProverMarketService.AcceptMatchFunction),
        typeof(IProverMarketService.DeclineMatchFunction),
        typeof(IProverMarketService.LapseMatchFunction),
        typeof(IProverMarketService.LockDutchFunction),
        typeof(IProverMarketService.FulfillFunction),
        typeof(IProverMarketService.RevealProofFunction),
        typeof(IProverMarketService.SlashFunction),
    ];

    /// <summary>Bytes of the encoded terms: one static word per field of <c>Request</c>.</summary>
    private static readonly int TermsBytes = Request.AbiTupleType.Split(',').Length * 32;

    private readonly string _fulfillBatchSelector = "0x" + ABITypedRegistry.GetFunctionABI<IProverMarketService.FulfillBatchFunction>().Sha3Signature;

    private readonly Address _market;
    private readonly Dictionary<string, (string Name, bool TermsFirst)> _bySelector = new(StringComparer.Ordinal);

    /// <summary>A decoder for calls to the market at <paramref name="market"/>.</summary>
    public MarketCallDecoder(Address market)
    {
        _market = market;
        foreach (var type in TermsFirst)
        {
            var f = ABITypedRegistry.GetFunctionABI(type);
            _bySelector["0x" + f.Sha3Signature] = (f.Name, true);
        }
        var commitProof = ABITypedRegistry.GetFunctionABI<IProverMarketService.CommitProofFunction>();
        _bySelector["0x" + commitProof.Sha3Signature] = (commitProof.Name, false);
    }

    /// <summary>The 4-byte selector of a market function by name (for tests and messages).</summary>
    /// <exception cref="KeyNotFoundException">Not a request-level market function.</exception>
    public byte[] SelectorOf(string name) => Hex.Decode(_bySelector.First(kv => kv.Value.Name == name).Key);

    /// <summary>
    /// The market function and every request id a transaction is about: one for a request-level function, each of its
    /// requests for <c>fulfillBatch</c> (named <c>fulfill</c>: a batch delivers each as <c>fulfill</c> does, so a
    /// delivery of a request sent singly and again in a batch is a duplicate). False as <see cref="TryDecode"/> is, and
    /// for a batch whose calldata does not decode.
    /// </summary>
    public bool TryDecodeAll(Address? to, byte[] input, out string function, out IReadOnlyList<byte[]> requestIds)
    {
        requestIds = [];
        if (TryDecode(to, input, out function, out var id))
        {
            requestIds = [id];
            return true;
        }
        if (to is not { } target || target != _market || input.Length < 4 || Hex.Encode(input.AsSpan(0, 4)) != _fulfillBatchSelector) return false;
        try
        {
            var batch = new IProverMarketService.FulfillBatchFunction().DecodeInput(Hex.Encode(input));
            requestIds = batch.Requests.Select(r => Keccak.Hash(AbiStructs.Encode(r))).ToList();
            function = "fulfill";
            return requestIds.Count > 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // not a well-formed batch: the market reverted it, and it names no request
        }
    }

    /// <summary>
    /// The market function and the request id a transaction is about; false for transactions to other contracts, for
    /// market functions that concern no single request (deposits, lanes, withdrawals), and for calldata too short to
    /// hold the id.
    /// </summary>
    public bool TryDecode(Address? to, byte[] input, out string function, out byte[] requestId)
    {
        function = "";
        requestId = [];
        if (to is not { } target || target != _market || input.Length < 4) return false;
        if (!_bySelector.TryGetValue(Hex.Encode(input.AsSpan(0, 4)), out var f)) return false;
        int need = 4 + (f.TermsFirst ? TermsBytes : 32);
        if (input.Length < need) return false;
        function = f.Name;
        requestId = f.TermsFirst ? Keccak.Hash(input.AsSpan(4, TermsBytes)) : input.AsSpan(4, 32).ToArray();
        return true;
    }
}
