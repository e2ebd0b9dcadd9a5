using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>Builds the prover for a <see cref="ProverDevice"/> setting.</summary>
public static class ProverBackends
{
    /// <summary>
    /// The prover for <paramref name="device"/>: <c>cpu</c> the CPU prover; <c>gpu</c> the kernels on a CUDA (else OpenCL)
    /// GPU, failing with <see cref="GpuUnavailableException"/> when there is none; <c>ilgpu-cpu</c> the kernels on ILGPU's
    /// CPU accelerator; <c>auto</c> a CUDA GPU when there is one (with the CPU prover behind it should the GPU fail),
    /// otherwise the CPU prover. Dispose the result when it is <see cref="IDisposable"/>.
    /// </summary>
    /// <param name="device">The setting.</param>
    /// <param name="logger">Prover log.</param>
    /// <param name="maxDegreeOfParallelism">The CPU prover's parallelism (-1 = all cores).</param>
    /// <param name="gpuKeyBudgetBytes">Device memory for resident proving keys (0 = three quarters of the device's).</param>
    /// <exception cref="GpuUnavailableException"><c>gpu</c> on a machine without one (the message says what ILGPU saw).</exception>
    public static IGroth16Backend Create(ProverDevice device, ILogger logger, int maxDegreeOfParallelism = -1, long gpuKeyBudgetBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(logger);
        switch (device)
        {
            case ProverDevice.Cpu:
                return new Groth16Prover(logger, maxDegreeOfParallelism);
            case ProverDevice.Gpu:
                return new GpuGroth16Prover(GpuContext.Create(GpuBackend.Gpu), logger, gpuKeyBudgetBytes, ownsContext: true);
            case ProverDevice.IlgpuCpu:
                return new GpuGroth16Prover(GpuContext.Create(GpuBackend.IlgpuCpu), logger, gpuKeyBudgetBytes, ownsContext: true);
            case ProverDevice.Auto:
                var cuda = GpuContext.TryCreateCuda();
                if (cuda is null)
                {
                    logger.LogInformation("--device auto: no CUDA device, proving on the CPU");
                    return new Groth16Prover(logger, maxDegreeOfParallelism);
                }
                logger.LogInformation("--device auto: proving on {Device}", cuda.Device.Name);
                return new FallbackGroth16Backend(new GpuGroth16Prover(cuda, logger, gpuKeyBudgetBytes, ownsContext: true),
                    new Groth16Prover(logger, maxDegreeOfParallelism), logger);
            default:
                throw new ArgumentOutOfRangeException(nameof(device), device, "unknown prover device");
        }
    }
}
