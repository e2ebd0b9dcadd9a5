using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// Base of the live market test classes: each class gets its own anvil with one-second blocks (xunit's class fixture;
/// the classes run in parallel, see Parallelism.cs), and the request statuses the tests wait for, from the worker's own
/// mirror of the market's <c>Status</c> enum rather than numbers copied into every class.
/// </summary>
public abstract class LiveMarketTests(BlockTimeAnvil anvil) : IClassFixture<BlockTimeAnvil>
{
    /// <summary>The market's <c>Status.Assigned</c>.</summary>
    protected const int Assigned = (int)ChainStatus.Assigned;

    /// <summary>The market's <c>Status.Secondary</c>.</summary>
    protected const int Secondary = (int)ChainStatus.Secondary;

    /// <summary>The market's <c>Status.Fulfilled</c>.</summary>
    protected const int Fulfilled = (int)ChainStatus.Fulfilled;

    /// <summary>This class's chain.</summary>
    protected BlockTimeAnvil Anvil { get; } = anvil;
}
