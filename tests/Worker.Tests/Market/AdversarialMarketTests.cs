using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The worker against hostile requesters and a hostile network, on a live market (anvil, one-second blocks, real
/// proofs). In each case honest requests run alongside: they must still be fulfilled on time, no honest bond may be
/// forfeited, no collateral of the worker's may be lost, and the worker may never send the same action twice (counted
/// from its own mined transactions, not from contract reverts).
/// One class per anvil: the market tests are split into classes of about a minute each, which xunit runs side by side
/// (their time is spent waiting for blocks, not computing).
/// </summary>
public sealed class AdversarialMarketTests(BlockTimeAnvil anvil) : LiveMarketTests(anvil)
{
    private static readonly TimeSpan Patience = MarketWaits.Patience;

    /// <summary>
    /// One worker, eight requests at once. Honest: a sealed bid, a Dutch auction, an open race, and a sealed bid whose
    /// input server answers 503 twice before it recovers. Hostile: an input server that stalls after its headers
    /// (slowloris), the input URIs <c>file:///dev/stdin</c> and <c>http://169.254.169.254/</c>, and an unsatisfiable
    /// public-inputs hash asking 50 ETH of collateral. Every honest request is delivered by the worker; no hostile one
    /// gets a bid; nothing of the worker's collateral is lost; no action is sent twice.
    /// </summary>
    [Fact]
    public async Task HostileRequests_neverDelayOrCostTheHonestOnes()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "steadfast", "300000000000000");
        o.Capacity = 6;
        HostileSetup.AllowLoopbackInputs(o, TimeSpan.FromSeconds(3));
        using var slowloris = HostileInputServer.Slowloris();
        var recovering = System.Text.Encoding.UTF8.GetBytes("{\"a\":\"8\",\"b\":\"9\"}");
        using var flaky = HostileInputServer.FailingFirst(2, recovering);
        h.StartWorker(o, env);

        var honest = new List<byte[]>
        {
            (await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 12)).Id,
            (await h.SubmitAsync(mode: 1, a: 4, b: 5, bidSeconds: 30)).Id,
            (await h.SubmitAsync(mode: 3, a: 6, b: 7, provingWindow: 90)).Id,
            (await h.SubmitAsync(mode: 0, a: 8, b: 9, bidSeconds: 16, inputUri: flaky.Url)).Id,
        };
        var hostile = new Dictionary<string, byte[]>
        {
            ["slowloris"] = (await h.SubmitAsync(mode: 0, a: 3, b: 11, bidSeconds: 12, inputUri: slowloris.Url)).Id,
            ["stdin"] = (await h.SubmitAsync(mode: 0, a: 3, b: 12, bidSeconds: 12, inputUri: "file:///dev/stdin")).Id,
            ["metadata"] = (await h.SubmitAsync(mode: 0, a: 3, b: 13, bidSeconds: 12, inputUri: "http://169.254.169.254/latest/meta-data/")).Id,
            ["collateral"] = (await h.SubmitAsync(mode: 0, a: 3, b: 14, bidSeconds: 12, publicsOverride: [1, 2], minCollateral: 50 * MarketHarness.Ether)).Id,
        };

        foreach (var id in honest)
        {
            await h.WaitForStatusAsync(id, Fulfilled, Patience);
            var logs = await h.MarketLogsAsync(id);
            var paid = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Select(x => x.Event).Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.ProverSlashedEventDTO>(out _)); // on time
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
        }
        Assert.True(flaky.Requests >= 3, $"the recovering server saw {flaky.Requests} requests: the 503s were not retried");

        foreach (var (name, id) in hostile)
        {
            var logs = await h.MarketLogsAsync(id);
            Assert.False(logs.Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address), $"the worker bid on the {name} request");
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.RequestAssignedEventDTO>(out _));
        }
        await HostileSetup.AssertRefusedAsync(h, o, hostile, TimeSpan.FromSeconds(60));
        Assert.Contains(h.Log.Lines, l => l.Contains(Hex.Encode(hostile["collateral"]), StringComparison.Ordinal) && l.Contains("maxCollateralPerJobWei", StringComparison.Ordinal));

        // Nothing of the worker's collateral is lost: all of it is back in its vault or bond balance.
        var vault = new ICollateralVaultService(h.Requester.Web3(), h.Vault.ToString());
        Assert.Equal(MarketHarness.Ether, await vault.FreeBalanceQueryAsync(key.Address, 0) + await h.Market.BondBalanceQueryAsync(key.Address, 0));
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }


    /// <summary>
    /// The base fee jumps above the worker's new-work gas cap while its sealed bid waits for the reveal phase: the reveal
    /// and the proof still go out (a promise is kept up to the obligation cap), no bond is forfeited, and a request
    /// posted during the spike gets no bid.
    /// </summary>
    [Fact]
    public async Task BaseFeeAboveTheCap_whileARevealIsPending_theRevealStillLands()
    {
        await using var h = await MarketHarness.CreateAsync(Anvil);
        var key = await h.NewProverAsync();
        var (o, _, env) = h.WorkerConfig(key, "spiky", "300000000000000");
        o.MaxGasPriceWei = "20000000000"; // 20 gwei for new work
        h.StartWorker(o, env);
        var (_, pending) = await h.SubmitAsync(mode: 0, a: 2, b: 3, bidSeconds: 8);
        await MarketWaits.WaitForAsync(h, async () => (await h.MarketLogsAsync(pending)).Any(l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address),
            "the worker never committed");

        using var spike = new CancellationTokenSource();
        var spiking = Task.Run(async () =>
        {
            while (!spike.IsCancellationRequested)
            {
                await h.SetNextBaseFeeAsync(BigInteger.Pow(10, 9) * 60); // 60 gwei: three times the cap
                await Task.Delay(200);
            }
        });
        try
        {
            // The requester's own fee estimate follows the chain: post once a spiked block is mined.
            await MarketWaits.WaitForAsync(h, async () => (await h.Client.GetBlockByTagAsync("latest"))!.BaseFeePerGas > o.MaxGasPrice, "the base fee never rose");
            var (_, during) = await h.SubmitAsync(mode: 0, a: 4, b: 5, bidSeconds: 6);
            var view = await h.WaitForStatusAsync(pending, Fulfilled, Patience);
            var logs = await h.MarketLogsAsync(pending);
            Assert.Single(logs, l => l.TryDecodeEvent<IProverMarketService.BidRevealedEventDTO>(out var e) && Address.Parse(e.Prover) == key.Address);
            Assert.DoesNotContain(logs, l => l.TryDecodeEvent<IProverMarketService.BondForfeitedEventDTO>(out _));
            var (paid, paidLog) = logs.DecodeEvents<IProverMarketService.RequestFulfilledEventDTO>().Single();
            Assert.Equal(key.Address, Address.Parse(paid.Prover));
            var block = (await h.Client.GetBlockByNumberAsync(paidLog.BlockNumber))!;
            Assert.True(block.BaseFeePerGas > o.MaxGasPrice, $"the proof landed at base fee {block.BaseFeePerGas}, not above the cap: the spike did not hold");

            // New work during the spike is refused with the reason.
            await MarketWaits.WaitForAsync(h, () => Task.FromResult(h.Log.Lines.Any(l => l.Contains(Hex.Encode(during), StringComparison.Ordinal) && l.Contains("exceeds the cap", StringComparison.Ordinal))),
                "the request posted during the spike was not refused for its gas price");
            Assert.DoesNotContain(await h.MarketLogsAsync(during), l => l.TryDecodeEvent<IProverMarketService.BidCommittedEventDTO>(out _));
            _ = view;
        }
        finally
        {
            await spike.CancelAsync();
            await spiking;
        }
        Assert.Empty(await SendAudit.DuplicatesAsync(h, [key.Address]));
    }
}
