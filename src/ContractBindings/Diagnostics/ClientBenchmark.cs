using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Diagnostics;

/// <summary>Result of one micro-benchmark.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Operations">Operations timed.</param>
/// <param name="Elapsed">Total wall time.</param>
/// <param name="AllocatedBytesPerOp">Managed bytes allocated per operation on the measuring thread.</param>
public sealed record BenchmarkResult(string Name, long Operations, TimeSpan Elapsed, double AllocatedBytesPerOp)
{
    /// <summary>Mean time per operation in nanoseconds.</summary>
    public double NanosecondsPerOp => Elapsed.TotalMilliseconds * 1e6 / Operations;

    /// <summary>Operations per second.</summary>
    public double OpsPerSecond => Operations / Elapsed.TotalSeconds;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {Operations} ops in {Elapsed.TotalMilliseconds:F0} ms = {NanosecondsPerOp:F0} ns/op, {OpsPerSecond:F0} ops/s, {AllocatedBytesPerOp:F0} B/op";
}

/// <summary>
/// Stopwatch benchmarks of the client, callable from the CLI: ABI encode/decode of a market-request-like struct and
/// sign+send throughput against a node.
/// </summary>
public static class ClientBenchmark
{
    /// <summary>
    /// Times <c>abi.encode</c> of a struct, its decoding and the keccak of the encoding (after a warm-up), through
    /// Nethereum's encoder (<see cref="AbiStructs"/>).
    /// </summary>
    public static IReadOnlyList<BenchmarkResult> RunAbi<T>(T value, int iterations = 200_000)
        where T : class, new()
    {
        var encoded = AbiStructs.Encode(value);
        for (int i = 0; i < 2_000; i++)
        {
            AbiStructs.Decode<T>(AbiStructs.Encode(value));
        }

        return
        [
            Measure("abi encode " + typeof(T).Name, iterations, () => AbiStructs.Encode(value)),
            Measure("abi decode " + typeof(T).Name, iterations, () => AbiStructs.Decode<T>(encoded)),
            Measure("keccak256 of the encoding", iterations, () => Keccak.Hash(encoded)),
        ];
    }

    /// <summary>
    /// Sends <paramref name="count"/> value transfers from <paramref name="key"/> with <paramref name="concurrency"/>
    /// concurrent senders through a <see cref="Signer"/> and waits for every receipt; returns transactions per second.
    /// </summary>
    public static async Task<BenchmarkResult> RunSendAsync(Uri endpoint, EthKey key, int count = 500, int concurrency = 16, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var rpc = new JsonRpcClient(endpoint);
        var signer = new Signer(new EthClient(rpc), key, new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        var recipient = EthKey.Generate().Address;
        await signer.SendTransactionAsync(recipient, [], 1, cancellationToken).ConfigureAwait(false); // warm-up
        using var gate = new SemaphoreSlim(concurrency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await signer.SendTransactionAsync(recipient, [], 1, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        watch.Stop();
        return new BenchmarkResult($"sign+send+receipt (concurrency {concurrency})", count, watch.Elapsed, double.NaN);
    }

    private static BenchmarkResult Measure(string name, int iterations, Func<object> op)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        object? sink = null;
        for (int i = 0; i < iterations; i++)
        {
            sink = op();
        }

        watch.Stop();
        GC.KeepAlive(sink);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return new BenchmarkResult(name, iterations, watch.Elapsed, (double)allocated / iterations);
    }
}
