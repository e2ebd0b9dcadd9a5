using System.Globalization;
using System.Numerics;
using ProverMarketChain.Simulation.Model;

namespace ProverMarketChain.Cli.Simulate;

/// <summary>One request of a replay: what the simulator decided and what the chain did.</summary>
/// <param name="Index">Request index.</param>
/// <param name="Mechanism">Mode.</param>
/// <param name="RequestId">On-chain request id (hex).</param>
/// <param name="SimWinner">Simulated winner's address (null: unserved).</param>
/// <param name="SimPayment">Simulated payment before the protocol fee, wei.</param>
/// <param name="ChainWinner">The prover of the chain's <c>RequestFulfilled</c> (null: none).</param>
/// <param name="ChainPayment">Its prover payment plus protocol fee, wei.</param>
public sealed record ReplayRow(int Index, Mechanism Mechanism, string RequestId, string? SimWinner, BigInteger SimPayment, string? ChainWinner, BigInteger ChainPayment)
{
    /// <summary>Whether the chain paid the simulated winner the simulated payment (or neither paid anyone).</summary>
    public bool Equal => string.Equals(SimWinner, ChainWinner, StringComparison.OrdinalIgnoreCase) && SimPayment == ChainPayment;
}

/// <summary>The comparison of a replay: rows and the table <c>pmc simulate --replay</c> prints.</summary>
public static class ReplayComparison
{
    /// <summary>Rows whose chain result differs from the simulator's.</summary>
    public static IReadOnlyList<ReplayRow> Mismatches(IEnumerable<ReplayRow> rows) => rows.Where(r => !r.Equal).ToList();

    /// <summary>Requests per mode.</summary>
    public static IReadOnlyDictionary<Mechanism, int> PerMode(IEnumerable<ReplayRow> rows) => rows.GroupBy(r => r.Mechanism).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Writes the per-request table.</summary>
    public static void Print(IReadOnlyList<ReplayRow> rows, TextWriter o)
    {
        static string Who(string? a) => a is null ? "-" : a[..10] + "…";
        o.WriteLine($"{"#",3} {"mode",-12} {"request",-12} {"sim winner",-12} {"sim payment",20} {"chain winner",-12} {"chain payment",20} equal");
        foreach (var r in rows)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Index,3} {r.Mechanism,-12} {r.RequestId[..10] + "…",-12} {Who(r.SimWinner),-12} {r.SimPayment,20} {Who(r.ChainWinner),-12} {r.ChainPayment,20} {(r.Equal ? "yes" : "NO")}"));
    }
}
