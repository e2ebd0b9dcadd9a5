using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>Device names, the backend each setting builds, and <c>auto</c>'s fallback to the CPU prover.</summary>
public sealed class ProverBackendTests
{
    [Theory]
    [InlineData("cpu", ProverDevice.Cpu)]
    [InlineData("gpu", ProverDevice.Gpu)]
    [InlineData("ilgpu-cpu", ProverDevice.IlgpuCpu)]
    [InlineData("AUTO", ProverDevice.Auto)]
    [InlineData(" auto ", ProverDevice.Auto)]
    public void Parse_acceptsEachName(string text, ProverDevice expected)
    {
        Assert.Equal(expected, ProverDevices.Parse(text));
        Assert.Equal(expected, ProverDevices.Parse(ProverDevices.Name(expected)));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("")]
    [InlineData("ilgpu")]
    [InlineData(null)]
    public void Parse_refusesOtherNames_listingTheValidOnes(string? text)
    {
        var e = Assert.Throws<ArgumentException>(() => ProverDevices.Parse(text));
        Assert.Contains("cpu, gpu, ilgpu-cpu, auto", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_gpu_withoutAGpu_failsSayingThereIsNone()
    {
        using var probe = GpuContext.TryCreateGpu();
        if (probe is not null)
        {
            return; // this machine has a GPU: the refusal cannot happen here (the device run covers the other branch)
        }

        var e = Assert.Throws<GpuUnavailableException>(() => ProverBackends.Create(ProverDevice.Gpu, NullLogger.Instance));
        Assert.Contains("no CUDA device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_auto_withoutCuda_isTheCpuProver()
    {
        using var cuda = GpuContext.TryCreateCuda();
        var backend = ProverBackends.Create(ProverDevice.Auto, NullLogger.Instance);
        try
        {
            if (cuda is null) Assert.IsType<Groth16Prover>(backend);
            else Assert.IsType<FallbackGroth16Backend>(backend);
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Create_ilgpuCpu_isTheGpuPathOnTheCpuAccelerator()
    {
        var backend = ProverBackends.Create(ProverDevice.IlgpuCpu, NullLogger.Instance);
        try
        {
            var gpu = Assert.IsType<GpuGroth16Prover>(backend);
            Assert.Contains("Cpu", gpu.Description, StringComparison.Ordinal);
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Fallback_deviceFault_provesOnTheCpu()
    {
        using var zkey = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File("multiplier", "multiplier.wtns"));
        using var backend = new FallbackGroth16Backend(new FailingBackend(new InvalidOperationException("CUDA_ERROR_ILLEGAL_ADDRESS")),
            new Groth16Prover(NullLogger.Instance), NullLogger.Instance);

        var result = backend.Prove(zkey, witness);

        Assert.Equal(1, backend.Fallbacks);
        Assert.True(Groth16Verifier.Verify(new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC()),
            result.PublicSignals, result.Proof));
    }

    [Fact]
    public void Fallback_wrongGpuResult_provesOnTheCpu()
    {
        using var zkey = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File("multiplier", "multiplier.wtns"));
        var failed = new Groth16Exception("proof fails verification") { SelfVerificationFailed = true };
        using var backend = new FallbackGroth16Backend(new FailingBackend(failed), new Groth16Prover(NullLogger.Instance), NullLogger.Instance);

        backend.Prove(zkey, witness);

        Assert.Equal(1, backend.Fallbacks);
    }

    [Fact]
    public void Fallback_witnessErrorsAndCancellation_areNotRetried()
    {
        using var zkey = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        Fr[] witness = WtnsFile.Read(BuiltCircuits.File("multiplier", "multiplier.wtns"));
        var counting = new CountingBackend();
        using var constraint = new FallbackGroth16Backend(new FailingBackend(new Groth16Exception("witness violates constraint 0", 0)), counting, NullLogger.Instance);
        using var cancelled = new FallbackGroth16Backend(new FailingBackend(new OperationCanceledException()), counting, NullLogger.Instance);

        Assert.Throws<Groth16Exception>(() => constraint.Prove(zkey, witness));
        Assert.Throws<OperationCanceledException>(() => cancelled.Prove(zkey, witness));

        Assert.Equal(0, counting.Calls);
        Assert.Equal(0, constraint.Fallbacks + cancelled.Fallbacks);
    }

    private sealed class FailingBackend(Exception error) : IGroth16Backend
    {
        public string Description => "failing test backend";

        public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
            CancellationToken cancellationToken = default) => throw error;
    }

    private sealed class CountingBackend : IGroth16Backend
    {
        public int Calls { get; private set; }

        public string Description => "counting test backend";

        public Groth16ProveResult Prove(ZkeyFile zkey, Fr[] witness, R1csFile? r1cs = null, IProgress<string>? progress = null,
            CancellationToken cancellationToken = default)
        {
            Calls++;
            throw new InvalidOperationException("the fallback must not be called");
        }
    }
}
