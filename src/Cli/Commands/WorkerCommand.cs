using System.Runtime.InteropServices;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Journal;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc worker --config &lt;file&gt;</c> runs the prover node; <c>pmc worker status --config &lt;file&gt;</c> prints its journal.</summary>
public sealed class WorkerCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "worker";

    /// <inheritdoc />
    public string Usage => "worker [status] --config <worker.json>";

    /// <inheritdoc />
    public string Summary => "run the prover node (secrets from PMC_PRIVATE_KEY or a keystore + PMC_KEYSTORE_PASSWORD), or show its state";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext context)
    {
        bool status = args.Count > 0 && args[0] == "status";
        var rest = status ? args.Skip(1).ToList() : args.ToList();
        int i = rest.IndexOf("--config");
        if (i < 0 || i + 1 >= rest.Count) throw new UsageException("--config <file> is required");
        var options = WorkerOptions.Load(rest[i + 1]);
        // The worker proves in-process.
        if (!status) ProvingHeap.AdviseHugePages(context.Loggers.CreateLogger("pmc.worker"));

        if (status)
        {
            using var journal = new WorkerJournal(options.JournalPath);
            context.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                journal = options.JournalPath,
                cursor = journal.GetCursor()?.Block,
                followedRequests = journal.ActiveRequests().Count,
                openBids = journal.OpenBids().Select(b => new { b.RequestId, fee = b.Fee.ToString(), b.LatencySeconds, state = b.State.ToString() }),
                jobs = journal.JobCounts().ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
                openJobs = journal.OpenJobs().Select(j => new { j.RequestId, state = j.State.ToString() }),
            }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        try
        {
            return RunAsync(options, context, cts.Token).GetAwaiter().GetResult();
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> RunAsync(WorkerOptions options, CommandContext context, CancellationToken ct)
    {
        await using var host = WorkerHost.Create(options, context.Loggers);
        await host.Node.RunAsync(ct).ConfigureAwait(false);
        return 0;
    }
}
