using ProverMarketChain.Cli.Hosting;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Tests.Hosting;

/// <summary>A node that runs until cancelled (or throws <see cref="Fault"/>), recording what happened to it.</summary>
internal sealed class FakeNode : IWorkerNode, IWorkerNodeFactory
{
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? Fault { get; init; }

    public TimeSpan DrainTime { get; init; }

    public WorkerOptions? CreatedWith { get; private set; }

    public bool SawCancellation { get; private set; }

    public bool Disposed { get; private set; }

    public Task Running => _running.Task;

    public IWorkerNode Create(WorkerOptions options)
    {
        CreatedWith = options;
        return this;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _running.SetResult();
        if (Fault is not null) throw Fault;
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            SawCancellation = true;
            // Like ProverNode: it finishes its in-flight steps after the token fires, then returns.
            await Task.Delay(DrainTime, CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
