using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Worker.Tests;

/// <summary>The worker's speed self-benchmark measures the prover it will use: a GPU backend by proving, the CPU by its MSM.</summary>
public sealed class CalibrationTests
{
    [Fact]
    public void Calibrate_gpuBackend_timesRealProves()
    {
        var counting = new CountingBackend(new GpuGroth16Prover(GpuContext.Create(GpuBackend.IlgpuCpu), NullLogger.Instance, ownsContext: true));
        try
        {
            double speed = WorkerHost.CalibrateByProving(NullLogger.Instance, counting, log2: 6);

            Assert.Equal(2, counting.Proofs); // the first uploads the key; the second is timed
            Assert.True(speed > 0 && double.IsFinite(speed), $"speed {speed}");
        }
        finally
        {
            counting.Dispose();
        }
    }

    [Fact]
    public void Calibrate_cpuProver_givesAFiniteSpeedFromTheMsmSelfBenchmark()
    {
        double speed = WorkerHost.CalibrateUnitsPerSecond(NullLogger.Instance, new Groth16Prover());

        Assert.True(speed > 0 && double.IsFinite(speed));
    }

    private sealed class CountingBackend(GpuGroth16Prover inner) : IGroth16Backend, IDisposable
    {
        public int Proofs { get; private set; }

        public string Description => inner.Description;

        public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
            CancellationToken cancellationToken = default)
        {
            var result = inner.Prove(zkey, witness, r1cs, progress, cancellationToken);
            Proofs++;
            return result;
        }

        public void Dispose() => inner.Dispose();
    }
}
