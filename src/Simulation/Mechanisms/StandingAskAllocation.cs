using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Mechanisms;

/// <summary>
/// Standing asks (<c>Mode.StandingAsk</c>, <c>AskBook</c>): each prover keeps one ask per circuit, priced per unit at its
/// cost plus margin (gas included) with a latency of its proving time plus 10% and two blocks, and a capacity of its
/// machines. A request matches the cheapest ask (price-time priority) whose latency fits the window, with capacity left and
/// a fee <c>max(price * units, reserve)</c> within <c>maxFee</c>; the prover accepts when it can still meet the latency
/// with its queue, else declines and the next ask is tried (at most <c>MAX_MATCH_ATTEMPTS</c> = 8). The sequencer-prover,
/// ordering, sees the request and first posts an ask one wei per unit under the matched one when that still pays.
/// </summary>
internal sealed class StandingAskAllocation : IAllocation
{
    private const int MaxMatchAttempts = 8;
    private (int Prover, ulong PricePerUnit, uint Latency)[][]? _books;

    private (int Prover, ulong PricePerUnit, uint Latency)[] Book(MarketContext m, int circuit, double now)
    {
        _books ??= new (int, ulong, uint)[m.Population.CircuitUnits.Count][];
        if (_books[circuit] is { } b) return b;
        ulong units = m.Population.CircuitUnits[circuit];
        var g = m.Gas;
        var asks = m.Provers.Select(p =>
        {
            double cost = p.HardwareCost(units) + m.GasWei(g.AskAccept + g.AskFulfill);
            ulong perUnit = (ulong)Math.Ceiling(cost * (1 + m.MarginOf(p)) / units);
            uint latency = (uint)Math.Ceiling(p.ProvingSeconds(units) * 1.1 + 2 * m.Block);
            return (p.Index, perUnit, latency);
        });
        // Price ascending; equal prices keep posting order (the provers post in index order).
        b = asks.OrderBy(a => a.perUnit).ThenBy(a => a.Index).ToArray();
        foreach (var a in b) m.Ledger.ProverGas(a.Item1, m.GasWei(g.AskPost));
        // Posted in index order (the book's tie order) when the circuit's first request arrives.
        foreach (var a in b.OrderBy(a => a.Item1)) m.Record(-1, a.Item1, AgentActionKind.PostAsk, now, a.Item2, a.Item3, m.Provers[a.Item1].Machines);
        _books[circuit] = b;
        return b;
    }

    /// <inheritdoc />
    public Outcome Allocate(MarketContext m, Request r)
    {
        var g = m.Gas;
        m.Ledger.RequesterGasSpent(m.GasWei(g.AskSubmit));
        double t0 = r.ArrivalSeconds;
        ulong reserveFee = m.Reserves[r.Circuit].Fee((ulong)t0);
        if (r.MaxFee < reserveFee) { m.Ledger.Unserved++; return new Outcome(r.Index, -1, 0, 0, -1, double.NaN); }
        int attempts = 0;
        foreach (var (p, perUnit, askLatency) in Book(m, r.Circuit, t0))
        {
            uint latency = askLatency;
            if (latency > r.ProvingWindow) continue;
            if (m.Fleet.InFlight(p, t0) >= m.Provers[p].Machines) continue;
            ulong fee = Math.Max(perUnit * r.Units, reserveFee);
            if (fee > r.MaxFee) break; // the book is sorted: nothing further fits
            attempts++;
            var pr = m.Provers[p];
            double accept = m.NextBlock(t0 + m.Block);
            bool fits = m.Fleet.EarliestStart(p, accept) - accept + pr.ProvingSeconds(r.Units) * 1.1 + 2 * m.Block <= latency;
            if (!fits)
            {
                if (attempts >= MaxMatchAttempts) break;
                continue;
            }
            int winner = p;
            if (m.SequencerOrders && p != 0 && perUnit > 1)
            {
                // Front-run: an ask one wei per unit cheaper, posted ahead of the submission, if it pays and fits.
                var seq = m.Provers[0];
                ulong undercut = Math.Max((perUnit - 1) * r.Units, reserveFee);
                double seqCost = seq.HardwareCost(r.Units) + m.GasWei(g.AskAccept + g.AskFulfill + g.AskPost);
                bool seqFits = m.Fleet.EarliestStart(0, accept) - accept + seq.ProvingSeconds(r.Units) * 1.1 + 2 * m.Block <= r.ProvingWindow
                    && m.Fleet.InFlight(0, t0) < seq.Machines;
                if (undercut <= r.MaxFee && undercut > seqCost && seqFits)
                {
                    winner = 0;
                    fee = undercut;
                    m.Ledger.ProverGas(0, m.GasWei(g.AskPost));
                    latency = (uint)Math.Ceiling(m.Fleet.EarliestStart(0, accept) - accept + seq.ProvingSeconds(r.Units) * 1.1 + 2 * m.Block);
                }
            }
            m.Ledger.Participants += attempts;
            m.Record(r.Index, winner, AgentActionKind.AcceptMatch, accept);
            m.Ledger.ProverGas(winner, m.GasWei(g.AskAccept));
            double deadline = accept + latency;
            double end = m.Fleet.EarliestStart(winner, accept) + m.Provers[winner].ProvingSeconds(r.Units);
            m.Fleet.AddInFlight(winner, Math.Max(end, accept));
            return m.Assigned(r, winner, accept, deadline, fee, r.MaxFee / 2, g.AskFulfill, attempts);
        }
        m.Ledger.Unserved++;
        return new Outcome(r.Index, -1, 0, attempts, -1, double.NaN);
    }
}
