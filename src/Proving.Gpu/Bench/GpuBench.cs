using System.Diagnostics;
using System.Runtime.InteropServices;
using ILGPU.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;
using ArithmeticBench = ProverMarketChain.Proving.Msm.ArithmeticBench;
using CpuMsm = ProverMarketChain.Proving.Msm.Msm;

namespace ProverMarketChain.Proving.Gpu.Bench;

/// <summary>A G1 MSM timed on the device and on the CPU in the same run, with both results compared.</summary>
/// <param name="Log2Points">log2 of the number of points.</param>
/// <param name="BasesUploadMs">Uploading the bases (once per proving key, so outside the MSM time).</param>
/// <param name="DeviceMs">Median device MSM, including the scalars' upload and the result's download.</param>
/// <param name="CpuMs">Median CPU MSM (src/Proving, every core).</param>
/// <param name="Equal">Whether the two results are the same point.</param>
public sealed record GpuMsmBenchResult(int Log2Points, double BasesUploadMs, double DeviceMs, double CpuMs, bool Equal);

/// <summary>Proves of one synthetic circuit on the device and on the CPU in the same run.</summary>
/// <param name="Log2Constraints">log2 of the QAP domain (2^k − 2 constraints).</param>
/// <param name="SetupMs">Writing the development key (not part of either prove).</param>
/// <param name="FirstDeviceMs">The first device prove, which uploads the key.</param>
/// <param name="DeviceMs">Median device prove with the key resident.</param>
/// <param name="CpuMs">Median CPU prove.</param>
/// <param name="DevicePhases">The last device prove's phases.</param>
public sealed record GpuProveBenchResult(int Log2Constraints, double SetupMs, double FirstDeviceMs, double DeviceMs, double CpuMs,
    IReadOnlyList<(string Phase, TimeSpan Time)> DevicePhases);

/// <summary>
/// <c>pmc bench --device gpu|ilgpu-cpu</c>: the GPU path against the CPU prover in the same process and run, so the
/// ratios compare like with like. The proves use <see cref="SyntheticCircuit"/> keys (a device machine has no circom, and
/// a 2^20 ceremony takes hours on two cores); both provers self-verify every proof.
/// </summary>
public sealed class GpuBench : IDisposable
{
    private readonly GpuContext _context;
    private readonly ILogger _logger;

    /// <summary>Opens the device for <paramref name="backend"/>.</summary>
    /// <exception cref="GpuUnavailableException">A GPU was asked for and there is none.</exception>
    public GpuBench(GpuBackend backend, ILogger? logger = null)
    {
        _context = GpuContext.Create(backend);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The device, as ILGPU names it.</summary>
    public string DeviceName => $"{_context.Device.Kind} '{_context.Device.Name}'";

    /// <summary>G1 MSM of 2^<paramref name="log2"/> random points and scalars, <paramref name="runs"/> times each after a warm-up.</summary>
    public GpuMsmBenchResult Msm(int log2, int runs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        int n = 1 << log2;
        G1Affine[] points = ArithmeticBench.GenerateG1Points(n);
        Fr[] scalars = ArithmeticBench.GenerateScalars(n);
        var acc = _context.Accelerator;
        using var stream = acc.CreateStream();
        using var msm = new SortedBucketMsm(_context);
        var upload = Stopwatch.StartNew();
        using var bases = GpuG1Bases.Upload(_context, points, stream);
        stream.Synchronize();
        double uploadMs = upload.Elapsed.TotalMilliseconds;
        using var deviceScalars = acc.Allocate1D<GpuFr>(n);
        G1Jacobian Device()
        {
            deviceScalars.View.CopyFromCPU(stream, MemoryMarshal.Cast<Fr, GpuFr>(scalars));
            return msm.MultiExp(bases, 0, deviceScalars.View, stream);
        }

        G1Jacobian gpuResult = Device(); // compiles and warms the kernels
        CpuMsm.MultiExp(points.AsSpan(0, Math.Min(n, 4096)), scalars.AsSpan(0, Math.Min(n, 4096))); // JIT warm-up
        var deviceTimes = new List<double>();
        var cpuTimes = new List<double>();
        G1Jacobian cpuResult = default;
        for (int r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            gpuResult = Device();
            deviceTimes.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            cpuResult = CpuMsm.MultiExp(points, scalars);
            cpuTimes.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new GpuMsmBenchResult(log2, uploadMs, Median(deviceTimes), Median(cpuTimes), gpuResult.ToAffine() == cpuResult.ToAffine());
    }

    /// <summary>Proves a 2^<paramref name="log2"/> synthetic circuit on the device and on the CPU, <paramref name="runs"/> times each.</summary>
    /// <param name="log2">log2 of the domain.</param>
    /// <param name="runs">Timed proves per prover (after the device's first, which uploads the key).</param>
    /// <param name="workDirectory">Where the key is written (deleted by the caller).</param>
    public GpuProveBenchResult Prove(int log2, int runs, string workDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        var circuit = SyntheticCircuit.Create(log2);
        string path = Path.Combine(workDirectory, $"synthetic_2e{log2}.zkey");
        var sw = Stopwatch.StartNew();
        circuit.WriteDevelopmentKey(path);
        double setupMs = sw.Elapsed.TotalMilliseconds;
        using var zkey = ZkeyFile.Open(path);
        using var device = new GpuGroth16Prover(_context, _logger);
        var cpu = new Groth16Prover(_logger);

        sw.Restart();
        device.Prove(zkey, circuit.Witness);
        double firstMs = sw.Elapsed.TotalMilliseconds;
        cpu.Prove(zkey, circuit.Witness); // warm-up: the CPU prover's first prove pays for JIT and page faults
        var deviceTimes = new List<double>();
        var cpuTimes = new List<double>();
        Groth16ProveResult? last = null;
        for (int r = 0; r < runs; r++)
        {
            sw.Restart();
            last = device.Prove(zkey, circuit.Witness);
            deviceTimes.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            cpu.Prove(zkey, circuit.Witness);
            cpuTimes.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new GpuProveBenchResult(log2, setupMs, firstMs, Median(deviceTimes), Median(cpuTimes), last!.Timings);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }

    /// <inheritdoc />
    public void Dispose() => _context.Dispose();
}
