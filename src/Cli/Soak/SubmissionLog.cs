namespace ProverMarketChain.Cli.Soak;

/// <summary>Every request the soak's requesters posted, in submission order; safe to add to from several requesters.</summary>
public sealed class SubmissionLog
{
    private readonly List<SoakRequest> _requests = [];

    /// <summary>Records a posted request.</summary>
    public void Add(SoakRequest request)
    {
        lock (_requests) _requests.Add(request);
    }

    /// <summary>A snapshot of every request posted so far.</summary>
    public IReadOnlyList<SoakRequest> All()
    {
        lock (_requests) return _requests.ToList();
    }
}
