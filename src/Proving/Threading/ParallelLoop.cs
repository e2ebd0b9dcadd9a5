namespace ProverMarketChain.Proving.Threading;

/// <summary>
/// A minimal parallel for-loop: indices are handed out one at a time from a shared counter to the calling thread and
/// up to <c>maxThreads - 1</c> thread-pool tasks. It does what the prover asked of <see cref="Parallel.For(int, int,
/// ParallelOptions, Action{int})"/>, without that method's generic workers, which ReadyToRun cannot precompile for this
/// assembly and which were therefore jitted (about 3 KB of code) at the start of every prove.
/// </summary>
internal static class ParallelLoop
{
    /// <summary>Runs <paramref name="body"/> for every index in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>) on at most <paramref name="maxThreads"/> threads (the caller's included).</summary>
    /// <param name="fromInclusive">First index.</param>
    /// <param name="toExclusive">One past the last index.</param>
    /// <param name="maxThreads">Most threads to use; -1 or 0: one per core.</param>
    /// <param name="body">The loop body.</param>
    /// <exception cref="AggregateException">One or more bodies threw: no further indices are started, and the exceptions
    /// are thrown together once the running bodies have returned (as <c>Parallel.For</c> does).</exception>
    public static void For(int fromInclusive, int toExclusive, int maxThreads, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int count = toExclusive - fromInclusive;
        if (count <= 0)
        {
            return;
        }
        int threads = Math.Min(count, maxThreads <= 0 ? Environment.ProcessorCount : maxThreads);
        if (threads == 1)
        {
            for (int i = fromInclusive; i < toExclusive; i++)
            {
                body(i);
            }
            return;
        }
        var loop = new Loop(fromInclusive, toExclusive, body);
        var helpers = new Task[threads - 1];
        for (int t = 0; t < helpers.Length; t++)
        {
            helpers[t] = Task.Factory.StartNew(static state => ((Loop)state!).Work(), loop, CancellationToken.None,
                TaskCreationOptions.None, TaskScheduler.Default);
        }
        loop.Work();
        // Work() catches the bodies' exceptions, so the helpers themselves complete normally.
        Task.WaitAll(helpers);
        if (loop.Errors is { } errors)
        {
            throw new AggregateException(errors);
        }
    }

    private sealed class Loop(int from, int to, Action<int> body)
    {
        private int _next = from;
        private volatile bool _stop;

        public List<Exception>? Errors { get; private set; }

        public void Work()
        {
            while (!_stop)
            {
                int i = Interlocked.Increment(ref _next) - 1;
                if (i >= to)
                {
                    return;
                }
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    _stop = true;
                    lock (this)
                    {
                        (Errors ??= []).Add(e);
                    }
                }
            }
        }
    }
}
