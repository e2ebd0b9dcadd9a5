using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Proving.Groth16;

/// <summary>
/// Times a prove's phases for <see cref="Groth16ProveResult.Timings"/>, whatever backend runs it: each
/// <see cref="Mark"/> records the time since the previous one, tells <c>progress</c> and checks the cancellation token
/// (phase boundaries are where a proof nobody needs any more stops).
/// </summary>
/// <param name="progress">Told the name of each phase as it completes.</param>
/// <param name="cancellationToken">Checked at each mark.</param>
/// <param name="memoryLog">When given and at Debug, each mark also logs the managed heap and working set.</param>
public sealed class ProvePhaseClock(IProgress<string>? progress, CancellationToken cancellationToken, ILogger? memoryLog = null)
{
    private readonly Stopwatch _sw = Stopwatch.StartNew();
    private readonly List<(string Phase, TimeSpan Time)> _timings = [];

    /// <summary>The phases so far, in the order marked.</summary>
    public IReadOnlyList<(string Phase, TimeSpan Time)> Timings => _timings;

    /// <summary>Ends a phase: records it, reports it, then throws if the proof was cancelled.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public void Mark(string phase)
    {
        _timings.Add((phase, _sw.Elapsed));
        progress?.Report(phase);
        cancellationToken.ThrowIfCancellationRequested();
        if (memoryLog is not null && memoryLog.IsEnabled(LogLevel.Debug))
        {
            memoryLog.LogDebug("{Phase}: {Ms:F1} ms (managed heap {Heap:F1} MiB, working set {Ws:F1} MiB)", phase, _sw.Elapsed.TotalMilliseconds,
                GC.GetTotalMemory(false) / 1048576.0, Environment.WorkingSet / 1048576.0);
        }
        _sw.Restart();
    }

    /// <summary>Records a sub-phase measured elsewhere (no report, no cancellation check).</summary>
    public void Add(string phase, TimeSpan time) => _timings.Add((phase, time));
}
