using System.Numerics;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

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
                    {"name":"pairs","type":"tuple[2][]","internalType":"struct Book.Leg[2][]","components":{{Leg}}}],
          "outputs":[{"name":"count","type":"uint256","internalType":"uint256"},
                     {"name":"first","type":"tuple","internalType":"struct Book.Order","components":{{OrderComponents}}}]}]
        """;

    private const string Probe = """
        using System.Numerics;
        using ProverMarketChain.ContractBindings.Contracts;
        using ProverMarketChain.ContractBindings.Primitives;
        using ProverMarketChain.ContractBindings.Rpc;
        public static class Probe
        {
            public static async System.Threading.Tasks.Task<object?> RunAsync(IContractTransport t)
            {
        """;

    private const string ProbeEnd = """
            }
        }
        """;

    [Fact]
    public async Task Structs_and_nested_tuple_arrays_encode_calldata_and_decode_results_like_the_abi_codec()
    {
        var probe = Probe + """
                var book = new Book(t, Address.Parse("0x00000000000000000000000000000000000000b0"));
                var leg1 = new Leg(Address.Parse("0x0000000000000000000000000000000000000001"), new byte[] { 1, 2, 3 });
                var leg2 = new Leg(Address.Parse("0x0000000000000000000000000000000000000002"), new byte[0]);
                var order = new Order(7, new[] { leg1, leg2 }, new BigInteger[] { 1, 2, 3 });
                Book.PlaceResult r = await book.PlaceAsync(new[] { order }, new System.Collections.Generic.IReadOnlyList<Leg>[] { new[] { leg1, leg2 } });
                return r;
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Book.sol/Book.json", GeneratorHarness.Artifact("Book", BookAbi))], probe);
        Assert.Empty(run.GeneratorDiagnostics);

        var orderType = AbiType.Parse("(uint256,(address,bytes)[],uint8[3])");
        var legType = AbiType.Parse("(address,bytes)");
        object?[] RawLeg(string a, byte[] d) => [Address.Parse(a), d];
        var rawLeg1 = RawLeg("0x0000000000000000000000000000000000000001", [1, 2, 3]);
        var rawLeg2 = RawLeg("0x0000000000000000000000000000000000000002", []);
        object?[] rawOrder = [new BigInteger(7), new object?[] { rawLeg1, rawLeg2 }, new object?[] { BigInteger.One, new BigInteger(2), new BigInteger(3) }];

        var transport = new RecordingTransport
        {
            OnCall = _ => AbiCodec.Encode([AbiType.UInt256, orderType], [new BigInteger(5), rawOrder]),
        };
        dynamic result = (await run.RunProbeAsync(transport))!;

        // Selector from `cast sig "place((uint256,(address,bytes)[],uint8[3])[],(address,bytes)[2][])"`.
        var expected = AbiCodec.EncodeFunctionCall(
            Hex.Decode("0xc0072f63"),
            [new AbiArray(orderType), new AbiArray(new AbiFixedArray(legType, 2))],
            [new object?[] { rawOrder }, new object?[] { new object?[] { rawLeg1, rawLeg2 } }]);
        Assert.Equal(Hex.Encode(expected), Hex.Encode(Assert.Single(transport.Calls).Data));

        Assert.Equal(new BigInteger(5), (BigInteger)result.Count);
        Assert.Equal(new BigInteger(7), (BigInteger)result.First.Id);
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])result.First.Legs[0].Data);
        Assert.Equal(Address.Parse("0x0000000000000000000000000000000000000002"), (Address)result.First.Legs[1].Venue);
        Assert.Equal(new BigInteger(3), (BigInteger)result.First.Flags[2]);
    }

    [Fact]
    public async Task Fixed_size_array_arguments_of_the_wrong_length_are_rejected_naming_the_parameter()
    {
        var probe = Probe + """
                var book = new Book(t, Address.Parse("0x00000000000000000000000000000000000000b0"));
                var order = new Order(7, new Leg[0], new BigInteger[] { 1, 2 });
                return await book.PlaceAsync(new[] { order }, new System.Collections.Generic.IReadOnlyList<Leg>[0]);
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Book.sol/Book.json", GeneratorHarness.Artifact("Book", BookAbi))], probe);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => run.RunProbeAsync(new RecordingTransport()));
        Assert.Contains("Book.Order.flags", ex.Message);
        Assert.Contains("exactly 3", ex.Message);
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
        Assert.Equal(typeof(Task<>).MakeGenericType(asm.GetType(Ns + ".BItem")!), asm.GetType(Ns + ".B")!.GetMethod("AtAsync")!.ReturnType);
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
                var n = await Names.DeployAsync(t, 5, "x", value: 3);
                await n.TransferAsync(Address.Parse("0x0000000000000000000000000000000000000009"), 11, value: 2);
                return n.DeploymentReceipt;
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Names.sol/Names.json", GeneratorHarness.Artifact("Names", abi, bytecode: "0x60016002"))], probe);
        Assert.Empty(run.GeneratorDiagnostics);
        var type = run.Load().GetType(Ns + ".Names")!;
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string> { "SubmitAsync", "SubmitWithIdAsync", "SubmitWithIdProofAsync", "SubmitCallAsync", "SubmitWithIdCallAsync", "TransferAsync", "Get_valueAsync" },
            methods);
        Assert.DoesNotContain("TransferCallAsync", methods); // payable: no value-less simulation
        Assert.Equal(["event", "class", "arg2", "cancellationToken"], type.GetMethod("Get_valueAsync")!.GetParameters().Select(p => p.Name));
        Assert.Equal(["to", "valueArg", "value", "cancellationToken"], type.GetMethod("TransferAsync")!.GetParameters().Select(p => p.Name));
        Assert.Equal(["transport", "fee", "name", "value", "cancellationToken"], type.GetMethod("DeployAsync")!.GetParameters().Select(p => p.Name));

        var transport = new RecordingTransport();
        var receipt = (TransactionReceipt)(await run.RunProbeAsync(transport))!;
        Assert.Equal(Address.Parse("0x00000000000000000000000000000000000000c1"), receipt.ContractAddress);
        var deploy = transport.Sent[0];
        Assert.Null(deploy.To);
        Assert.Equal(new BigInteger(3), deploy.Value);
        Assert.Equal("0x60016002" + Hex.Encode(AbiCodec.Encode([AbiType.UInt256, AbiType.String], [new BigInteger(5), "x"]), prefix: false), Hex.Encode(deploy.Data));
        var transfer = transport.Sent[1];
        Assert.Equal(receipt.ContractAddress, transfer.To);
        Assert.Equal(new BigInteger(2), transfer.Value);
        Assert.Equal(
            Hex.Encode(AbiCodec.EncodeFunctionCall(AbiSignature.Selector("transfer(address,uint256)"), [AbiType.Address, AbiType.UInt256], [Address.Parse("0x0000000000000000000000000000000000000009"), new BigInteger(11)])),
            Hex.Encode(transfer.Data));
    }

    [Fact]
    public async Task Events_decode_indexed_dynamic_types_as_topic_hashes_and_build_typed_filters()
    {
        const string abi = """
            [{"type":"event","name":"Tagged","anonymous":false,"inputs":[
                {"name":"tag","type":"string","indexed":true},{"name":"id","type":"bytes32","indexed":true},
                {"name":"ids","type":"uint256[]","indexed":true},{"name":"note","type":"string","indexed":false}]},
             {"type":"event","name":"Tagged","anonymous":false,"inputs":[{"name":"tag","type":"string","indexed":false}]}]
            """;
        var probe = Probe + """
                var emitter = Address.Parse("0x00000000000000000000000000000000000000e1");
                var topic0 = ProverMarketChain.ContractBindings.Abi.AbiSignature.EventTopic("Tagged(string,bytes32,uint256[],string)");
                var id = new byte[32]; id[31] = 9;
                var idsHash = new byte[32]; idsHash[0] = 0xab;
                var data = ProverMarketChain.ContractBindings.Abi.AbiCodec.Encode(new[] { ProverMarketChain.ContractBindings.Abi.AbiType.String }, new object?[] { "a note" });
                var log = new LogEntry(emitter, new[] { topic0, Keccak.Hash(System.Text.Encoding.UTF8.GetBytes("hello")), id, idsHash }, data, 1, new byte[32], new byte[32], 0, false);
                var other = new LogEntry(Address.Parse("0x00000000000000000000000000000000000000e2"), log.Topics, data, 1, new byte[32], new byte[32], 1, false);
                var truncated = new LogEntry(emitter, new[] { topic0, id }, data, 1, new byte[32], new byte[32], 2, false);
                var receipt = new TransactionReceipt(new byte[32], 1, new byte[32], true, 1, 1, null, new[] { log, other, truncated });
                bool ok = Tags.TaggedWithTagIdIdsNoteEvent.TryDecode(log, out var ev);
                bool bad = Tags.TaggedWithTagIdIdsNoteEvent.TryDecode(truncated, out _);
                var fromEmitter = Tags.TaggedWithTagIdIdsNoteEvent.DecodeAll(receipt, emitter);
                var all = Tags.TaggedWithTagIdIdsNoteEvent.DecodeAll(receipt);
                var filter = Tags.TaggedWithTagIdIdsNoteEvent.CreateFilter(emitter, 5, null, tag: "hello");
                var filter2 = Tags.TaggedWithTagIdIdsNoteEvent.CreateFilter(id: id);
                return new object?[] { ok, ev, bad, fromEmitter.Count, all.Count, filter, filter2 };
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Tags.sol/Tags.json", GeneratorHarness.Artifact("Tags", abi))], probe);
        Assert.Empty(run.GeneratorDiagnostics);
        var r = (object?[])(await run.RunProbeAsync(new RecordingTransport()))!;
        Assert.True((bool)r[0]!);
        dynamic ev = r[1]!;

        // keccak256("hello"), from `cast keccak hello`.
        const string helloHash = "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8";
        Assert.Equal(helloHash, Hex.Encode((byte[])ev.Tag));
        Assert.Equal(9, ((byte[])ev.Id)[31]);
        Assert.Equal(0xab, ((byte[])ev.Ids)[0]);
        Assert.Equal("a note", (string)ev.Note);
        Assert.Equal(0UL, ((LogEntry)ev.Log).LogIndex);
        Assert.False((bool)r[2]!);
        Assert.Equal(1, (int)r[3]!);
        Assert.Equal(2, (int)r[4]!);

        var filter = (LogFilter)r[5]!;
        Assert.Equal(5UL, filter.FromBlock);
        Assert.Equal([Address.Parse("0x00000000000000000000000000000000000000e1")], filter.Addresses!);
        Assert.Equal(2, filter.Topics!.Count);
        Assert.Equal(Hex.Encode(AbiSignature.EventTopic("Tagged(string,bytes32,uint256[],string)")), Hex.Encode(filter.Topics[0]!));
        Assert.Equal(helloHash, Hex.Encode(filter.Topics[1]!));
        var filter2 = (LogFilter)r[6]!;
        Assert.Null(filter2.Addresses);
        Assert.Equal(3, filter2.Topics!.Count);
        Assert.Null(filter2.Topics[1]);
        Assert.Equal(9, filter2.Topics[2]![31]);
    }

    [Fact]
    public async Task Reverts_with_declared_custom_errors_surface_as_generated_exception_types()
    {
        const string abi = """
            [{"type":"function","name":"peek","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
             {"type":"function","name":"act","stateMutability":"nonpayable","inputs":[{"name":"x","type":"uint256"}],"outputs":[]},
             {"type":"error","name":"WrongPhase","inputs":[{"name":"id","type":"bytes32"},{"name":"expected","type":"uint8"},{"name":"actual","type":"uint8"}]},
             {"type":"error","name":"Unauthorized","inputs":[{"name":"caller","type":"address"},{"name":"message","type":"string"}]}]
            """;
        var probe = Probe + """
                var g = new Guard(t, Address.Parse("0x00000000000000000000000000000000000000b0"));
                try { await g.PeekAsync(); } catch (Guard.WrongPhaseException e) { return new object?[] { e, null }; }
                return null;
        """ + ProbeEnd;
        var run = GeneratorHarness.Run([("out/Guard.sol/Guard.json", GeneratorHarness.Artifact("Guard", abi))], probe);
        Assert.Empty(run.GeneratorDiagnostics);

        var id = new byte[32];
        id[0] = 0x42;
        var wrongPhase = AbiCodec.EncodeFunctionCall(AbiSignature.Selector("WrongPhase(bytes32,uint8,uint8)"), [AbiType.Bytes32, AbiType.Parse("uint8"), AbiType.Parse("uint8")], [id, new BigInteger(2), new BigInteger(4)]);
        var transport = new RecordingTransport { OnCall = _ => throw ContractRevertException.FromRevertData(wrongPhase) };
        var r = (object?[])(await run.RunProbeAsync(transport))!;
        var ex = Assert.IsAssignableFrom<CustomErrorException>(r[0]);
        dynamic typed = ex;
        Assert.Equal("WrongPhase", ex.ErrorName);
        Assert.Equal(id, (byte[])typed.Id);
        Assert.Equal(new BigInteger(2), (BigInteger)typed.Expected);
        Assert.Equal(new BigInteger(4), (BigInteger)typed.Actual);

        // A property that would hide Exception.Message is renamed; unknown selectors keep the transport's exception.
        var guard = run.Load().GetType(Ns + ".Guard")!;
        var unauthorized = guard.GetNestedType("UnauthorizedException")!;
        Assert.NotNull(unauthorized.GetProperty("MessageValue"));
        var errors = (IReadOnlyDictionary<string, Func<byte[], CustomErrorException>>)guard.GetProperty("Errors")!.GetValue(null)!;
        Assert.Equal(2, errors.Count);
        Assert.Contains(Hex.Encode(AbiSignature.Selector("Unauthorized(address,string)")), errors.Keys);
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
        Assert.Null(run.Load().GetType(Ns + ".IThing")!.GetMethod("DeployAsync")); // an interface has no creation code
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
        Assert.Contains("GAsync", driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Contract.B.g.cs").SourceText.ToString());
    }

    private static List<IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
}
