using ILGPU;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Ntt;
using ProverMarketChain.Proving.Ntt;
using Xunit.Abstractions;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The device NTT, inverse NTT and odd-coset step give exactly what the CPU <see cref="EvaluationDomain"/> gives.
/// Each size runs with the largest shared-memory block the CPU accelerator allows (2^5), with small ones (so the
/// one-launch-per-stage kernels run too) and with the accelerator's default.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class GpuNttTests(IlgpuCpuFixture fx, ITestOutputHelper output)
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 1, 10 }, { 2, 10 }, { 5, 10 }, { 10, 10 }, { 2, 1 }, { 5, 2 }, { 10, 3 }, { 10, Default },
    };

    /// <summary>Cap meaning "the public constructor" (the accelerator's default block).</summary>
    internal const int Default = 0;

    internal static GpuDomain Domain(IlgpuCpuFixture fx, int log2, int maxLocalLog) =>
        maxLocalLog == Default ? new GpuDomain(fx.Context, log2) : new GpuDomain(fx.Context, log2, maxLocalLog);

    private enum Op { Forward, Inverse, OddCoset }

    private Fr[] OnDevice(GpuDomain domain, Fr[] input, Op op)
    {
        Accelerator acc = fx.Context.Accelerator;
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> buffer = acc.Allocate1D(GpuFr.FromCpu(input));
        AcceleratorStream stream = acc.DefaultStream;
        switch (op)
        {
            case Op.Forward: domain.Forward(buffer.View, stream); break;
            case Op.Inverse: domain.Inverse(buffer.View, stream); break;
            default: domain.ToOddCoset(buffer.View, stream); break;
        }
        stream.Synchronize();
        return buffer.GetAsArray1D().Select(x => x.ToCpu()).ToArray();
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Forward_inverse_and_odd_coset_equal_the_cpu_evaluation_domain_for_random_inputs(int log2, int maxLocalLog)
    {
        using var domain = Domain(fx, log2, maxLocalLog);
        var cpu = new EvaluationDomain(log2, 1);
        Fr[] x = TestValues.Frs(1 << log2, 100 + log2);
        foreach (Op op in Enum.GetValues<Op>())
        {
            Fr[] expected = (Fr[])x.Clone();
            switch (op)
            {
                case Op.Forward: cpu.Forward(expected); break;
                case Op.Inverse: cpu.Inverse(expected); break;
                default: cpu.ToOddCoset(expected); break;
            }
            Assert.Equal(expected, OnDevice(domain, x, op));
        }
        output.WriteLine($"2^{log2}: shared-memory block 2^{domain.LocalLog}, {domain.Bytes} bytes of tables");
    }

    [Theory]
    [InlineData(6, 10)]
    [InlineData(9, 2)]
    public void Inverse_of_forward_is_the_identity(int log2, int maxLocalLog)
    {
        using var domain = Domain(fx, log2, maxLocalLog);
        Fr[] x = TestValues.Frs(1 << log2, 7);
        Fr[] y = OnDevice(domain, x, Op.Forward);
        Assert.NotEqual(x, y);
        Assert.Equal(x, OnDevice(domain, y, Op.Inverse));
    }

    [Fact]
    public void Forward_of_a_constant_polynomial_is_constant_and_of_x_is_the_roots()
    {
        // An oracle independent of EvaluationDomain: 5 -> 5 everywhere; X -> w^i (Fr.RootOfUnity).
        using var domain = new GpuDomain(fx.Context, 4, 3);
        var constant = new Fr[16];
        constant[0] = Fr.FromBigInteger(5);
        Assert.All(OnDevice(domain, constant, Op.Forward), v => Assert.Equal(Fr.FromBigInteger(5), v));
        var identity = new Fr[16];
        identity[1] = Fr.One;
        Fr w = Fr.RootOfUnity(4), p = Fr.One;
        Fr[] roots = OnDevice(domain, identity, Op.Forward);
        for (int i = 0; i < 16; i++, p *= w)
        {
            Assert.Equal(p, roots[i]);
        }
    }

    [Fact]
    public void Views_of_another_length_are_refused_naming_both_lengths()
    {
        using var domain = new GpuDomain(fx.Context, 4);
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> buffer = fx.Context.Accelerator.Allocate1D<GpuFr>(15);
        AcceleratorStream stream = fx.Context.Accelerator.DefaultStream;
        foreach (Action call in new Action[]
                 {
                     () => domain.Forward(buffer.View, stream), () => domain.Inverse(buffer.View, stream),
                     () => domain.ToOddCoset(buffer.View, stream),
                 })
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Contains("16", e.Message, StringComparison.Ordinal);
            Assert.Contains("15", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(29)]
    [InlineData(-1)]
    public void Log2_sizes_outside_one_to_28_are_refused_naming_the_range_and_the_two_adicity(int log2)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GpuDomain(fx.Context, log2));
        Assert.Contains("[1, 28]", e.Message, StringComparison.Ordinal);
        Assert.Contains("2-adicity", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernels_are_compiled_once_per_accelerator_not_per_domain()
    {
        using var first = new GpuDomain(fx.Context, 3);
        using var second = new GpuDomain(fx.Context, 7);
        using var qap = new GpuQap(fx.Context);
        Assert.Equal(TimeSpan.Zero, second.KernelCompileTime);
        Assert.Equal(TimeSpan.Zero, qap.KernelCompileTime);
        output.WriteLine($"first domain compile {first.KernelCompileTime.TotalMilliseconds:F0} ms (0 if an earlier test compiled); " +
                         $"2^7 domain set-up {second.SetupTime.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public void A_disposed_domain_refuses_work()
    {
        var domain = new GpuDomain(fx.Context, 2);
        domain.Dispose();
        using MemoryBuffer1D<GpuFr, Stride1D.Dense> buffer = fx.Context.Accelerator.Allocate1D<GpuFr>(4);
        Assert.Throws<ObjectDisposedException>(() => domain.Forward(buffer.View, fx.Context.Accelerator.DefaultStream));
    }
}
