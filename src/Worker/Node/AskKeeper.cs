using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Worker.Pricing;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// Keeps one standing ask per served circuit in the book, offering only the capacity the worker really has free (its
/// capacity less every open bid, lock, accepted match and job), so a re-post or a restart never promises more than it
/// can prove. An ask is (re)posted when missing, when its price moved by more than 10% (each post costs gas), when less
/// than a quarter of its lifetime is left, when its terms changed, when it offers more capacity than is free, or when
/// it offers none while some is free; it is cancelled when nothing is free. Upkeep runs apart from the reconciliation:
/// a failure here (a full book, a gas spike) is retried after a pause and never holds up a reveal or a submission.
/// </summary>
internal sealed class AskKeeper(NodeContext ctx, IAskBookService book)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);
    private readonly Dictionary<uint, DateTime> _retryAt = [];
    private readonly HashSet<string> _warned = [];

    /// <summary>The capacity the worker can still promise: its capacity less every open commitment.</summary>
    public int FreeCapacity() => Math.Max(0, ctx.Options.Capacity - ctx.Commitments().Count);

    /// <summary>One round of upkeep over every served circuit.</summary>
    public async Task KeepCurrentAsync(BigInteger gasPrice, ulong now, CancellationToken ct)
    {
        var registry = new ICircuitRegistryService(ctx.Signer.Web3(), ctx.Deployment.CircuitRegistry.ToString());
        var lifetime = (ulong)ctx.Options.AskLifetime.TotalSeconds;
        var cap = ctx.Options.AskMaxCollateral;
        var free = (uint)FreeCapacity(); // once per round: it reads every open promise from the journal
        foreach (var c in ctx.Engine.Circuits)
        {
            if (_retryAt.TryGetValue(c.CircuitId, out var retryAt) && DateTime.UtcNow < retryAt) continue;
            try
            {
                var terms = await registry.CircuitTermsQueryAsync(c.CircuitId, cancellationToken: ct).ConfigureAwait(false);
                var units = (ulong)terms.ProvingUnits;
                if (units == 0) continue;
                var current = await book.AskOfQueryAsync(c.CircuitId, ctx.Prover, cancellationToken: ct).ConfigureAwait(false);
                if (free == 0)
                {
                    if (current.Listed && current.Capacity > 0)
                    {
                        ctx.Log.LogInformation("Standing ask for circuit {Circuit}: cancelled while the worker has no free capacity", c.CircuitId);
                        await book.CancelAskRequestAndWaitForReceiptAsync(c.CircuitId, ct).ConfigureAwait(false);
                    }
                    continue;
                }
                var ask = ctx.Planner.AskFor(AllocationMode.StandingAsk, units, gasPrice);
                var perUnit = (ask + units - 1) / units;
                var latency = ctx.Planner.EstimateLatencySeconds(units);
                string? why = !current.Listed ? "not listed"
                    : (ulong)current.ExpiresAt <= now + lifetime / 4 ? $"expires at {current.ExpiresAt}"
                    : BigInteger.Abs(perUnit - current.PricePerUnit) * 10 > current.PricePerUnit ? $"price moved from {current.PricePerUnit}"
                    : current.MaxCollateral != cap || (int)current.AssetId != ctx.Options.AskAssetId ? "collateral terms changed"
                    : current.MaxLatency != latency ? $"latency moved from {current.MaxLatency} s"
                    : current.Capacity > free ? $"it offers {current.Capacity} jobs but only {free} are free"
                    : current.Capacity == 0 ? "its capacity is used up"
                    : null;
                if (why is null) continue;

                var bond = await ctx.Market.BondBalanceQueryAsync(ctx.Prover, ctx.Options.AskAssetId, cancellationToken: ct).ConfigureAwait(false);
                var vaultFree = bond >= cap ? BigInteger.Zero : await ctx.Vault.FreeBalanceQueryAsync(ctx.Prover, ctx.Options.AskAssetId, cancellationToken: ct).ConfigureAwait(false);
                if (bond < cap && vaultFree < cap)
                {
                    if (_warned.Add($"unbacked:{c.CircuitId}"))
                        ctx.Log.LogWarning("Standing ask for circuit {Circuit} not posted: its max collateral {Cap} of asset {Asset} is covered neither by the bond balance {Bond} nor by the free vault balance {Free}; deposit more or lower askMaxCollateralWei",
                            c.CircuitId, cap, ctx.Options.AskAssetId, bond, vaultFree);
                    _retryAt[c.CircuitId] = DateTime.UtcNow + RetryDelay;
                    continue;
                }
                _warned.Remove($"unbacked:{c.CircuitId}");
                var expiresAt = now + lifetime;
                ctx.Log.LogInformation("Posting standing ask for circuit {Circuit} ({Why}): {PerUnit} wei/unit, {Latency} s, capacity {Capacity}, max collateral {Cap}, expires at {ExpiresAt}",
                    c.CircuitId, why, perUnit, latency, free, cap, expiresAt);
                await book.PostAskRequestAndWaitForReceiptAsync(c.CircuitId, perUnit, latency, free, ctx.Options.AskAssetId, cap, expiresAt, Address.Zero, ct).ConfigureAwait(false);
                _retryAt.Remove(c.CircuitId);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _retryAt[c.CircuitId] = DateTime.UtcNow + RetryDelay;
                ctx.Log.LogWarning("Standing ask for circuit {Circuit}: upkeep failed, retrying in {Delay} s: {Error}", c.CircuitId, RetryDelay.TotalSeconds, e.Message);
            }
        }
    }
}
