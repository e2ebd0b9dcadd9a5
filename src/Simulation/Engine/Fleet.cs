namespace ProverMarketChain.Simulation.Engine;

/// <summary>When each prover's machines are free: a job runs on the machine that frees first.</summary>
internal sealed class Fleet
{
    private readonly double[][] _freeAt;
    private readonly List<double>[] _inFlight;

    public Fleet(IReadOnlyList<Model.Prover> provers)
    {
        _freeAt = provers.Select(p => new double[p.Machines]).ToArray();
        _inFlight = provers.Select(_ => new List<double>()).ToArray();
    }

    /// <summary>The earliest time at or after <paramref name="t"/> a machine of prover <paramref name="p"/> is free.</summary>
    public double EarliestStart(int p, double t)
    {
        var m = _freeAt[p];
        double min = m[0];
        for (int i = 1; i < m.Length; i++) if (m[i] < min) min = m[i];
        return Math.Max(t, min);
    }

    /// <summary>Occupies the first free machine of <paramref name="p"/> from <paramref name="start"/> (or when it frees)
    /// for <paramref name="seconds"/>; returns when it ends.</summary>
    public double Occupy(int p, double start, double seconds)
    {
        var m = _freeAt[p];
        int k = 0;
        for (int i = 1; i < m.Length; i++) if (m[i] < m[k]) k = i;
        double end = Math.Max(start, m[k]) + seconds;
        m[k] = end;
        return end;
    }

    /// <summary>Records a standing-ask job of <paramref name="p"/> in flight until <paramref name="until"/>.</summary>
    public void AddInFlight(int p, double until) => _inFlight[p].Add(until);

    /// <summary>Standing-ask jobs of <paramref name="p"/> still in flight at <paramref name="t"/> (the ask's used capacity).</summary>
    public int InFlight(int p, double t)
    {
        var l = _inFlight[p];
        l.RemoveAll(x => x <= t);
        return l.Count;
    }
}
