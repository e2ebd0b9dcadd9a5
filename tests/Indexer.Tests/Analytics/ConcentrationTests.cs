using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using ProverMarketChain.Economics;
using ProverMarketChain.Indexer.Analytics;
using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Analytics;

public sealed class ConcentrationTests
{
    private static Concentration Of(params long[] v) => Concentration.Of(v.Select(x => new BigInteger(x)));

    [Fact]
    public void test_concentration_oneProverHoldsEverything()
    {
        var c = Of(7);
        Assert.Equal(10_000, c.Hhi);
        Assert.Equal(1, c.Nakamoto);
        Assert.Equal(0, c.Gini);
    }

    [Fact]
    public void test_concentration_equalSharesAreTheLeastConcentrated()
    {
        var c = Of(5, 5, 5, 5);
        Assert.Equal(2_500, c.Hhi, 6);
        // Exactly half is not more than half: it takes three of four equal provers.
        Assert.Equal(3, c.Nakamoto);
        Assert.Equal(0, c.Gini, 9);
    }

    [Fact]
    public void test_concentration_knownSkewedDistribution()
    {
        // Shares 60/30/10: HHI 3600 + 900 + 100; the largest alone holds more than half; Gini by the pairwise formula
        // sum|xi-xj| / (2 n^2 mean) = (2*(30+50+20)) / (2*9*(100/3)) = 200/600.
        var c = Of(60, 30, 10);
        Assert.Equal(4_600, c.Hhi, 6);
        Assert.Equal(1, c.Nakamoto);
        Assert.Equal(1.0 / 3, c.Gini, 9);
    }

    [Fact]
    public void test_concentration_ignoresZerosAndEmpty()
    {
        Assert.Equal(Of(3, 1), Of(3, 0, 1, 0));
        Assert.Equal(new Concentration(0, 0, 0), Of());
    }

    [Fact]
    public void test_concentration_exactFor256BitFees()
    {
        var big = BigInteger.One << 250;
        var c = Concentration.Of([big, big]);
        Assert.Equal(5_000, c.Hhi, 6);
        Assert.Equal(2, c.Nakamoto);
        Assert.Equal(0.5, Concentration.Share(big, big * 2), 12);
    }

    [Fact]
    public void test_concentration_giniMatchesThePairwiseDefinition()
    {
        Prop.ForAll(Gen.Choose(1, 1000).ArrayOf().Where(a => a.Length is > 0 and < 30).ToArbitrary(), values =>
        {
            var n = values.Length;
            double mean = values.Average();
            double pairwise = 0;
            foreach (var a in values) foreach (var b in values) pairwise += Math.Abs(a - b);
            var expected = pairwise / (2.0 * n * n * mean);
            var c = Concentration.Of(values.Select(v => new BigInteger(v)));
            return Math.Abs(c.Gini - expected) < 1e-9 && c.Hhi is >= 0 and <= 10_000 && c.Nakamoto is >= 1 && c.Nakamoto <= n;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void test_percentiles_nearestRank()
    {
        var h = new List<(long, long)> { (10, 5), (20, 4), (100, 1) };
        Assert.Equal(10, Percentiles.Of(h, 50));
        Assert.Equal(20, Percentiles.Of(h, 90));
        Assert.Equal(100, Percentiles.Of(h, 99));
        Assert.Null(Percentiles.Of([], 50));
    }

    [Fact]
    public void test_uint256Text_roundTripsAndKeepsNumericOrder()
    {
        var gen = Gen.Choose(0, 32).SelectMany(bytes => Gen.Choose(0, 255).ArrayOf(bytes))
            .Select(b => new BigInteger(b.Select(x => (byte)x).ToArray(), isUnsigned: true, isBigEndian: true));
        Prop.ForAll(gen.ToArbitrary(), gen.ToArbitrary(), (a, b) =>
        {
            var (ea, eb) = (Uint256Text.Encode(a), Uint256Text.Encode(b));
            return Uint256Text.Decode(ea) == a && ea.Length == 64 && Math.Sign(string.CompareOrdinal(ea, eb)) == a.CompareTo(b);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void test_uint256Text_refusesOutOfRangeAndMalformed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Uint256Text.Encode(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Uint256Text.Encode(BigInteger.One << 256));
        Assert.Equal((BigInteger.One << 256) - 1, Uint256Text.Decode(Uint256Text.Encode((BigInteger.One << 256) - 1)));
        Assert.Contains("64 hex digits", Assert.Throws<FormatException>(() => Uint256Text.Decode("12")).Message);
        Assert.Contains("lowercase hex", Assert.Throws<FormatException>(() => Uint256Text.Decode(new string('G', 64))).Message);
    }
}
