using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using ProverMarketChain.Indexer.Model;
using ProverMarketChain.Indexer.Projection;

namespace ProverMarketChain.Indexer.Synthetic;

/// <summary>Shape of a synthetic market history.</summary>
/// <param name="Requests">Requests to generate.</param>
/// <param name="Provers">Provers (their wins follow a Zipf-like skew).</param>
/// <param name="Requesters">Requesters.</param>
/// <param name="Circuits">Circuits.</param>
/// <param name="Seed">Seed: the same options give the same history.</param>
/// <param name="SecondsPerBlock">Block time.</param>
/// <param name="RequestsPerBlock">New requests per block.</param>
public sealed record SyntheticOptions(int Requests, int Provers = 50, int Requesters = 20, int Circuits = 4, int Seed = 1,
    int SecondsPerBlock = 2, int RequestsPerBlock = 4);

/// <summary>One block of a synthetic history.</summary>
/// <param name="Block">The block.</param>
/// <param name="Events">Its events in log order.</param>
public sealed record SyntheticBlock(Storage.IndexedBlock Block, IReadOnlyList<ChainEvent> Events);

/// <summary>
/// A deterministic, synthetic market history in the shape <see cref="Ingest.EventDecoder"/> gives real events (same
/// contract and event names, same field names and encodings): every allocation mode, sealed auctions with several bids,
/// declined matches, slashes with secondary delivery, cancellations, expiries, vault locks and unlocks, asks and
/// reserve updates. For the store's tests (a history of any length with known totals) and <c>pmc bench-indexer</c>.
/// </summary>
public sealed class SyntheticMarket
{
    private readonly SyntheticOptions _o;
    private readonly Random _rng;
    private readonly string[] _provers;
    private readonly string[] _requesters;
    private readonly double[] _proverWeights;
    private readonly SortedDictionary<long, List<Pending>> _future = new();
    private long _block;
    private long _nextRequest;
    private readonly long _genesis;

    private sealed record Pending(string Contract, string Name, string? RequestId, string? AccountKey, JsonObject Data, string Tx);

    /// <summary>Creates the generator.</summary>
    public SyntheticMarket(SyntheticOptions options)
    {
        _o = options;
        _rng = new Random(options.Seed);
        _provers = Enumerable.Range(0, options.Provers).Select(i => Address(0x10_0000 + i)).ToArray();
        _requesters = Enumerable.Range(0, options.Requesters).Select(i => Address(0x20_0000 + i)).ToArray();
        _proverWeights = Enumerable.Range(1, options.Provers).Select(k => 1.0 / Math.Pow(k, 0.8)).ToArray();
        _genesis = 1_780_000_000 - 1_780_000_000 % Contributions.Day;
    }

    /// <summary>The provers' addresses (lowercase 0x-hex), most active first.</summary>
    public IReadOnlyList<string> Provers => _provers;

    /// <summary>The id of the <paramref name="n"/>th request generated (from 0).</summary>
    public static string RequestId(long n) => "0x" + n.ToString("x64", CultureInfo.InvariantCulture);

    /// <summary>Requests fulfilled so far (the rest were cancelled, expired or are still open at the end).</summary>
    public int Fulfilled { get; private set; }

    /// <summary>Events generated so far.</summary>
    public long Events { get; private set; }

    /// <summary>The history, block by block, until every request is generated and has settled.</summary>
    public IEnumerable<SyntheticBlock> Blocks()
    {
        while (_nextRequest < _o.Requests || _future.Count > 0)
        {
            _block++;
            var ts = _genesis + _block * _o.SecondsPerBlock;
            var hash = "0x" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(_block ^ ((long)_o.Seed << 40)))).ToLowerInvariant();
            for (var i = 0; i < _o.RequestsPerBlock && _nextRequest < _o.Requests; i++) NewRequest(ts);
            var events = new List<ChainEvent>();
            if (_future.Remove(_block, out var due))
            {
                var txShares = due.Where(p => p.RequestId is not null).GroupBy(p => p.Tx).ToDictionary(g => g.Key, g => 120_000L / g.Select(p => p.RequestId).Distinct().Count());
                var log = 0;
                foreach (var p in due)
                    events.Add(new ChainEvent((ulong)_block, log++, hash, p.Tx, (ulong)ts, p.Contract, p.Name, p.RequestId, p.AccountKey,
                        p.RequestId is null ? 0 : txShares[p.Tx], p.Data));
            }
            Events += events.Count;
            yield return new SyntheticBlock(new Storage.IndexedBlock(_block, hash, ts), events);
        }
    }

    private void NewRequest(long ts)
    {
        var n = _nextRequest++;
        var id = RequestId(n);
        var mode = (AllocationMode)(n % 4);
        var requester = _requesters[_rng.Next(_requesters.Length)];
        var circuit = 1 + _rng.Next(_o.Circuits);
        var maxFee = new BigInteger(_rng.Next(5, 50)) * BigInteger.Pow(10, 15);
        var reserve = new BigInteger(_rng.Next(1, 5)) * BigInteger.Pow(10, 14);
        var window = 60 + _rng.Next(240);
        var tx = Tx(n, 0);
        var bidDeadline = ts + 10;
        var revealDeadline = ts + 20;
        var request = new JsonObject
        {
            ["requester"] = requester, ["circuitId"] = S(circuit), ["mode"] = S((int)mode), ["onMiss"] = "0", ["assetId"] = "0",
            ["bidDeadline"] = S(bidDeadline), ["revealDeadline"] = S(revealDeadline), ["provingWindow"] = S(window),
            ["verifier"] = Address(0x30_0000 + circuit), ["maxFee"] = S(maxFee), ["minFee"] = S(maxFee / 10),
            ["minCollateral"] = S(maxFee), ["latencyWeight"] = "1000000000", ["nonce"] = S(n),
            ["inputHash"] = Hash(n, 1), ["publicInputsHash"] = Hash(n, 2), ["protocolFeeBps"] = "100", ["callbackGasLimit"] = "0",
        };
        At(0, "ProverMarket", "RequestSubmitted", id, null, tx, new JsonObject
        {
            ["requestId"] = id, ["requester"] = requester, ["circuitId"] = S(circuit), ["request"] = request, ["provingUnits"] = "16384",
            ["reserveFee"] = S(reserve), ["input"] = "0x", ["inputUri"] = "", ["publicInputs"] = new JsonArray("1", "2"),
        });
        if (n % 97 == 5) { At(3, "ProverMarket", "RequestCancelled", id, null, Tx(n, 1), new JsonObject { ["requestId"] = id, ["requester"] = requester, ["refund"] = S(maxFee) }); return; }
        if (n % 89 == 7) { At(window + 30, "ProverMarket", "RequestExpired", id, null, Tx(n, 1), new JsonObject { ["requestId"] = id, ["requester"] = requester, ["refund"] = S(maxFee), ["bountyToTreasury"] = "0" }); return; }

        var prover = PickProver();
        var fee = maxFee * _rng.Next(30, 90) / 100;
        var latency = 5 + _rng.Next(Math.Max(1, window / 2));
        var assignAt = 1;
        switch (mode)
        {
            case AllocationMode.SealedBid:
                var bidders = new List<(string P, BigInteger Fee, int Lat)> { (prover, fee, latency) };
                for (var k = 0; k < 1 + _rng.Next(3); k++) bidders.Add((PickProver(), maxFee * _rng.Next(40, 99) / 100, 5 + _rng.Next(window)));
                bidders = bidders.DistinctBy(b => b.P).ToList();
                for (var k = 0; k < bidders.Count; k++)
                    At(1, "ProverMarket", "BidCommitted", id, null, Tx(n, 10 + k), new JsonObject { ["requestId"] = id, ["prover"] = bidders[k].P, ["commitment"] = Hash(n, 10 + k), ["lane"] = "0" });
                var ranked = bidders.OrderBy(b => b.Fee + 1_000_000_000 * (BigInteger)b.Lat).ToList();
                for (var k = 0; k < bidders.Count; k++)
                    At(6, "ProverMarket", "BidRevealed", id, null, Tx(n, 20 + k), new JsonObject { ["requestId"] = id, ["prover"] = bidders[k].P, ["fee"] = S(bidders[k].Fee), ["latency"] = S(bidders[k].Lat), ["rank"] = ranked[0].P == bidders[k].P ? "1" : "0" });
                prover = ranked[0].P;
                latency = ranked[0].Lat;
                var second = ranked.Count > 1 ? ranked[1].Fee + 1_000_000_000 * (BigInteger)ranked[1].Lat : BigInteger.Zero;
                fee = ranked.Count > 1 ? BigInteger.Min(maxFee, second - 1_000_000_000 * (BigInteger)latency) : ranked[0].Fee;
                var settleTx = Tx(n, 30);
                var doneAt = 11 + Math.Max(1, latency / _o.SecondsPerBlock);
                At(doneAt, "ProverMarket", "AuctionSettled", id, null, settleTx, new JsonObject { ["requestId"] = id, ["winner"] = prover, ["winnerFee"] = S(ranked[0].Fee), ["payment"] = S(fee), ["deadline"] = S(revealDeadline + latency), ["secondScore"] = S(second), ["runnerUp"] = Address(0) });
                Fulfil(n, id, prover, fee, maxFee, doneAt, settleTx);
                return;
            case AllocationMode.Dutch:
                Lock(n, id, prover, fee, maxFee, ts + assignAt * _o.SecondsPerBlock + window, assignAt);
                break;
            case AllocationMode.StandingAsk:
                if (n % 7 == 2)
                {
                    var declined = PickProver();
                    At(0, "ProverMarket", "RequestMatched", id, null, tx, new JsonObject { ["requestId"] = id, ["prover"] = declined, ["fee"] = S(fee), ["latency"] = S(latency), ["acceptBy"] = S(ts + 6), ["attempt"] = "1" });
                    At(1, "ProverMarket", "MatchDeclined", id, null, Tx(n, 2), new JsonObject { ["requestId"] = id, ["prover"] = declined, ["silent"] = false });
                    At(1, "ProverMarket", "RequestMatched", id, null, Tx(n, 2), new JsonObject { ["requestId"] = id, ["prover"] = prover, ["fee"] = S(fee), ["latency"] = S(latency), ["acceptBy"] = S(ts + 8), ["attempt"] = "2" });
                    assignAt = 2;
                }
                else
                {
                    At(0, "ProverMarket", "RequestMatched", id, null, tx, new JsonObject { ["requestId"] = id, ["prover"] = prover, ["fee"] = S(fee), ["latency"] = S(latency), ["acceptBy"] = S(ts + 6), ["attempt"] = "1" });
                }
                Lock(n, id, prover, fee, maxFee, ts + assignAt * _o.SecondsPerBlock + latency, assignAt);
                break;
            case AllocationMode.OpenRace:
                var raceDone = 1 + Math.Max(1, latency / _o.SecondsPerBlock);
                At(raceDone - 1, "ProverMarket", "ProofCommitted", id, null, Tx(n, 3), new JsonObject { ["requestId"] = id, ["submitter"] = prover, ["commitment"] = Hash(n, 3), ["blockNumber"] = S(_block + raceDone - 1) });
                Fulfil(n, id, prover, maxFee, maxFee, raceDone, Tx(n, 4), returnsBond: false);
                return;
        }
        var proveBlocks = Math.Max(1, latency / _o.SecondsPerBlock);
        if (n % 53 == 11)
        {
            // Missed deadline: slashed, secondary delivery by another prover.
            var missAt = assignAt + proveBlocks + 2;
            var slashTx = Tx(n, 40);
            var amount = maxFee;
            At(missAt, "CollateralVault", "Slashed", id, Account(prover), slashTx, new JsonObject { ["account"] = prover, ["assetId"] = "0", ["amount"] = S(amount), ["beneficiary"] = Address(0x40_0000), ["newLocked"] = "0", ["reason"] = id });
            At(missAt, "ProverMarket", "ProverSlashed", id, null, slashTx, new JsonObject { ["requestId"] = id, ["prover"] = prover, ["assetId"] = "0", ["amount"] = S(amount), ["burned"] = S(amount / 10), ["toRequester"] = S(amount * 4 / 10), ["toBounty"] = S(amount / 2), ["nextStatus"] = "3" });
            At(missAt, "ProverMarket", "SecondaryOpened", id, null, slashTx, new JsonObject { ["requestId"] = id, ["deadline"] = S(ts + (missAt + 30) * _o.SecondsPerBlock), ["fee"] = S(fee), ["bounty"] = S(amount / 2) });
            var rescuer = PickProver(except: prover);
            At(missAt + 3, "ProverMarket", "ProofCommitted", id, null, Tx(n, 41), new JsonObject { ["requestId"] = id, ["submitter"] = rescuer, ["commitment"] = Hash(n, 41), ["blockNumber"] = S(_block + missAt + 3) });
            Fulfil(n, id, rescuer, fee, maxFee, missAt + 5, Tx(n, 42), returnsBond: false);
            return;
        }
        Fulfil(n, id, prover, fee, maxFee, assignAt + proveBlocks, Tx(n, 50));
    }

    private void Lock(long n, string id, string prover, BigInteger fee, BigInteger collateral, long deadline, int at)
    {
        var tx = Tx(n, 5);
        At(at, "CollateralVault", "Locked", null, Account(prover), tx, new JsonObject { ["account"] = prover, ["assetId"] = "0", ["amount"] = S(collateral), ["newFree"] = S(BigInteger.Pow(10, 20)), ["newLocked"] = S(collateral) });
        At(at, "ProverMarket", "RequestAssigned", id, null, tx, new JsonObject { ["requestId"] = id, ["prover"] = prover, ["fee"] = S(fee), ["deadline"] = S(deadline), ["assetId"] = "0", ["collateral"] = S(collateral) });
    }

    private void Fulfil(long n, string id, string prover, BigInteger fee, BigInteger maxFee, int at, string tx, bool returnsBond = true)
    {
        var protocol = fee / 100;
        At(at, "ProverMarket", "RequestFulfilled", id, null, tx, new JsonObject { ["requestId"] = id, ["prover"] = prover, ["proverPayment"] = S(fee - protocol), ["protocolFee"] = S(protocol), ["requesterRefund"] = S(maxFee - fee), ["bounty"] = "0", ["assetId"] = "0" });
        if (returnsBond)
        {
            At(at, "ProverMarket", "BondReleased", id, null, tx, new JsonObject { ["requestId"] = id, ["prover"] = prover, ["assetId"] = "0", ["amount"] = S(maxFee) });
            At(at, "CollateralVault", "Unlocked", null, Account(prover), tx, new JsonObject { ["account"] = prover, ["assetId"] = "0", ["amount"] = S(maxFee), ["newFree"] = S(BigInteger.Pow(10, 20) + maxFee), ["newLocked"] = "0" });
        }
        if (n % 500 == 0)
            At(at, "ProverMarket", "ReservePriceUpdated", null, null, tx, new JsonObject { ["circuitId"] = "1", ["previousPerUnit"] = "10", ["newPerUnit"] = S(10 + n % 7), ["periodStart"] = S(_genesis), ["usedUnitsLastPeriod"] = "16384" });
        Fulfilled++;
    }

    private void At(long blocksAhead, string contract, string name, string? requestId, string? accountKey, string tx, JsonObject data)
    {
        var b = _block + blocksAhead;
        if (!_future.TryGetValue(b, out var list)) _future[b] = list = [];
        list.Add(new Pending(contract, name, requestId, accountKey, data, tx));
    }

    private string PickProver(string? except = null)
    {
        var total = _proverWeights.Sum();
        while (true)
        {
            var x = _rng.NextDouble() * total;
            for (var i = 0; i < _proverWeights.Length; i++)
            {
                x -= _proverWeights[i];
                if (x <= 0) { if (_provers[i] != except || _provers.Length == 1) return _provers[i]; break; }
            }
        }
    }

    private static string Account(string prover) => EntityFold.AccountKey(prover, 0);

    private static string Address(long i) => "0x" + i.ToString("x40", CultureInfo.InvariantCulture);

    private static string Hash(long n, int k) => "0x" + n.ToString("x56", CultureInfo.InvariantCulture) + k.ToString("x8", CultureInfo.InvariantCulture);

    private static string Tx(long n, int k) => "0x" + k.ToString("x8", CultureInfo.InvariantCulture) + n.ToString("x56", CultureInfo.InvariantCulture);

    private static string S(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);
}
