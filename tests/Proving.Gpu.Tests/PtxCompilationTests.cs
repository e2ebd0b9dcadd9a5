using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Ntt;
using ProverMarketChain.Proving.Gpu.Runtime;
using Xunit.Abstractions;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>
/// Every kernel the GPU backend loads, compiled by ILGPU's PTX (CUDA) backend for the H100 without a GPU: the code
/// generator a CudaAccelerator runs when it loads a kernel, with the GPU contexts' settings (O2, full inlining,
/// ILGPU.Algorithms). PTX compiled is not PTX run: the driver's JIT and the kernels' behaviour on the device stay
/// unverified.
/// </summary>
public sealed class PtxCompilationTests(PtxCompilerFixture fixture, ITestOutputHelper output) : IClassFixture<PtxCompilerFixture>
{
    /// <summary>The catalogue without the G2 curve's kernels, which <see cref="PtxCompilationG2Tests"/> compiles on another
    /// thread (they are most of the compile time: a G2 MSM kernel's PTX runs to megabytes).</summary>
    public static TheoryData<string> CatalogKernels() => new(KernelCatalog.All.Where(k => !PtxCompilationG2Tests.IsG2(k)).Select(k => k.Name));

    public static TheoryData<string> AlgorithmKernels() => new(RadixSortKernels.All.Select(k => k.Name));

    [Theory]
    [MemberData(nameof(CatalogKernels))]
    public void Every_catalogued_kernel_compiles_to_ptx_for_the_h100(string name)
    {
        KernelEntry kernel = KernelCatalog.All.Single(k => k.Name == name);
        string ptx = fixture.Compile(kernel, output);
        AssertLoadablePtx(ptx, kernel.Method.Name);
    }

    [Fact]
    public void The_shared_memory_ntt_kernel_keeps_its_shared_block_and_barriers_in_ptx()
    {
        KernelEntry kernel = KernelCatalog.All.Single(k => k.Method.Name == nameof(NttKernels.LocalStages));
        Assert.Equal(KernelGrouping.Explicit, kernel.Grouping);
        string ptx = fixture.Compile(kernel, output);
        // 2^MaxLocalLog GpuFr of 32 bytes, static shared memory; one barrier after the load, each stage and the scaling.
        Assert.Matches(@"\.shared \.align \d+ \.b8 \w+\[" + ((1 << NttKernels.MaxLocalLog) * 32) + @"\]", ptx);
        Assert.True(Regex.Matches(ptx, @"\bbar\.sync\b").Count >= 4, "LocalStages' group barriers are missing from its PTX");
    }

    [Theory]
    [MemberData(nameof(AlgorithmKernels))]
    public void Ilgpu_algorithms_radix_sort_kernels_the_msm_uses_compile_to_ptx(string name)
    {
        KernelEntry kernel = RadixSortKernels.All.Single(k => k.Name == name);
        string ptx = fixture.Compile(kernel, output);
        AssertLoadablePtx(ptx, kernel.Method.Name);
    }

    [Fact]
    public void Catalog_lists_every_kernel_method_of_the_kernel_types_and_generic_ones_for_both_curves()
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;
        List<MethodInfo> declared = KernelCatalog.KernelTypes
            .SelectMany(t => t.GetMethods(Flags))
            .Where(m => m.ReturnType == typeof(void) && m.GetParameters() is [var first, ..] && IsKernelFirstParameter(first.ParameterType))
            .ToList();
        Assert.NotEmpty(declared);
        foreach (MethodInfo method in declared)
        {
            List<KernelEntry> entries = KernelCatalog.All
                .Where(k => (k.Method.IsGenericMethod ? k.Method.GetGenericMethodDefinition() : k.Method) == method)
                .ToList();
            if (method.IsGenericMethodDefinition)
            {
                Type[] ops = entries.Select(e => e.Method.GetGenericArguments()[^1]).ToArray();
                Assert.True(ops.Contains(typeof(G1CurveOps)) && ops.Contains(typeof(G2CurveOps)),
                    $"{method.DeclaringType!.Name}.{method.Name} must be catalogued for G1 and G2");
            }
            else
            {
                Assert.True(entries.Count == 1, $"{method.DeclaringType!.Name}.{method.Name} is a kernel missing from KernelCatalog");
            }
        }
        // Nothing catalogued twice, nothing catalogued that is not a declared kernel, and the grouping matches the
        // first parameter (an index: auto-grouped; otherwise explicitly grouped).
        Assert.Equal(KernelCatalog.All.Count, KernelCatalog.All.Select(k => k.Name).Distinct().Count());
        foreach (KernelEntry k in KernelCatalog.All)
        {
            MethodInfo definition = k.Method.IsGenericMethod ? k.Method.GetGenericMethodDefinition() : k.Method;
            Assert.Contains(definition, declared);
            bool indexed = k.Method.GetParameters()[0].ParameterType == typeof(Index1D);
            Assert.Equal(indexed ? KernelGrouping.Implicit : KernelGrouping.Explicit, k.Grouping);
        }
    }

    [Fact]
    public void A_kernel_ilgpu_cannot_compile_for_cuda_fails_the_ptx_compile()
    {
        // A class instance inside a kernel: the CPU accelerator runs it as .NET code, ILGPU's GPU backends refuse it.
        MethodInfo method = typeof(PtxCompilationTests).GetMethod(nameof(ClassInstanceKernel), BindingFlags.NonPublic | BindingFlags.Static)!;
        var kernel = new KernelEntry("PtxCompilationTests.ClassInstanceKernel", method, KernelGrouping.Implicit);
        Exception e = Assert.ThrowsAny<Exception>(() => fixture.Compile(kernel, output));
        output.WriteLine($"refused as expected: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
    }

    private static void ClassInstanceKernel(Index1D i, ArrayView<int> data)
    {
        var box = new StrongBox<int>(data[i]);
        data[i] = box.Value + 1;
    }

    private static bool IsKernelFirstParameter(Type t) =>
        t == typeof(Index1D) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ArrayView<>));

    internal static void AssertLoadablePtx(string ptx, string methodName)
    {
        Assert.False(string.IsNullOrWhiteSpace(ptx));
        Assert.Contains($".visible .entry Kernel_{methodName}(", ptx, StringComparison.Ordinal);
        Assert.Contains($".version {PtxKernelCompiler.H100InstructionSet}", ptx, StringComparison.Ordinal);
        Match target = Regex.Match(ptx, @"^\.target sm_(\d+)", RegexOptions.Multiline);
        Assert.True(target.Success, "no .target line");
        // PTX for sm_N runs on devices of compute capability >= N: anything up to sm_90 loads on an H100.
        Assert.InRange(int.Parse(target.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 50, 90);
        Assert.Contains(".address_size 64", ptx, StringComparison.Ordinal);
    }
}

/// <summary>
/// The G2 kernels of the catalogue compiled to PTX, as <see cref="PtxCompilationTests"/> does for the others: a separate
/// class, so xunit runs it beside that one with its own compiler (ILGPU's backend is not shared between threads).
/// </summary>
public sealed class PtxCompilationG2Tests(PtxCompilerFixture fixture, ITestOutputHelper output) : IClassFixture<PtxCompilerFixture>
{
    internal static bool IsG2(KernelEntry kernel) => kernel.Name.Contains("G2", StringComparison.Ordinal);

    public static TheoryData<string> G2Kernels() => new(KernelCatalog.All.Where(IsG2).Select(k => k.Name));

    [Theory]
    [MemberData(nameof(G2Kernels))]
    public void Every_catalogued_g2_kernel_compiles_to_ptx_for_the_h100(string name)
    {
        KernelEntry kernel = KernelCatalog.All.Single(k => k.Name == name);
        string ptx = fixture.Compile(kernel, output);
        PtxCompilationTests.AssertLoadablePtx(ptx, kernel.Method.Name);
    }
}

/// <summary>One PTX compiler (one ILGPU context) for the class; PTX cached per kernel name, compile times logged.</summary>
public sealed class PtxCompilerFixture : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _ptx = new();
    private readonly Lock _lock = new();

    internal PtxKernelCompiler Compiler { get; } = new(PtxKernelCompiler.H100, PtxKernelCompiler.H100InstructionSet);

    internal string Compile(KernelEntry kernel, ITestOutputHelper output)
    {
        lock (_lock)
        {
            if (_ptx.TryGetValue(kernel.Name, out string? cached))
            {
                return cached;
            }
            long start = Stopwatch.GetTimestamp();
            string ptx = Compiler.Compile(kernel);
            output.WriteLine($"{kernel.Name}: {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0} ms, {ptx.Length:N0} chars of PTX");
            _ptx[kernel.Name] = ptx;
            return ptx;
        }
    }

    public void Dispose() => Compiler.Dispose();
}

/// <summary>
/// The ILGPU.Algorithms kernels behind <c>CreateRadixSortPairs&lt;uint, Dense, uint, Dense, Ascending16Bits|24Bits&gt;</c>
/// on a CUDA accelerator (ILGPU.Algorithms 1.5.3's RadixSortExtensions and ScanExtensions), found by reflection on that
/// library's internal kernels: gather and scatter of (key, value) pairs, radix pass 2 per key width, and the single-pass
/// inclusive scan. Not compiled here: radix pass 1 (its group size is a <c>SpecializedValue</c> that sizes its shared
/// memory, so ILGPU only compiles it per launch configuration, through an accelerator) and the initializer (a memset
/// kernel defined by a lambda).
/// </summary>
internal static class RadixSortKernels
{
    private const BindingFlags Flags = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    public static IReadOnlyList<KernelEntry> All { get; } = Build();

    private static List<KernelEntry> Build()
    {
        Assembly algorithms = typeof(RadixSortExtensions).Assembly;
        Type Internal(string name) => algorithms.GetType(name, throwOnError: true)!;
        Type dense = typeof(Stride1D.Dense);
        Type pair = Internal("ILGPU.Algorithms.RadixSortExtensions+RadixSortPair`2").MakeGenericType(typeof(uint), typeof(uint));
        Type specialization = Internal("ILGPU.Algorithms.RadixSortExtensions+Specialization4");
        Type sequencer = Internal("ILGPU.Algorithms.Sequencers.ViewSourceSequencer`2").MakeGenericType(typeof(uint), dense);
        Type inclusive = Internal("ILGPU.Algorithms.ScanExtensions+InclusiveScanImplementation`2").MakeGenericType(typeof(int), typeof(AddInt32));
        MethodInfo Kernel(Type type, string name) => type.GetMethod(name, Flags)
            ?? throw new MissingMethodException(type.FullName, name);

        var list = new List<KernelEntry>
        {
            new("RadixSortExtensions.GatherRadixSortPairsKernel",
                Kernel(typeof(RadixSortExtensions), "GatherRadixSortPairsKernel").MakeGenericMethod(typeof(uint), dense, typeof(uint), sequencer),
                KernelGrouping.Implicit),
            new("RadixSortExtensions.ScatterRadixSortPairsKernel",
                Kernel(typeof(RadixSortExtensions), "ScatterRadixSortPairsKernel").MakeGenericMethod(typeof(uint), dense, typeof(uint), dense),
                KernelGrouping.Implicit),
            new("ScanExtensions.SinglePassScanKernel[inclusive int]",
                Kernel(typeof(ScanExtensions), "SinglePassScanKernel").MakeGenericMethod(typeof(int), dense, dense, typeof(AddInt32), inclusive),
                KernelGrouping.Explicit),
        };
        foreach (Type keyBits in new[] { typeof(Ascending16Bits), typeof(Ascending24Bits) })
        {
            Type operation = Internal("ILGPU.Algorithms.RadixSortExtensions+RadixSortPairsOperation`3")
                .MakeGenericType(typeof(uint), typeof(uint), keyBits);
            list.Add(new($"RadixSortExtensions.RadixSortKernel2[{keyBits.Name}]",
                Kernel(typeof(RadixSortExtensions), "RadixSortKernel2").MakeGenericMethod(pair, dense, dense, operation, specialization),
                KernelGrouping.Explicit));
        }
        return list;
    }
}
