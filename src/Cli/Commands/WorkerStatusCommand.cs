using System.CommandLine;
using System.Text.Json;
using ProverMarketChain.Cli.Hosting;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc worker status --config &lt;file&gt;</c>: the worker's journal as JSON (cursor, bids, jobs).</summary>
public sealed class WorkerStatusCommand : PmcCommand
{
    private readonly WorkerSettingsOptions _settings;

    /// <summary>Creates the command.</summary>
    public WorkerStatusCommand(CliIo io)
        : base("status", "Print the worker's journal as JSON: cursor, followed requests, open bids and jobs", io)
    {
        _settings = new WorkerSettingsOptions(this);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        var options = WorkerConfiguration.Load(_settings.Sources(parseResult, Io));
        using var journal = new WorkerJournal(options.JournalPath);
        context.Out.WriteLine(JsonSerializer.Serialize(new
        {
            journal = options.JournalPath,
            cursor = journal.GetCursor()?.Block,
            followedRequests = journal.ActiveRequests().Count,
            openBids = journal.OpenBids().Select(b => new { b.RequestId, fee = b.Fee.ToString(), b.LatencySeconds, state = b.State.ToString() }),
            jobs = journal.JobCounts().ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
            openJobs = journal.OpenJobs().Select(j => new { j.RequestId, state = j.State.ToString() }),
            recentBatches = journal.Batches(WorkerJournal.DeliveryAction, 10).Select(b => new { tx = b.TransactionHash, requests = b.RequestIds, b.SentAt }),
        }, new JsonSerializerOptions { WriteIndented = true }));
        return ExitCodes.Success;
    }
}
