using System.Numerics;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Generator;

public sealed class GeneratorTests
{
    private const string Ns = "ProverMarketChain.ContractBindings.Contracts";

    private const string Leg = """[{"name":"venue","type":"address","internalType":"address"},{"name":"data","type":"bytes","internalType":"bytes"}]""";

    private static readonly string OrderComponents =
        $$"""[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"legs","type":"tuple[]","internalType":"struct Book.Leg[]","components":{{Leg}}},{"name":"flags","type":"uint8[3]","internalType":"uint8[3]"}]""";

    private static readonly string BookAbi = $$"""
        [{"type":"function","name":"place","stateMutability":"view",
          "inputs":[{"name":"orders","type":"tuple[]","internalType":"struct Book.Order[]","components":{{OrderComponents}}},
                    {"name":"pairs","type":"tuple[2]","internalType":"struct Book.Leg[2]","components":{{Leg}}}],
          "outputs":[{"name":"count","type":"uint256","internalType":"uint256"},
                     {"name":"first","type":"tuple","internalType":"struct Book.Order","components":{{OrderComponents}}}]}]
        """;

    private const string Probe = """
        using System.Collections.Generic;
        using System.Numerics;
        using ProverMarketChain.ContractBindings.Contracts;
        using ProverMarketChain.ContractBindings.Primitives;
        using ProverMarketChain.ContractBindings.Rpc;
        public static class Probe
        {
            public static async System.Threading.Tasks.Task<object?> RunAsync(Nethereum.Web3.IWeb3 web3)
            {
        """;

    private const string ProbeEnd = """
            }
        }
        """;

    private const string LegA = "(0x0000000000000000000000000000000000000001,0x010203)";
    private const string LegB = "(0x0000000000000000000000000000000000000002,0x)";
    private const string OrderTuple = "(uint256,(address,bytes)[],uint8[3])";

    [Fact]
    public async Task Structs_and_nested_tuple_arrays_encode_calldata_and_decode_results_like_cast()
    {
        var probe = Probe + """
                var book = new BookService(web3, "0x00000000000000000000000000000000000000b0");
                var leg1 = new Leg("0x0000000000000000000000000000000000000001", new byte[] { 1, 2, 3 });
                var leg2 = new Leg("0x0000000000000000000000000000000000000002", new byte[0]);
                var order = new Order(7, new List<Leg> { leg1, leg2 }, new List<BigInteger> { 1, 2, 3 });
                BookService.PlaceOutputDTO r = await book.PlaceQueryAsync(new List<Order> { order }, new List<Leg> { leg1, leg2 });
                return r;
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Book.sol/Book.json", GeneratorHarness.Artifact("Book", BookAbi))], probe);
        Assert.Empty(run.GeneratorDiagnostics);

        var order = $"(7,[{LegA},{LegB}],[1,2,3])";
        var expectedCall = await Cast.RunAsync("calldata", $"place({OrderTuple}[],(address,bytes)[2])", $"[{order}]", $"[{LegA},{LegB}]");
        var answer = Hex.Decode(await Cast.RunAsync("abi-encode", $"f(uint256,{OrderTuple})", "2", order));
        var node = new FakeNode { OnCall = _ => answer };
        dynamic result = (await run.RunProbeAsync(node))!;
        Assert.Equal(expectedCall, Hex.Encode(Assert.Single(node.Calls).Data));
        Assert.Equal("0x00000000000000000000000000000000000000b0", node.Calls[0].To);
        Assert.Equal(new BigInteger(2), (BigInteger)result.Count);
        Assert.Equal(new BigInteger(7), (BigInteger)result.First.Id);
        Assert.Equal(2, (int)result.First.Legs.Count);
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])result.First.Legs[0].Data);
        Assert.Equal("0x0000000000000000000000000000000000000002", ((string)result.First.Legs[1].Venue).ToLowerInvariant());
        Assert.Equal(new BigInteger(3), (BigInteger)result.First.Flags[2]);
    }

    [Fact]
    public void An_array_of_arrays_of_structs_is_refused_since_nethereum_would_sign_it_wrongly()
    {
        var abi = BookAbi.Replace("\"tuple[2]\"", "\"tuple[2][]\"").Replace("struct Book.Leg[2]\"", "struct Book.Leg[2][]\"");
        var run = GeneratorHarness.Run([("out/Book.sol/Book.json", GeneratorHarness.Artifact("Book", abi))]);
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("PMC0003", d.Id);
        Assert.Contains("tuple[2][]", d.GetMessage());
        Assert.Empty(run.HintNames);
    }

    [Fact]
    public void A_struct_used_by_several_contracts_is_emitted_once_and_same_short_names_are_qualified()
    {
        const string point = """[{"name":"x","type":"uint256","internalType":"uint256"},{"name":"y","type":"uint256","internalType":"uint256"}]""";
        static string Abi(string owner) => $$"""
            [{"type":"function","name":"at","stateMutability":"pure",
              "inputs":[{"name":"p","type":"tuple","internalType":"struct Types.Point","components":{{point}}}],
              "outputs":[{"name":"","type":"tuple","internalType":"struct {{owner}}.Item","components":[{"name":"v","type":"bool","internalType":"bool"}]}]}]
            """;
        var run = GeneratorHarness.Run(
        [
            ("out/A.sol/A.json", GeneratorHarness.Artifact("A", Abi("A"), "contracts/src/A.sol")),
            ("out/B.sol/B.json", GeneratorHarness.Artifact("B", Abi("B"), "contracts/src/B.sol")),
        ]);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Equal(
            ["Contract.A.g.cs", "Contract.B.g.cs", "Struct.AItem.g.cs", "Struct.BItem.g.cs", "Struct.Point.g.cs"],
            run.HintNames);
        var asm = run.Load();
        var at = asm.GetType(Ns + ".BService")!.GetMethods().Single(m => m.Name == "AtQueryAsync" && m.GetParameters()[0].ParameterType == asm.GetType(Ns + ".Point"));
        Assert.Equal(typeof(Task<>).MakeGenericType(asm.GetType(Ns + ".BItem")!), at.ReturnType);
        // Nethereum's typed API: the function message, its output DTO, and the struct records with [Struct] and [Parameter].
        Assert.NotNull(asm.GetType(Ns + ".BService+AtFunction"));
        Assert.NotNull(asm.GetType(Ns + ".BService+AtOutputDTO"));
        Assert.Equal(typeof(Nethereum.Contracts.FunctionMessage), asm.GetType(Ns + ".BService+AtFunction")!.BaseType);
        Assert.Equal("Point", asm.GetType(Ns + ".Point")!.GetCustomAttribute<Nethereum.ABI.FunctionEncoding.Attributes.StructAttribute>()!.Name);
    }

    [Fact]
    public void A_struct_redefined_differently_is_reported()
    {
        static string Abi(string fields) => $$"""[{"type":"function","name":"f","stateMutability":"pure","inputs":[{"name":"p","type":"tuple","internalType":"struct Types.Point","components":{{fields}}}],"outputs":[]}]""";
        var run = GeneratorHarness.Run(
        [
            ("out/A.sol/A.json", GeneratorHarness.Artifact("A", Abi("""[{"name":"x","type":"uint256"}]"""), "contracts/src/A.sol")),
            ("out/B.sol/B.json", GeneratorHarness.Artifact("B", Abi("""[{"name":"x","type":"uint128"}]"""), "contracts/src/B.sol")),
        ]);
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("PMC0005", d.Id);
        Assert.Contains("Types.Point", d.GetMessage());
    }

    [Fact]
    public async Task Overloads_get_distinct_names_parameters_are_camel_case_and_keywords_are_escaped()
    {
        const string abi = """
            [{"type":"constructor","stateMutability":"payable","inputs":[{"name":"_fee","type":"uint256"},{"name":"name","type":"string"}]},
             {"type":"function","name":"submit","stateMutability":"nonpayable","inputs":[],"outputs":[]},
             {"type":"function","name":"submit","stateMutability":"nonpayable","inputs":[{"name":"id","type":"uint256"}],"outputs":[]},
             {"type":"function","name":"submit","stateMutability":"nonpayable","inputs":[{"name":"id","type":"uint256"},{"name":"proof","type":"bytes"}],"outputs":[]},
             {"type":"function","name":"transfer","stateMutability":"payable","inputs":[{"name":"to","type":"address"},{"name":"value","type":"uint256"}],"outputs":[]},
             {"type":"function","name":"get_value","stateMutability":"view","inputs":[{"name":"event","type":"uint256"},{"name":"class","type":"bool"},{"name":"","type":"int8"}],"outputs":[{"name":"","type":"int256"}]}]
            """;
        var probe = Probe + """
                var receipt = await NamesService.DeployContractAndWaitForReceiptAsync(web3, new NamesService.NamesDeployment { Fee = 5, Name = "x", AmountToSend = 3 });
                var n = new NamesService(web3, receipt.ContractAddress);
                await n.TransferRequestAndWaitForReceiptAsync("0x0000000000000000000000000000000000000009", 11, amountToSend: 2);
                return receipt;
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Names.sol/Names.json", GeneratorHarness.Artifact("Names", abi, bytecode: "0x60016002"))], probe);
        Assert.Empty(run.GeneratorDiagnostics);
        var type = run.Load().GetType(Ns + ".NamesService")!;
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "SubmitRequestAsync", "SubmitWithIdRequestAsync", "SubmitWithIdProofRequestAsync", "SubmitRequestAndWaitForReceiptAsync",
                "SubmitQueryAsync", "SubmitWithIdQueryAsync", "TransferRequestAsync", "TransferRequestAndWaitForReceiptAsync", "Get_valueQueryAsync",
            },
            methods);
        Assert.DoesNotContain("Get_valueRequestAsync", methods); // a view has no transaction
        var getValue = type.GetMethods().Single(m => m.Name == "Get_valueQueryAsync" && m.GetParameters().Length == 5);
        Assert.Equal(["event", "class", "arg2", "blockParameter", "cancellationToken"], getValue.GetParameters().Select(p => p.Name));
        var transfer = type.GetMethods().Single(m => m.Name == "TransferRequestAndWaitForReceiptAsync" && m.GetParameters().Length == 4);
        Assert.Equal(["to", "value", "amountToSend", "cancellationToken"], transfer.GetParameters().Select(p => p.Name));
        Assert.Equal(["Fee", "Name"], type.GetNestedType("NamesDeployment")!.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => p.Name));

        var node = new FakeNode();
        var receipt = (Nethereum.RPC.Eth.DTOs.TransactionReceipt)(await run.RunProbeAsync(node))!;
        Assert.Equal("0x00000000000000000000000000000000000000c1", receipt.ContractAddress);
        var deploy = node.Manager.Sent[0];
        Assert.Null(deploy.To);
        Assert.Equal(new BigInteger(3), deploy.Value);
        Assert.Equal("0x60016002" + (await Cast.RunAsync("abi-encode", "f(uint256,string)", "5", "x"))[2..], Hex.Encode(deploy.Data));
        var sent = node.Manager.Sent[1];
        Assert.Equal(receipt.ContractAddress, sent.To);
        Assert.Equal(new BigInteger(2), sent.Value);
        Assert.Equal(await Cast.RunAsync("calldata", "transfer(address,uint256)", "0x0000000000000000000000000000000000000009", "11"), Hex.Encode(sent.Data));
    }

    [Fact]
    public async Task Events_decode_through_nethereum_and_build_typed_filters()
    {
        const string abi = """
            [{"type":"event","name":"Tagged","anonymous":false,"inputs":[
                {"name":"who","type":"address","indexed":true},{"name":"id","type":"bytes32","indexed":true},
                {"name":"n","type":"uint256","indexed":true},{"name":"note","type":"string","indexed":false}]},
             {"type":"event","name":"Tagged","anonymous":false,"inputs":[{"name":"tag","type":"string","indexed":false}]}]
            """;
        var run = GeneratorHarness.Run([("out/Tags.sol/Tags.json", GeneratorHarness.Artifact("Tags", abi))]);
        Assert.Empty(run.GeneratorDiagnostics);
        var asm = run.Load();
        var dto = asm.GetType(Ns + ".TagsService+TaggedWithWhoIdNNoteEventDTO")!;
        Assert.Contains(typeof(Nethereum.ABI.FunctionEncoding.Attributes.IEventDTO), dto.GetInterfaces());

        // A log as the node returns it, built with cast: Nethereum decodes it into the generated DTO.
        var topic0 = await Cast.RunAsync("keccak", "Tagged(address,bytes32,uint256,string)");
        var who = "0x00000000000000000000000000000000000000e1";
        var id = "0x" + new string('0', 62) + "09";
        var data = Hex.Decode(await Cast.RunAsync("abi-encode", "f(string)", "a note"));
        var log = new LogEntry(Address.Parse("0x00000000000000000000000000000000000000e1"),
            [Hex.Decode(topic0), Hex.Decode("0x" + new string('0', 24) + who[2..]), Hex.Decode(id), Hex.Decode("0x" + new string('0', 62) + "2a")],
            data, 1, new byte[32], new byte[32], 0, false);
        var decode = typeof(EventDecoding).GetMethods().Single(m => m.Name == nameof(EventDecoding.TryDecodeEvent) && m.GetParameters()[0].ParameterType == typeof(LogEntry)).MakeGenericMethod(dto);
        var args = new object?[] { log, null };
        Assert.True((bool)decode.Invoke(null, args)!);
        dynamic ev = args[1]!;
        Assert.Equal(who, ((string)ev.Who).ToLowerInvariant());
        Assert.Equal(9, ((byte[])ev.Id)[31]);
        Assert.Equal(new BigInteger(42), (BigInteger)ev.N);
        Assert.Equal("a note", (string)ev.Note);

        // The other overload's log is not this event.
        var other = log with { Topics = [Hex.Decode(await Cast.RunAsync("keccak", "Tagged(string)"))] };
        args = [other, null];
        Assert.False((bool)decode.Invoke(null, args)!);

        // The typed filter: an Address converts to the string Nethereum encodes into the topic.
        var query = asm.GetType(Ns + ".TagsService")!.GetMethod("GetTaggedWithWhoIdNNoteEventsAsync")!;
        Assert.Equal(["fromBlock", "toBlock", "who", "id", "n"], query.GetParameters().Select(p => p.Name));
        Assert.Equal([typeof(BigInteger), typeof(BigInteger?), typeof(string), typeof(byte[]), typeof(BigInteger?)], query.GetParameters().Select(p => p.ParameterType));
    }

    [Fact]
    public async Task Reverts_with_declared_custom_errors_surface_as_typed_error_DTOs()
    {
        const string abi = """
            [{"type":"function","name":"peek","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
             {"type":"function","name":"act","stateMutability":"nonpayable","inputs":[{"name":"x","type":"uint256"}],"outputs":[]},
             {"type":"error","name":"WrongPhase","inputs":[{"name":"id","type":"bytes32"},{"name":"expected","type":"uint8"},{"name":"actual","type":"uint8"}]},
             {"type":"error","name":"Unauthorized","inputs":[{"name":"caller","type":"address"},{"name":"message","type":"string"}]}]
            """;
        var probe = Probe + """
                var g = new GuardService(web3, "0x00000000000000000000000000000000000000b0");
                try { await g.PeekQueryAsync(); } catch (CustomErrorException<GuardService.WrongPhaseError> e) { return new object?[] { e, e.Error }; }
                return null;
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Guard.sol/Guard.json", GeneratorHarness.Artifact("Guard", abi))], probe);
        Assert.Empty(run.GeneratorDiagnostics);

        var id = "0x42" + new string('0', 62);
        var wrongPhase = Hex.Decode(await Cast.RunAsync("calldata", "WrongPhase(bytes32,uint8,uint8)", id, "2", "4"));
        var node = new FakeNode { OnCall = _ => throw ContractRevertException.FromRevertData(wrongPhase) };
        var r = (object?[])(await run.RunProbeAsync(node))!;
        var ex = Assert.IsAssignableFrom<CustomErrorException>(r[0]);
        Assert.Equal("WrongPhase", ex.ErrorName);
        Assert.Equal(wrongPhase, ex.RevertData);
        dynamic typed = r[1]!;
        Assert.Equal(Hex.Decode(id), (byte[])typed.Id);
        Assert.Equal(new BigInteger(2), (BigInteger)typed.Expected);
        Assert.Equal(new BigInteger(4), (BigInteger)typed.Actual);

        // Both declared errors are known to the service; an undeclared selector keeps the plain revert.
        var guard = run.Load().GetType(Ns + ".GuardService")!;
        var errors = (IReadOnlyList<Type>)guard.GetField("ErrorTypes")!.GetValue(null)!;
        Assert.Equal(["WrongPhaseError", "UnauthorizedError"], errors.Select(t => t.Name));
        Assert.NotNull(errors[1].GetProperty("Message")); // a DTO, not an exception: nothing to rename
        var unknown = Hex.Decode(await Cast.RunAsync("calldata", "Other(uint256)", "1"));
        node.OnCall = _ => throw ContractRevertException.FromRevertData(unknown);
        var plain = await Assert.ThrowsAsync<ContractRevertException>(() => run.RunProbeAsync(node));
        Assert.Equal(typeof(ContractRevertException), plain.GetType());
        Assert.Equal(unknown, plain.RevertData);
    }

    [Fact]
    public void Malformed_json_is_a_diagnostic_naming_the_file_and_valid_artifacts_still_bind()
    {
        var run = GeneratorHarness.Run(
        [
            ("out/Bad.sol/Bad.json", """{"abi": [ {"type":"function", "name": "x" ]"""),
            ("out/Ok.sol/Ok.json", GeneratorHarness.Artifact("Ok", """[{"type":"function","name":"f","stateMutability":"pure","inputs":[],"outputs":[]}]""")),
        ]);
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("PMC0001", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("out/Bad.sol/Bad.json", d.GetMessage());
        Assert.Contains("line 1", d.GetMessage());
        Assert.Equal("out/Bad.sol/Bad.json", d.Location.GetLineSpan().Path);
        Assert.Equal(["Contract.Ok.g.cs"], run.HintNames);
    }

    [Fact]
    public void Unsupported_types_are_reported_and_tests_scripts_dependencies_and_non_artifacts_are_skipped()
    {
        const string fn = """[{"type":"function","name":"f","stateMutability":"pure","inputs":[],"outputs":[]}]""";
        var run = GeneratorHarness.Run(
        [
            ("out/Fx.sol/Fx.json", GeneratorHarness.Artifact("Fx", """[{"type":"function","name":"f","stateMutability":"pure","inputs":[{"name":"r","type":"fixed128x18"}],"outputs":[]}]""")),
            ("out/Smoke.t.sol/SmokeTest.json", GeneratorHarness.Artifact("SmokeTest", fn, "contracts/test/Smoke.t.sol")),
            ("out/Helper.sol/Helper.json", GeneratorHarness.Artifact("Helper", fn, "contracts/test/Helper.sol")),
            ("out/SafeTransferLib.sol/SafeTransferLib.json", GeneratorHarness.Artifact("SafeTransferLib", fn, "node_modules/solady/src/utils/SafeTransferLib.sol")),
            ("out/build-info/abc.json", """{"id":"abc","source_id_to_path":{}}"""),
            ("out/Other.json", """{"something":"else"}"""),
            ("out/IThing.sol/IThing.json", GeneratorHarness.Artifact("IThing", fn, "contracts/src/interfaces/IThing.sol", bytecode: "0x")),
        ]);
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("PMC0003", d.Id);
        Assert.Contains("fixed128x18", d.GetMessage());
        Assert.Contains("out/Fx.sol/Fx.json", d.GetMessage());
        Assert.Equal(["Contract.IThing.g.cs"], run.HintNames);
        Assert.Null(run.Load().GetType(Ns + ".IThingService")!.GetNestedType("IThingDeployment")); // an interface has no creation code
    }

    [Fact]
    public void The_generator_is_incremental_unchanged_artifacts_are_not_reparsed()
    {
        const string fn = """[{"type":"function","name":"f","stateMutability":"pure","inputs":[],"outputs":[]}]""";
        var a = new InMemoryAdditionalText("out/A.sol/A.json", GeneratorHarness.Artifact("A", fn, "contracts/src/A.sol"));
        var b = new InMemoryAdditionalText("out/B.sol/B.json", GeneratorHarness.Artifact("B", fn, "contracts/src/B.sol"));
        var compilation = CSharpCompilation.Create("Incremental", [], [], new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = GeneratorHarness.CreateDriver().AddAdditionalTexts([a, b]).RunGenerators(compilation);

        driver = driver.RunGenerators(compilation);
        var reasons = Reasons(driver, "Artifacts");
        Assert.All(reasons, r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(driver, "Bindings"), r => Assert.Equal(IncrementalStepRunReason.Cached, r));

        // Same ABI, different metadata noise (as after a recompile with identical output): parsed again, but equal, so nothing is re-emitted.
        var b2 = new InMemoryAdditionalText(b.Path, GeneratorHarness.Artifact("B", fn, "contracts/src/B.sol").Replace("\"id\":1", "\"id\":2"));
        driver = driver.ReplaceAdditionalText(b, b2).RunGenerators(compilation);
        Assert.Contains(IncrementalStepRunReason.Unchanged, Reasons(driver, "Artifacts"));
        Assert.All(Reasons(driver, "Bindings"), r => Assert.Equal(IncrementalStepRunReason.Cached, r));

        // A real ABI change flows through.
        var b3 = new InMemoryAdditionalText(b.Path, GeneratorHarness.Artifact("B", fn.Replace("\"f\"", "\"g\""), "contracts/src/B.sol"));
        driver = driver.ReplaceAdditionalText(b2, b3).RunGenerators(compilation);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, "Artifacts"));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, "Bindings"));
        Assert.Contains("GQueryAsync", driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Contract.B.g.cs").SourceText.ToString());
    }

    private static List<IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
}
