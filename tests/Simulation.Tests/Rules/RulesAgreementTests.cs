using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Simulation.Rules;

namespace ProverMarketChain.Simulation.Tests.Rules;

/// <summary>
/// The simulator's rules against the contracts' own code: <c>contracts/test/utils/SimRulesHarness.sol</c> runs
/// <c>AuctionLib</c> and <c>ReserveLib</c> on anvil over random and edge cases (ties, caps, clamps), and every result must
/// equal the C# port's.
/// </summary>
public sealed class RulesAgreementTests : IClassFixture<AnvilFixture>
{
    private const int Cases = 120;
    private readonly AnvilFixture _anvil;

    public RulesAgreementTests(AnvilFixture anvil) => _anvil = anvil;

    private string Rpc => _anvil.Endpoint.ToString();

    private async Task<string> DeployAsync()
    {
        var artifact = Path.Combine(RepoPaths.Root, "out", "SimRulesHarness.sol", "SimRulesHarness.json");
        Assert.True(File.Exists(artifact), $"{artifact} missing: run `make contracts` (forge build)");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(artifact));
        var bytecode = doc.RootElement.GetProperty("bytecode").GetProperty("object").GetString()!;
        var receipt = await Cast.RunAsync("send", "--private-key", AnvilFixture.PrivateKey0, "--rpc-url", Rpc, "--json", "--create", bytecode);
        using var r = JsonDocument.Parse(receipt);
        return r.RootElement.GetProperty("contractAddress").GetString()!;
    }

    private static string List<T>(IEnumerable<T> xs) => "[" + string.Join(",", xs.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture))) + "]";

    /// <summary>Decodes a returned dynamic array of 32-byte words.</summary>
    private static List<BigInteger> Words(string hex)
    {
        var b = Hex.Decode(hex);
        var n = (int)new BigInteger(b.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        return Enumerable.Range(0, n).Select(i => new BigInteger(b.AsSpan(64 + 32 * i, 32), isUnsigned: true, isBigEndian: true)).ToList();
    }

    private async Task<List<BigInteger>> CallAsync(string address, string signature, params string[] args) =>
        Words(await Cast.RunAsync(["call", address, signature, .. args, "--rpc-url", Rpc]));

    [Fact]
    public async Task Scoring_TieBreaks_AndSecondScorePayments_EqualAuctionLib()
    {
        var address = await DeployAsync();
        var rng = new Random(11);
        ulong Fee() => rng.Next(4) == 0 ? (ulong)rng.Next(1, 1000) : (ulong)rng.NextInt64(1, long.MaxValue) >> rng.Next(0, 40);
        var fees = Enumerable.Range(0, Cases).Select(_ => Fee()).ToList();
        var lats = Enumerable.Range(0, Cases).Select(_ => (uint)rng.Next(1, 100_000)).ToList();
        var weights = Enumerable.Range(0, Cases).Select(_ => rng.Next(5) == 0 ? 0UL : (ulong)rng.NextInt64(0, 1L << 40)).ToList();
        var scores = await CallAsync(address, "scores(uint96[],uint32[],uint64[])", List(fees), List(lats), List(weights));
        for (int i = 0; i < Cases; i++) Assert.Equal(scores[i], (BigInteger)AuctionRules.Score(fees[i], lats[i], weights[i]));

        // Pairs with equal scores and equal latencies in a third of the cases, so both tie-breaks are exercised.
        var ids = new List<byte[]>();
        var a = new List<RevealedBid>();
        var b = new List<RevealedBid>();
        for (int i = 0; i < Cases; i++)
        {
            var id = new byte[32]; rng.NextBytes(id); ids.Add(id);
            var pa = new byte[20]; rng.NextBytes(pa);
            var pb = new byte[20]; rng.NextBytes(pb);
            var x = new RevealedBid(pa, fees[i], lats[i]);
            var y = (i % 3) switch
            {
                0 => new RevealedBid(pb, fees[i], lats[i]),
                1 => new RevealedBid(pb, fees[i] + weights[i], lats[i] > 1 ? lats[i] - 1 : lats[i]),
                _ => new RevealedBid(pb, Fee(), (uint)rng.Next(1, 100_000)),
            };
            a.Add(x); b.Add(y);
        }
        static string Tuple(RevealedBid z) => $"(0x{Convert.ToHexString(z.Prover)},{z.Fee},{z.Latency})";
        var beats = await CallAsync(address, "beats(bytes32[],(address,uint96,uint32)[],(address,uint96,uint32)[],uint64[])",
            "[" + string.Join(",", ids.Select(x => "0x" + Convert.ToHexString(x))) + "]", "[" + string.Join(",", a.Select(Tuple)) + "]",
            "[" + string.Join(",", b.Select(Tuple)) + "]", List(weights));
        for (int i = 0; i < Cases; i++) Assert.Equal(beats[i] == 1, AuctionRules.Beats(ids[i], a[i], b[i], weights[i]));

        // Payments: the second score at or above the winner's, maxFee sometimes below the result (the cap).
        var second = new List<UInt128>();
        var maxFees = new List<ulong>();
        for (int i = 0; i < Cases; i++)
        {
            var s = AuctionRules.Score(fees[i], lats[i], weights[i]) + (UInt128)(ulong)rng.NextInt64(0, 1L << 50);
            second.Add(s);
            maxFees.Add(rng.Next(3) == 0 ? fees[i] : fees[i] + (ulong)rng.NextInt64(0, 1L << 52));
        }
        var pays = await CallAsync(address, "payments(uint32[],uint256[],uint64[],uint96[])", List(lats), List(second), List(weights), List(maxFees));
        for (int i = 0; i < Cases; i++) Assert.Equal(pays[i], (BigInteger)AuctionRules.SecondScorePayment(lats[i], second[i], weights[i], maxFees[i]));
    }

    [Fact]
    public async Task ReserveRollAndDutchRamp_EqualReserveLib()
    {
        var address = await DeployAsync();
        var rng = new Random(12);
        var reserve = new List<ulong>(); var used = new List<ulong>(); var target = new List<ulong>(); var idle = new List<ulong>();
        var lo = new List<ulong>(); var hi = new List<ulong>();
        for (int i = 0; i < Cases; i++)
        {
            ulong t = (ulong)rng.NextInt64(1, 1L << 30);
            reserve.Add((ulong)rng.NextInt64(0, 1_000_000_000_000));
            used.Add(rng.Next(4) switch { 0 => 0, 1 => t, 2 => t * 3, _ => (ulong)rng.NextInt64(0, 1L << 32) });
            target.Add(t);
            idle.Add(rng.Next(3) == 0 ? 0 : (ulong)rng.Next(0, 100));
            ulong a = (ulong)rng.NextInt64(0, 1000), c = (ulong)rng.NextInt64(1000, 1_000_000_000_000);
            lo.Add(a); hi.Add(c);
        }
        var rolls = await CallAsync(address, "rolls(uint256[],uint256[],uint256[],uint256[],uint256[],uint256[])",
            List(reserve), List(used), List(target), List(idle), List(lo), List(hi));
        for (int i = 0; i < Cases; i++) Assert.Equal(rolls[i], (BigInteger)ReserveRules.Roll(reserve[i], used[i], target[i], idle[i], lo[i], hi[i]));

        var start = new List<ulong>(); var end = new List<ulong>(); var from = new List<ulong>(); var until = new List<ulong>(); var now = new List<ulong>();
        for (int i = 0; i < Cases; i++)
        {
            ulong s = (ulong)rng.NextInt64(0, 1L << 60), e = rng.Next(5) == 0 ? s / 2 : s + (ulong)rng.NextInt64(0, 1L << 60);
            ulong f = (ulong)rng.NextInt64(1_000_000, 2_000_000), u = f + (ulong)rng.Next(1, 1000);
            start.Add(s); end.Add(e); from.Add(f); until.Add(u); now.Add(f - 10 + (ulong)rng.Next(0, 1100));
        }
        var ramps = await CallAsync(address, "ramps(uint256[],uint256[],uint256[],uint256[],uint256[])", List(start), List(end), List(from), List(until), List(now));
        for (int i = 0; i < Cases; i++) Assert.Equal(ramps[i], (BigInteger)ReserveRules.Ramp(start[i], end[i], from[i], until[i], now[i]));
    }
}
