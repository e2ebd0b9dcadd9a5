using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Node;

/// <summary>Where a request's preflight stands.</summary>
internal enum PreflightStatus
{
    /// <summary>Running, or waiting out a backoff after a transient failure: ask again later.</summary>
    Pending,
    /// <summary>The input matches its hash, satisfies the circuit and yields the request's public inputs.</summary>
    Passed,
    /// <summary>The input is at fault for good (hash mismatch, oversized, refused URI, unsatisfiable, wrong public inputs).</summary>
    Rejected,
}

/// <summary>A preflight's outcome as the reconciler sees it.</summary>
/// <param name="Status">Where it stands.</param>
/// <param name="Reason">Why it was rejected, or the last transient failure while pending.</param>
internal readonly record struct PreflightVerdict(PreflightStatus Status, string? Reason);

/// <summary>
/// Checks a request before the worker commits to it in any way (a bid, a lock, an acceptance, a race): fetches the
/// input (bounded in size and time by <see cref="InputFetcher"/>), checks its hash, computes the witness and checks
/// that it satisfies the circuit and that its public signals are the request's public inputs. It runs in the
/// background, never in the reconciliation of another request: at most <see cref="MaxFetches"/> fetches at once (each
/// bounded in time, so a stalling server holds a slot only until its deadline) and at most <see cref="MaxWitnesses"/>
/// witnesses (CPU work a flood of requests could otherwise exhaust); a stalled fetch never holds a witness slot. A transient failure is retried with exponential backoff;
/// the caller gives up at its own deadline. A passed input is kept on disk (in a private directory), not in memory,
/// for the proof; the verdict is kept per request.
/// </summary>
internal sealed class Preflight
{
    private const int MaxFetches = 8;
    private const int MaxWitnesses = 2;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly InputFetcher _inputs;
    private readonly ProofEngine _engine;
    private readonly ILogger _log;
    private readonly string _dir;
    private readonly SemaphoreSlim _fetchSlots = new(MaxFetches, MaxFetches);
    private readonly SemaphoreSlim _witnessSlots = new(MaxWitnesses, MaxWitnesses);
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    private sealed class Entry
    {
        public Task? Running;
        public PreflightVerdict Verdict = new(PreflightStatus.Pending, null);
        public DateTime RetryAt;
        public DateTime DecidedAt;
        public int Failures;
    }

    /// <param name="inputs">Fetches inputs.</param>
    /// <param name="engine">Computes witnesses.</param>
    /// <param name="directory">Where passed inputs are kept (created 0700).</param>
    /// <param name="log">Logger.</param>
    public Preflight(InputFetcher inputs, ProofEngine engine, string directory, ILogger log)
    {
        _inputs = inputs;
        _engine = engine;
        _log = log;
        _dir = directory;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_dir);
            return;
        }
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var info = new DirectoryInfo(_dir);
        if (info.Exists && info.LinkTarget is not null)
            throw new InvalidOperationException($"the inputs folder '{_dir}' is a symbolic link; it must be a private folder of the worker's user");
        Directory.CreateDirectory(_dir, Private);
        // Inputs may be requesters' private witness data: the folder is the worker's alone, whatever it was before.
        if (File.GetUnixFileMode(_dir) != Private) File.SetUnixFileMode(_dir, Private);
    }

    /// <summary>Deletes kept inputs (and unfinished writes) of requests no longer followed, e.g. after a crash.</summary>
    public void Sweep(IEnumerable<string> followedRequestIds)
    {
        var keep = followedRequestIds.Select(PathOf).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_dir))
        {
            if (keep.Contains(file)) continue;
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    /// <summary>Requests whose preflight is running now (for the status endpoint).</summary>
    public int Running => _entries.Values.Count(e => e.Running is { IsCompleted: false });

    /// <summary>
    /// Requests the worker is about to promise: their preflight is running (the cheap checks passed), or passed less than
    /// <paramref name="recent"/> ago (the bid, lock or acceptance follows on the next step).
    /// </summary>
    public IReadOnlyList<string> Imminent(TimeSpan recent)
    {
        var since = DateTime.UtcNow - recent;
        return _entries.Where(kv => kv.Value.Running is { IsCompleted: false }
            || (kv.Value.Verdict.Status == PreflightStatus.Passed && kv.Value.DecidedAt >= since)).Select(kv => kv.Key).ToList();
    }

    /// <summary>
    /// The request's verdict; starts (or, after a transient failure's backoff, restarts) the preflight in the background
    /// when none is running. Never waits for I/O.
    /// </summary>
    public PreflightVerdict Check(TrackedRequest r, Request req, CancellationToken ct)
    {
        var e = _entries.GetOrAdd(r.RequestId, _ => new Entry());
        lock (e)
        {
            if (e.Verdict.Status != PreflightStatus.Pending) return e.Verdict;
            if (e.Running is { IsCompleted: false } || DateTime.UtcNow < e.RetryAt) return e.Verdict;
            e.Running = Task.Run(() => RunAsync(r, req, e, ct), CancellationToken.None);
            return e.Verdict;
        }
    }

    /// <summary>The input of a request whose preflight passed, or null when it is not (or no longer) kept.</summary>
    public byte[]? Input(string requestId)
    {
        var path = PathOf(requestId);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <summary>Drops everything kept for a request the worker stops following.</summary>
    public void Forget(string requestId)
    {
        _entries.TryRemove(requestId, out _);
        try { File.Delete(PathOf(requestId)); } catch (IOException) { }
    }

    private string PathOf(string requestId) => Path.Combine(_dir, requestId.Replace("0x", "", StringComparison.Ordinal) + ".input");

    private async Task RunAsync(TrackedRequest r, Request req, Entry e, CancellationToken ct)
    {
        PreflightVerdict verdict;
        bool transient = false;
        try
        {
            verdict = await CheckInputAsync(r, req, e, ct).ConfigureAwait(false);
        }
        catch (InputUnavailableException ex)
        {
            transient = true;
            verdict = new PreflightVerdict(PreflightStatus.Pending, ex.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not the input's fault (node missing, disk full...): retry like a transient failure.
            transient = true;
            verdict = new PreflightVerdict(PreflightStatus.Pending, "preflight failed: " + ex.Message);
        }

        lock (e)
        {
            e.Verdict = verdict;
            e.DecidedAt = DateTime.UtcNow;
            if (transient)
            {
                e.Failures++;
                var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, e.Failures)));
                e.RetryAt = DateTime.UtcNow + delay;
                _log.LogWarning("Request {Id}: input unavailable ({Reason}); retrying in {Delay} s", r.RequestId, verdict.Reason, delay.TotalSeconds);
            }
        }
    }

    private async Task<PreflightVerdict> CheckInputAsync(TrackedRequest r, Request req, Entry entry, CancellationToken ct)
    {
        byte[] input;
        await _fetchSlots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            input = await _inputs.FetchAsync(r.Input, r.InputUri, req.InputHash, ct).ConfigureAwait(false);
        }
        catch (InputRejectedException ex)
        {
            return new PreflightVerdict(PreflightStatus.Rejected, ex.Message);
        }
        finally
        {
            _fetchSlots.Release();
        }
        BigInteger[] signals;
        await _witnessSlots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            signals = await _engine.PublicSignalsAsync(r.CircuitId, input, ct).ConfigureAwait(false);
        }
        catch (ProvingFormatException ex)
        {
            return new PreflightVerdict(PreflightStatus.Rejected, "the input does not satisfy the circuit: " + ex.Message);
        }
        finally
        {
            _witnessSlots.Release();
        }
        if (!PublicInputs.Hash(signals).AsSpan().SequenceEqual(req.PublicInputsHash))
            return new PreflightVerdict(PreflightStatus.Rejected, "the witness's public signals do not match the request's publicInputsHash");
        var path = PathOf(r.RequestId);
        var tmp = path + ".tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var file = new FileStream(tmp, options))
                await file.WriteAsync(input, ct).ConfigureAwait(false);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
        // Forgotten while it ran (the request closed): keep nothing for it.
        if (!_entries.TryGetValue(r.RequestId, out var current) || !ReferenceEquals(current, entry)) File.Delete(path);
        return new PreflightVerdict(PreflightStatus.Passed, null);
    }
}
