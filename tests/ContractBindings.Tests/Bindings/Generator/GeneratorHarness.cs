using System.Collections.Immutable;
using System.Numerics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using ProverMarketChain.ContractBindings.Generator;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Generator;

/// <summary>An in-memory additional file.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

/// <summary>The outcome of running the generator on some artifacts and compiling the result.</summary>
internal sealed record GeneratorRun(
    GeneratorDriverRunResult Result,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> CompilationErrors)
{
    public string Source(string hintNameSuffix) =>
        Result.Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith(hintNameSuffix, StringComparison.Ordinal)).SourceText.ToString();

    public IReadOnlyList<string> HintNames => Result.Results.Single().GeneratedSources.Select(s => s.HintName).OrderBy(x => x, StringComparer.Ordinal).ToList();

    /// <summary>Emits the compilation and loads it into a collectible context; fails the test when it does not compile.</summary>
    public Assembly Load()
    {
        Assert.True(CompilationErrors.IsEmpty, "generated code does not compile:\n" + string.Join("\n", CompilationErrors));
        using var ms = new MemoryStream();
        var emit = Output.Emit(ms);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        ms.Position = 0;
        return new AssemblyLoadContext(Output.AssemblyName, isCollectible: true).LoadFromStream(ms);
    }

    /// <summary>Runs <c>Probe.RunAsync(IContractTransport)</c> from the extra source compiled with the bindings.</summary>
    public async Task<object?> RunProbeAsync(IContractTransport transport)
    {
        var type = Load().GetType("Probe", throwOnError: true)!;
        var task = (Task)type.GetMethod("RunAsync")!.Invoke(null, [transport])!;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }
}

/// <summary>Builds forge-shaped artifacts and runs <see cref="ContractBindingsGenerator"/> with CSharpGeneratorDriver.</summary>
internal static class GeneratorHarness
{
    private static int s_counter;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(IContractTransport).Assembly.Location));
        return [.. refs];
    });

    /// <summary>A forge artifact: abi, bytecode.object and metadata.settings.compilationTarget.</summary>
    public static string Artifact(string contract, string abiJson, string source = "contracts/src/Sample.sol", string bytecode = "0x6080604052")
        => "{\"abi\":" + abiJson + ",\"bytecode\":{\"object\":\"" + bytecode + "\",\"sourceMap\":\"\",\"linkReferences\":{}},"
           + "\"methodIdentifiers\":{},\"metadata\":{\"compiler\":{\"version\":\"0.8.30\"},\"language\":\"Solidity\","
           + "\"output\":{\"abi\":[],\"devdoc\":{\"kind\":\"dev\",\"methods\":{},\"version\":1},\"userdoc\":{\"kind\":\"user\",\"methods\":{},\"version\":1}},"
           + "\"settings\":{\"compilationTarget\":{\"" + source + "\":\"" + contract + "\"}}},\"id\":1}";

    public static GeneratorRun Run(IEnumerable<(string Path, string Text)> files, string? probeSource = null, GeneratorDriver? driver = null)
    {
        var trees = new List<SyntaxTree>();
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        if (probeSource is not null)
        {
            trees.Add(CSharpSyntaxTree.ParseText(probeSource, parse));
        }

        var compilation = CSharpCompilation.Create(
            "GeneratedBindings" + Interlocked.Increment(ref s_counter),
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        driver ??= CreateDriver(parse);
        driver = driver.AddAdditionalTexts([.. files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text))]);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return new GeneratorRun(driver.GetRunResult(), output, diagnostics, errors);
    }

    public static GeneratorDriver CreateDriver(CSharpParseOptions? parse = null) =>
        CSharpGeneratorDriver.Create(
            [new ContractBindingsGenerator().AsSourceGenerator()],
            parseOptions: parse ?? new CSharpParseOptions(LanguageVersion.Latest),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
}

/// <summary>A transport that records calldata and answers from delegates; no network.</summary>
public sealed class RecordingTransport : IContractTransport
{
    public List<(Address? To, byte[] Data, BigInteger Value)> Sent { get; } = [];

    public List<(Address To, byte[] Data)> Calls { get; } = [];

    public Func<byte[], byte[]> OnCall { get; set; } = _ => [];

    public Func<byte[], TransactionReceipt>? OnSend { get; set; }

    public Address From { get; } = Address.Parse("0x00000000000000000000000000000000000000aa");

    public Task<byte[]> CallAsync(Address to, byte[] data, CancellationToken cancellationToken = default)
    {
        Calls.Add((to, data));
        return Task.FromResult(OnCall(data));
    }

    public Task<TransactionReceipt> SendTransactionAsync(Address? to, byte[] data, BigInteger value, CancellationToken cancellationToken = default)
    {
        Sent.Add((to, data, value));
        return Task.FromResult(OnSend?.Invoke(data) ?? Receipt(to is null ? Address.Parse("0x00000000000000000000000000000000000000c1") : null));
    }

    public Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LogEntry>>([]);

    public static TransactionReceipt Receipt(Address? created, params LogEntry[] logs) =>
        new(new byte[32], 1, new byte[32], true, 21000, BigInteger.One, created, logs);
}
