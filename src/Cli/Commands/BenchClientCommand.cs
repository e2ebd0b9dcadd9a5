using System.CommandLine;
using System.Numerics;
using ProverMarketChain.Cli.Local;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Diagnostics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc bench-client</c>: ABI encode/decode of the market's <c>Request</c> struct (through the generated binding's
/// tuple type) and sign + send + receipt throughput against an embedded anvil, sequential and concurrent.
/// </summary>
public sealed class BenchClientCommand : PmcCommand
{
    private readonly Option<int> _count = new("--count")
    {
        Description = "Transactions sent per concurrency level (1..100000)",
        DefaultValueFactory = _ => 300,
        CustomParser = OptionParsers.WholeNumber("--count", 1, 100_000),
        HelpName = "N",
    };

    /// <summary>Creates the command.</summary>
    public BenchClientCommand(CliIo io)
        : base("bench-client", "Ethereum client: ABI codec of the market request, sign+send throughput on anvil", io)
    {
        Options.Add(_count);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        int count = parseResult.GetValue(_count);
        var o = context.Out;

        var request = new Request("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 7, 0, 1, 0, 1_700_000_000, 1_700_000_060, 600,
            "0x5FbDB2315678afecb367f032d93F642f64180aa3", BigInteger.Pow(10, 16), BigInteger.Pow(10, 15), BigInteger.Pow(10, 16),
            BigInteger.Pow(10, 12), 42, Keccak.Hash("input"u8), Keccak.Hash("public inputs"u8), 250, 300_000);
        o.WriteLine($"{"benchmark",-34}{"ops",10}{"ns/op",12}{"ops/s",14}{"B/op",10}");
        foreach (var r in ClientBenchmark.RunAbi(request, 100_000))
            o.WriteLine($"{r.Name + " (market Request)",-34}{r.Operations,10}{r.NanosecondsPerOp,12:F0}{r.OpsPerSecond,14:N0}{r.AllocatedBytesPerOp,10:F0}");

        using var anvil = AnvilProcess.StartAsync(RepoPaths.Root(), 0, CancellationToken.None).GetAwaiter().GetResult();
        var key = EthKey.FromPrivateKey("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        foreach (int concurrency in new[] { 1, 16 })
        {
            var r = ClientBenchmark.RunSendAsync(anvil.Endpoint, key, count, concurrency).GetAwaiter().GetResult();
            o.WriteLine($"{$"sign+send+receipt (x{concurrency})",-34}{r.Operations,10}{r.NanosecondsPerOp,12:F0}{r.OpsPerSecond,14:N1}{"",10}");
        }
        return ExitCodes.Success;
    }
}
