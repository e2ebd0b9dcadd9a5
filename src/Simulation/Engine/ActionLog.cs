using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Engine;

/// <summary>What a simulated agent did on the market (the replay performs these on the real contracts).</summary>
public enum AgentActionKind
{
    /// <summary>A sealed bid (committed in the commit phase, revealed in the reveal phase): <see cref="AgentAction.Fee"/>, <see cref="AgentAction.Latency"/>.</summary>
    Bid,
    /// <summary><c>lockDutch</c> at <see cref="AgentAction.At"/>.</summary>
    Lock,
    /// <summary><c>postAsk</c>: <see cref="AgentAction.Fee"/> is the price per unit, <see cref="AgentAction.Latency"/> the ask's latency, <see cref="AgentAction.Capacity"/> its capacity.</summary>
    PostAsk,
    /// <summary><c>acceptMatch</c> of a standing-ask match at <see cref="AgentAction.At"/>.</summary>
    AcceptMatch,
    /// <summary><c>commitProof</c> of an open delivery at <see cref="AgentAction.At"/>.</summary>
    CommitProof,
    /// <summary><c>revealProof</c> of an open delivery at <see cref="AgentAction.At"/>.</summary>
    RevealProof,
    /// <summary><c>fulfill</c> of an assigned job at <see cref="AgentAction.At"/>.</summary>
    Deliver,
}

/// <summary>One agent action.</summary>
/// <param name="Mechanism">The mechanism run it belongs to.</param>
/// <param name="Request">Request index (-1: not tied to a request, an ask).</param>
/// <param name="Prover">The acting prover's index.</param>
/// <param name="Kind">What it did.</param>
/// <param name="At">Simulated time, seconds.</param>
/// <param name="Fee">Bid fee or ask price per unit, wei.</param>
/// <param name="Latency">Bid or ask latency, seconds.</param>
/// <param name="Capacity">Ask capacity.</param>
public readonly record struct AgentAction(Mechanism Mechanism, int Request, int Prover, AgentActionKind Kind, double At, ulong Fee = 0, uint Latency = 0, int Capacity = 0);

/// <summary>
/// The replay seam: the actions the simulated agents took, in the order the simulator decided them. Pass one to
/// <see cref="Simulator.Run(Scenario, GasTable, Population, ActionLog?)"/>; the simulator itself never reads it, so logging
/// changes no outcome.
/// </summary>
public sealed class ActionLog
{
    private readonly List<AgentAction> _actions = [];

    /// <summary>The actions, in decision order.</summary>
    public IReadOnlyList<AgentAction> Actions => _actions;

    internal void Add(in AgentAction action) => _actions.Add(action);
}
