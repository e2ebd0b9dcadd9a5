using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Cli.Commands;
using ProverMarketChain.Cli.Simulate;
using ProverMarketChain.Cli.Tests.Commands;
using ProverMarketChain.Simulation.Calibration;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Cli.Tests.Simulate;

/// <summary>
/// <c>pmc simulate --replay</c>: the simulator's agents act on the real contracts on anvil at the simulated timestamps,
/// and the contracts (sealed-bid settlement, Dutch ramp, ask matching, open race) pay the same provers the same amounts
/// as the simulator, request by request; and the comparison does catch a difference.
/// </summary>
public sealed class SimulateReplayTests
{
    private static readonly Mechanism[] Modes = [Mechanism.SealedBid, Mechanism.Dutch, Mechanism.StandingAsk, Mechanism.OpenRace];

    private static GasTable Gas() => GasSnapshot.Load(Path.Combine(RepoPaths.Root(), GasSnapshot.RelativePath)).ToTable();

    private static async Task<ReplayResult> ReplayAsync(int seed, Func<ReplayRow, ReplayRow>? alter = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await new ReplayRunner(NullLoggerFactory.Instance, TextWriter.Null).RunAsync(seed, Gas(), timeout.Token, alter);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public async Task test_replay_chainReproducesTheSimulatorsAllocationAndPayments(int seed)
    {
        var result = await ReplayAsync(seed);

        Assert.Equal(ReplayScenario.RequestsPerMode * Modes.Length, result.Rows.Count);
        // Every mode exercised, every request served and paid on both sides (two unserved requests would agree vacuously).
        Assert.Equal(Modes.ToDictionary(m => m, _ => ReplayScenario.RequestsPerMode), ReplayComparison.PerMode(result.Rows));
        Assert.All(result.Rows, r =>
        {
            Assert.NotNull(r.ChainWinner);
            Assert.True(r.ChainPayment > 0, $"request {r.Index} paid nothing on chain");
        });
        Assert.Empty(ReplayComparison.Mismatches(result.Rows));
        Assert.All(result.Rows, r => Assert.True(r.Equal, $"request {r.Index} ({r.Mechanism}): simulated {r.SimWinner} {r.SimPayment}, chain {r.ChainWinner} {r.ChainPayment}"));
        // Not one prover winning everything: the modes pick different provers (speed versus price).
        Assert.True(result.Rows.Select(r => r.ChainWinner).Distinct().Count() >= 2, "a single prover won every request");
    }

    [Fact]
    public async Task test_replay_detectsADifferentSimulatedPaymentOrWinner()
    {
        var result = await ReplayAsync(1, row => row.Index switch
        {
            0 => row with { SimPayment = row.SimPayment + 1 },
            1 => row with { SimWinner = "0x" + new string('1', 40) },
            _ => row,
        });

        var bad = ReplayComparison.Mismatches(result.Rows);
        Assert.Equal([0, 1], bad.Select(r => r.Index).ToArray());
        var table = new StringWriter();
        ReplayComparison.Print(result.Rows, table);
        Assert.Equal(2, table.ToString().Split('\n').Count(l => l.TrimEnd().EndsWith(" NO", StringComparison.Ordinal)));
    }

    [Fact]
    public void test_replayScenario_isFixedBySeedAndCoversEveryMode()
    {
        var a = ReplayScenario.FromSeed(5);
        var b = ReplayScenario.FromSeed(5);
        var c = ReplayScenario.FromSeed(6);

        Assert.Equal(a.Provers, b.Provers);
        Assert.Equal(a.Requests, b.Requests);
        Assert.NotEqual(a.Provers, c.Provers);
        Assert.Equal(a.Provers.Count, a.Provers.Select(p => p.ProvingSeconds).Distinct().Count());
        Assert.Equal(Modes, a.Requests.Select(r => r.Mechanism).Distinct().Order().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplayScenario.FromSeed(-1));
    }

    [Fact]
    public void test_replay_withBenchOrReport_isAUsageError()
    {
        var r = PmcRun.Invoke("simulate", "--replay", "--bench");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--replay cannot be combined with --bench or --report", r.Err);
    }
}
