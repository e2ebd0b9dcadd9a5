using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// A requester out to hurt the provers: it cycles through its <see cref="HostileCase"/>s, each posted in every
/// allocation mode in turn (case i goes out in mode (i / cases + i) mod 4, so every pairing comes up).
/// </summary>
public sealed class HostileRequester(RequestPoster poster, InputServer inputs, IReadOnlyList<HostileCase> cases, BigInteger askCollateralCap, Random random, Action<string> say)
{
    /// <summary>How long the 503 URL refuses before it serves the input.</summary>
    public static readonly TimeSpan UnavailableFor = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The collateral (and sealed-bid bond) of an unsatisfiable request: 2 ETH against a fee of 0.01 ETH. In standing-ask
    /// mode it is the asks' collateral cap instead (the most a match can lock: the market refuses a request no ask fits).
    /// </summary>
    public static readonly BigInteger HugeCollateral = RequestPoster.MaxFee * 200;

    private int _posted;

    /// <summary>Posts one hostile request every <paramref name="interval"/> (± a third, seeded) until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        if (cases.Count == 0) return;
        while (!ct.IsCancellationRequested)
        {
            var hostile = cases[_posted % cases.Count];
            int mode = (_posted / cases.Count + _posted) % 4;
            ulong nonce;
            double jitter;
            lock (random)
            {
                nonce = (ulong)random.NextInt64(1, long.MaxValue);
                jitter = 2.0 / 3 + random.NextDouble() * 2.0 / 3;
            }
            try
            {
                var r = await PostAsync(hostile, mode, nonce, ct).ConfigureAwait(false);
                _posted++;
                say(r is null
                    ? $"hostile {SoakNames.Of(hostile)} {SoakNames.Modes[mode]} request refused by the market: no standing ask fits it now"
                    : $"hostile {SoakNames.Of(hostile)} {SoakNames.Modes[mode]} request {Hex.Encode(r.Id)[..10]}…");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            try { await Task.Delay(interval * jitter, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private Task<SoakRequest?> PostAsync(HostileCase hostile, int mode, ulong nonce, CancellationToken ct)
    {
        var (input, publics) = RequestPoster.Multiplication(random);
        var hash = Keccak.Hash(input);
        return hostile switch
        {
            // The input travels inline, but the request commits to the hash of other bytes.
            HostileCase.InputHashMismatch =>
                poster.PostAsync(mode, input, "", Keccak.Hash([.. input, (byte)' ']), publics, null, hostile, nonce, ct),
            HostileCase.Slowloris =>
                poster.PostAsync(mode, [], inputs.PublishStalling(input).AbsoluteUri, hash, publics, null, hostile, nonce, ct),
            HostileCase.Http503 =>
                poster.PostAsync(mode, [], inputs.PublishUnavailable(input, UnavailableFor).AbsoluteUri, hash, publics, null, hostile, nonce, ct),
            // A valid input, but published public inputs that no witness of it yields, and a collateral worth 200 fees.
            HostileCase.UnsatisfiableHugeCollateral =>
                poster.PostAsync(mode, input, "", hash, [publics[0] + 1, publics[1]], mode == 2 ? askCollateralCap : HugeCollateral, hostile, nonce, ct),
            HostileCase.FileDevStdin =>
                poster.PostAsync(mode, [], "file:///dev/stdin", hash, publics, null, hostile, nonce, ct),
            HostileCase.MetadataAddress =>
                poster.PostAsync(mode, [], "http://169.254.169.254/latest/meta-data/", hash, publics, null, hostile, nonce, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(hostile), hostile, null),
        };
    }
}
