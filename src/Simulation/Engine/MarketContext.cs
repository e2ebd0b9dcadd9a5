using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Model;
using ProverMarketChain.Simulation.Rules;

namespace ProverMarketChain.Simulation.Engine;

/// <summary>The state one mechanism's run shares among its requests: machines, reserves, the ledger, the random streams
/// of transaction order and failures, and the market rules every mechanism uses (payment, slash, open delivery).</summary>
internal sealed class MarketContext
{
    public MarketContext(Scenario scenario, Population population, GasTable gas, Mechanism mechanism, ActionLog? log = null)
    {
        Log = log;
        Scenario = scenario;
        Population = population;
        Gas = gas;
        Provers = population.Provers;
        Fleet = new Fleet(Provers);
        Ledger = new Ledger(Provers.Count);
        var reserveParams = new ReserveParams();
        Reserves = population.CircuitUnits.Select(u => new ReserveState(reserveParams, u)).ToArray();
        // The same streams for every mechanism: the n-th failure draw is the same number whichever mechanism asks.
        Order = new Random(unchecked(scenario.Seed * 31 + 5));
        Failures = new Random(unchecked(scenario.Seed * 31 + 7));
        Mechanism = mechanism;
    }

    public Scenario Scenario { get; }
    public Population Population { get; }
    public GasTable Gas { get; }
    public IReadOnlyList<Prover> Provers { get; }
    public Fleet Fleet { get; }
    public Ledger Ledger { get; }
    public ReserveState[] Reserves { get; }
    public Random Order { get; }
    public Random Failures { get; }
    public Mechanism Mechanism { get; }

    /// <summary>Where the agents' actions are recorded for the replay (null: not recorded).</summary>
    public ActionLog? Log { get; }

    /// <summary>Records an action of prover <paramref name="p"/> on request <paramref name="r"/> (-1: none) when a log is kept.</summary>
    public void Record(int r, int p, AgentActionKind kind, double at, ulong fee = 0, uint latency = 0, int capacity = 0) =>
        Log?.Add(new AgentAction(Mechanism, r, p, kind, at, fee, latency, capacity));

    /// <summary>Whether prover 0 uses the sequencer's ordering power.</summary>
    public bool SequencerOrders => Scenario.Sequencer != SequencerPower.Honest;

    public double GasWei(long gas) => gas * Scenario.GasPriceWei;

    public double Block => Scenario.BlockSeconds;

    /// <summary>The first block timestamp at or after <paramref name="t"/>.</summary>
    public double NextBlock(double t) => Math.Ceiling(t / Block) * Block;

    /// <summary>The margin a prover adds to its cost.</summary>
    public double MarginOf(Prover p) => p.Strategy == Strategy.Shading ? Scenario.ShadeMargin : Scenario.Margin;

    /// <summary>Whether the job fails (a draw per assigned job).</summary>
    public bool Fails(Prover p) => Failures.NextDouble() < p.FailureRate;

    /// <summary>Picks among provers tied in one block: the sequencer-prover first when it orders, else transaction order (random).</summary>
    public int BreakBlockTie(List<int> tied)
    {
        if (tied.Count == 1) return tied[0];
        if (SequencerOrders && tied.Contains(0)) return 0;
        return tied[Order.Next(tied.Count)];
    }

    /// <summary>Pays <paramref name="fee"/> for a delivery by <paramref name="p"/> at <paramref name="at"/> (<c>_pay</c>: the
    /// protocol fee is <c>fee * bps / 10000</c>, the rest to the prover) and books the units.</summary>
    public void Pay(Request r, int p, ulong fee, double at)
    {
        double protocol = (double)(fee * (ulong)Scenario.ProtocolFeeBps / 10_000);
        Ledger.Revenue[p] += fee - protocol;
        Ledger.ProtocolFees += protocol;
        Ledger.RequesterPaid += fee;
        Ledger.Wins[p]++;
        Ledger.Served++;
        Ledger.Latencies.Add(at - r.ArrivalSeconds);
        Ledger.Horizon = Math.Max(Ledger.Horizon, at);
        Reserves[r.Circuit].Book((ulong)at);
    }

    /// <summary>Slashes <paramref name="collateral"/> of the assigned prover (<c>_slashCollateral</c>, <c>OnMiss.OpenSecondary</c>):
    /// half burnt, a quarter to the requester, a quarter held as bounty for the secondary deliverer. Returns the bounty.</summary>
    public double Slash(int p, ulong collateral, bool shill)
    {
        double burned = collateral * 5_000UL / 10_000;
        double rest = collateral - burned;
        double toRequester = Math.Floor(rest * 5_000 / 10_000);
        double bounty = rest - toRequester;
        Ledger.Burnt += burned;
        Ledger.Slashes++;
        if (shill) Ledger.ShillLoss += burned + bounty;
        else
        {
            Ledger.BondLost[p] += collateral;
            Ledger.RequesterRecovered += toRequester;
        }
        return bounty;
    }

    /// <summary>
    /// An open delivery (open race, or the secondary delivery after a slash) from <paramref name="start"/> until
    /// <paramref name="deadline"/>, paying <paramref name="fee"/> plus <paramref name="bounty"/>: every prover that finds it
    /// profitable proves (as the worker does: open work pays the whole fee); the first commitment wins after the two-step
    /// rules (commit, reveal a block later; the first commitment has <c>PROOF_REVEAL_BLOCKS</c> of priority), and the
    /// others stop when its reveal lands. Returns the winner or -1.
    /// </summary>
    public Outcome OpenDelivery(Request r, double start, double deadline, ulong fee, double bounty, int excluded, int slashed)
    {
        var s = Scenario;
        double reward = fee - (double)(fee * (ulong)s.ProtocolFeeBps / 10_000) + bounty;
        double commitGas = GasWei(Gas.RaceCommit), revealGas = GasWei(Gas.RaceReveal);
        var racers = new List<(int P, double Start, double Finish, bool Failed)>();
        foreach (var p in Provers)
        {
            if (p.Index == excluded) continue;
            double cost = p.HardwareCost(r.Units) + commitGas + revealGas;
            if (cost >= reward) continue;
            double st = Fleet.EarliestStart(p.Index, start);
            double fin = st + p.ProvingSeconds(r.Units);
            if (fin + Block > deadline) continue;
            racers.Add((p.Index, st, fin, Fails(p)));
        }
        Ledger.Participants += racers.Count;
        // The block each finished racer's commitment lands in.
        int winner = -1;
        double winBlock = double.MaxValue;
        var tied = new List<int>();
        foreach (var x in racers)
        {
            if (x.Failed) continue;
            double b = NextBlock(x.Finish);
            if (b < winBlock) { winBlock = b; tied.Clear(); tied.Add(x.P); }
            else if (b == winBlock) tied.Add(x.P);
        }
        if (tied.Count > 0) winner = BreakBlockTie(tied);
        // The sequencer-prover censoring competitors' commitments: it wins if its own lands within CensorBlocks blocks.
        if (winner > 0 && s.Sequencer == SequencerPower.Censoring && s.TwoStepRace)
        {
            var seq = racers.FirstOrDefault(x => x.P == 0 && !x.Failed);
            if (racers.Any(x => x.P == 0 && !x.Failed) && NextBlock(seq.Finish) <= winBlock + s.CensorBlocks * Block)
            {
                winner = 0;
                winBlock = NextBlock(seq.Finish);
            }
        }
        double revealAt = winner >= 0 ? winBlock + Block : deadline;
        int paid = winner;
        if (winner >= 0 && !s.TwoStepRace)
        {
            // One-step submission: the proof is in the mempool before it lands. Anyone can copy it; a front-runner outbids
            // the prover's priority fee, and the sequencer-prover simply puts its copy first.
            Ledger.FrontRunExposure += fee;
            if (SequencerOrders && winner != 0)
            {
                paid = 0;
                Ledger.Stolen += fee;
            }
        }
        if (Log is not null && winner >= 0 && s.TwoStepRace)
        {
            // Commitments in time order, the winner first among those of its block (it won the block's tie).
            foreach (var x in racers.Where(x => !x.Failed && NextBlock(x.Finish) <= revealAt).OrderBy(x => NextBlock(x.Finish)).ThenBy(x => x.P == winner ? 0 : 1))
                Record(r.Index, x.P, AgentActionKind.CommitProof, NextBlock(x.Finish));
            Record(r.Index, winner, AgentActionKind.RevealProof, revealAt);
        }
        foreach (var x in racers)
        {
            double stop = Math.Min(x.Failed ? x.Start + Provers[x.P].ProvingSeconds(r.Units) : x.Finish, revealAt);
            double secs = Math.Max(0, stop - x.Start);
            if (x.P == 0 && paid == 0 && winner != 0 && !s.TwoStepRace) secs = 0; // the copier stops proving
            if (secs > 0)
            {
                Fleet.Occupy(x.P, x.Start, secs);
                var pr = Provers[x.P];
                Ledger.Work(x.P, secs, secs * (pr.OperatingWeiPerSecond + pr.CapitalWeiPerSecond));
            }
            if (!x.Failed && x.Finish <= revealAt && s.TwoStepRace) Ledger.ProverGas(x.P, commitGas);
        }
        if (winner < 0)
        {
            Ledger.Unserved++;
            return new Outcome(r.Index, -1, 0, racers.Count, slashed, double.NaN);
        }
        Ledger.ProverGas(paid, revealGas);
        Ledger.WinnerProvingSeconds += Provers[winner].ProvingSeconds(r.Units);
        Pay(r, paid, fee, revealAt);
        Ledger.Revenue[paid] += bounty;
        return new Outcome(r.Index, paid, fee, racers.Count, slashed, revealAt);
    }

    /// <summary>An assigned job: <paramref name="p"/> proves from <paramref name="from"/>; delivered and paid
    /// <paramref name="fee"/> by <paramref name="deadline"/>, else slashed <paramref name="collateral"/> at the deadline
    /// and the job opens for secondary delivery.</summary>
    public Outcome Assigned(Request r, int p, double from, double deadline, ulong fee, ulong collateral, long fulfillGas, int participants)
    {
        var pr = Provers[p];
        double secs = pr.ProvingSeconds(r.Units);
        double end = Fleet.Occupy(p, from, secs);
        Ledger.Work(p, secs, pr.HardwareCost(r.Units));
        double delivered = NextBlock(end);
        if (!Fails(pr) && delivered <= deadline)
        {
            Ledger.ProverGas(p, GasWei(fulfillGas));
            Ledger.WinnerProvingSeconds += secs;
            Record(r.Index, p, AgentActionKind.Deliver, delivered);
            Pay(r, p, fee, delivered);
            return new Outcome(r.Index, p, fee, participants, -1, delivered);
        }
        double bounty = Slash(p, collateral, shill: false);
        var o = OpenDelivery(r, deadline, deadline + r.ProvingWindow, fee, bounty, p, p);
        return o with { Participants = participants };
    }
}
