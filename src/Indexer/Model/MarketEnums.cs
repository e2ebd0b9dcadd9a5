namespace ProverMarketChain.Indexer.Model;

/// <summary>The market's allocation modes (<c>IProverMarketTypes.Mode</c>, same order).</summary>
public enum AllocationMode
{
    /// <summary>Sealed-bid commit-reveal second-score auction.</summary>
    SealedBid,

    /// <summary>Reverse Dutch auction.</summary>
    Dutch,

    /// <summary>Matched against the standing-ask book.</summary>
    StandingAsk,

    /// <summary>Open race: the first valid proof is paid.</summary>
    OpenRace,
}

/// <summary>A request's lifecycle status (<c>IProverMarketTypes.Status</c>, same order).</summary>
public enum RequestStatus
{
    /// <summary>Unknown.</summary>
    None,

    /// <summary>Accepting bids, locks or race proofs.</summary>
    Open,

    /// <summary>One prover must prove by the deadline.</summary>
    Assigned,

    /// <summary>After a slash: anyone but the slashed prover may deliver.</summary>
    Secondary,

    /// <summary>Proven and paid.</summary>
    Fulfilled,

    /// <summary>Cancelled by the requester.</summary>
    Cancelled,

    /// <summary>Expired unproven.</summary>
    Expired,

    /// <summary>Matched to a standing ask, awaiting the prover's acceptance.</summary>
    Matched,
}
