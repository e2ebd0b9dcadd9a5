using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Simulation.Rules;

namespace ProverMarketChain.Simulation.Mechanisms;

/// <summary>
/// Sealed-bid second-score auction (<c>Mode.SealedBid</c>): provers commit during the commit phase and reveal during the
/// reveal phase; the best score wins and is paid the second score (<see cref="AuctionRules"/>); the winner's clock starts
/// at the end of the reveal phase; a miss is slashed (the bid bond, <c>minCollateral</c> = <c>maxFee</c>, the least the
/// contract allows) and the job opens for secondary delivery. Ring members let only their best member bid; a shilling
/// requester adds one bid at the recent clearing fee and latency; a censoring sequencer-prover holding every block of the
/// reveal phase keeps the other reveals out (their bonds are then burnt) and reveals a second bid at <c>maxFee</c>.
/// Entry: a losing bid still pays its commit and reveal gas, so a prover only bids when its fee is within
/// <see cref="EntryTolerance"/> of the circuit's last payment (public: every bid is revealed, so the second score is
/// known), or when there is no history yet.
/// </summary>
internal sealed class SealedBidAllocation : IAllocation
{
    private static readonly byte[] ShillAddress = Convert.FromHexString("5111000000000000000000000000000000005111");
    /// <summary>A prover bids when its fee is at most this multiple of the circuit's last payment.</summary>
    internal const double EntryTolerance = 1.25;

    private readonly Dictionary<int, (ulong Fee, uint Latency)> _lastClearing = [];
    private readonly Dictionary<int, ulong> _lastWinningFee = [];

    /// <summary>The bid a prover places on <paramref name="r"/>: its promised latency from the end of the reveal phase
    /// (queue plus proving, with a 10% safety margin and two blocks to land) and its fee (cost plus margin, raised to the
    /// reserve); null when it cannot or will not bid.</summary>
    internal static RevealedBid? BidOf(MarketContext m, Prover p, Request r, double revealEnd, ulong reserveFee)
    {
        double start = m.Fleet.EarliestStart(p.Index, revealEnd);
        double latency = Math.Ceiling(start - revealEnd + p.ProvingSeconds(r.Units) * 1.1 + 2 * m.Block);
        if (latency > r.ProvingWindow || latency < 1) return null;
        var g = m.Gas;
        double cost = p.HardwareCost(r.Units) + m.GasWei(g.SealedCommit + g.SealedReveal + g.SealedFulfill);
        double fee = Math.Max(Math.Ceiling(cost * (1 + m.MarginOf(p))), reserveFee);
        if (fee > r.MaxFee) return null;
        return new RevealedBid(p.Address, (ulong)fee, (uint)latency);
    }

    /// <inheritdoc />
    public Outcome Allocate(MarketContext m, Request r)
    {
        var s = m.Scenario;
        var g = m.Gas;
        m.Ledger.RequesterGasSpent(m.GasWei(g.SealedSubmit));
        double revealEnd = r.ArrivalSeconds + s.CommitSeconds + s.RevealSeconds;
        ulong reserveFee = m.Reserves[r.Circuit].Fee((ulong)r.ArrivalSeconds);
        if (r.MaxFee < reserveFee) { m.Ledger.Unserved++; return new Outcome(r.Index, -1, 0, 0, -1, double.NaN); }

        var bids = new List<RevealedBid>();
        var who = new List<int>();
        RevealedBid? ringBest = null;
        int ringBestIndex = -1;
        foreach (var p in m.Provers)
        {
            if (BidOf(m, p, r, revealEnd, reserveFee) is not { } bid) continue;
            if (_lastWinningFee.TryGetValue(r.Circuit, out var lastWin) && bid.Fee > lastWin * EntryTolerance) continue;
            if (p.Strategy == Strategy.Colluding)
            {
                if (ringBest is null || AuctionRules.Beats(r.Id, bid, ringBest.Value, r.LatencyWeight)) { ringBest = bid; ringBestIndex = p.Index; }
                continue;
            }
            bids.Add(bid);
            who.Add(p.Index);
        }
        if (ringBest is { } rb) { bids.Add(rb); who.Add(ringBestIndex); }
        for (int i = 0; i < who.Count; i++) m.Record(r.Index, who[i], AgentActionKind.Bid, r.ArrivalSeconds, bids[i].Fee, bids[i].Latency);
        double bidGas = m.GasWei(g.SealedCommit + g.SealedReveal);
        foreach (var p in who) m.Ledger.ProverGas(p, bidGas);
        m.Ledger.Participants += who.Count;

        // Censoring sequencer-prover: it holds every block of the reveal phase, so only its own reveals land.
        int revealBlocks = (int)Math.Ceiling((double)s.RevealSeconds / s.BlockSeconds);
        int seqAt = who.IndexOf(0);
        if (s.Sequencer == SequencerPower.Censoring && s.CensorBlocks >= revealBlocks && seqAt >= 0)
        {
            for (int i = 0; i < who.Count; i++)
                if (who[i] != 0) { m.Ledger.BondLost[who[i]] += r.MaxFee; m.Ledger.Burnt += r.MaxFee; }
            m.Ledger.ProverGas(0, m.GasWei(g.SealedCommit)); // the second lane's commitment, at maxFee
            var mine = bids[seqAt] with { Fee = r.MaxFee };
            double deadline = revealEnd + mine.Latency;
            m.Ledger.Stolen += r.MaxFee;
            return m.Assigned(r, 0, revealEnd, deadline, r.MaxFee, r.MaxFee, g.SealedFulfill, who.Count);
        }

        bool shilled = false;
        if (r.Shill && bids.Count > 0 && _lastClearing.TryGetValue(r.Circuit, out var last) && last.Fee >= reserveFee && last.Fee <= r.MaxFee)
        {
            bids.Add(new RevealedBid(ShillAddress, last.Fee, Math.Clamp(last.Latency, 1u, r.ProvingWindow)));
            who.Add(-2);
            shilled = true;
            m.Ledger.RequesterGasSpent(bidGas);
        }
        if (bids.Count == 0) { m.Ledger.Unserved++; return new Outcome(r.Index, -1, 0, 0, -1, double.NaN); }

        var (w, pay, _) = AuctionRules.Settle(r.Id, bids, r.LatencyWeight, r.MaxFee);
        var win = bids[w];
        double due = revealEnd + win.Latency;
        if (who[w] == -2)
        {
            // The shill won: nobody proves; it is slashed at the deadline and the job opens for secondary delivery.
            double bounty = m.Slash(0, r.MaxFee, shill: true);
            var o = m.OpenDelivery(r, due, due + r.ProvingWindow, pay, bounty, -1, -2);
            return o with { Participants = who.Count };
        }
        if (shilled)
        {
            // What the shill saved the requester: the payment without the shill's bid.
            var honest = bids.Take(bids.Count - 1).ToList();
            var (_, payHonest, _) = AuctionRules.Settle(r.Id, honest, r.LatencyWeight, r.MaxFee);
            m.Ledger.ShillLoss -= (double)payHonest - pay;
        }
        _lastClearing[r.Circuit] = (pay, win.Latency);
        _lastWinningFee[r.Circuit] = pay;
        return m.Assigned(r, who[w], revealEnd, due, pay, r.MaxFee, g.SealedFulfill, who.Count);
    }
}
