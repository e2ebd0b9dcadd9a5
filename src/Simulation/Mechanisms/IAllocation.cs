using ProverMarketChain.Simulation.Engine;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Simulation.Mechanisms;

/// <summary>One allocation mode: allocates and settles a request in the market context.</summary>
internal interface IAllocation
{
    /// <summary>Allocates <paramref name="r"/>, books every payment, gas and work in the context, and returns the outcome.</summary>
    Outcome Allocate(MarketContext m, Request r);

    /// <summary>The allocation for <paramref name="mechanism"/>.</summary>
    static IAllocation For(Mechanism mechanism) => mechanism switch
    {
        Mechanism.SealedBid => new SealedBidAllocation(),
        Mechanism.Dutch => new DutchAllocation(),
        Mechanism.StandingAsk => new StandingAskAllocation(),
        Mechanism.OpenRace => new OpenRaceAllocation(),
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "unknown mechanism"),
    };
}

/// <summary>Open race (<c>Mode.OpenRace</c>): the whole <c>maxFee</c> to the first commitment revealed before the race ends.</summary>
internal sealed class OpenRaceAllocation : IAllocation
{
    /// <inheritdoc />
    public Outcome Allocate(MarketContext m, Request r)
    {
        m.Ledger.RequesterGasSpent(m.GasWei(m.Gas.RaceSubmit));
        ulong reserveFee = m.Reserves[r.Circuit].Fee((ulong)r.ArrivalSeconds);
        if (r.MaxFee < reserveFee)
        {
            m.Ledger.Unserved++;
            return new Outcome(r.Index, -1, 0, 0, -1, double.NaN);
        }
        return m.OpenDelivery(r, r.ArrivalSeconds, r.ArrivalSeconds + r.ProvingWindow, r.MaxFee, 0, -1, -1);
    }
}
