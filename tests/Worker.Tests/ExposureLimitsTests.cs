using System.Numerics;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Pricing;

namespace ProverMarketChain.Worker.Tests;

public sealed class ExposureLimitsTests
{
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    private static ExposureLimits Limits(int capacity = 4, int perCircuit = 2) => new(capacity, perCircuit, Ether, 3 * Ether);

    private static Commitment C(string id, uint circuit = 1, int eighths = 8, double seconds = 10) =>
        new(id, circuit, Ether * eighths / 8, seconds);

    [Fact]
    public void Refusal_collateralOverThePerJobCap_isRefusedWithTheOptionNamed()
    {
        var why = Limits().Refusal([], "0x01", 1, Ether + 1);
        Assert.Contains("maxCollateralPerJobWei", why);
        Assert.Null(Limits().Refusal([], "0x01", 1, Ether));
    }

    [Fact]
    public void Refusal_collateralAtRiskIsSummedOverEveryCommitment()
    {
        // 2 ETH already at risk, on two circuits: a third ETH fits the 3 ETH cap, a fourth does not.
        IReadOnlyCollection<Commitment> open = [C("0xa", 1), C("0xb", 2)];
        var limits = new ExposureLimits(4, 2, 2 * Ether, 3 * Ether);
        Assert.Null(limits.Refusal(open, "0x01", 3, Ether));
        var why = limits.Refusal(open, "0x01", 3, Ether + 1);
        Assert.Contains("maxCollateralAtRiskWei", why);
        Assert.Contains("2000000000000000000 already at risk", why);
    }

    [Fact]
    public void Refusal_capacityAndPerCircuitLimits()
    {
        IReadOnlyCollection<Commitment> two = [C("0xa", 1, 0), C("0xb", 1, 0)];
        Assert.Contains("maxJobsPerCircuit", Limits().Refusal(two, "0x01", 1, 0));
        Assert.Null(Limits().Refusal(two, "0x01", 2, 0));
        IReadOnlyCollection<Commitment> four = [C("0xa", 1, 0), C("0xb", 2, 0), C("0xc", 3, 0), C("0xd", 4, 0)];
        Assert.Contains("at capacity", Limits().Refusal(four, "0x01", 5, 0));
    }

    [Fact]
    public void Refusal_collateralAtRiskIsPerAsset()
    {
        // 3 ETH at risk leaves no room in ETH, but a token's amounts (another unit) never add up with it.
        IReadOnlyCollection<Commitment> open = [C("0xa", 1, 8), C("0xb", 2, 8), C("0xc", 3, 8)];
        Assert.Contains("maxCollateralAtRiskWei", Limits(capacity: 8, perCircuit: 8).Refusal(open, "0x01", 4, 1, assetId: 0));
        Assert.Null(Limits(capacity: 8, perCircuit: 8).Refusal(open, "0x01", 4, Ether, assetId: 1));
    }

    [Fact]
    public void Refusal_ignoresTheCandidatesOwnCommitment()
    {
        // Re-admitting a request that already holds a slot (a restart re-deciding it) must not count it twice.
        IReadOnlyCollection<Commitment> open = [C("0x01", 1, 8), C("0xb", 1, 8)];
        Assert.Null(Limits().Refusal(open, "0x01", 1, Ether));
    }

    [Fact]
    public void QueueAhead_sharesQueuedWorkOverTheCapacity_andThePlannerPromisesIt()
    {
        IReadOnlyCollection<Commitment> open = [C("0xa", seconds: 30), C("0xb", seconds: 10), C("0xc", seconds: 0)];
        Assert.Equal(10, Limits(capacity: 4).QueueAheadSeconds(open, "0x01", 2)); // other circuits: shared over 4 slots
        Assert.Equal(40, Limits(capacity: 4).QueueAheadSeconds(open, "0x01", 1)); // its own circuit proves one at a time
        var planner = new JobPlanner(new CostModelOptions { CostPerUnitWei = "1", TimeSafetyFactor = 2 }, new GasProfile(), 10_000, submissionOverheadSeconds: 4);
        // 20000 units at 10000/s x2 = 4 s, + 4 s overhead, + 10 s queued ahead.
        var take = Assert.IsType<JobDecision.Take>(planner.Plan(new JobTerms(AllocationMode.SealedBid, 20_000, Ether, 0, 60, QueueAheadSeconds: 10), 1, 10));
        Assert.Equal(18u, take.PromisedLatencySeconds);
        // The same job does not fit a 15-second window behind that queue, though it would alone.
        var skip = Assert.IsType<JobDecision.Skip>(planner.Plan(new JobTerms(AllocationMode.SealedBid, 20_000, Ether, 0, 15, QueueAheadSeconds: 10), 1, 10));
        Assert.Contains("queued work ahead", skip.Reason);
        Assert.IsType<JobDecision.Take>(planner.Plan(new JobTerms(AllocationMode.SealedBid, 20_000, Ether, 0, 15), 1, 10));
        Assert.Contains("queued work ahead", Assert.IsType<JobDecision.Skip>(planner.PlanMatch(20_000, Ether, 15, 1, 10, queueAheadSeconds: 10)).Reason);
    }
}
