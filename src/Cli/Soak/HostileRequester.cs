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
            var (nonce, jitter) = RequestPoster.NonceAndJitter(random);
            try
            {
                var r = await PostAsync(hostile, mode, nonce, ct).ConfigureAwait(false);
                _posted++;
                say(r is null
                    ? $"hostile {SoakNames.Of(hostile)} {SoakNames.Modes[mode]} request refused by the market: {poster.LastRefusal}"
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

    private async Task<SoakRequest?> PostAsync(HostileCase hostile, int mode, ulong nonce, CancellationToken ct)
    {
        var (input, publics) = RequestPoster.Multiplication(random);
        var hash = Keccak.Hash(input);
        BigInteger? collateral = null;
        byte[] inline = [];
        Uri? served = null;
        string uri;
        switch (hostile)
        {
            case HostileCase.InputHashMismatch:
                // The URL serves other bytes than the request commits to (the market checks inline input itself).
                served = inputs.Publish([.. input, (byte)' ']);
                uri = served.AbsoluteUri;
                break;
            case HostileCase.Slowloris:
                served = inputs.PublishStalling(input);
                uri = served.AbsoluteUri;
                break;
            case HostileCase.Http503:
                served = inputs.PublishUnavailable(input, UnavailableFor);
                uri = served.AbsoluteUri;
                break;
            case HostileCase.UnsatisfiableHugeCollateral:
                // A valid input, but published public inputs that no witness of it yields, and a collateral worth 200 fees.
                inline = input;
                uri = "";
                publics = [publics[0] + 1, publics[1]];
                collateral = mode == 2 ? askCollateralCap : HugeCollateral;
                break;
            case HostileCase.FileDevStdin:
                uri = "file:///dev/stdin";
                break;
            case HostileCase.MetadataAddress:
                uri = "http://169.254.169.254/latest/meta-data/";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(hostile), hostile, null);
        }
        var r = await poster.PostAsync(mode, inline, uri, hash, publics, collateral, hostile, nonce, ct).ConfigureAwait(false);
        if (r is not null && served is not null)
            inputs.Name(served, $"the input of hostile {SoakNames.Of(hostile)} {SoakNames.Modes[mode]} request {Hex.Encode(r.Id)[..10]}…");
        return r;
    }
}
