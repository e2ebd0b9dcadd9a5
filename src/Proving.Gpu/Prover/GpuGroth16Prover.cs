using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Ntt;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>
/// Groth16 on an ILGPU accelerator (a CUDA/OpenCL GPU, or ILGPU's CPU accelerator for tests): the proving key's points
/// stay on the device between proofs (<see cref="GpuProvingKeyCache"/>); per proof the witness is copied up once, the
/// H polynomial is computed by the NTT kernels and its scalars never leave the device, and the five MSMs run as
/// sorted-bucket kernels. On a GPU three streams overlap: B2's G2 MSM, the QAP (host accumulation, copies, NTTs) and the
/// G1 MSMs. The witness checks, randomisers, combination and self-verification are the CPU prover's
/// (<see cref="Groth16Assembly"/>), so a wrong kernel result is refused rather than published.
/// Proofs are serialised (one at a time per device).
/// </summary>
public sealed class GpuGroth16Prover : IGroth16Backend, IDisposable
{
    private readonly GpuContext _context;
    private readonly bool _ownsContext;
    private readonly ILogger _logger;
    private readonly SortedBucketMsm _g1;
    private readonly SortedBucketMsm _g2;
    private readonly GpuQap _qap;
    private readonly AcceleratorStream _g1Stream;
    private readonly AcceleratorStream _g2Stream;
    private readonly AcceleratorStream _qapStream;
    private readonly bool _concurrent;
    private readonly Lock _gate = new();
    private GpuProverWorkspace? _workspace;

    /// <summary>Compiles the kernels on <paramref name="context"/>'s accelerator.</summary>
    /// <param name="context">The device.</param>
    /// <param name="logger">Progress and upload log.</param>
    /// <param name="keyBudgetBytes">Device memory for resident proving keys; 0 = three quarters of the device's memory.</param>
    /// <param name="ownsContext">Dispose <paramref name="context"/> with the prover.</param>
    public GpuGroth16Prover(GpuContext context, ILogger? logger = null, long keyBudgetBytes = 0, bool ownsContext = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            ArgumentOutOfRangeException.ThrowIfNegative(keyBudgetBytes);
            _context = context;
            _ownsContext = ownsContext;
            _logger = logger ?? NullLogger.Instance;
            var acc = context.Accelerator;
            // ILGPU's CPU accelerator already spreads each kernel over every core; launching from several host threads
            // there buys nothing, so it runs the same steps one after another.
            _concurrent = acc.AcceleratorType != AcceleratorType.CPU;
            _g1 = new SortedBucketMsm(context);
            _g2 = new SortedBucketMsm(context);
            _qap = new GpuQap(context);
            _g1Stream = acc.CreateStream();
            _g2Stream = acc.CreateStream();
            _qapStream = acc.CreateStream();
            long budget = keyBudgetBytes > 0 ? keyBudgetBytes : Math.Max(1L << 20, acc.MemorySize / 4 * 3);
            Keys = new GpuProvingKeyCache(context, budget, _logger);
        }
        catch
        {
            // Whatever was built before the failure (a bad budget, a kernel that does not compile) is freed, and so is
            // a context handed over with ownsContext: the caller has no prover to dispose.
            _g1?.Dispose();
            _g2?.Dispose();
            _qap?.Dispose();
            _g1Stream?.Dispose();
            _g2Stream?.Dispose();
            _qapStream?.Dispose();
            if (ownsContext) context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Description => $"{_context.Device.Kind} '{_context.Device.Name}' (ILGPU)";

    /// <summary>The MSMs of the last proof, for tests that hold each one to the CPU's.</summary>
    internal Groth16Msms? LastMsms { get; private set; }

    /// <summary>Tests only: alters the MSMs before the combination (a kernel fault), to exercise self-verification.</summary>
    internal Func<Groth16Msms, Groth16Msms>? CorruptMsmsForTests { get; set; }

    /// <summary>The proving keys resident on the device.</summary>
    public GpuProvingKeyCache Keys { get; }

    /// <inheritdoc />
    public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        ArgumentNullException.ThrowIfNull(witness);
        lock (_gate)
        {
            using var bound = _context.Accelerator.BindScoped();
            return ProveSerialised(zkey, witness, r1cs, progress, cancellationToken, retried: false);
        }
    }

    private Groth16ProveResult ProveSerialised(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs, IProgress<string>? progress, CancellationToken cancellationToken,
        bool retried)
    {
        var clock = new ProvePhaseClock(progress, cancellationToken);

        if (Groth16Assembly.CheckWitness(zkey, witness, r1cs)) clock.Mark("r1cs check");
        var key = Keys.Get(zkey, _qapStream, out bool uploaded);
        if (uploaded) clock.Mark("proving key to device (once per key)");

        int nVars = zkey.NVars, n = zkey.DomainSize, nPublic = zkey.NPublic;
        var ws = _workspace = GpuProverWorkspace.For(_workspace, _context.Accelerator, nVars, n);
        // The randomisers, their multiples of δ and the proof-independent half of the verification are host work.
        var assembly = Task.Run(() => new Groth16Assembly(zkey, witness), cancellationToken);

        witness.AsSpan().CopyTo(ws.HostWitnessFr);
        ws.Witness.View.CopyFromPageLockedAsync(_g1Stream, ws.HostWitness);
        _g1Stream.Synchronize();
        ArrayView<GpuFr> w = ws.Witness.View;
        clock.Mark("witness to device");

        TimeSpan g2Time = default, qapTime = default, g1Time, hTime;
        G1Jacobian a, b1, c, hSum;
        G2Jacobian b2Sum;
        Task<G2Jacobian>? b2 = null;
        Task<bool>? h = null;
        try
        {
            b2 = Start(() =>
            {
                long t = Stopwatch.GetTimestamp();
                var r = _g2.MultiExp(key.B2, 0, w, _g2Stream);
                g2Time = Stopwatch.GetElapsedTime(t);
                return r;
            });
            h = Start(() =>
            {
                long t = Stopwatch.GetTimestamp();
                zkey.AccumulateQap(witness, ws.HostAFr, ws.HostBFr);
                ws.A.View.CopyFromPageLockedAsync(_qapStream, ws.HostA);
                ws.B.View.CopyFromPageLockedAsync(_qapStream, ws.HostB);
                _qap.ComputeH(key.Domain, ws.A.View, ws.B.View, ws.C.View, _qapStream);
                _qapStream.Synchronize();
                qapTime = Stopwatch.GetElapsedTime(t);
                return true;
            });

            long g1Start = Stopwatch.GetTimestamp();
            a = _g1.MultiExp(key.A, 0, w, _g1Stream);
            b1 = _g1.MultiExp(key.B1, 0, w, _g1Stream);
            // No private wire (every wire public): the C section is empty, and a view starting at the witness's end is
            // out of range for ILGPU (an index assertion that ends the process), so the sum is infinity without a launch.
            int nPrivate = nVars - nPublic - 1;
            c = nPrivate == 0 ? G1Jacobian.Infinity : _g1.MultiExp(key.C, 0, w.SubView(nPublic + 1, nPrivate), _g1Stream);
            g1Time = Stopwatch.GetElapsedTime(g1Start);
            h.GetAwaiter().GetResult();
            long hStart = Stopwatch.GetTimestamp();
            hSum = _g1.MultiExp(key.H, 0, ws.A.View, _g1Stream);
            hTime = Stopwatch.GetElapsedTime(hStart);
            b2Sum = b2.GetAwaiter().GetResult();
        }
        finally
        {
            // Nothing may still run on the workspace or the key when the lock is released (a failed MSM, a cancel).
            WaitQuietly(b2);
            WaitQuietly(h);
        }
        clock.Mark(_concurrent ? "QAP + MSMs on three streams" : "QAP + MSMs (one after another on the CPU accelerator)");
        clock.Add("  MSMs A, B1, C (G1)", g1Time);
        clock.Add("  QAP: host accumulation, copies, H by NTTs on the odd coset", qapTime);
        clock.Add("  MSM H (G1, scalars left on the device)", hTime);
        clock.Add("  MSM B2 (G2)", g2Time);

        var asm = assembly.GetAwaiter().GetResult();
        var msms = new Groth16Msms(a, b1, b2Sum, c, hSum);
        LastMsms = msms;
        if (CorruptMsmsForTests is { } corrupt) msms = corrupt(msms);
        var proof = asm.Combine(msms);
        clock.Mark("combine");
        try
        {
            asm.Verify(proof);
        }
        catch (Groth16Exception) when (!key.MatchesFile(zkey))
        {
            // The device copy is not this file's (a key rewritten in place with the same fingerprint, or device memory
            // corrupted): free it and prove once more on a fresh upload. A witness that does not satisfy the circuit
            // leaves the key matching, so it fails here without making the prover re-read its key.
            Keys.Evict(key);
            if (retried) throw;
            return ProveSerialised(zkey, witness, r1cs: null, progress, cancellationToken, retried: true);
        }
        clock.Mark("self-verify");
        return new Groth16ProveResult(proof, asm.PublicSignalIntegers(), clock.Timings);
    }

    private static void WaitQuietly(Task? task)
    {
        try
        {
            task?.Wait();
        }
        catch (AggregateException)
        {
            // Its exception is observed where its result is read; this wait only makes sure it has finished.
        }
    }

    /// <summary>Runs <paramref name="work"/> on a host thread bound to the accelerator, or inline on the CPU accelerator.</summary>
    private Task<T> Start<T>(Func<T> work)
    {
        if (!_concurrent)
        {
            return Task.FromResult(work());
        }
        var acc = _context.Accelerator;
        return Task.Factory.StartNew(() =>
        {
            using var bound = acc.BindScoped();
            return work();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _workspace?.Dispose();
            Keys.Dispose();
            _g1.Dispose();
            _g2.Dispose();
            _qap.Dispose();
            _g1Stream.Dispose();
            _g2Stream.Dispose();
            _qapStream.Dispose();
            if (_ownsContext) _context.Dispose();
        }
    }
}
