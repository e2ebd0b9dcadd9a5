using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using Xunit.Abstractions;

namespace ProverMarketChain.Proving.Tests.Interop;

/// <summary>
/// The C# verifier exporter against the node filler (byte-identical output), and the exported contract on anvil:
/// accepts our proof, reverts InvalidProof on a tampered one; gas is reported.
/// </summary>
[Collection(CircuitCollection.Name)]
public sealed class SolidityVerifierTests(CircuitFixture f, ITestOutputHelper output)
{
    private static readonly string TemplatePath = Path.Combine(Tooling.RepoRoot, "contracts", "templates", "Groth16Verifier.sol.tmpl");

    private static VerificationKey KeyOf(string zkey)
    {
        using var z = ZkeyFile.Open(zkey);
        return new VerificationKey(z.Alpha1, z.Beta2, z.Gamma2, z.Delta2, z.ReadIC());
    }

    [Theory]
    [InlineData("mul_snarkjs.zkey", "mul_snarkjs_vk.json", "MulVerifier")]
    [InlineData("pos_dev.zkey", "pos_dev_vk.json", "PosVerifier")]
    public void ExporterIsByteIdenticalToTheNodeFiller(string zkey, string vkJson, string name)
    {
        var ours = SolidityVerifierExporter.Render(File.ReadAllText(TemplatePath), KeyOf(f.P(zkey)), name);
        var nodeOut = f.P($"node_{name}.sol");
        var r = Tooling.Run("node", [Path.Combine(Tooling.RepoRoot, "tools", "export-verifier.js"), f.P(vkJson), nodeOut, name]);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal(File.ReadAllText(nodeOut), ours);
        Assert.DoesNotContain("{{", ours);
        Assert.Contains($"contract {name} is IGroth16Verifier", ours);
    }

    /// <summary>The committed verifiers (contracts/src/verifiers) are what this exporter renders from their committed
    /// keys with the current template, as verify-fixtures.sh checks for the node filler.</summary>
    [Theory]
    [InlineData("multiplier", "MultiplierVerifier")]
    [InlineData("comparators", "ComparatorsVerifier")]
    [InlineData("poseidon_chain", "PoseidonChainVerifier")]
    [InlineData("rollup_batch", "RollupBatchVerifier")]
    public void CommittedVerifierIsTheRenderOfItsCommittedKey(string fixture, string name)
    {
        var vk = SnarkjsJson.ReadVerificationKey(Path.Combine(Tooling.RepoRoot, "contracts", "test", "fixtures", fixture, "verification_key.json"));
        var committed = File.ReadAllText(Path.Combine(Tooling.RepoRoot, "contracts", "src", "verifiers", name + ".sol"));
        Assert.Equal(committed, SolidityVerifierExporter.Render(File.ReadAllText(TemplatePath), vk, name));
    }

    [Fact]
    public void EveryIcBlockIsExpandedAndBlocksMustCloseWithoutNesting()
    {
        var vk = KeyOf(f.P("pos_dev.zkey")); // 3 public signals
        Assert.Equal("A0\nA1\nA2\nmid\nB0\nB1\nB2\nX", SolidityVerifierExporter.Render(
            "{{#EACH_IC}}\nA{{INDEX}}\n{{/EACH_IC}}\nmid\n{{#EACH_IC}}\nB{{INDEX}}\n{{/EACH_IC}}\n{{CONTRACT_NAME}}", vk, "X"));
        Assert.Contains("without its {{/EACH_IC}}", Assert.Throws<ArgumentException>(() =>
            SolidityVerifierExporter.Render("{{#EACH_IC}}\nA\n{{#EACH_IC}}\nB\n{{/EACH_IC}}", vk, "X")).Message, StringComparison.Ordinal);
        Assert.Contains("without its {{/EACH_IC}}", Assert.Throws<ArgumentException>(() =>
            SolidityVerifierExporter.Render("{{#EACH_IC}}\nA", vk, "X")).Message, StringComparison.Ordinal);
        Assert.Contains("without {{#EACH_IC}}", Assert.Throws<ArgumentException>(() =>
            SolidityVerifierExporter.Render("A\n{{/EACH_IC}}", vk, "X")).Message, StringComparison.Ordinal);
        Assert.Contains("no {{#EACH_IC}}", Assert.Throws<ArgumentException>(() =>
            SolidityVerifierExporter.Render("{{CONTRACT_NAME}}", vk, "X")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CliExportMatchesTheNodeFiller()
    {
        var r = Tooling.Pmc("export", "verifier", f.P("pos_dev.zkey"), f.P("CliPos.sol"));
        Assert.True(r.ExitCode == 0, r.All);
        // Same file name in another folder: both exporters derive the contract name from it.
        var nodeOut = Path.Combine(Directory.CreateDirectory(f.P("node_out")).FullName, "CliPos.sol");
        var n = Tooling.Run("node", [Path.Combine(Tooling.RepoRoot, "tools", "export-verifier.js"), f.P("pos_dev_vk.json"), nodeOut]);
        Assert.True(n.ExitCode == 0, n.All);
        Assert.Equal(File.ReadAllText(nodeOut), File.ReadAllText(f.P("CliPos.sol")));
    }

    [Fact]
    public void ExportedVerifierOnAnvilAcceptsOurProofAndRevertsOnTamper()
    {
        var vk = KeyOf(f.P("pos_dev.zkey"));
        var source = SolidityVerifierExporter.Render(File.ReadAllText(TemplatePath), vk, "PosVerifier");
        string bytecode = Compile(source, "PosVerifier");

        var proof = new Groth16Prover().ProveFiles(f.P("pos_dev.zkey"), f.P("pos.wtns"));
        string Words(Groth16Proof p) => "[" + string.Join(",", new[]
        {
            p.A.X, p.A.Y, p.B.X.C1, p.B.X.C0, p.B.Y.C1, p.B.Y.C0, p.C.X, p.C.Y,
        }.Select(v => v.ToBigInteger().ToString(CultureInfo.InvariantCulture))) + "]";
        string pub = "[" + string.Join(",", proof.PublicSignals.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";
        var badPub = "[" + string.Join(",", proof.PublicSignals.Select((s, i) => (i == 0 ? s + 1 : s).ToString(CultureInfo.InvariantCulture))) + "]";
        var other = new Groth16Prover().ProveFiles(f.P("pos_dev.zkey"), f.P("pos.wtns")).Proof;
        var mixed = proof.Proof with { C = other.C }; // valid points, wrong combination

        using var anvil = Anvil.Start();
        var deploy = Tooling.Run(Tooling.Bin("cast"), ["send", "--rpc-url", anvil.Url, "--private-key", Anvil.Key0, "--json", "--create", bytecode]);
        Assert.True(deploy.ExitCode == 0, deploy.All);
        var receipt = JsonNode.Parse(deploy.StdOut)!;
        string address = receipt["contractAddress"]!.GetValue<string>();
        output.WriteLine($"deploy gas: {Convert.ToInt64(receipt["gasUsed"]!.GetValue<string>(), 16)}");

        const string sig = "verifyProof(uint256[8],uint256[])";
        var ok = Tooling.Run(Tooling.Bin("cast"), ["call", "--rpc-url", anvil.Url, address, sig, Words(proof.Proof), pub]);
        Assert.True(ok.ExitCode == 0, ok.All);
        var gas = Tooling.Run(Tooling.Bin("cast"), ["estimate", "--rpc-url", anvil.Url, address, sig, Words(proof.Proof), pub]);
        Assert.True(gas.ExitCode == 0, gas.All);
        long gasUsed = long.Parse(gas.StdOut.Trim(), CultureInfo.InvariantCulture);
        output.WriteLine($"verifyProof gas (eth_estimateGas, incl. 21000 base): {gasUsed}");
        Assert.InRange(gasUsed, 150_000, 400_000);

        // The batch entry on the same contract: two of our proofs verify together; a bad second one is named.
        const string batchSig = "verifyProofBatch(uint256[8][],uint256[][])";
        var batchOk = Tooling.Run(Tooling.Bin("cast"), ["call", "--rpc-url", anvil.Url, address, batchSig,
            $"[{Words(proof.Proof)},{Words(other)}]", $"[{pub},{pub}]"]);
        Assert.True(batchOk.ExitCode == 0, batchOk.All);
        var batchBad = Tooling.Run(Tooling.Bin("cast"), ["call", "--rpc-url", anvil.Url, address, batchSig,
            $"[{Words(proof.Proof)},{Words(mixed)}]", $"[{pub},{pub}]"]);
        Assert.True(batchBad.ExitCode != 0, "a batch with a tampered proof was accepted: " + batchBad.All);
        Assert.Contains("0x5ee165d40000000000000000000000000000000000000000000000000000000000000001", batchBad.All); // InvalidProofAt(1)

        foreach (var (words, inputs, what) in new[] { (Words(proof.Proof), badPub, "tampered public input"), (Words(mixed), pub, "tampered proof") })
        {
            var bad = Tooling.Run(Tooling.Bin("cast"), ["call", "--rpc-url", anvil.Url, address, sig, words, inputs]);
            Assert.True(bad.ExitCode != 0, what + " was accepted: " + bad.All);
            Assert.Contains("0x09bde339", bad.All); // InvalidProof()
            Assert.False(Groth16Verifier.Verify(vk, SnarkjsJson.ReadPublic(WriteTemp(inputs)), what == "tampered proof" ? mixed : proof.Proof));
        }
    }

    private string WriteTemp(string jsonArray)
    {
        var path = f.P($"anvil_pub_{Guid.NewGuid():N}.json");
        var arr = JsonNode.Parse(jsonArray)!.AsArray().Select(n => n!.ToString()).ToArray();
        File.WriteAllText(path, JsonSerializer.Serialize(arr));
        return path;
    }

    /// <summary>Compiles one contract with solc-js through the repository's shim (same settings as foundry.toml).</summary>
    private string Compile(string source, string name)
    {
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = new JsonObject { [$"{name}.sol"] = new JsonObject { ["content"] = source } },
            ["settings"] = new JsonObject
            {
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 10000 },
                ["evmVersion"] = "cancun",
                ["outputSelection"] = new JsonObject { ["*"] = new JsonObject { ["*"] = new JsonArray("evm.bytecode.object") } },
            },
        };
        var inputPath = f.P($"{name}.input.json");
        File.WriteAllText(inputPath, input.ToJsonString());
        var r = Tooling.Run("bash", ["-c", $"node tools/solc-shim.js --standard-json < '{inputPath}'"]);
        Assert.True(r.ExitCode == 0, r.All);
        var outJson = JsonNode.Parse(r.StdOut)!;
        if (outJson["errors"] is JsonArray errs)
        {
            foreach (var e in errs)
                Assert.False(e!["severity"]!.GetValue<string>() == "error", e["formattedMessage"]?.GetValue<string>());
        }

        return "0x" + outJson["contracts"]![$"{name}.sol"]![name]!["evm"]!["bytecode"]!["object"]!.GetValue<string>();
    }

    /// <summary>An anvil node on a free local port, killed on dispose.</summary>
    private sealed class Anvil : IDisposable
    {
        /// <summary>anvil's well-known first development account key (public test key, holds only test ether).</summary>
        public const string Key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

        private readonly System.Diagnostics.Process _process;

        private Anvil(System.Diagnostics.Process p, string url)
        {
            _process = p;
            Url = url;
        }

        public string Url { get; }

        public static Anvil Start()
        {
            int port;
            using (var l = new TcpListener(IPAddress.Loopback, 0))
            {
                l.Start();
                port = ((IPEndPoint)l.LocalEndpoint).Port;
                l.Stop();
            }

            var psi = new System.Diagnostics.ProcessStartInfo(Tooling.Bin("anvil"))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--silent" }) psi.ArgumentList.Add(a);
            var p = System.Diagnostics.Process.Start(psi)!;
            var anvil = new Anvil(p, $"http://127.0.0.1:{port}");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (Tooling.Run(Tooling.Bin("cast"), ["chain-id", "--rpc-url", anvil.Url]).ExitCode == 0) return anvil;
                Thread.Sleep(200);
            }

            anvil.Dispose();
            throw new TimeoutException("anvil did not start");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(true);
            _process.Dispose();
        }
    }
}
