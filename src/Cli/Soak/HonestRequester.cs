using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// A requester that plays fair: valid multiplier inputs whose hash and public inputs match, in every allocation mode in
/// turn, the input inline or (every other request) from the soak's local input server.
/// </summary>
public sealed class HonestRequester(RequestPoster poster, InputServer inputs, Random random, Action<string> say)
{
    private int _posted;

    /// <summary>Posts one request every <paramref name="interval"/> (± a third, seeded) until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, int firstMode, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            int mode = (firstMode + _posted) % 4;
            var (input, publics) = RequestPoster.Multiplication(random);
            bool byUrl = _posted % 2 == 1;
            var (nonce, jitter) = RequestPoster.NonceAndJitter(random);
            try
            {
                // These URLs are on 127.0.0.1, which the workers' configs allow (WorkerConfigWriter).
                var r = await poster.PostAsync(mode, byUrl ? [] : input, byUrl ? inputs.Publish(input).AbsoluteUri : "", Keccak.Hash(input), publics,
                    null, null, nonce, ct).ConfigureAwait(false);
                _posted++;
                say(r is null
                    ? $"honest {SoakNames.Modes[mode]} request refused by the market: {poster.LastRefusal}"
                    : $"honest {SoakNames.Modes[mode]} request {Hex.Encode(r.Id)[..10]}… ({(byUrl ? "input by URL" : "inline input")})");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            try { await Task.Delay(interval * jitter, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }
}
