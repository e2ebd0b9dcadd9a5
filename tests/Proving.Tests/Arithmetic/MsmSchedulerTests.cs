using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Msm;
using MsmApi = ProverMarketChain.Proving.Msm.Msm;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

/// <summary>Several MSMs run as one stream of window units (the prover's five): results, compaction, failures.</summary>
public class MsmSchedulerTests
{
    private static (G1Affine[] Points, Fr[] Scalars) G1Terms(int seed, int n)
    {
        var rng = new Random(seed);
        var jac = new G1Jacobian[n];
        for (int i = 0; i < n; i++)
        {
            jac[i] = G1Jacobian.Generator.Multiply(Fr.Random(rng));
        }
        var points = new G1Affine[n];
        G1Jacobian.BatchToAffine(jac, points);
        var scalars = new Fr[n];
        for (int i = 0; i < n; i++)
        {
            // Infinity points and zero scalars are compacted away; small scalars leave the upper windows empty.
            if (i % 7 == 3) points[i] = G1Affine.Infinity;
            scalars[i] = (i % 5) switch { 0 => Fr.Zero, 1 => Fr.FromBigInteger(i), _ => Fr.Random(rng) };
        }
        return (points, scalars);
    }

    private static (G2Affine[] Points, Fr[] Scalars) G2Terms(int seed, int n)
    {
        var rng = new Random(seed);
        var points = new G2Affine[n];
        var scalars = new Fr[n];
        var baseJ = G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng));
        for (int i = 0; i < n; i++)
        {
            // Repeats make the batch-affine flush meet doublings and cancellations.
            points[i] = i % 11 == 4 ? G2Affine.Infinity : i % 3 == 0 ? baseJ.ToAffine() : G2Affine.Generator.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
            scalars[i] = i % 6 == 0 ? Fr.Zero : Fr.Random(rng);
        }
        return (points, scalars);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Jobs_in_one_stream_each_match_the_naive_sum(int threads)
    {
        var (g2p, g2s) = G2Terms(1, 400);
        var (ap, asc) = G1Terms(2, 1500);
        var (bp, bsc) = G1Terms(3, 300);
        var (cp, _) = G1Terms(4, 50);
        var czero = new Fr[cp.Length]; // no term contributes: zero windows
        var expectedB2 = MsmApi.MultiExpNaive(g2p, g2s);
        var expectedA = MsmApi.MultiExpNaive(ap, asc);
        var expectedB = MsmApi.MultiExpNaive(bp.AsSpan(0, 250), bsc.AsSpan(0, 250));

        // The jobs compact their bases in place: hand them copies.
        var j2 = new MsmJob<G2Affine, G2Jacobian, G2Ops>("B2", () => (G2Affine[])g2p.Clone(), g2s, g2p.Length, compact: true);
        var ja = new MsmJob<G1Affine, G1Jacobian, G1Ops>("A", () => (G1Affine[])ap.Clone(), asc, ap.Length, compact: true);
        var jb = new MsmJob<G1Affine, G1Jacobian, G1Ops>("B", () => (G1Affine[])bp.Clone(), bsc, 250, compact: true);
        var jc = new MsmJob<G1Affine, G1Jacobian, G1Ops>("C", () => (G1Affine[])cp.Clone(), czero, cp.Length, compact: true);
        MsmScheduler.Run([j2, ja, jc, jb], threads);

        Assert.Equal(expectedB2, j2.Result);
        Assert.Equal(expectedA, ja.Result);
        Assert.Equal(expectedB, jb.Result);
        Assert.Equal(G1Jacobian.Infinity, jc.Result);
        Assert.Equal(0, jc.Windows);
    }

    [Fact]
    public void A_job_prepared_beforehand_is_not_loaded_again()
    {
        var (p, s) = G1Terms(5, 600);
        int loads = 0;
        var job = new MsmJob<G1Affine, G1Jacobian, G1Ops>("A", () =>
        {
            Interlocked.Increment(ref loads);
            return (G1Affine[])p.Clone();
        }, s, p.Length, compact: true);
        job.Prepare();
        Assert.True(job.IsPrepared);
        MsmScheduler.Run([job], 2);
        Assert.Equal(1, loads);
        Assert.Equal(MsmApi.MultiExpNaive(p, s), job.Result);
        Assert.Throws<InvalidOperationException>(() => job.Prepare());
    }

    [Fact]
    public void A_result_read_before_the_job_ran_is_refused()
    {
        var (p, s) = G1Terms(6, 10);
        var job = new MsmJob<G1Affine, G1Jacobian, G1Ops>("H", () => p, s, p.Length, compact: false);
        var e = Assert.Throws<InvalidOperationException>(() => job.Result);
        Assert.Contains("MSM H", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_failing_load_stops_the_stream_and_surfaces_its_own_exception(int threads)
    {
        var (p, s) = G1Terms(7, 500);
        var ok = new MsmJob<G1Affine, G1Jacobian, G1Ops>("A", () => (G1Affine[])p.Clone(), s, p.Length, compact: true);
        var bad = new MsmJob<G1Affine, G1Jacobian, G1Ops>("B1",
            () => throw new ProvingFormatException("x.zkey", "B1 point 7 is not a valid G1 point (corrupt file?)"), s, p.Length, compact: true);
        var after = new MsmJob<G1Affine, G1Jacobian, G1Ops>("C", () => (G1Affine[])p.Clone(), s, p.Length, compact: true);

        // Bounded wait: a unit waiting on the failed preparation must be released, not hang.
        var run = Task.Run(() => MsmScheduler.Run([ok, bad, after], threads));
        Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "the scheduler hung after a failed load");
        var e = Assert.Throws<ProvingFormatException>(() => run.GetAwaiter().GetResult());
        Assert.Contains("B1 point 7", e.Message);
        Assert.False(after.IsPrepared, "nothing of a later job runs after the failure");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_job_fed_by_the_prelude_is_prepared_after_it_and_others_run_alongside(int threads)
    {
        var (ap, asc) = G1Terms(8, 900);
        var (hp, hsc) = G1Terms(9, 700);
        Fr[] computed = [];
        int preparedBeforePrelude = -1;
        var ja = new MsmJob<G1Affine, G1Jacobian, G1Ops>("A", () => (G1Affine[])ap.Clone(), asc, ap.Length, compact: true);
        var jh = new MsmJob<G1Affine, G1Jacobian, G1Ops>("H", () => (G1Affine[])hp.Clone(), default, hp.Length, compact: true,
            scalarsFromPrelude: () => computed);
        Assert.True(jh.NeedsPrelude);
        MsmScheduler.Run([ja, jh], threads, prelude: () =>
        {
            Thread.Sleep(50); // the other thread meanwhile prepares A and runs its windows
            preparedBeforePrelude = jh.IsPrepared ? 1 : 0;
            computed = (Fr[])hsc.Clone();
        });
        Assert.Equal(0, preparedBeforePrelude);
        Assert.Equal(MsmApi.MultiExpNaive(ap, asc), ja.Result);
        Assert.Equal(MsmApi.MultiExpNaive(hp, hsc), jh.Result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_failing_prelude_surfaces_its_exception_and_no_dependent_job_runs(int threads)
    {
        var (p, s) = G1Terms(10, 400);
        var ja = new MsmJob<G1Affine, G1Jacobian, G1Ops>("A", () => (G1Affine[])p.Clone(), s, p.Length, compact: true);
        var jh = new MsmJob<G1Affine, G1Jacobian, G1Ops>("H", () => (G1Affine[])p.Clone(), default, p.Length, compact: true,
            scalarsFromPrelude: () => s);
        var run = Task.Run(() => MsmScheduler.Run([ja, jh], threads, prelude: () => throw new InvalidDataException("QAP failed")));
        Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "the scheduler hung after a failed prelude");
        var e = Assert.Throws<InvalidDataException>(() => run.GetAwaiter().GetResult());
        Assert.Equal("QAP failed", e.Message);
        Assert.False(jh.IsPrepared);
    }
}
