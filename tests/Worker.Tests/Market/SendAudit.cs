using ProverMarketChain.Cli.Soak;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>
/// The double-send check of the adversarial tests, with the soak's auditor: every transaction the workers got mined
/// (read block by block with its receipt, so it counts what was sent, not what reverted or what events say), and any
/// send of a market function on a request after the same worker's own successful send of it.
/// </summary>
internal static class SendAudit
{
    public static async Task<IReadOnlyList<DuplicateSend>> DuplicatesAsync(MarketHarness h, IReadOnlyCollection<Address> workers)
    {
        var head = await h.Client.BlockNumberAsync();
        using var rpc = h.Anvil.CreateRpc();
        var mined = await new BlockScanner(rpc).ScanAsync(0, head, CancellationToken.None);
        var sent = mined.Where(t => workers.Contains(t.From)).ToList();
        Assert.NotEmpty(sent); // the audit saw the workers' transactions at all
        return DuplicateSendDetector.Find(mined, workers.ToHashSet(), new MarketCallDecoder(Address.Parse(h.Market.ContractAddress)));
    }
}
