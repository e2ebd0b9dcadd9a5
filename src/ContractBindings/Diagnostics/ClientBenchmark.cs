using System.Diagnostics;
using System.Numerics;
using ProverMarketChain.ContractBindings.Abi;
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
    /// <summary>A tuple shaped like the market's proof request (12 fields).</summary>
    public static readonly AbiType RequestType = AbiType.Parse(
        "(bytes32 circuitId,address requester,uint64 deadline,uint64 proveWindow,uint256 reward,uint256 collateral,uint256 nonce,bytes32 inputsHash,address verifier,uint64 createdAt,bool allowSlashing,bytes publicInputs)");

    /// <summary>A representative request value (256 bytes of public inputs).</summary>
    public static object?[] SampleRequest()
    {
        var rng = new Random(1);
        byte[] B(int n)
        {
            var b = new byte[n];
            rng.NextBytes(b);
            return b;
        }

        return
        [
            B(32), Address.FromBytes(B(20)), new BigInteger(1_900_000_000), new BigInteger(3600), BigInteger.Pow(10, 18) * 3,
            BigInteger.Pow(10, 17), new BigInteger(42), B(32), Address.FromBytes(B(20)), new BigInteger(1_800_000_000), true, B(256),
        ];
    }

    /// <summary>Times ABI encoding and decoding of <see cref="RequestType"/> (after a warm-up).</summary>
    public static IReadOnlyList<BenchmarkResult> RunAbi(int iterations = 200_000) => RunAbi(RequestType, SampleRequest(), iterations);

    /// <summary>Times ABI encoding and decoding of one value of <paramref name="type"/> (after a warm-up).</summary>
    public static IReadOnlyList<BenchmarkResult> RunAbi(AbiType type, object? value, int iterations = 200_000)
    {
        var types = new[] { type };
        var values = new object?[] { value };
        var encoded = AbiCodec.Encode(types, values);
        for (int i = 0; i < 10_000; i++)
        {
            AbiCodec.Decode(types, AbiCodec.Encode(types, values));
        }

        return
        [
            Measure("abi encode request tuple", iterations, () => AbiCodec.Encode(types, values)),
            Measure("abi decode request tuple", iterations, () => AbiCodec.Decode(types, encoded)),
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
