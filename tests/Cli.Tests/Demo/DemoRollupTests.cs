using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Cli.Demo;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.Cli.Tests.Demo;

/// <summary>
/// <c>pmc demo</c>'s rollup story on the real rollup circuit: the sequencer's batches are proven through the market in
/// every allocation mode and the rollup finalizes each; the summary's finalized root is the rollup contract's root and
/// the sequencer's own tree root, and the narration names each batch's mode, prover, price and latency.
/// </summary>
public sealed class DemoRollupTests
{
    [Fact]
    public async Task test_demo_rollupFinalizesEveryBatchInEveryMode()
    {
        var progress = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        string? chainRoot = null;
        int? chainFinalized = null;
        var summary = await new DemoRunner(new DemoOptions(4, null, 360, Dashboard: "http://127.0.0.1:0"), NullLoggerFactory.Instance, progress)
            .RunAsync(timeout.Token, s =>
            {
                // The chain is still up when the summary is handed out: read the rollup contract itself.
                using var rpc = new JsonRpcClient(new Uri(s.Rollup!.Rpc));
                var rollup = new ExampleRollupService(SignerWeb3.ReadOnly(new EthClient(rpc)), s.Rollup.Address);
                chainRoot = Hex.Encode(rollup.FinalizedRootQueryAsync().GetAwaiter().GetResult());
                chainFinalized = (int)rollup.FinalizedBatchesQueryAsync().GetAwaiter().GetResult();
            });

        var log = progress.ToString();
        var rollupInfo = Assert.IsType<DemoRollup>(summary.Rollup);
        Assert.Equal(4, rollupInfo.CommittedBatches);
        Assert.True(summary.FinalizedBatches == 4, $"{summary.FinalizedBatches} of 4 batches finalized:\n{log}");
        Assert.Equal(4, chainFinalized);
        Assert.Equal(chainRoot, summary.FinalizedStateRoot);
        Assert.Equal(rollupInfo.SequencerStateRoot, summary.FinalizedStateRoot);
        Assert.Matches("^0x[0-9a-f]{64}$", summary.FinalizedStateRoot);
        // One batch per mode, each proven (a repost would add a request; none is expected here).
        Assert.Equal(summary.Requests, summary.Fulfilled + rollupInfo.Reposts);
        Assert.All(summary.FulfilledByMode.Values, n => Assert.True(n >= 1, log));
        // The narration: each batch's mode, winning prover, price and latency; the finalized root as it advances.
        foreach (var mode in new[] { "sealed-bid", "dutch", "standing-ask", "open-race" })
            Assert.True(Regex.IsMatch(log, $@"batch #\d \({mode}\) proven by prover-[ABC] \([^)]*\) for [0-9.]+ ETH, \d+ s after its request"), $"no {mode} batch proven in:\n{log}");
        Assert.Equal(4, Regex.Matches(log, @"finalized root -> 0x[0-9a-f]{8}… \(batch #\d; \d of 4 batches final, equal to the sequencer's tree\)").Count);
        Assert.Contains("(batch #3; 4 of 4 batches final", log);
        // Gas per delivered request, read from the delivery receipts (the callback included); no burst here, so batches
        // are only formed when proofs happen to finish together.
        Assert.True(summary.GasPerRequestSingle is > 50_000, $"gasPerRequestSingle {summary.GasPerRequestSingle}");
        if (summary.BatchedDeliveries == 0) Assert.Null(summary.GasPerRequestBatched);
        else Assert.True(summary.GasPerRequestBatched < summary.GasPerRequestSingle, $"batched {summary.GasPerRequestBatched} vs single {summary.GasPerRequestSingle}");
        // The indexer saw the rollup's requests like any other.
        Assert.Equal(summary.Requests, summary.Indexer!.Requests);
        Assert.Equal(summary.Fulfilled, summary.Indexer.Fulfilled);
    }
}
