using System.Numerics;

namespace ProverMarketChain.Economics;

/// <summary>Concentration indices of a distribution of wins or fees among provers.</summary>
/// <param name="Hhi">Herfindahl-Hirschman index: the sum of squared percentage shares, 0 to 10,000 (10,000: one prover has everything).</param>
/// <param name="Nakamoto">The fewest provers that together hold more than 50% (0 when there is nothing).</param>
/// <param name="Gini">Gini coefficient among the provers that hold any share, 0 (equal) to (n-1)/n (one holds everything).</param>
public readonly record struct Concentration(double Hhi, int Nakamoto, double Gini)
{
    /// <summary>The indices of <paramref name="values"/> (one non-negative value per prover; zeros are ignored).</summary>
    public static Concentration Of(IEnumerable<BigInteger> values)
    {
        var v = values.Where(x => x.Sign > 0).OrderDescending().ToList();
        var total = v.Aggregate(BigInteger.Zero, (a, x) => a + x);
        if (total.IsZero) return new Concentration(0, 0, 0);
        var shares = v.Select(x => Share(x, total)).ToList();
        var hhi = shares.Sum(s => (100 * s) * (100 * s));
        // Nakamoto: add the largest holders until they hold more than half (exact: compare twice the sum with the total).
        int nakamoto = 0;
        var held = BigInteger.Zero;
        foreach (var x in v)
        {
            held += x;
            nakamoto++;
            if (held * 2 > total) break;
        }
        // Gini with holders in ascending order: G = 2 * sum(i * x_i) / (n * sum x) - (n + 1) / n, i from 1.
        var n = v.Count;
        double weighted = 0;
        for (var i = 0; i < n; i++) weighted += (i + 1) * shares[n - 1 - i];
        var gini = n == 1 ? 0 : 2 * weighted / n - (n + 1.0) / n;
        return new Concentration(Math.Round(hhi, 6), nakamoto, Math.Max(0, Math.Round(gini, 9)));
    }

    /// <summary><paramref name="part"/> / <paramref name="total"/> as a double, exact to about 1e-15 however large the values.</summary>
    public static double Share(BigInteger part, BigInteger total) =>
        total.IsZero ? 0 : (double)(part * 1_000_000_000_000_000 / total) / 1e15;
}
