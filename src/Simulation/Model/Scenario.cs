namespace ProverMarketChain.Simulation.Model;

/// <summary>The four allocation modes of the market (<c>IProverMarketTypes.Mode</c>).</summary>
public enum Mechanism
{
    /// <summary>Sealed-bid second-score auction.</summary>
    SealedBid,
    /// <summary>Reverse Dutch auction: the price ramps up until a prover locks.</summary>
    Dutch,
    /// <summary>Standing asks: the request matches the cheapest fitting ask.</summary>
    StandingAsk,
    /// <summary>Open race: every prover may prove; the first commitment revealed is paid the whole fee.</summary>
    OpenRace,
}

/// <summary>A prover's bidding strategy.</summary>
public enum Strategy
{
    /// <summary>Bids its full cost plus the worker's default margin.</summary>
    Truthful,
    /// <summary>Bids its cost plus a larger margin (<see cref="Scenario.ShadeMargin"/>).</summary>
    Shading,
    /// <summary>Member of a bidding ring: only the ring's best member bids; the others stay out (sealed bid) so that
    /// the second score, and the ring's payment, are higher.</summary>
    Colluding,
}

/// <summary>What the sequencer-prover (prover 0, who also orders the chain's transactions) does with that power.</summary>
public enum SequencerPower
{
    /// <summary>Nothing: it orders transactions by arrival (random within a block).</summary>
    Honest,
    /// <summary>Orders its own transactions first and inserts them ahead of those it sees (front-running).</summary>
    Ordering,
    /// <summary>Ordering, and also leaves competitors' transactions out of <see cref="Scenario.CensorBlocks"/> consecutive blocks.</summary>
    Censoring,
}

/// <summary>A simulation scenario: the market, the provers, the requesters and the adversaries. Immutable; every field
/// has a documented default (the report's base case).</summary>
public sealed record Scenario
{
    /// <summary>Seed of every random choice (population, arrivals, transaction order).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Requests to simulate.</summary>
    public int Requests { get; init; } = 2_000;

    /// <summary>Provers.</summary>
    public int Provers { get; init; } = 20;

    /// <summary>Heterogeneity of the provers: the log-normal spread of speed, cost per unit and capital (0: identical).</summary>
    public double Heterogeneity { get; init; } = 0.5;

    /// <summary>Load: expected proving demand as a fraction of the provers' total capacity (0..1+).</summary>
    public double Load { get; init; } = 0.5;

    /// <summary>Gas price, wei per gas (default 0.01 gwei, an L2 rollup's order of magnitude).</summary>
    public double GasPriceWei { get; init; } = 1e7;

    /// <summary>USD per ETH, to express hardware prices in wei.</summary>
    public double UsdPerEth { get; init; } = 3000;

    /// <summary>Running cost (power, hosting) of the reference machine, USD per hour.</summary>
    public double OperatingUsdPerHour { get; init; } = 0.05;

    /// <summary>Purchase price of the reference machine, USD, amortized over <see cref="LifetimeYears"/>.</summary>
    public double CapitalUsd { get; init; } = 2_000;

    /// <summary>Lifetime over which capital is amortized.</summary>
    public double LifetimeYears { get; init; } = 3;

    /// <summary>Smallest and largest circuit, as log2 of the constraint count (one circuit per power of two).</summary>
    public int MinLog2Units { get; init; } = 18;

    /// <inheritdoc cref="MinLog2Units"/>
    public int MaxLog2Units { get; init; } = 26;

    /// <summary>Fraction of requests that are urgent (high latency weight, short window, higher maximum fee).</summary>
    public double UrgentShare { get; init; } = 0.3;

    /// <summary>The margin truthful provers add to their cost (the worker's default <c>marginBps</c> is 1000).</summary>
    public double Margin { get; init; } = 0.10;

    /// <summary>Share of provers that shade (bid with <see cref="ShadeMargin"/>).</summary>
    public double ShadingShare { get; init; }

    /// <summary>Margin of shading provers.</summary>
    public double ShadeMargin { get; init; } = 0.5;

    /// <summary>Provers in the bidding ring (the cheapest ones after prover 0; 0: no ring).</summary>
    public int RingSize { get; init; }

    /// <summary>Share of sealed-bid requests whose requester also places a shill bid through a second address.</summary>
    public double ShillShare { get; init; }

    /// <summary>What the sequencer-prover (prover 0) does.</summary>
    public SequencerPower Sequencer { get; init; } = SequencerPower.Honest;

    /// <summary>Blocks the censoring sequencer can keep competitors out of.</summary>
    public int CensorBlocks { get; init; } = 5;

    /// <summary>Open race with the contract's two-step submission (commit, then reveal; false: a hypothetical one-step
    /// submission whose proof is visible in the mempool before it lands).</summary>
    public bool TwoStepRace { get; init; } = true;

    /// <summary>Block time, seconds.</summary>
    public int BlockSeconds { get; init; } = 2;

    /// <summary>Sealed-bid commit phase, seconds.</summary>
    public int CommitSeconds { get; init; } = 12;

    /// <summary>Sealed-bid reveal phase, seconds (the contract's minimum <c>MIN_REVEAL_WINDOW</c>).</summary>
    public int RevealSeconds { get; init; } = 12;

    /// <summary>Dutch price ramp, seconds.</summary>
    public int DutchRampSeconds { get; init; } = 30;

    /// <summary>Protocol fee, basis points (0 at deployment).</summary>
    public int ProtocolFeeBps { get; init; }

    /// <summary>Mechanisms to run.</summary>
    public IReadOnlyList<Mechanism> Mechanisms { get; init; } = [Mechanism.SealedBid, Mechanism.Dutch, Mechanism.StandingAsk, Mechanism.OpenRace];

    /// <summary>The scenario's problems, empty when it is valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Requests is < 1 or > 10_000_000) yield return $"requests: {Requests} is outside 1..10000000";
        if (Provers is < 1 or > 10_000) yield return $"provers: {Provers} is outside 1..10000";
        if (Heterogeneity is < 0 or > 3 || double.IsNaN(Heterogeneity)) yield return $"heterogeneity: {Heterogeneity} is outside 0..3";
        if (Load is <= 0 or > 5 || double.IsNaN(Load)) yield return $"load: {Load} is outside (0, 5]";
        if (GasPriceWei < 0 || double.IsNaN(GasPriceWei)) yield return $"gas price: {GasPriceWei} must be >= 0";
        if (MinLog2Units is < 1 or > 40 || MaxLog2Units < MinLog2Units || MaxLog2Units > 40) yield return $"circuit sizes: 2^{MinLog2Units}..2^{MaxLog2Units} is not a range within 2^1..2^40";
        if (UrgentShare is < 0 or > 1 || ShadingShare is < 0 or > 1 || ShillShare is < 0 or > 1) yield return "shares (urgent, shading, shill) must lie in 0..1";
        if (Margin is < 0 or > 10 || ShadeMargin is < 0 or > 10) yield return "margins must lie in 0..10";
        if (RingSize < 0 || RingSize >= Provers) yield return $"ring size: {RingSize} must be below the number of provers {Provers}";
        if (CensorBlocks is < 0 or > 1000) yield return $"censor blocks: {CensorBlocks} is outside 0..1000";
        if (BlockSeconds < 1 || CommitSeconds < 1 || RevealSeconds < 12 || DutchRampSeconds < 1) yield return "windows: block >= 1 s, commit >= 1 s, reveal >= 12 s (MIN_REVEAL_WINDOW), ramp >= 1 s";
        if (ProtocolFeeBps is < 0 or > 1000) yield return $"protocol fee: {ProtocolFeeBps} bps is outside 0..1000 (MAX_PROTOCOL_FEE_BPS)";
        if (Mechanisms.Count == 0) yield return "no mechanism to run";
    }
}
