using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Pricing;

namespace ProverMarketChain.Worker.Node;

/// <summary>
/// Answers standing-ask matches of our asks: preflights the request (profit at today's gas price, latency with the
/// queue ahead, the exposure limits, collateral cover, then the input and its witness against the public inputs) and
/// accepts or declines within the acceptance window. The decision is journalled before its transaction is sent (an
/// acceptance holds capacity from then on), so a restart re-sends the same one and never the opposite.
/// </summary>
internal sealed class MatchResponder(NodeContext ctx, Preflight preflight)
{
    // Decide at the latest this long before the window closes: an input still unavailable then is declined.
    private const ulong DecisionMarginSeconds = 20;

    /// <summary>One step on a request matched to our ask.</summary>
    public async Task RespondAsync(TrackedRequest r, Request req, RequestView view, ulong now, BigInteger? gasPrice, CancellationToken ct)
    {
        var acceptBy = (ulong)view.Deadline;
        if (now > acceptBy) return; // the window is over: anyone lapses the match (and our ask leaves the book)
        var decided = ctx.Journal.GetMatch(r.RequestId, acceptBy) ?? await DecideAsync(r, req, view, acceptBy, now, gasPrice, ct).ConfigureAwait(false);
        if (decided is null) return; // preflight still running
        var action = $"{(decided.Decision == MatchDecision.Accept ? "acceptMatch" : "declineMatch")}:{acceptBy}";
        await ctx.Sends.SendAsync(r.RequestId, action, async () =>
        {
            if (decided.Decision == MatchDecision.Accept)
            {
                ctx.Log.LogInformation("Request {Id}: accepting the match at {Fee} wei (latency {Latency} s, collateral {Collateral})",
                    r.RequestId, view.Fee, view.ProverLatency, req.MinCollateral);
                await ctx.Market.AcceptMatchRequestAndWaitForReceiptAsync(req, ct).ConfigureAwait(false);
            }
            else
            {
                ctx.Log.Log(decided.InputRejected ? LogLevel.Warning : LogLevel.Information, "Request {Id}: declining the match: {Reason}", r.RequestId, decided.Reason);
                await ctx.Market.DeclineMatchRequestAndWaitForReceiptAsync(req, ct).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false);
    }

    private async Task<MatchRecord?> DecideAsync(TrackedRequest r, Request req, RequestView view, ulong acceptBy, ulong now, BigInteger? gasPrice,
        CancellationToken ct)
    {
        MatchRecord Decline(string reason, bool inputRejected)
        {
            ctx.Metrics.JobsSkipped.Add(1);
            return ctx.Journal.DecideMatch(r.RequestId, acceptBy, MatchDecision.Decline, reason, inputRejected);
        }

        if (gasPrice is not { } gas) return null; // no fee estimate this tick: decide on the next
        if (req.MinCollateral > ctx.Options.AskMaxCollateral)
            return Decline($"collateral {req.MinCollateral} exceeds our ask's cap of {ctx.Options.AskMaxCollateral} per job", false);
        var verdict = preflight.Check(r, req, ct);
        if (verdict.Status == PreflightStatus.Rejected) return Decline(verdict.Reason!, true);
        if (verdict.Status == PreflightStatus.Pending)
        {
            if (now + DecisionMarginSeconds < acceptBy) return null;
            return Decline("the input could not be fetched in time" + (verdict.Reason is { } why ? $": {why}" : ""), false);
        }
        if (!await ctx.CollateralCoversAsync(r, req, ct).ConfigureAwait(false))
            return Decline($"collateral {req.MinCollateral} of asset {req.AssetId} is not covered by our bond or free vault balance", false);

        string? refused = null;
        var accepted = await ctx.AdmitAsync(r, req.MinCollateral, (byte)req.AssetId,
            queue => ctx.Planner.PlanMatch(r.ProvingUnits, view.Fee, (uint)view.ProverLatency, gas, ctx.Options.MaxGasPrice, queue, NodeContext.CallbackGas(req)),
            _ => Task.FromResult<MatchRecord?>(ctx.Journal.DecideMatch(r.RequestId, acceptBy, MatchDecision.Accept)), ct,
            why => refused = why).ConfigureAwait(false);
        return accepted ?? Decline(refused ?? "refused by the admission gate", false);
    }
}
