using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Simulation.Calibration;

namespace ProverMarketChain.Simulation.Tests;

/// <summary>The committed gas snapshot, parsed once.</summary>
internal static class TestGas
{
    private static readonly Lazy<GasSnapshot> Lazy = new(() => GasSnapshot.Load(Path.Combine(RepoPaths.Root, GasSnapshot.RelativePath)));

    public static GasSnapshot Snapshot => Lazy.Value;

    public static GasTable Table => Lazy.Value.ToTable();
}
