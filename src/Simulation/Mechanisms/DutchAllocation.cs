using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Simulation.Rules;

namespace ProverMarketChain.Simulation.Mechanisms;

/// <summary>
/// Reverse Dutch auction (<c>Mode.Dutch</c>): the price ramps (<see cref="ReserveRules.Ramp"/>) from the reserve
/// (<c>minFee</c> 0, raised to the reserve) to <c>maxFee</c> over the ramp; the first prover to <c>lockDutch</c> gets the
/// job at the price of its block and locks <c>minCollateral</c> (half the maximum fee here). A prover locks in the first
/// block whose price covers its cost plus margin. The sequencer-prover front-runs a lock it sees when that price covers
/// its own (ordering), or keeps competitors' locks out for <see cref="Scenario.CensorBlocks"/> blocks while the price
/// rises (censoring).
/// </summary>
internal sealed class DutchAllocation : IAllocation
{
    /// <inheritdoc />
    public Outcome Allocate(MarketContext m, Request r)
    {
        var s = m.Scenario;
        var g = m.Gas;
        m.Ledger.RequesterGasSpent(m.GasWei(g.DutchSubmit));
        ulong created = (ulong)Math.Ceiling(r.ArrivalSeconds);
        ulong reserveFee = m.Reserves[r.Circuit].Fee(created);
        if (r.MaxFee < reserveFee) { m.Ledger.Unserved++; return new Outcome(r.Index, -1, 0, 0, -1, double.NaN); }
        ulong rampEnd = created + (ulong)s.DutchRampSeconds;
        ulong Price(double t) => ReserveRules.Ramp(reserveFee, r.MaxFee, created, rampEnd, (ulong)t);

        double firstBlock = m.NextBlock(created);
        var lockAt = new double[m.Provers.Count];
        var threshold = new double[m.Provers.Count];
        double best = double.MaxValue;
        int eligible = 0;
        foreach (var p in m.Provers)
        {
            lockAt[p.Index] = double.NaN;
            double cost = p.HardwareCost(r.Units) + m.GasWei(g.DutchLock + g.DutchFulfill);
            double th = Math.Ceiling(cost * (1 + m.MarginOf(p)));
            threshold[p.Index] = th;
            if (th > r.MaxFee) continue;
            double t = LockTime(th, reserveFee, r.MaxFee, created, rampEnd, firstBlock, m.Block);
            // It only locks if it can prove within the window from then.
            if (m.Fleet.EarliestStart(p.Index, t) - t + p.ProvingSeconds(r.Units) + m.Block > r.ProvingWindow) continue;
            lockAt[p.Index] = t;
            eligible++;
            if (t < best) best = t;
        }
        if (best == double.MaxValue) { m.Ledger.Unserved++; return new Outcome(r.Index, -1, 0, 0, -1, double.NaN); }
        var tied = new List<int>();
        for (int i = 0; i < lockAt.Length; i++) if (lockAt[i] == best) tied.Add(i);
        int winner = m.BreakBlockTie(tied);
        double at = best;
        if (winner != 0 && m.SequencerOrders && threshold[0] <= Price(best) && Fits(m, 0, r, best))
        {
            // The sequencer-prover sees the lock in the mempool and, as that price covers its cost, puts its own lock
            // first; censoring, it also keeps the others out and waits while the price rises.
            if (s.Sequencer == SequencerPower.Censoring && Fits(m, 0, r, best + s.CensorBlocks * m.Block)) at = best + s.CensorBlocks * m.Block;
            winner = 0;
        }
        ulong price = Price(at);
        m.Ledger.Participants += 1;
        m.Record(r.Index, winner, AgentActionKind.Lock, at);
        m.Ledger.ProverGas(winner, m.GasWei(g.DutchLock));
        return m.Assigned(r, winner, at, at + r.ProvingWindow, price, r.MaxFee / 2, g.DutchFulfill, eligible);
    }

    private static bool Fits(MarketContext m, int p, Request r, double t)
    {
        var pr = m.Provers[p];
        return m.Fleet.EarliestStart(p, t) - t + pr.ProvingSeconds(r.Units) + m.Block <= r.ProvingWindow;
    }

    /// <summary>The first block timestamp whose ramp price reaches <paramref name="threshold"/>.</summary>
    internal static double LockTime(double threshold, ulong start, ulong end, ulong from, ulong until, double firstBlock, double block)
    {
        if (threshold <= start) return firstBlock;
        // Invert the ramp, then step to the block that reaches it (exact ramp arithmetic decides).
        double frac = (threshold - start) / Math.Max(1.0, end - (double)start);
        double t = Math.Max(firstBlock, Math.Ceiling((from + frac * (until - from)) / block) * block);
        while (t > firstBlock && ReserveRules.Ramp(start, end, from, until, (ulong)(t - block)) >= threshold) t -= block;
        while (ReserveRules.Ramp(start, end, from, until, (ulong)t) < threshold) t += block;
        return t;
    }
}
