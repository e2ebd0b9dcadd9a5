namespace ProverMarketChain.Simulation.Calibration;

/// <summary>
/// The measured proving speed the simulated hardware is scaled from: <c>pmc bench</c> on the project's 2-core machine,
/// proving the 2^16-constraint circuit (<c>poseidon_chain_2e16</c>, 65,520 constraints) in 0.60–0.77 s (README,
/// "Performance" table, row "prove, 2^16-constraint circuit"; reproduce with <c>make bench</c>). The midpoint is used;
/// proving time is taken as linear in the constraint count (MSM and NTT are n·log n, so larger circuits are slightly
/// optimistic).
/// </summary>
/// <param name="Constraints">Constraints of the benchmarked circuit.</param>
/// <param name="Seconds">Measured proving seconds.</param>
/// <param name="Source">Where the figure comes from.</param>
public sealed record ProvingCalibration(long Constraints, double Seconds, string Source)
{
    /// <summary>The figure recorded in README.md from <c>pmc bench</c>.</summary>
    public static ProvingCalibration PmcBench { get; } = new(65_520, (0.60 + 0.77) / 2,
        "README.md performance table: `pmc bench` proves poseidon_chain_2e16 (65,520 constraints) in 0.60-0.77 s on the 2-core machine (midpoint 0.685 s); `make bench` reproduces it");

    /// <summary>Proving units (constraints) per second of the reference machine.</summary>
    public double UnitsPerSecond => Constraints / Seconds;
}
