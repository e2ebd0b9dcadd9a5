using ProverMarketChain.Economics;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Metrics;

/// <summary>What one mechanism did with the scenario's requests (money in wei; ratios plain numbers).</summary>
/// <param name="Mechanism">The mechanism.</param>
/// <param name="Served">Requests delivered.</param>
/// <param name="Unserved">Requests nobody delivered (refunded).</param>
/// <param name="CostPerProof">What the requester paid per delivered proof: fees, its own gas (submission, shill bids) and
/// shill losses, less the slashed collateral it received.</param>
/// <param name="ResourcesPerProof">Everything spent per delivered proof by everyone: machine time (running plus capital
/// of the time used) of every prover that worked on it, and every transaction's gas.</param>
/// <param name="WorkMultiple">Proving seconds spent by all provers over the delivering provers' own proving seconds
/// (1: no redundant work).</param>
/// <param name="ParticipantsPerRequest">Provers that bid, locked, matched or raced per request.</param>
/// <param name="LatencyMean">Mean seconds from submission to delivery.</param>
/// <param name="LatencyP95">95th percentile of the same.</param>
/// <param name="ProverRevenue">Total paid to provers (fees and bounties, less the protocol fee).</param>
/// <param name="ProverCost">Total prover cost: running cost of all work, gas, collateral lost, and the capital of every
/// machine over the whole horizon (owned whether busy or not).</param>
/// <param name="CostCoverage">ProverRevenue / ProverCost (1: the fees exactly cover hardware, capital and gas).</param>
/// <param name="EfficientCoverage">The same for the more efficient half of the provers (lower cost per unit).</param>
/// <param name="EfficientProfitable">Share of the efficient half whose revenue covers its cost.</param>
/// <param name="Wins">Concentration of delivered jobs among provers (HHI, Nakamoto, Gini) over the whole run.</param>
/// <param name="Fees">Concentration of the fees earned.</param>
/// <param name="SequencerProfit">Revenue less cost (capital included) of the sequencer-prover (prover 0).</param>
/// <param name="Stolen">Fees taken by copying another prover's proof or censoring others' bids.</param>
/// <param name="FrontRunExposure">Fees whose proof was visible in the mempool before it landed (one-step open delivery).</param>
/// <param name="ShillNetCost">Shilling requesters' net cost of their shill bids: burnt and forfeited bonds less what the
/// shills saved them (negative: shilling paid).</param>
/// <param name="RingProfit">Profit (capital included) of the bidding ring's members.</param>
/// <param name="ShadingProfit">Profit of the shading provers.</param>
/// <param name="TruthfulProfit">Profit of the truthful provers (prover 0 excluded).</param>
/// <param name="Slashes">Slashes.</param>
/// <param name="HorizonSeconds">Time of the last delivery (the window of every per-run figure).</param>
/// <param name="ProverProfits">Profit of each prover.</param>
public sealed record MechanismMetrics(
    Mechanism Mechanism, long Served, long Unserved, double CostPerProof, double ResourcesPerProof, double WorkMultiple,
    double ParticipantsPerRequest, double LatencyMean, double LatencyP95, double ProverRevenue, double ProverCost, double CostCoverage,
    double EfficientCoverage, double EfficientProfitable, Concentration Wins, Concentration Fees, double SequencerProfit, double Stolen,
    double FrontRunExposure, double ShillNetCost, double RingProfit, double ShadingProfit, double TruthfulProfit, long Slashes,
    double HorizonSeconds, IReadOnlyList<double> ProverProfits)
{
    /// <summary>Effective number of winners: 10,000 / HHI of the wins (the decentralization index of the report).</summary>
    public double EffectiveWinners => Wins.Hhi > 0 ? 10_000 / Wins.Hhi : 0;

    /// <summary>Effective number of fee earners: 10,000 / HHI of the fees.</summary>
    public double EffectiveEarners => Fees.Hhi > 0 ? 10_000 / Fees.Hhi : 0;
}
