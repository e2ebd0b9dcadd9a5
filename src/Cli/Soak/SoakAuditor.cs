using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Soak;

/// <summary>
/// Audits a soak run from the chain: the market's events for outcomes, forfeits and slashes; request states at the end
/// for bonds left unrevealed and deadlines missed but not yet slashed; every mined transaction (blocks and receipts)
/// for duplicate sends and gas; and the balance snapshots for conservation of funds.
/// </summary>
public sealed class SoakAuditor(EthClient client, IProverMarketService market)
{
    private const ulong KillWindowSeconds = 60;
    private const ulong HostileWindowSeconds = 180;

    /// <summary>Builds the audit of the blocks <see cref="SoakEvidence.FromBlock"/>..<see cref="SoakEvidence.ToBlock"/>.</summary>
    public async Task<SoakAudit> AuditAsync(SoakEvidence e, CancellationToken ct)
    {
        var workers = e.Workers.Keys.ToHashSet();
        var byId = e.Requests.ToDictionary(r => Hex.Encode(r.Id));
        var end = (await client.GetBlockByNumberAsync(e.ToBlock, ct).ConfigureAwait(false))!;
        var logs = await client.GetLogsAsync(new LogFilter(e.FromBlock, e.ToBlock, [Address.Parse(market.ContractAddress)], null), ct).ConfigureAwait(false);
        var blockTimes = new Dictionary<ulong, ulong>();
        async Task<ulong> TimeOf(ulong block)
        {
            if (!blockTimes.TryGetValue(block, out var t))
                blockTimes[block] = t = (await client.GetBlockByNumberAsync(block, ct).ConfigureAwait(false))!.Timestamp;
            return t;
        }

        var fulfilled = new HashSet<string>();
        var declined = new List<string>();
        var commits = new Dictionary<(string, Address), int>();
        var reveals = new Dictionary<(string, Address), int>();
        var forfeits = new List<(string Id, Address Prover, ulong Block)>();
        var slashes = new List<(string Id, Address Prover, ulong Block)>();
        var assigned = new HashSet<(string, Address)>();
        foreach (var entry in logs)
        {
            var log = entry.ToFilterLog(); // converted once, tried against each event
            ulong block = entry.BlockNumber;
            if (log.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out var f)) fulfilled.Add(Hex.Encode(f.RequestId));
            else if (log.TryDecodeEvent<IProverMarketService.MatchDeclinedEventDTO>(out var d) && !d.Silent && workers.Contains(Address.Parse(d.Prover))) declined.Add(Hex.Encode(d.RequestId));
            else if (log.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var c) && workers.Contains(Address.Parse(c.Prover))) Bump(commits, (Hex.Encode(c.RequestId), Address.Parse(c.Prover)));
            else if (log.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var rv) && workers.Contains(Address.Parse(rv.Prover))) Bump(reveals, (Hex.Encode(rv.RequestId), Address.Parse(rv.Prover)));
            else if (log.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out var bf) && workers.Contains(Address.Parse(bf.Prover))) forfeits.Add((Hex.Encode(bf.RequestId), Address.Parse(bf.Prover), block));
            else if (log.TryDecodeEvent<IProverMarketService.ProverSlashedEventDTO>(out var s) && workers.Contains(Address.Parse(s.Prover))) slashes.Add((Hex.Encode(s.RequestId), Address.Parse(s.Prover), block));
            else if (log.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out var a) && workers.Contains(Address.Parse(a.Prover))) assigned.Add((Hex.Encode(a.RequestId), Address.Parse(a.Prover)));
            else if (log.TryDecodeEvent<IProverMarketService.AuctionSettledEventDTO>(out var st) && workers.Contains(Address.Parse(st.Winner))) assigned.Add((Hex.Encode(st.RequestId), Address.Parse(st.Winner)));
        }

        // Losses: events first, then what the end state shows but nobody has acted on yet.
        var losses = new List<(string Kind, string Id, Address Worker, ulong Time)>();
        foreach (var x in forfeits) losses.Add(("bond-forfeited", x.Id, x.Prover, await TimeOf(x.Block).ConfigureAwait(false)));
        foreach (var x in slashes) losses.Add(("slashed", x.Id, x.Prover, await TimeOf(x.Block).ConfigureAwait(false)));
        foreach (var ((id, prover), n) in commits)
        {
            if (!byId.TryGetValue(id, out var r) || (ulong)r.Terms.RevealDeadline >= end.Timestamp) continue;
            int open = n - reveals.GetValueOrDefault((id, prover)) - forfeits.Count(x => x.Id == id && x.Prover == prover);
            for (int i = 0; i < open; i++) losses.Add(("bond-unrevealed", id, prover, (ulong)r.Terms.RevealDeadline));
        }
        var statusAtEnd = new Dictionary<string, int>();
        foreach (var r in e.Requests)
        {
            var id = Hex.Encode(r.Id);
            var view = await market.RequestStateQueryAsync(r.Id).ConfigureAwait(false);
            statusAtEnd[id] = (int)view.Status;
            // A prover past its deadline that nobody has slashed yet: a slash would go through.
            if ((int)view.Status is 1 or 2 && workers.Contains(Address.Parse(view.Prover)) && await SlashableAsync(r, ct).ConfigureAwait(false))
                losses.Add(("deadline-missed", id, Address.Parse(view.Prover), Math.Max((ulong)view.Deadline, (ulong)r.Terms.RevealDeadline)));
        }

        var honestLosses = losses.Where(l => byId.TryGetValue(l.Id, out var r) && r.Honest)
            .OrderBy(l => l.Time)
            .Select(l => new HonestLoss(l.Kind, l.Id, SoakNames.Modes[byId[l.Id].Mode], l.Worker, e.Workers[l.Worker], l.Time,
                e.Kills.Any(k => k.Worker == l.Worker && (ulong)k.At.ToUnixTimeSeconds() <= l.Time && (ulong)k.At.ToUnixTimeSeconds() + KillWindowSeconds >= l.Time),
                e.Requests.Where(r => !r.Honest && r.Timestamp <= l.Time && r.Timestamp + HostileWindowSeconds >= l.Time)
                    .Select(r => SoakNames.Of(r.Case!.Value)).Distinct().ToList()))
            .ToList();
        int honestForfeits = honestLosses.Count(l => l.Kind is "bond-forfeited" or "bond-unrevealed");
        int honestSlashes = honestLosses.Count(l => l.Kind is "slashed" or "deadline-missed");

        // Duplicate sends and gas, from every mined transaction.
        var mined = await new BlockScanner(client.Rpc).ScanAsync(e.FromBlock + 1, e.ToBlock, ct).ConfigureAwait(false);
        var duplicates = DuplicateSendDetector.Find(mined, workers, new MarketCallDecoder(Address.Parse(market.ContractAddress)));
        var funds = FundsLedger.Check(e.BalancesBefore, e.BalancesAfter, mined);
        bool conserved = funds.Conserved && e.Tokens.All(t => t.Conserved);

        var honest = e.Requests.Where(r => r.Honest).ToList();
        var hostile = e.Requests.Where(r => !r.Honest).ToList();
        var requests = new RequestCounts(honest.Count, hostile.Count,
            SoakNames.Modes.ToDictionary(m => m, m => honest.Count(r => SoakNames.Modes[r.Mode] == m)),
            hostile.GroupBy(r => SoakNames.Of(r.Case!.Value)).ToDictionary(g => g.Key, g => g.Count()),
            e.RefusedByMarket);
        var fulfilledCounts = new FulfilledCounts(
            honest.Count(r => fulfilled.Contains(Hex.Encode(r.Id))),
            hostile.Count(r => fulfilled.Contains(Hex.Encode(r.Id))),
            SoakNames.Modes.ToDictionary(m => m, m => honest.Count(r => SoakNames.Modes[r.Mode] == m && fulfilled.Contains(Hex.Encode(r.Id)))));
        var unfulfilled = honest.Where(r => !fulfilled.Contains(Hex.Encode(r.Id)))
            .Select(r => new UnfulfilledRequest(Hex.Encode(r.Id), SoakNames.Modes[r.Mode], SoakNames.Statuses[statusAtEnd[Hex.Encode(r.Id)]],
                commits.Where(kv => kv.Key.Item1 == Hex.Encode(r.Id)).Sum(kv => kv.Value)))
            .ToList();
        var hostileOutcomes = hostile.GroupBy(r => SoakNames.Of(r.Case!.Value)).ToDictionary(g => g.Key, g =>
        {
            var ids = g.Select(r => Hex.Encode(r.Id)).ToHashSet();
            return new HostileOutcome(
                Submitted: ids.Count,
                Fulfilled: ids.Count(fulfilled.Contains),
                Expired: ids.Count(id => statusAtEnd[id] == 6),
                NotSettled: ids.Count(id => statusAtEnd[id] is not (4 or 5 or 6)),
                Declined: declined.Count(ids.Contains),
                WorkerBidBonds: commits.Where(kv => ids.Contains(kv.Key.Item1)).Sum(kv => kv.Value),
                WorkerAssignments: assigned.Count(a => ids.Contains(a.Item1)),
                WorkerBondsForfeited: losses.Count(l => ids.Contains(l.Id) && l.Kind is "bond-forfeited" or "bond-unrevealed"),
                WorkerSlashes: losses.Count(l => ids.Contains(l.Id) && l.Kind is "slashed" or "deadline-missed"));
        });

        var failures = new List<string>();
        if (honestForfeits > 0) failures.Add($"{honestForfeits} honest bid bond(s) of the workers forfeited or left unrevealed");
        if (honestSlashes > 0) failures.Add($"{honestSlashes} slash(es) or missed deadline(s) of the workers on honest requests");
        // The workers are honest provers on every request: a bad request must never cost them a bond or a slash either.
        int hostileLosses = hostileOutcomes.Values.Sum(o => o.WorkerBondsForfeited + o.WorkerSlashes);
        if (hostileLosses > 0) failures.Add($"{hostileLosses} bond(s) forfeited or slash(es) of the workers on hostile requests");
        if (duplicates.Count > 0) failures.Add($"{duplicates.Count} duplicate send(s) by the workers");
        if (!funds.Conserved) failures.Add($"ETH not conserved: {funds.Discrepancy} wei unaccounted for ({funds.ForeignTransactions} transaction(s) from untracked senders)");
        foreach (var t in e.Tokens.Where(t => !t.Conserved)) failures.Add($"collateral token {t.Token} (asset {t.AssetId}) not conserved: {t.Before} before, {t.After} after");

        return new SoakAudit(requests, fulfilledCounts, honestForfeits, honestSlashes, duplicates.Count, conserved, e.Fleet.Kills, e.Rpc.MeasuredRate,
            failures.Count == 0, failures, funds, e.Tokens, honestLosses, unfulfilled, duplicates, hostileOutcomes, e.Fleet, e.Rpc, e.Janitor,
            e.FromBlock, e.ToBlock, e.Seed, e.Minutes, e.WallSeconds, e.WorkDirectory);
    }

    private async Task<bool> SlashableAsync(SoakRequest r, CancellationToken ct)
    {
        try
        {
            await market.SlashQueryAsync(r.Terms).ConfigureAwait(false);
            return true;
        }
        catch (ContractBindings.Contracts.ContractRevertException)
        {
            return false;
        }
    }

    private static void Bump<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}
