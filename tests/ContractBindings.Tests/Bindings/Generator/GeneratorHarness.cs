using System.Collections.Immutable;
using System.Numerics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using ProverMarketChain.ContractBindings.Generator;
using ProverMarketChain.ContractBindings.Primitives;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.JsonRpc.Client.RpcMessages;
using Nethereum.RPC.Accounts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.TransactionManagers;
using Newtonsoft.Json.Linq;
using ProverMarketChain.ContractBindings.Rpc;
using TransactionReceipt = Nethereum.RPC.Eth.DTOs.TransactionReceipt;

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

    /// <summary>Runs <c>Probe.RunAsync(IWeb3)</c> from the extra source compiled with the bindings.</summary>
    public async Task<object?> RunProbeAsync(FakeNode node)
    {
        var type = Load().GetType("Probe", throwOnError: true)!;
        var task = (Task)type.GetMethod("RunAsync")!.Invoke(null, [node.Web3])!;
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
        refs.AddRange(tpa.Where(p => Path.GetFileName(p).StartsWith("Nethereum.", StringComparison.Ordinal)
                || Path.GetFileName(p).StartsWith("Newtonsoft.", StringComparison.Ordinal)
                || Path.GetFileName(p).StartsWith("BouncyCastle.", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
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

/// <summary>
/// A Nethereum <c>Web3</c> over no network: <c>eth_call</c> is answered by <see cref="OnCall"/> (which may throw a revert),
/// gas estimates are fixed, and transactions are recorded and "mined" at once by a recording transaction manager.
/// </summary>
public sealed class FakeNode : ClientBase
{
    public FakeNode()
    {
        Manager = new RecordingManager(this);
        Web3 = new Nethereum.Web3.Web3(Manager.Account, this);
    }

    public Nethereum.Web3.IWeb3 Web3 { get; }

    public RecordingManager Manager { get; }

    public List<(string? To, byte[] Data)> Calls { get; } = [];

    public Func<byte[], byte[]> OnCall { get; set; } = _ => [];

    public override Task<RpcResponseMessage> SendAsync(RpcRequestMessage request, string? route = null)
    {
        var ps = (object[])request.RawParameters;
        object result = request.Method switch
        {
            "eth_call" => Call((CallInput)ps[0]),
            "eth_estimateGas" => "0x5208",
            "eth_chainId" => "0x7a69",
            "eth_getCode" => "0x6001",
            "eth_getTransactionReceipt" => Manager.ReceiptFor((string)ps[0]),
            _ => throw new NotSupportedException(request.Method),
        };
        return Task.FromResult(new RpcResponseMessage(request.Id, JToken.FromObject(result)));
    }

    protected override Task<RpcResponseMessage[]> SendAsync(RpcRequestMessage[] requests) => throw new NotSupportedException("batches");

    private string Call(CallInput input)
    {
        var data = Hex.Decode(input.Data);
        Calls.Add((input.To, data));
        return Hex.Encode(OnCall(data));
    }
}

/// <summary>Records what a contract service sends; each transaction is "mined" at once with a receipt (a creation gets 0x…c1).</summary>
public sealed class RecordingManager : TransactionManagerBase, ITransactionManager
{
    private readonly FakeNode _node;

    public RecordingManager(FakeNode node)
    {
        _node = node;
        Client = node;
        Account = new FakeAccount(this);
        EstimateOrSetDefaultGasIfNotSet = true;
        CalculateOrSetDefaultGasPriceFeesIfNotSet = false;
        TransactionReceiptService = new Nethereum.RPC.TransactionReceipts.TransactionReceiptPollingService(this, 1);
    }

    public List<(string? To, byte[] Data, BigInteger Value)> Sent { get; } = [];

    public override BigInteger DefaultGas { get; set; }

    public override Task<string> SendTransactionAsync(TransactionInput transactionInput)
    {
        Sent.Add((transactionInput.To, Hex.Decode(transactionInput.Data ?? "0x"), transactionInput.Value?.Value ?? BigInteger.Zero));
        return Task.FromResult("0x" + Sent.Count.ToString("x64", System.Globalization.CultureInfo.InvariantCulture));
    }

    public override Task<string> SignTransactionAsync(TransactionInput transaction) => throw new NotSupportedException();

    public override Task<Authorisation> SignAuthorisationAsync(Authorisation authorisation) => throw new NotSupportedException();

    Task<TransactionReceipt> ITransactionManager.SendTransactionAndWaitForReceiptAsync(TransactionInput input, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the contract handlers send, then poll the receipt service");

    /// <summary>The receipt the poll finds: status 1; a creation's contract at 0x…c1.</summary>
    internal TransactionReceipt ReceiptFor(string hash)
    {
        int index = int.Parse(hash[2..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) - 1;
        return new TransactionReceipt
        {
            TransactionHash = hash,
            Status = new HexBigInteger(1),
            BlockNumber = new HexBigInteger(1),
            ContractAddress = Sent[index].To is null ? "0x00000000000000000000000000000000000000c1" : null,
            Logs = [],
        };
    }

    private sealed class FakeAccount(RecordingManager manager) : IAccount
    {
        public string Address => "0x00000000000000000000000000000000000000aa";

        public ITransactionManager TransactionManager => manager;

        public Nethereum.RPC.NonceServices.INonceService? NonceService { get; set; }

        public Nethereum.RPC.AccountSigning.IAccountSigningService? AccountSigningService => null;
    }
}
