using ProverMarketChain.Cli;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Cli.Tests.Commands;

/// <summary>
/// <c>pmc prove --device</c>: a missing GPU is an error that says so, <c>auto</c> falls back to the CPU prover, the GPU
/// kernels on ILGPU's CPU accelerator give proofs that verify, and a bad device name is a usage error.
/// </summary>
public sealed class ProveDeviceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-prove-device-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Built(string name) => Path.Combine(RepoPaths.Root(), "circuits", "build", "multiplier", name);

    private PmcRun.Result Prove(params string[] extra) =>
        PmcRun.Invoke([
            "prove", Built("multiplier.zkey"), Built("multiplier.wtns"), Path.Combine(_dir, "proof.json"), Path.Combine(_dir, "public.json"),
            .. extra,
        ]);

    private PmcRun.Result Verify() =>
        PmcRun.Invoke("verify", Built("verification_key.json"), Path.Combine(_dir, "public.json"), Path.Combine(_dir, "proof.json"));

    private static bool MachineHasGpu()
    {
        using var gpu = GpuContext.TryCreateGpu();
        return gpu is not null;
    }

    [SkippableFact]
    public void DeviceGpu_withoutAGpu_saysThereIsNone_andWritesNoProof()
    {
        Skip.If(MachineHasGpu(), "this machine has a GPU: --device gpu proves instead of failing");

        var r = Prove("--device", "gpu");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("pmc prove: error: A GPU was requested but ILGPU found no CUDA device", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "proof.json")));
    }

    [SkippableFact]
    public void DeviceAuto_withoutCuda_provesOnTheCpu()
    {
        using (var cuda = GpuContext.TryCreateCuda())
        {
            Skip.If(cuda is not null, "this machine has a CUDA device: auto proves on it");
        }

        var r = Prove("--device", "auto");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--device auto: no CUDA device found, proving on the cpu", r.Err, StringComparison.Ordinal);
        Assert.Equal(0, Verify().ExitCode);
    }

    [Fact]
    public void DeviceIlgpuCpu_provesThroughTheGpuKernels_andTheProofVerifies()
    {
        var r = Prove("--device", "ilgpu-cpu");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("proving on Cpu", r.Err, StringComparison.Ordinal);
        var v = Verify();
        Assert.Equal(0, v.ExitCode);
        Assert.Contains("OK", v.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceCpu_isThePlainProver_andSaysWhereItProves()
    {
        var r = Prove("--device", "cpu");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("proving on cpu", r.Err, StringComparison.Ordinal);
        Assert.Equal(0, Verify().ExitCode);
    }

    [Fact]
    public void NoDevice_printsNothingNew()
    {
        var r = Prove();

        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("proving on", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("GPU0")]
    [InlineData("")]
    public void UnknownDevice_isAUsageErrorListingTheChoices(string device)
    {
        var r = Prove("--device", device);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--device: '{device}' is not one of cpu, gpu, ilgpu-cpu, auto", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "proof.json")));
    }

    [Fact]
    public void BenchDeviceIlgpuCpu_comparesWithTheCpuProver_inOneRun()
    {
        var r = PmcRun.Invoke("bench", "--device", "ilgpu-cpu", "--msm-log2", "8", "--prove-log2", "6", "--runs", "1");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("not a GPU figure", r.Out, StringComparison.Ordinal);
        Assert.Matches(@"G1 MSM\s+2\^8\s+[\d.]+\s+[\d.]+\s+[\d.]+x .*results equal", r.Out);
        Assert.Matches(@"prove \(synthetic\)\s+2\^6\s+[\d.]+\s+[\d.]+\s+[\d.]+x", r.Out);
    }

    [Theory]
    [InlineData("--device", "cpu")]
    [InlineData("--device", "auto")]
    public void BenchDevice_withoutAGpuPath_isAUsageError(params string[] args)
    {
        var r = PmcRun.Invoke(["bench", .. args]);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("give gpu or ilgpu-cpu", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchProveLog2_outOfRange_isNamed()
    {
        var r = PmcRun.Invoke("bench", "--device", "ilgpu-cpu", "--prove-log2", "16,30");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--prove-log2: '30' in '16,30' is not a whole number from 2 to 24", r.Err, StringComparison.Ordinal);
    }
}
