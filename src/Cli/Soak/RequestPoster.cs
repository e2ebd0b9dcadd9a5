using Nethereum.Contracts;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Posts multiplier requests (a x b = c, public inputs [c, c² + b]) for one requester, with the same windows for honest
/// and hostile requesters: a sealed auction of 8 s of commits and 16 s of reveals, a 20-second Dutch ramp, a 60-second
/// proving window, a maximum fee of 0.01 ETH and, unless a hostile case changes them, collateral equal to the fee.
/// </summary>
public sealed class RequestPoster(Signer requester, IProverMarketService market, Address verifier, uint circuitId, BigInteger protocolFeeBps, SubmissionLog log)
{
    /// <summary>
    /// A request nonce and a pause factor (2/3 to 4/3 of the mean interval) from the run's seeded random source, which
    /// the requesters share (hence the lock).
    /// </summary>
    public static (ulong Nonce, double Jitter) NonceAndJitter(Random random)
    {
        lock (random) return ((ulong)random.NextInt64(1, long.MaxValue), 2.0 / 3 + random.NextDouble() * 2.0 / 3);
    }

    /// <summary>The maximum fee every request escrows.</summary>
    public static readonly BigInteger MaxFee = BigInteger.Pow(10, 16);

    /// <summary>Sealed-bid commit phase, seconds.</summary>
    public const ulong CommitSeconds = 8;

    /// <summary>Sealed-bid reveal phase, seconds (at least the market's <c>MIN_REVEAL_WINDOW</c> of 12).</summary>
    public const ulong RevealSeconds = 16;

    /// <summary>Dutch price ramp, seconds.</summary>
    public const ulong DutchRampSeconds = 20;

    /// <summary>Proving window, seconds.</summary>
    public const uint ProvingWindowSeconds = 60;

    /// <summary>The requester's address.</summary>
    public Address From => requester.From;

    /// <summary>A satisfiable input of the multiplier circuit and its public inputs.</summary>
    public static (byte[] Input, BigInteger[] Publics) Multiplication(Random random)
    {
        int a, b;
        lock (random)
        {
            a = random.Next(2, 100_000);
            b = random.Next(2, 100_000);
        }
        var c = new BigInteger(a) * b;
        return (System.Text.Encoding.UTF8.GetBytes($"{{\"a\":\"{a}\",\"b\":\"{b}\"}}"), [c, c * c + b]);
    }

    /// <summary>
    /// Requests the market refused at submission, not posted: a standing-ask request no ask fits (<c>NoMatchingAsk</c>),
    /// or a hostile request the market itself rejects.
    /// </summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Why the last refused request was refused.</summary>
    public string LastRefusal { get; private set; } = "";

    private int _refused;

    /// <summary>Posts a request and records it in the submission log; null when the market refuses it (see <see cref="Refused"/>).</summary>
    /// <param name="mode">Allocation mode.</param>
    /// <param name="inline">Inline input bytes (empty when <paramref name="inputUri"/> is used).</param>
    /// <param name="inputUri">Input URI (empty for inline input).</param>
    /// <param name="inputHash">The committed input hash.</param>
    /// <param name="publics">The published public inputs.</param>
    /// <param name="minCollateral">Collateral (and sealed-bid bond); null for the fee.</param>
    /// <param name="hostile">The hostile case, or null for an honest request.</param>
    /// <param name="nonce">Makes the request id unique.</param>
    /// <param name="ct">Cancels the submission.</param>
    public async Task<SoakRequest?> PostAsync(int mode, byte[] inline, string inputUri, byte[] inputHash, BigInteger[] publics,
        BigInteger? minCollateral, HostileCase? hostile, ulong nonce, CancellationToken ct)
    {
        var now = (await requester.Client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))!.Timestamp;
        var terms = new Request(
            Requester: requester.From, CircuitId: circuitId, Mode: mode, OnMiss: 0, AssetId: 0,
            BidDeadline: now + (mode == 1 ? DutchRampSeconds : CommitSeconds),
            RevealDeadline: now + CommitSeconds + RevealSeconds, ProvingWindow: ProvingWindowSeconds,
            Verifier: verifier, MaxFee: MaxFee, MinFee: mode == 1 ? MaxFee / 10 : 0, MinCollateral: minCollateral ?? MaxFee,
            LatencyWeight: 0, Nonce: nonce, InputHash: inputHash, PublicInputsHash: PublicInputs.Hash(publics),
            ProtocolFeeBps: protocolFeeBps, CallbackGasLimit: 0);
        Nethereum.RPC.Eth.DTOs.TransactionReceipt receipt;
        try
        {
            receipt = await market.SubmitRequestRequestAndWaitForReceiptAsync(terms, inline, inputUri, publics.ToList(), MaxFee, ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e) when (hostile is not null || (mode == 2 && e.Is<IAskBookService.NoMatchingAskError>()))
        {
            Interlocked.Increment(ref _refused);
            LastRefusal = e.Is<IAskBookService.NoMatchingAskError>() ? "no standing ask fits it now" : e.Message;
            return null;
        }
        var submitted = receipt.DecodeAllEvents<IProverMarketService.RequestSubmittedEventDTO>().Single().Event;
        var minedIn = (ulong)receipt.BlockNumber.Value;
        var block = await requester.Client.GetBlockByNumberAsync(minedIn, ct).ConfigureAwait(false);
        var posted = new SoakRequest(submitted.RequestId, terms, hostile, minedIn, block?.Timestamp ?? now);
        log.Add(posted);
        return posted;
    }
}
