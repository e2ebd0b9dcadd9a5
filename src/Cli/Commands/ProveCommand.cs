using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc prove</c>: snarkjs/rapidsnark-compatible Groth16 proving.</summary>
public sealed class ProveCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "prove";

    /// <inheritdoc />
    public string Usage => "prove <circuit.zkey> <witness.wtns> <proof.json> <public.json> [--r1cs <circuit.r1cs>] [--stats]";

    /// <inheritdoc />
    public string Summary => "Groth16 proof (refuses witnesses that do not satisfy the circuit)";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext ctx)
    {
        var a = new Args(args, ["--r1cs"], ["--stats"]);
        a.ExpectPositional(4);
        var logger = ctx.Loggers.CreateLogger("pmc.prove");
        ProvingHeap.AdviseHugePages(logger);
        var prover = new Groth16Prover(logger);
        var result = prover.ProveFiles(a.Positional[0], a.Positional[1], a.Option("--r1cs"));
        SnarkjsJson.WriteFile(a.Positional[2], SnarkjsJson.ProofToJson(result.Proof));
        SnarkjsJson.WriteFile(a.Positional[3], SnarkjsJson.PublicToJson(result.PublicSignals));
        // Guarded: even a disabled generic Log call costs jitting at the end of every prove.
        if (logger.IsEnabled(LogLevel.Information))
        {
            foreach (var (phase, time) in result.Timings) logger.LogInformation("{Phase}: {Ms:F1} ms", phase, time.TotalMilliseconds);
        }
        if (a.Flag("--stats"))
        {
            long hwm = BenchCommand.ReadHwm(Environment.ProcessId);
            if (hwm == 0) hwm = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
            ctx.Err.WriteLine($"peak-working-set-bytes={hwm}");
            ctx.Err.WriteLine($"gc-collections={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated-bytes={GC.GetTotalAllocatedBytes()} gc-pause-ms={GC.GetTotalPauseDuration().TotalMilliseconds:F1}");
            foreach (var (phase, time) in result.Timings) ctx.Err.WriteLine($"{phase}: {time.TotalMilliseconds:F1} ms");
        }

        return 0;
    }
}
