using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ProverMarketChain.Indexer.Hosting;
using ProverMarketChain.Indexer.Projection;

namespace ProverMarketChain.Indexer.Api;

/// <summary>
/// The HTTP API (minimal APIs, described at <c>/openapi/v1.json</c>). 256-bit numbers are JSON strings. A bad parameter
/// answers 400 with <c>{"error": "…"}</c> naming it; an unknown id answers 404.
/// </summary>
public static class ApiEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app, int confirmations)
    {
        var v1 = app.MapGroup("/v1").AddEndpointFilter(async (ctx, next) =>
        {
            try { return await next(ctx).ConfigureAwait(false); }
            catch (BadQueryException e) { return Results.BadRequest(new ApiError(e.Message)); }
        });

        v1.MapGet("/requests", (IndexerQueries q, string? status, string? mode, string? prover, string? circuit, string? requester, int? limit, string? cursor, CancellationToken ct) =>
                q.RequestsAsync(status, mode, prover, circuit, requester, limit, cursor, ct))
            .WithSummary("Requests, newest first, with cursor pagination and filters by status, mode, prover, circuit and requester.");

        v1.MapGet("/requests/{id}", async Task<IResult> (IndexerQueries q, string id, CancellationToken ct) =>
                await q.RequestAsync(id, ct).ConfigureAwait(false) is { } r ? Results.Ok(r) : Results.NotFound(new ApiError($"no request {id} is indexed")))
            .WithSummary("One request with its full event history.");

        v1.MapGet("/provers", async (IndexerQueries q, CancellationToken ct) => new SummaryList<ParticipantSummary>(await q.ParticipantsAsync(Dims.Prover, null, ct).ConfigureAwait(false)))
            .WithSummary("Every prover's all-time summary, most fulfilments first.");

        v1.MapGet("/provers/{address}", async Task<IResult> (IndexerQueries q, string address, CancellationToken ct) =>
                await q.ProverAsync(address, ct).ConfigureAwait(false) is { } p ? Results.Ok(p) : Results.NotFound(new ApiError($"prover {address} never appeared in this market")))
            .WithSummary("One prover: summary, vault balances, asks and latest requests.");

        v1.MapGet("/requesters", async (IndexerQueries q, CancellationToken ct) => new SummaryList<ParticipantSummary>(await q.ParticipantsAsync(Dims.Requester, null, ct).ConfigureAwait(false)))
            .WithSummary("Every requester's all-time summary.");

        v1.MapGet("/circuits", async (IndexerQueries q, CancellationToken ct) => new SummaryList<ParticipantSummary>(await q.ParticipantsAsync(Dims.Circuit, null, ct).ConfigureAwait(false)))
            .WithSummary("Every circuit's all-time summary.");

        v1.MapGet("/market/summary", (IndexerQueries q, string? interval, long? from, long? to, CancellationToken ct) => q.MarketSummaryAsync(interval, from, to, ct))
            .WithSummary("The market by hour or day: counts by status and mode, fees against the maximum and the reserve, gas per request, latency percentiles, unique participants.");

        v1.MapGet("/market/efficiency", (IndexerQueries q, CancellationToken ct) => q.EfficiencyAsync(ct))
            .WithSummary("Sealed auctions: how often the best revealed score won, and the second-score payment against the winner's bid.");

        v1.MapGet("/decentralization", (IndexerQueries q, string? window, string? mode, CancellationToken ct) => q.DecentralizationAsync(window, mode, ct))
            .WithSummary("Prover shares of fulfilments and fees, HHI, Nakamoto coefficient and Gini over a window (1h, 24h, 7d, 30d, all), per mode.");

        app.MapGet("/health", async (IndexerQueries q, IndexerStatus status, CancellationToken ct) =>
            {
                var h = await q.HealthAsync(confirmations, ct).ConfigureAwait(false);
                return Results.Json(new { h.Status, h.HeadBlock, h.IndexedBlock, h.LagBlocks, h.LagSeconds, h.IndexedBlockTime, h.Database, h.SchemaVersion, status.Reorgs, status.LastError, UnprojectableEvents = Projection.RequestFold.Unprojectable },
                    statusCode: status.LastError is null ? 200 : 503);
            })
            .WithSummary("How far indexing lags behind the head (503 while the loop is failing).");
    }
}
