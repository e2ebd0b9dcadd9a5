using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Ntt;

/// <summary>
/// A domain of size 2^log2 on the device: twiddle tables (and the odd-coset powers) uploaded once and reused across
/// proofs. The transforms give exactly what <c>EvaluationDomain</c> gives (same roots <see cref="Fr.RootOfUnity"/>,
/// Montgomery form in and out); every method only enqueues work on the given stream and never synchronizes.
/// <para>
/// Forward: bit-reversal permutation, then the first stages in shared memory (one launch), then one launch per
/// remaining stage. Inverse: inverse DIF stages (natural in, bit-reversed out), the last ones in shared memory, then the
/// bit-reversal permutation fused with the 1/n scaling. Odd coset: inverse DIF, multiplication by the coset factors
/// (kept in bit-reversed order) and forward DIT, with no permutation; the middle (the last DIF stages, the factors and
/// the first DIT stages) is one shared-memory launch. Device memory: 32 bytes per element for the twiddles and 32 for
/// the coset factors.
/// </para>
/// </summary>
public sealed class GpuDomain : IDisposable
{
    /// <summary>Smallest supported log2 size.</summary>
    public const int MinLog2Size = 1;

    /// <summary>Largest supported log2 size: BN254's Fr has 2-adicity 28 (no 2^29-th root of unity).</summary>
    public const int MaxLog2Size = Fr.TwoAdicity;

    private readonly NttKernelSet _k;
    private readonly MemoryBuffer1D<GpuFr, Stride1D.Dense> _twiddles;
    private readonly MemoryBuffer1D<GpuFr, Stride1D.Dense>? _cosetFactors;
    private readonly GpuFr _sizeInverse;
    private bool _disposed;

    /// <summary>Compiles the kernels (or takes them from the accelerator's shared cache) and uploads the tables.</summary>
    /// <param name="context">The device.</param>
    /// <param name="log2Size">log2 of the domain size, in [1, 28].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="log2Size"/> is outside [1, 28].</exception>
    public GpuDomain(GpuContext context, int log2Size)
        : this(context, log2Size, maxLocalLog: null)
    {
    }

    /// <summary>As the public constructor, with the shared-memory block capped at 2^<paramref name="maxLocalLog"/>
    /// (and the device's group size) instead of the accelerator's default (<see cref="NttKernelSet.DefaultLocalLog"/>):
    /// tests use large caps to run the shared-memory stages on the CPU accelerator and small ones so that small domains
    /// also run the one-launch-per-stage kernels.</summary>
    internal GpuDomain(GpuContext context, int log2Size, int? maxLocalLog)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (log2Size < MinLog2Size || log2Size > MaxLog2Size)
        {
            throw new ArgumentOutOfRangeException(nameof(log2Size), log2Size,
                $"Domain log2 size must be in [{MinLog2Size}, {MaxLog2Size}] (BN254's Fr has 2-adicity {Fr.TwoAdicity}); got {log2Size}.");
        }
        if (maxLocalLog is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLocalLog), maxLocalLog, "The shared-memory block must be at least 2^1.");
        }
        long start = Stopwatch.GetTimestamp();
        _k = NttKernelSet.For(context.Accelerator, out bool loaded);
        KernelCompileTime = loaded ? _k.CompileTime : TimeSpan.Zero;
        Log2Size = log2Size;
        Size = 1 << log2Size;
        LocalLog = Math.Min(log2Size, Math.Min(maxLocalLog ?? _k.DefaultLocalLog, _k.MaxLocalLog));
        Accelerator accelerator = context.Accelerator;
        _sizeInverse = GpuFr.FromCpu(Fr.FromBigInteger(Size).Inverse());
        _twiddles = accelerator.Allocate1D(GpuFr.FromCpu(NttTables.StageTwiddles(Fr.RootOfUnity(log2Size), Size)));
        try
        {
            _cosetFactors = log2Size < Fr.TwoAdicity ? accelerator.Allocate1D(GpuFr.FromCpu(NttTables.OddCosetFactors(log2Size))) : null;
        }
        catch
        {
            _twiddles.Dispose();
            throw;
        }
        SetupTime = Stopwatch.GetElapsedTime(start);
    }

    /// <summary>log2 of <see cref="Size"/>.</summary>
    public int Log2Size { get; }

    /// <summary>Number of points n.</summary>
    public int Size { get; }

    /// <summary>Device memory held by the tables, in bytes.</summary>
    public long Bytes => _twiddles.LengthInBytes + (_cosetFactors?.LengthInBytes ?? 0);

    /// <summary>The device memory a domain of 2^<paramref name="log2Size"/> holds (<see cref="Bytes"/> before creating it).</summary>
    public static long BytesFor(int log2Size)
    {
        long n = 1L << log2Size;
        long frBytes = System.Runtime.CompilerServices.Unsafe.SizeOf<GpuFr>();
        return (Math.Max(2, n) + (log2Size < Fr.TwoAdicity ? n : 0)) * frBytes;
    }

    /// <summary>Time this instance spent compiling kernels: zero when another domain or <see cref="GpuQap"/> on the
    /// same accelerator already had.</summary>
    public TimeSpan KernelCompileTime { get; }

    /// <summary>Whole constructor time (kernels if compiled here, tables computed on the host and uploaded).</summary>
    public TimeSpan SetupTime { get; }

    /// <summary>log2 of the shared-memory block: stages with half length below 2^LocalLog run in one launch.</summary>
    internal int LocalLog { get; }

    internal Accelerator Accelerator => _k.Accelerator;

    /// <summary>Coefficients -> evaluations at w^0 .. w^(n-1), in place (as <c>EvaluationDomain.Forward</c>).</summary>
    /// <exception cref="ArgumentException">The view's length is not <see cref="Size"/>, or the stream is another accelerator's.</exception>
    public void Forward(ArrayView<GpuFr> values, AcceleratorStream stream)
    {
        Check(values, stream, nameof(values));
        _k.BitReverse(stream, _k.Threads(Size), values, values, values, Log2Size, default, 0, Size, _k.Threads(Size));
        Local(values, values, values, 1, NttKernels.ModeDit, stream);
        DitGlobal(values, values, values, 1, stream);
    }

    /// <summary>Evaluations at w^0 .. w^(n-1) -> coefficients, in place (as <c>EvaluationDomain.Inverse</c>).</summary>
    /// <exception cref="ArgumentException">The view's length is not <see cref="Size"/>, or the stream is another accelerator's.</exception>
    public void Inverse(ArrayView<GpuFr> values, AcceleratorStream stream)
    {
        Check(values, stream, nameof(values));
        DifGlobal(values, values, values, 1, stream);
        Local(values, values, values, 1, NttKernels.ModeDifInverse, stream);
        _k.BitReverse(stream, _k.Threads(Size), values, values, values, Log2Size, _sizeInverse, 1, Size, _k.Threads(Size));
    }

    /// <summary>Evaluations on the n-th roots w^i -> evaluations on the odd 2n-th roots w_{2n} w^i, in place (as
    /// <c>EvaluationDomain.ToOddCoset</c>: inverse NTT, coefficient i times w_{2n}^i / n, forward NTT).</summary>
    /// <exception cref="ArgumentException">The view's length is not <see cref="Size"/>, or the stream is another accelerator's.</exception>
    /// <exception cref="InvalidOperationException">The domain has the maximal size 2^28 (no 2n-th root exists).</exception>
    public void ToOddCoset(ArrayView<GpuFr> evaluations, AcceleratorStream stream)
    {
        Check(evaluations, stream, nameof(evaluations));
        OddCosets(evaluations, evaluations, evaluations, 1, stream);
    }

    /// <summary><see cref="ToOddCoset(ArrayView{GpuFr}, AcceleratorStream)"/> of three arrays in the same launches
    /// (they overlap on the device). Lengths are the caller's to check.</summary>
    internal void ToOddCosets(ArrayView<GpuFr> a, ArrayView<GpuFr> b, ArrayView<GpuFr> c, AcceleratorStream stream) =>
        OddCosets(a, b, c, 3, stream);

    /// <summary>Throws unless <paramref name="values"/> has the domain's size and <paramref name="stream"/> is on the domain's accelerator.</summary>
    internal void Check(ArrayView<GpuFr> values, AcceleratorStream stream, string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        if (values.Length != Size)
        {
            throw new ArgumentException($"Domain of size {Size} got a view of {values.Length} elements.", name);
        }
        if (stream.Accelerator != _k.Accelerator)
        {
            throw new ArgumentException("The stream belongs to another accelerator than the domain's.", nameof(stream));
        }
    }

    private void OddCosets(ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2, int arrays, AcceleratorStream stream)
    {
        if (_cosetFactors is null)
        {
            throw new InvalidOperationException($"No 2n-th root of unity exists for n = 2^{Log2Size}: the odd coset needs a domain below 2^{Fr.TwoAdicity}.");
        }
        DifGlobal(x0, x1, x2, arrays, stream);
        Local(x0, x1, x2, arrays, NttKernels.ModeDifInverse | NttKernels.ModeScale | NttKernels.ModeDit, stream);
        DitGlobal(x0, x1, x2, arrays, stream);
    }

    /// <summary>Inverse DIF stages with half lengths n/2 .. 2^LocalLog, one launch each.</summary>
    private void DifGlobal(ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2, int arrays, AcceleratorStream stream)
    {
        int count = arrays * (Size / 2), threads = _k.Threads(count);
        for (int hl = Log2Size - 1; hl >= LocalLog; hl--)
        {
            _k.DifInverseStage(stream, threads, x0, x1, x2, _twiddles.View, Log2Size, hl, count, threads);
        }
    }

    /// <summary>Forward DIT stages with half lengths 2^LocalLog .. n/2, one launch each.</summary>
    private void DitGlobal(ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2, int arrays, AcceleratorStream stream)
    {
        int count = arrays * (Size / 2), threads = _k.Threads(count);
        for (int hl = LocalLog; hl < Log2Size; hl++)
        {
            _k.DitStage(stream, threads, x0, x1, x2, _twiddles.View, Log2Size, hl, count, threads);
        }
    }

    private void Local(ArrayView<GpuFr> x0, ArrayView<GpuFr> x1, ArrayView<GpuFr> x2, int arrays, int mode, AcceleratorStream stream)
    {
        int blocks = arrays << (Log2Size - LocalLog), groupSize = 1 << (LocalLog - 1);
        var config = new KernelConfig(_k.Groups(blocks, groupSize), groupSize);
        ArrayView<GpuFr> factors = _cosetFactors?.View ?? _twiddles.View;
        _k.LocalStages(stream, config, x0, x1, x2, _twiddles.View, factors, Log2Size, LocalLog, mode, blocks);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _twiddles.Dispose();
        _cosetFactors?.Dispose();
    }
}
