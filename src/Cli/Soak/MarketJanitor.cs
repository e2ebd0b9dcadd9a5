using ProverMarketChain.Cli.Local;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Does what any market participant may do, so that every outcome shows on chain before the audit: expires requests
/// nobody took or delivered in time (refunding the escrow), slashes assigned provers past their deadline, lapses silent
/// standing-ask matches, and forfeits the bonds of sealed bids never revealed. Each call is simulated first and only
/// sent when it would succeed.
/// </summary>
public sealed class MarketJanitor(IProverMarketService market, EthClient client, SubmissionLog submissions, Action<string> say)
{
    private readonly HashSet<string> _settled = [];
    private readonly List<IProverMarketService.BidCommittedEventDTO> _commits = [];
    private readonly HashSet<string> _resolvedCommits = [];
    private ulong _nextLogBlock;

    /// <summary>Requests expired.</summary>
    public int Expired { get; private set; }

    /// <summary>Provers slashed.</summary>
    public int Slashed { get; private set; }

    /// <summary>Silent matches lapsed.</summary>
    public int Lapsed { get; private set; }

    /// <summary>Unrevealed bid bonds forfeited.</summary>
    public int Forfeited { get; private set; }

    /// <summary>Honest requests seen fulfilled.</summary>
    public int HonestFulfilled { get; private set; }

    /// <summary>Honest requests seen fulfilled, cancelled or expired.</summary>
    public int HonestSettled { get; private set; }

    /// <summary>Sweeps every <paramref name="interval"/> until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SweepOrReportAsync(ct).ConfigureAwait(false);
                await Task.Delay(interval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One sweep; a failure (an RPC error, an unexpected revert) is reported and left to the next sweep, which starts over from chain state.</summary>
    public async Task SweepOrReportAsync(CancellationToken ct)
    {
        try
        {
            await SweepAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonRpcException or ContractRevertException)
        {
            say($"janitor: sweep failed ({e.Message})");
        }
    }

    /// <summary>One pass over every request not yet fulfilled, cancelled or expired.</summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        var requests = submissions.All();
        if (requests.Count == 0) return;
        if (_nextLogBlock == 0) _nextLogBlock = requests.Min(r => r.Block);
        var head = (await client.GetBlockByTagAsync("latest", ct).ConfigureAwait(false))!;
        if (head.Number >= _nextLogBlock)
        {
            _commits.AddRange((await market.GetBidCommittedEventsAsync(_nextLogBlock, head.Number, null, null).ConfigureAwait(false)).Select(l => l.Event));
            _nextLogBlock = head.Number + 1;
        }

        foreach (var r in requests)
        {
            var key = Hex.Encode(r.Id);
            if (_settled.Contains(key)) continue;
            var view = await market.RequestStateQueryAsync(r.Id).ConfigureAwait(false);
            switch ((int)view.Status)
            {
                case 4 or 5 or 6: // fulfilled, cancelled, expired
                    _settled.Add(key);
                    if (r.Honest)
                    {
                        HonestSettled++;
                        if ((int)view.Status == 4) HonestFulfilled++;
                    }
                    break;
                case 1 or 3 when await Permissionless.TryAsync(() => market.ExpireQueryAsync(r.Terms), () => market.ExpireRequestAndWaitForReceiptAsync(r.Terms, ct), Reverted("expire", r)).ConfigureAwait(false):
                    Expired++;
                    say($"janitor: expired {Describe(r)}");
                    break;
                // Assigned, or a sealed auction whose best bidder missed the deadline before anyone settled it.
                case 1 or 2 when await Permissionless.TryAsync(() => market.SlashQueryAsync(r.Terms), () => market.SlashRequestAndWaitForReceiptAsync(r.Terms, ct), Reverted("slash", r)).ConfigureAwait(false):
                    Slashed++;
                    say($"janitor: slashed {view.Prover} on {Describe(r)} (missed its deadline)");
                    break;
                case 7 when await Permissionless.TryAsync(() => market.LapseMatchQueryAsync(r.Terms), () => market.LapseMatchRequestAndWaitForReceiptAsync(r.Terms, ct), Reverted("lapseMatch", r)).ConfigureAwait(false):
                    Lapsed++;
                    say($"janitor: lapsed the silent match of {view.Prover} on {Describe(r)}");
                    break;
            }
            if (r.Mode == 0 && head.Timestamp > (ulong)r.Terms.RevealDeadline)
                await ForfeitUnrevealedAsync(r, key, ct).ConfigureAwait(false);
        }
    }

    private async Task ForfeitUnrevealedAsync(SoakRequest r, string key, CancellationToken ct)
    {
        foreach (var c in _commits.Where(c => Hex.Encode(c.RequestId) == key))
        {
            var commitKey = Hex.Encode(c.Commitment) + Address.Parse(c.Prover);
            if (_resolvedCommits.Contains(commitKey)) continue;
            var lane = c.Lane;
            if (await Permissionless.TryAsync(() => market.ForfeitBondQueryAsync(r.Terms, c.Prover, lane, c.Commitment),
                    () => market.ForfeitBondRequestAndWaitForReceiptAsync(r.Terms, c.Prover, lane, c.Commitment, ct), Reverted("forfeitBond", r)).ConfigureAwait(false))
            {
                Forfeited++;
                say($"janitor: forfeited the unrevealed bond of {c.Prover} on {Describe(r)}");
            }
            // Forfeited now, or revealed (its lane no longer holds it): either way it is settled.
            _resolvedCommits.Add(commitKey);
        }
    }

    private Action<string> Reverted(string function, SoakRequest r) =>
        reason => say($"janitor: {function} on {Describe(r)} reverted although its simulation passed: {reason}");

    private static string Describe(SoakRequest r) =>
        $"{(r.Honest ? "honest" : "hostile " + SoakNames.Of(r.Case!.Value))} {SoakNames.Modes[r.Mode]} request {Hex.Encode(r.Id)[..10]}…";
}
