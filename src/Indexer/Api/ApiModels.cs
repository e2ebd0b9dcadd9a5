using System.Text.Json.Nodes;

namespace ProverMarketChain.Indexer.Api;

/// <summary>A request as the API serves it (amounts in wei as decimal strings, times in unix seconds).</summary>
public sealed record RequestDto(
    string RequestId, string Mode, long CircuitId, string Requester, string? Prover, string Status, int SlashCount,
    string MaxFee, string MinFee, string ReserveFee, string? Fee, string? Payment, string? ProtocolFee, string? Refund,
    string MinCollateral, string? Collateral, int AssetId, long? PromisedLatency, long? DeliveredLatency, long? Deadline,
    long SubmittedAt, long SubmittedBlock, long? AssignedAt, long? AssignedBlock, long? FulfilledAt, long? FulfilledBlock,
    long? ClosedAt, long GasUsed, int BidsCommitted, int BidsRevealed, string? WinnerFee, string? SecondScore, bool? BestScoreWon,
    IReadOnlyList<SlashDto> Slashes);

/// <summary>One slash of a job.</summary>
public sealed record SlashDto(string Prover, string Amount);

/// <summary>A page of requests, newest first; pass <paramref name="NextCursor"/> as <c>cursor</c> for the next page.</summary>
public sealed record RequestPage(IReadOnlyList<RequestDto> Items, string? NextCursor);

/// <summary>One event in a request's history.</summary>
public sealed record HistoryEntry(long Block, int LogIndex, string TxHash, long Timestamp, string Contract, string Event, JsonObject Data);

/// <summary>A request with its full history, oldest first.</summary>
public sealed record RequestDetail(RequestDto Request, IReadOnlyList<HistoryEntry> History);

/// <summary>The summary of a prover, requester or circuit over all time (all modes, and per mode).</summary>
public sealed record ParticipantSummary(
    string Key, long Requests, long Fulfilled, long Assigned, long Matched, long Slashes, string SlashedAmount, string Fees,
    string MaxFees, double? MeanLatency, long GasUsed, IReadOnlyDictionary<string, long> ByMode, IReadOnlyDictionary<string, long> ByStatus);

/// <summary>A list of summaries.</summary>
public sealed record SummaryList<T>(IReadOnlyList<T> Items);

/// <summary>A prover's page: its summary, its vault balances and asks, and its latest requests.</summary>
public sealed record ProverDetail(ParticipantSummary Summary, IReadOnlyList<AccountDto> Accounts, IReadOnlyList<JsonObject> Asks, IReadOnlyList<RequestDto> Recent);

/// <summary>A vault balance.</summary>
public sealed record AccountDto(int AssetId, string Free, string Locked, string Pending);

/// <summary>One bucket of the market summary (or the totals).</summary>
public sealed record MarketBucket(
    long Start, long Requests, IReadOnlyDictionary<string, long> ByStatus, IReadOnlyDictionary<string, long> ByMode, long Fulfilled,
    long Slashes, string FeesPaid, string MaxFees, string ReserveFees, string ProtocolFees, long? GasPerRequest,
    long? LatencyP50, long? LatencyP90, long? LatencyP99, IReadOnlyList<LatencyCount> LatencyHistogram, long UniqueProvers, long UniqueRequesters);

/// <summary>A histogram bar.</summary>
public sealed record LatencyCount(long Latency, long Count);

/// <summary>The market by hour or day.</summary>
public sealed record MarketSummary(string Interval, long From, long To, IReadOnlyList<MarketBucket> Buckets, MarketBucket Totals);

/// <summary>A prover's share in a window.</summary>
public sealed record ProverShare(string Address, long Fulfilments, double FulfilmentShare, string Fees, double FeeShare);

/// <summary>Concentration of one mode (or All) in a window.</summary>
public sealed record ModeConcentration(
    string Mode, long Fulfilments, string Fees, double Hhi, double HhiFees, int Nakamoto, int NakamotoFees, double Gini, double GiniFees,
    IReadOnlyList<ProverShare> Provers);

/// <summary>Decentralization over a window, per mode.</summary>
public sealed record DecentralizationReport(string Window, long From, long To, IReadOnlyList<ModeConcentration> Modes);

/// <summary>Market efficiency of the sealed-bid auctions.</summary>
/// <param name="Auctions">Settled auctions.</param>
/// <param name="BestScoreWon">Of them, won by the best revealed score.</param>
/// <param name="BestScoreWonShare">The share (null without auctions).</param>
/// <param name="MeanPaymentOverWinnerBid">Mean of payment / winner's own fee (1 = first price; above 1: the second score paid more).</param>
public sealed record EfficiencyReport(long Auctions, long BestScoreWon, double? BestScoreWonShare, double? MeanPaymentOverWinnerBid);

/// <summary>How far indexing lags.</summary>
public sealed record HealthReport(string Status, long? HeadBlock, long? IndexedBlock, long? LagBlocks, long? LagSeconds, long? IndexedBlockTime, string Database, int SchemaVersion);

/// <summary>An error body.</summary>
public sealed record ApiError(string Error);
