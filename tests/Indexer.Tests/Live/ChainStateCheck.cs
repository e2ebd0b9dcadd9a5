using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Indexer.Api;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Projection;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Live;

/// <summary>
/// Compares the projections of a store with the chain read directly (at the head the store has indexed): the raw logs
/// of the four contracts against the indexed events, every request against <c>requestState</c> (and a fulfilled one
/// against its <c>RequestFulfilled</c> event), each request's gas against the receipts, every vault account against
/// <c>accountView</c>, every ask against <c>askOf</c>, every circuit against the registry's <c>circuit</c>, and the
/// summary totals against the <c>RequestFulfilled</c> events and the requests' statuses on chain. Where a projection
/// legitimately differs from storage, the rule says why.
/// </summary>
public static class ChainStateCheck
{
    /// <summary>Asserts that <paramref name="store"/> matches the chain <paramref name="m"/> runs on; returns the number of facts compared.</summary>
    public static async Task<int> AssertMatchesAsync(IndexerStore store, ScriptedMarket m)
    {
        var head = await m.Chain.HeadAsync();
        Assert.Equal((long)head, (await store.GetCursorAsync())!.Block);
        var now = await m.Chain.NowAsync();
        var facts = 0;
        facts += await LogsAsync(store, m);
        facts += await RequestsAsync(store, m);
        facts += await GasAsync(store, m);
        facts += await AccountsAsync(store, m);
        facts += await AsksAsync(store, m);
        facts += await CircuitsAsync(store, m, now);
        facts += await TotalsAsync(store, m, now);
        return facts;
    }

    // ------------------------------------------------------------------ logs

    /// <summary>Every log the four contracts emitted on the current chain is an indexed event, at its block and index, from its transaction.</summary>
    private static async Task<int> LogsAsync(IndexerStore store, ScriptedMarket m)
    {
        var logs = await m.Chain.Client.GetLogsAsync(new ContractBindings.Rpc.LogFilter(m.Deployment.DeployBlock, null, m.Contracts.All, null));
        var onChain = logs.Select(l => $"{l.BlockNumber}:{l.LogIndex}:{Hex.Encode(l.BlockHash)}:{Hex.Encode(l.TransactionHash)}").Order(StringComparer.Ordinal).ToList();
        var indexed = new List<string>();
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT block_number, log_index, block_hash, tx_hash FROM events";
        await using var r = await q.ExecuteReaderAsync();
        while (await r.ReadAsync()) indexed.Add($"{r.GetInt64(0)}:{r.GetInt32(1)}:{r.GetString(2)}:{r.GetString(3)}");
        Assert.Equal(onChain, indexed.Order(StringComparer.Ordinal));
        return onChain.Count;
    }

    // ------------------------------------------------------------------ requests

    private static async Task<int> RequestsAsync(IndexerStore store, ScriptedMarket m)
    {
        var rows = await RowsAsync(store);
        // Every request the script submitted is projected, and nothing else is.
        Assert.Equal(m.Requests.Keys.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        var fulfilled = (await m.Market.GetRequestFulfilledEventsAsync(m.Deployment.DeployBlock)).ToDictionary(e => Hex.Encode(e.Event.RequestId), e => e.Event);
        var queries = new IndexerQueries(store.Database);
        var facts = 0;
        foreach (var (id, r) in m.Requests)
        {
            var row = rows[id];
            var v = await m.Market.RequestStateQueryAsync(r.IdBytes);
            var what = $"{r.Name} ({id}, {row.Mode}, chain {(RequestStatus)(int)v.Status})";
            var status = (RequestStatus)(int)v.Status;
            Assert.True(status == row.Status, $"{what}: projected status {row.Status}");
            var dto = (await queries.RequestAsync(id, default))!.Request;
            Assert.Equal(row.Status.ToString(), dto.Status);
            Assert.Equal(Address.Parse(r.Terms.Requester).ToLowerHex(), row.Requester);
            facts += 2;
            switch (status)
            {
                case RequestStatus.Open:
                    // Booked at submission and kept while nobody holds the job.
                    Same(what, "reserve fee", v.ReserveFee, row.ReserveFee);
                    if (row.Mode == AllocationMode.SealedBid)
                    {
                        // An open auction keeps its best revealed bid in storage (prover, own fee, latency); the projection
                        // keeps it as the best bid, not as a responsible prover (nobody is responsible before settlement).
                        Assert.Null(row.Prover);
                        SameAddress(what, "best bidder", v.Prover, row.BestBidder);
                        if (row.BestBidder is not null)
                        {
                            Same(what, "best bid fee", v.Fee, row.BestBidFee);
                            Same(what, "best bid latency", v.ProverLatency, row.BestBidLatency);
                        }
                    }
                    else
                    {
                        SameAddress(what, "prover", v.Prover, null);
                        // An open race runs to its deadline; a Dutch ramp keeps none in storage (its end is the terms').
                        Same(what, "deadline", v.Deadline, row.Mode == AllocationMode.OpenRace ? row.Deadline : null);
                    }
                    facts += 3;
                    break;
                case RequestStatus.Matched:
                    SameAddress(what, "matched prover", v.Prover, row.Prover);
                    Same(what, "matched fee", v.Fee, row.Fee);
                    Same(what, "acceptance deadline", v.Deadline, row.Deadline);
                    Same(what, "ask latency", v.ProverLatency, row.PromisedLatency);
                    Same(what, "reserve fee", v.ReserveFee, row.ReserveFee);
                    facts += 5;
                    break;
                case RequestStatus.Assigned:
                    SameAddress(what, "assigned prover", v.Prover, row.Prover);
                    Same(what, "proving deadline", v.Deadline, row.Deadline);
                    if (row.Mode == AllocationMode.Dutch && v.Fee.IsZero && v.ProverLatency.IsZero)
                    {
                        // A Dutch job locked while its ramp started at minFee keeps only its prover in storage: the price
                        // follows from the terms and the lock time, which `dutchPrice` recomputes.
                        Same(what, "locked price", await m.Market.DutchPriceQueryAsync(r.Terms), row.Fee);
                    }
                    else
                    {
                        Same(what, "fee", v.Fee, row.Fee);
                        Same(what, "promised latency", v.ProverLatency, row.PromisedLatency);
                    }
                    facts += 4;
                    break;
                case RequestStatus.Secondary:
                    // Nobody is responsible; storage keeps the slashed prover apart as `excluded` (none after a
                    // standing-ask request ran out of asks).
                    SameAddress(what, "prover", v.Prover, null);
                    Assert.Null(row.Prover);
                    SameAddress(what, "excluded prover", v.Excluded, row.Slashes.Count > 0 ? row.Slashes[^1].Prover : null);
                    Same(what, "secondary fee", v.Fee, row.Fee);
                    Same(what, "secondary deadline", v.Deadline, row.Deadline);
                    facts += 4;
                    break;
                case RequestStatus.Fulfilled:
                    // Storage clears the assignment once paid (the events keep the record): the projection keeps who was
                    // paid what, checked here against the request's RequestFulfilled event on chain.
                    SameAddress(what, "prover", v.Prover, null);
                    Same(what, "fee", v.Fee, BigInteger.Zero);
                    var paid = fulfilled[id];
                    SameAddress(what, "paid prover", paid.Prover, row.Prover);
                    Same(what, "payment", paid.ProverPayment, row.Payment);
                    Same(what, "protocol fee", paid.ProtocolFee, row.ProtocolFee);
                    Same(what, "refund", paid.RequesterRefund, row.Refund);
                    facts += 6;
                    break;
                case RequestStatus.Cancelled:
                case RequestStatus.Expired:
                    // A cancellation or expiry refunds the whole escrow. Storage keeps whatever the last assignment slot
                    // held (after an expired secondary delivery, the excluded prover); the projection clears the prover.
                    Assert.Null(row.Prover);
                    Same(what, "refund", r.Terms.MaxFee, row.Refund);
                    Assert.NotNull(row.ClosedBlock);
                    facts += 3;
                    break;
                default:
                    Assert.Fail($"{what}: unexpected status");
                    break;
            }
            if (status != RequestStatus.Fulfilled) Assert.False(fulfilled.ContainsKey(id), $"{what}: a RequestFulfilled event but not fulfilled");
        }
        return facts;
    }

    /// <summary>
    /// Each request's gas against the receipts: a transaction's gas used, divided evenly (integer division) among the
    /// requests whose events it emitted, summed over the request's transactions. The transactions and the requests they
    /// touched come from the raw market logs (topic 1 of every event whose first parameter is the request id).
    /// </summary>
    private static async Task<int> GasAsync(IndexerStore store, ScriptedMarket m)
    {
        var requestTopics = typeof(IProverMarketService).GetNestedTypes()
            .Where(t => typeof(Nethereum.ABI.FunctionEncoding.Attributes.IEventDTO).IsAssignableFrom(t))
            .Select(Nethereum.Contracts.ABITypedRegistry.GetEvent)
            .Where(e => e.InputParameters is [{ Name: "requestId", Indexed: true }, ..])
            .Select(e => e.Sha3Signature.ToLowerInvariant())
            .ToHashSet();
        var logs = await m.Chain.Client.GetLogsAsync(new ContractBindings.Rpc.LogFilter(m.Deployment.DeployBlock, null, [m.Deployment.ProverMarket], null));
        var byTx = logs.Where(l => l.Topics.Count > 1 && requestTopics.Contains(Hex.Encode(l.Topics[0], prefix: false)))
            .GroupBy(l => Hex.Encode(l.TransactionHash))
            .ToDictionary(g => g.Key, g => g.Select(l => Hex.Encode(l.Topics[1])).Distinct().ToList());
        var expected = new Dictionary<string, long>();
        foreach (var (tx, ids) in byTx)
        {
            var receipt = (await m.Chain.Client.GetTransactionReceiptAsync(Hex.Decode(tx)))!;
            foreach (var id in ids) expected[id] = expected.GetValueOrDefault(id) + (long)receipt.GasUsed / ids.Count;
        }
        var rows = await RowsAsync(store);
        foreach (var (id, row) in rows)
            Assert.True(expected.GetValueOrDefault(id) == row.GasUsed, $"{m.Requests[id].Name}: gas from the receipts {expected.GetValueOrDefault(id)}, projected {row.GasUsed}");
        return rows.Count;
    }

    private static async Task<Dictionary<string, RequestRow>> RowsAsync(IndexerStore store)
    {
        var rows = new Dictionary<string, RequestRow>();
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT state FROM requests";
        await using var r = await q.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var row = JsonSerializer.Deserialize<RequestRow>(r.GetString(0), RowJson.Options)!;
            rows[row.RequestId] = row;
        }
        return rows;
    }

    // ------------------------------------------------------------------ vault accounts

    private static async Task<int> AccountsAsync(IndexerStore store, ScriptedMarket m)
    {
        var projected = new Dictionary<(string Account, int Asset), (BigInteger Free, BigInteger Locked, BigInteger Pending)>();
        await using (var c = await store.Database.OpenAsync())
        await using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT account, asset_id, free, locked, pending FROM accounts";
            await using var r = await q.ExecuteReaderAsync();
            while (await r.ReadAsync())
                projected[(r.GetString(0), r.GetInt32(1))] = (Uint256Text.Decode(r.GetString(2)), Uint256Text.Decode(r.GetString(3)), Uint256Text.Decode(r.GetString(4)));
        }
        var facts = 0;
        foreach (var ((account, asset), p) in projected)
        {
            var v = await m.Vault.AccountViewQueryAsync(account, asset);
            var what = $"vault account {account} asset {asset}";
            // The claimable balance (slash proceeds, bounties) is not projected: no event carries it per account.
            Same(what, "free", v.Free, p.Free);
            Same(what, "locked", v.Locked, p.Locked);
            Same(what, "pending", v.Pending, p.Pending);
            facts += 3;
        }
        // And no scripted account holds collateral the projection lacks.
        foreach (var a in m.Accounts)
            for (var asset = 0; asset < 2; asset++)
            {
                var v = await m.Vault.AccountViewQueryAsync(a, asset);
                if (!(v.Free.IsZero && v.Locked.IsZero && v.Pending.IsZero))
                    Assert.True(projected.ContainsKey((a.ToLowerHex(), asset)), $"vault account {a} asset {asset} holds collateral but is not projected");
                facts++;
            }
        return facts;
    }

    // ------------------------------------------------------------------ asks

    private static async Task<int> AsksAsync(IndexerStore store, ScriptedMarket m)
    {
        var facts = 0;
        var listedOnChain = 0;
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT circuit_id, prover, active, state FROM asks";
        await using var r = await q.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var (circuit, prover, active, state) = (r.GetInt64(0), r.GetString(1), r.GetInt32(2) == 1, (JsonObject)JsonNode.Parse(r.GetString(3))!);
            var ask = await m.AskBook.AskOfQueryAsync(circuit, prover);
            var what = $"ask of {prover} on circuit {circuit}";
            Assert.True(ask.Listed == active, $"{what}: listed {ask.Listed}, projected active {active}");
            Assert.Equal(active, state["active"]!.GetValue<bool>());
            if (ask.Listed)
            {
                listedOnChain++;
                Same(what, "price per unit", ask.PricePerUnit, Big(state, "pricePerUnit"));
                Same(what, "max latency", ask.MaxLatency, Big(state, "maxLatency"));
                Same(what, "capacity", ask.Capacity, Big(state, "capacity"));
                Same(what, "asset", ask.AssetId, Big(state, "assetId"));
                Same(what, "max collateral", ask.MaxCollateral, Big(state, "maxCollateral"));
                Same(what, "expiry", ask.ExpiresAt, Big(state, "expiresAt"));
                Assert.Null(state["removal"]);
                facts += 6;
            }
            else
            {
                // The book deletes an ask that leaves it; the projection keeps its last terms and why it left.
                Same(what, "price per unit", ask.PricePerUnit, BigInteger.Zero);
                Assert.NotNull(state["removal"]);
                facts += 2;
            }
        }
        Same("ask book", "listed asks", await m.AskBook.AskCountQueryAsync(ScriptedMarket.CircuitId), (long)listedOnChain);
        return facts + 1;
    }

    // ------------------------------------------------------------------ circuits

    private static async Task<int> CircuitsAsync(IndexerStore store, ScriptedMarket m, ulong now)
    {
        var facts = 0;
        var count = 0;
        await using var c = await store.Database.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = "SELECT circuit_id, state FROM circuits";
        await using var r = await q.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            count++;
            var (id, state) = (r.GetInt64(0), (JsonObject)JsonNode.Parse(r.GetString(1))!);
            var circuit = await m.Registry.CircuitQueryAsync(id);
            var what = $"circuit {id}";
            // The registry's view reports an upgrade whose delay has elapsed as active before anyone activates it; the
            // projection moves it only at VerifierUpgradeActivated. Promote an elapsed one to compare like with like.
            var pending = Text(state, "pendingVerifier");
            var elapsed = pending is not null && ulong.Parse(Text(state, "pendingActivatesAt")!, CultureInfo.InvariantCulture) <= now;
            SameAddress(what, "owner", circuit.Owner, Text(state, "owner"));
            SameAddress(what, "verifier", circuit.Verifier, elapsed ? pending : Text(state, "verifier"));
            Same(what, "proving units", circuit.ProvingUnits, Big(state, "provingUnits"));
            Same(what, "public inputs", circuit.PublicInputCount, Big(state, "publicInputCount"));
            Assert.Equal(Hex.Encode(circuit.ArtifactsHash), elapsed ? Text(state, "pendingArtifactsHash") : Text(state, "artifactsHash"));
            Assert.Equal(circuit.ArtifactsURI, elapsed ? Text(state, "pendingArtifactsURI") : Text(state, "artifactsURI"));
            SameAddress(what, "pending verifier", circuit.PendingVerifier, elapsed ? null : pending);
            Same(what, "pending activation", circuit.PendingActivatesAt, elapsed || pending is null ? BigInteger.Zero : Big(state, "pendingActivatesAt"));
            if (!elapsed && pending is not null)
            {
                Assert.Equal(Hex.Encode(circuit.PendingArtifactsHash), Text(state, "pendingArtifactsHash"));
                Assert.Equal(circuit.PendingArtifactsURI, Text(state, "pendingArtifactsURI"));
            }
            facts += 10;
        }
        Same("registry", "circuits", await m.Registry.CircuitCountQueryAsync(), (long)count);
        return facts + 1;
    }

    // ------------------------------------------------------------------ totals

    private static async Task<int> TotalsAsync(IndexerStore store, ScriptedMarket m, ulong now)
    {
        var events = await m.Market.GetRequestFulfilledEventsAsync(m.Deployment.DeployBlock);
        var from = Contributions.Floor((long)ScriptedAnvil.Genesis, Contributions.Day);
        var to = Contributions.Floor((long)now, Contributions.Day) + Contributions.Day;
        var totals = (await new IndexerQueries(store.Database).MarketSummaryAsync("day", from, to, default)).Totals;
        Assert.Equal(m.Requests.Count, totals.Requests);
        Assert.Equal(events.Count, totals.Fulfilled);
        Assert.Equal(Sum(events.Select(e => e.Event.ProverPayment)), BigInteger.Parse(totals.FeesPaid, CultureInfo.InvariantCulture));
        Assert.Equal(Sum(events.Select(e => e.Event.ProtocolFee)), BigInteger.Parse(totals.ProtocolFees, CultureInfo.InvariantCulture));
        Assert.Equal(Sum(m.Requests.Values.Select(r => r.Terms.MaxFee)), BigInteger.Parse(totals.MaxFees, CultureInfo.InvariantCulture));
        // The status counts are the chain's.
        var byStatus = new Dictionary<string, long>();
        foreach (var r in m.Requests.Values)
        {
            var s = ((RequestStatus)(int)(await m.Market.RequestStateQueryAsync(r.IdBytes)).Status).ToString();
            byStatus[s] = byStatus.GetValueOrDefault(s) + 1;
        }
        Assert.Equal(byStatus.OrderBy(kv => kv.Key, StringComparer.Ordinal), totals.ByStatus.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        return 6;
    }

    // ------------------------------------------------------------------ helpers

    private static BigInteger Sum(IEnumerable<BigInteger> values) => values.Aggregate(BigInteger.Zero, (a, b) => a + b);

    private static string? Text(JsonObject state, string field) => state[field]?.GetValue<string>();

    private static BigInteger? Big(JsonObject state, string field) =>
        Text(state, field) is { } s ? BigInteger.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture) : null;

    private static void Same(string what, string field, BigInteger chain, BigInteger? projected) =>
        Assert.True(chain == (projected ?? BigInteger.Zero), $"{what}: {field} on chain {chain}, projected {projected?.ToString(CultureInfo.InvariantCulture) ?? "none"}");

    private static void Same(string what, string field, BigInteger chain, long? projected) => Same(what, field, chain, projected is { } p ? new BigInteger(p) : null);

    private static void SameAddress(string what, string field, string chain, string? projected)
    {
        var expected = projected is null ? Address.Zero : Address.Parse(projected);
        Assert.True(Address.Parse(chain) == expected, $"{what}: {field} on chain {chain}, projected {projected ?? "none"}");
    }
}
