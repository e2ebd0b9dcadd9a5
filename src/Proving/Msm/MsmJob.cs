using System.Runtime.InteropServices;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Msm;

/// <summary>
/// One multi-scalar multiplication cut into units for <see cref="MsmScheduler"/>: a <see cref="Prepare"/> step (load the
/// bases, drop the terms that contribute nothing, recode the scalars) and one independent unit per Pippenger window.
/// The last window to finish combines the window sums into the result and drops the bases and digits, so a
/// finished job holds no memory.
/// </summary>
internal interface IMsmJob
{
    /// <summary>Name, for timings.</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Prepare"/> has run.</summary>
    bool IsPrepared { get; }

    /// <summary>Whether the job's inputs come from the scheduler's prelude (it is prepared only after the prelude).</summary>
    bool NeedsPrelude { get; }

    /// <summary>Window units (known once prepared; zero when no term contributes).</summary>
    int Windows { get; }

    /// <summary>Loads and recodes; <paramref name="threads"/> &gt; 1 recodes in parallel (for a job run alone).</summary>
    void Prepare(int threads = 1);

    /// <summary>Computes window <paramref name="w"/>; thread-safe across distinct windows.</summary>
    void RunWindow(int w);

    /// <summary>Time spent preparing, and summed over the windows (CPU time of the job, whichever threads ran it).</summary>
    (TimeSpan Prepare, TimeSpan Windows) Cost { get; }
}

/// <summary>An <see cref="IMsmJob"/> on one curve.</summary>
/// <typeparam name="TAff">Affine point.</typeparam>
/// <typeparam name="TJac">Jacobian point.</typeparam>
/// <typeparam name="TOps">Curve operations.</typeparam>
internal sealed class MsmJob<TAff, TJac, TOps> : IMsmJob
    where TAff : struct
    where TJac : struct
    where TOps : struct, ICurveOps<TAff, TJac>
{
    private readonly Func<TAff[]> _loadPoints;
    private readonly Action<TAff[]>? _releasePoints;
    private readonly Action? _releaseScalars;
    private readonly ArrayStack<Fr>? _digits;
    private ReadOnlyMemory<Fr> _scalars;
    private readonly Func<ReadOnlyMemory<Fr>>? _scalarsFromPrelude;
    private readonly int _count;
    private readonly bool _compact;
    private TAff[]? _points;
    private Fr[]? _recoded; // the digits: five 64-bit words per term, in an Fr array so the prover can share it
    private TJac[] _sums = [];
    private int _n, _c, _remaining;
    /// <summary>The window size last chosen for this curve (a hint only: any size gives the same result).</summary>
    private static volatile int s_lastWindow;
    private long _prepareTicks, _windowTicks;
    private TJac _result;
    private volatile bool _done;

    /// <summary>A job over the first <paramref name="count"/> terms.</summary>
    /// <param name="name">Name for timings.</param>
    /// <param name="loadPoints">Returns the bases (at least <paramref name="count"/>; called once, by <see cref="Prepare"/>;
    /// with <paramref name="compact"/> the array is reordered in place).</param>
    /// <param name="scalars">The scalars (at least <paramref name="count"/>).</param>
    /// <param name="count">Number of terms.</param>
    /// <param name="compact">Move the contributing terms (finite point, non-zero scalar) to the front of the bases and
    /// run the windows over those only. In circom circuits about a third of the B points are infinity.</param>
    /// <param name="releasePoints">Given the bases once the job no longer needs them (to return a pooled array).</param>
    /// <param name="digits">Where the recoded scalars' array comes from and goes back to (null: a fresh array).</param>
    /// <param name="scalarsFromPrelude">Returns the scalars when they are computed by the scheduler's prelude (then
    /// <paramref name="scalars"/> is ignored and the job is prepared after the prelude).</param>
    /// <param name="releaseScalars">Called once the scalars have been recoded (they are not read after that).</param>
    public MsmJob(string name, Func<TAff[]> loadPoints, ReadOnlyMemory<Fr> scalars, int count, bool compact,
        Action<TAff[]>? releasePoints = null, ArrayStack<Fr>? digits = null, Func<ReadOnlyMemory<Fr>>? scalarsFromPrelude = null,
        Action? releaseScalars = null)
    {
        if (scalarsFromPrelude is null)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, scalars.Length);
        }
        Name = name;
        _scalarsFromPrelude = scalarsFromPrelude;
        _loadPoints = loadPoints;
        _releasePoints = releasePoints;
        _releaseScalars = releaseScalars;
        _digits = digits;
        _scalars = scalars;
        _count = count;
        _compact = compact;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsPrepared { get; private set; }

    /// <inheritdoc />
    public bool NeedsPrelude => _scalarsFromPrelude is not null;

    /// <inheritdoc />
    public int Windows { get; private set; }

    /// <summary>The sum; valid once every window has run.</summary>
    public TJac Result => _done ? _result : throw new InvalidOperationException($"MSM {Name} has not finished.");

    /// <inheritdoc />
    public (TimeSpan Prepare, TimeSpan Windows) Cost =>
        (Stopwatch.GetElapsedTime(0, _prepareTicks), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _windowTicks)));

    /// <inheritdoc />
    public void Prepare(int threads = 1)
    {
        if (IsPrepared)
        {
            throw new InvalidOperationException($"MSM {Name} is already prepared.");
        }
        long start = Stopwatch.GetTimestamp();
        if (_scalarsFromPrelude is not null)
        {
            _scalars = _scalarsFromPrelude();
            if (_scalars.Length < _count)
            {
                throw new ArgumentException($"MSM {Name}: {_scalars.Length} scalars for {_count} terms.");
            }
        }
        var points = _loadPoints();
        if (points.Length < _count)
        {
            throw new ArgumentException($"MSM {Name}: {points.Length} points for {_count} terms.");
        }
        var scalars = _scalars.Span[.._count];
        int n = _count;
        if (_compact)
        {
            n = 0;
            for (int i = 0; i < _count; i++)
            {
                if (!scalars[i].IsZero && !TOps.IsInfinity(points[i]))
                {
                    n++;
                }
            }
        }

        _n = n;
        _points = points;
        if (n == 0)
        {
            Finish();
        }
        else
        {
            // The previous MSM's window size on this curve when nearly as good: the threads' window state keeps its shape.
            _c = Msm.ChooseWindow(n, s_lastWindow);
            s_lastWindow = _c;
            // c * windows >= 255 guarantees k + K < 2^(c * windows) for k < r < 2^254.
            int windows = (255 + _c - 1) / _c;
            ulong[] offset = Pippenger<TAff, TJac, TOps>.BuildOffset(_c, windows);
            int words = n * SignedDigits.Limbs;
            var digitStore = _digits?.Rent(SignedDigits.FrElements(n)) ?? GC.AllocateUninitializedArray<Fr>(SignedDigits.FrElements(n));
            var recoded = MemoryMarshal.Cast<Fr, ulong>(digitStore.AsSpan())[..words];
            if (_compact)
            {
                int m = 0;
                for (int i = 0; i < _count; i++)
                {
                    if (scalars[i].IsZero || TOps.IsInfinity(points[i]))
                    {
                        continue;
                    }
                    points[m] = points[i];
                    Pippenger<TAff, TJac, TOps>.RecodeOne(scalars[i], recoded, m, offset);
                    m++;
                }
            }
            else
            {
                Recode(_scalars, digitStore, offset, n, threads);
            }
            _recoded = digitStore;
            _sums = new TJac[windows];
            _remaining = windows;
            Windows = windows;
        }
        _scalars = default;
        _releaseScalars?.Invoke();
        _prepareTicks = Stopwatch.GetTimestamp() - start;
        IsPrepared = true;
    }

    private static void Recode(ReadOnlyMemory<Fr> scalars, Fr[] digitStore, ulong[] offset, int n, int threads)
    {
        int chunk = Math.Max(1024, (n + threads - 1) / threads);
        int chunks = (n + chunk - 1) / chunk;
        void Range(int from, int to)
        {
            var s = scalars.Span;
            var recoded = MemoryMarshal.Cast<Fr, ulong>(digitStore.AsSpan());
            for (int i = from; i < to; i++)
            {
                Pippenger<TAff, TJac, TOps>.RecodeOne(s[i], recoded, i, offset);
            }
        }

        if (threads <= 1 || chunks == 1)
        {
            Range(0, n);
        }
        else
        {
            ParallelLoop.For(0, chunks, threads, i => Range(i * chunk, Math.Min(n, (i + 1) * chunk)));
        }
    }

    /// <inheritdoc />
    public void RunWindow(int w)
    {
        var points = _points ?? throw new InvalidOperationException($"MSM {Name} is not prepared, or has finished.");
        long start = Stopwatch.GetTimestamp();
        _sums[w] = Pippenger<TAff, TJac, TOps>.ProcessWindow(points, _n, MemoryMarshal.Cast<Fr, ulong>(_recoded.AsSpan()), w, _c);
        Interlocked.Add(ref _windowTicks, Stopwatch.GetTimestamp() - start);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Finish();
        }
    }

    private void Finish()
    {
        _result = Pippenger<TAff, TJac, TOps>.Combine(_sums, _c);
        if (_recoded is not null)
        {
            _digits?.Return(_recoded);
        }
        if (_points is not null)
        {
            _releasePoints?.Invoke(_points);
        }
        _points = null;
        _recoded = null;
        _done = true;
    }
}

/// <summary>
/// Runs several MSMs as one stream of units on a fixed set of threads, so no core idles at the end of each MSM (one
/// window left on one core) or while the next MSM's bases are read. Units are issued in the order: the prelude (if any),
/// prepare job 0, the windows of job 0 until <see cref="PrepareAhead"/> are left, prepare job 1, the rest of job 0's
/// windows, job 1's windows until a few are left, prepare job 2, and so on: a job's bases are read while the previous
/// job's last windows run, and usually only two jobs hold memory at once.
/// A job that <see cref="IMsmJob.NeedsPrelude"/> is prepared only once the prelude has finished.
/// </summary>
internal static class MsmScheduler
{
    /// <summary>Runs every job to completion (jobs already prepared skip that step).</summary>
    /// <param name="jobs">The jobs, in issue order.</param>
    /// <param name="threads">Worker threads (-1: all cores).</param>
    /// <param name="prelude">Work run on one of the threads first (the prover's QAP), alongside the first jobs.</param>
    /// <remarks>The first exception a unit throws stops the issue of units and is rethrown unchanged once the running
    /// units have returned.</remarks>
    public static void Run(IReadOnlyList<IMsmJob> jobs, int threads = -1, Action? prelude = null)
    {
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        var dispatcher = new Dispatcher(jobs, prelude);
        if (threads == 1)
        {
            dispatcher.Work();
        }
        else
        {
            ParallelLoop.For(0, threads, threads, _ => dispatcher.Work());
        }
        dispatcher.Failure?.Throw();
    }

    private enum UnitKind
    {
        None,
        Prelude,
        Prepare,
        Window,
    }

    /// <summary>Windows of the current job still to issue when the next job is prepared: late enough that the job
    /// before the current one has finished (so two jobs hold memory, not three), early enough that the preparation is
    /// done before the current job's windows run out.</summary>
    internal const int PrepareAhead = 4;

    private sealed class Dispatcher(IReadOnlyList<IMsmJob> jobs, Action? prelude)
    {
        private readonly object _gate = new();
        private int _prepIssued; // jobs whose preparation has been issued (or was done beforehand)
        private int _current; // job whose windows are being issued
        private int _nextWindow;
        private bool _preludeIssued = prelude is null;
        private bool _preludeDone = prelude is null;

        public ExceptionDispatchInfo? Failure { get; private set; }

        public void Work()
        {
            while (Next() is var (kind, job, window) && kind != UnitKind.None)
            {
                try
                {
                    switch (kind)
                    {
                        case UnitKind.Prelude:
                            prelude!();
                            lock (_gate)
                            {
                                _preludeDone = true;
                                Monitor.PulseAll(_gate);
                            }
                            break;
                        case UnitKind.Prepare:
                            job!.Prepare();
                            lock (_gate)
                            {
                                Monitor.PulseAll(_gate);
                            }
                            break;
                        default:
                            job!.RunWindow(window);
                            break;
                    }
                }
                catch (Exception e)
                {
                    lock (_gate)
                    {
                        Failure ??= ExceptionDispatchInfo.Capture(e);
                        Monitor.PulseAll(_gate);
                    }
                    return;
                }
            }
        }

        /// <summary>The next unit; <see cref="UnitKind.None"/> when none is left (or a unit failed).</summary>
        private (UnitKind Kind, IMsmJob? Job, int Window) Next()
        {
            lock (_gate)
            {
                while (true)
                {
                    if (Failure is not null || _current == jobs.Count)
                    {
                        return (UnitKind.None, null, 0);
                    }
                    if (!_preludeIssued)
                    {
                        _preludeIssued = true;
                        return (UnitKind.Prelude, null, 0);
                    }
                    var job = jobs[_current];
                    if (_prepIssued == _current)
                    {
                        if (job.NeedsPrelude && !_preludeDone && !job.IsPrepared)
                        {
                            Monitor.Wait(_gate); // its inputs are still being computed
                            continue;
                        }
                        _prepIssued++;
                        if (!job.IsPrepared)
                        {
                            return (UnitKind.Prepare, job, 0);
                        }
                    }
                    if (!job.IsPrepared)
                    {
                        Monitor.Wait(_gate); // its preparation runs on another thread
                        continue;
                    }
                    if (_nextWindow >= 1 && job.Windows - _nextWindow <= PrepareAhead && _prepIssued == _current + 1
                        && _prepIssued < jobs.Count && (_preludeDone || !jobs[_prepIssued].NeedsPrelude))
                    {
                        var next = jobs[_prepIssued++];
                        if (!next.IsPrepared)
                        {
                            return (UnitKind.Prepare, next, 0);
                        }
                    }
                    if (_nextWindow < job.Windows)
                    {
                        return (UnitKind.Window, job, _nextWindow++);
                    }
                    _current++;
                    _nextWindow = 0;
                }
            }
        }
    }
}

/// <summary>
/// A stack of reusable arrays of one length, handed out for any request up to it (thread-safe). The prover's MSMs take
/// their bases and digits from these instead of fresh arrays: a fresh array is page-faulted in (tens of microseconds per
/// page on some virtual machines) and, on the large-object heap, brings full collections closer.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
/// <param name="length">Length of every array (the most any user needs).</param>
internal sealed class ArrayStack<T>(int length)
{
    private readonly Stack<T[]> _free = new();

    /// <summary>An array of <c>length</c> elements (at least <paramref name="needed"/>); contents are stale.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="needed"/> exceeds the arrays' length.</exception>
    public T[] Rent(int needed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(needed, length);
        lock (_free)
        {
            if (_free.Count > 0)
            {
                return _free.Pop();
            }
        }
        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Takes an array back for reuse.</summary>
    public void Return(T[] array)
    {
        if (array.Length != length)
        {
            throw new ArgumentException($"array of {array.Length} elements returned to a stack of {length}-element arrays", nameof(array));
        }
        lock (_free)
        {
            _free.Push(array);
        }
    }
}
