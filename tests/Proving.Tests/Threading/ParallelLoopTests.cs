using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Tests.Threading;

/// <summary>The prover's parallel loop: every index once, any thread count, exceptions gathered as Parallel.For does.</summary>
public class ParallelLoopTests
{
    [Theory]
    [InlineData(0, 0, 2)]
    [InlineData(0, 1, 2)]
    [InlineData(3, 1000, 2)]
    [InlineData(0, 1000, 1)]
    [InlineData(-5, 5, 8)]
    [InlineData(0, 7, -1)]
    public void Runs_every_index_exactly_once(int from, int to, int threads)
    {
        int count = Math.Max(0, to - from);
        var hits = new int[count];
        ParallelLoop.For(from, to, threads, i => Interlocked.Increment(ref hits[i - from]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Uses_more_than_one_thread_when_asked()
    {
        var threads = new HashSet<int>();
        using var bothStarted = new CountdownEvent(2);
        ParallelLoop.For(0, 2, 2, _ =>
        {
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            bothStarted.Signal();
            // Each body waits for the other: this returns only if the two run at the same time.
            Assert.True(bothStarted.Wait(TimeSpan.FromSeconds(30)));
        });
        Assert.Equal(2, threads.Count);
    }

    [Fact]
    public void Exceptions_are_thrown_together_after_the_running_bodies_return()
    {
        int ran = 0;
        var e = Assert.Throws<AggregateException>(() => ParallelLoop.For(0, 10_000, 2, i =>
        {
            Interlocked.Increment(ref ran);
            if (i % 10 == 3) throw new InvalidOperationException($"body {i}");
        }));
        Assert.NotEmpty(e.InnerExceptions);
        Assert.All(e.InnerExceptions, x => Assert.IsType<InvalidOperationException>(x));
        // Issue stops at the first failure: far fewer than all bodies ran.
        Assert.True(ran < 10_000, $"{ran} bodies ran");
    }
}
