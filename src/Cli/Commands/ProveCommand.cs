using System.CommandLine;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary><c>pmc prove</c>: snarkjs/rapidsnark-compatible Groth16 proving.</summary>
public sealed class ProveCommand : PmcCommand
{
    private readonly Argument<string> _zkey = new("circuit.zkey") { Description = "Proving key (snarkjs zkey)" };
    private readonly Argument<string> _witness = new("witness.wtns") { Description = "Witness (circom wtns)" };
    private readonly Argument<string> _proof = new("proof.json") { Description = "Where to write the proof (snarkjs JSON)" };
    private readonly Argument<string> _public = new("public.json") { Description = "Where to write the public signals (snarkjs JSON)" };

    private readonly Option<string> _r1cs = new("--r1cs")
    {
        Description = "The circuit's r1cs: an unsatisfying witness is refused naming the first failing constraint",
        HelpName = "circuit.r1cs",
    };

    private readonly Option<ProverDevice?> _device = new("--device")
    {
        Description = "Where to prove: cpu, gpu (CUDA, else OpenCL; an error when there is none), ilgpu-cpu (the GPU kernels on ILGPU's CPU accelerator, slow, for tests), auto (a CUDA GPU when there is one, else the CPU; the default)",
        CustomParser = r => OptionParsers.Device("--device")(r),
        HelpName = "cpu|gpu|ilgpu-cpu|auto",
    };

    private readonly Option<bool> _stats = new("--stats")
    {
        Description = "Print the peak working set, GC counts and phase timings to stderr",
    };

    /// <summary>Creates the command.</summary>
    public ProveCommand(CliIo io)
        : base("prove", "Groth16 proof (refuses witnesses that do not satisfy the circuit)", io)
    {
        Arguments.Add(_zkey);
        Arguments.Add(_witness);
        Arguments.Add(_proof);
        Arguments.Add(_public);
        Options.Add(_r1cs);
        Options.Add(_device);
        Options.Add(_stats);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext ctx)
    {
        string proofPath = parseResult.GetRequiredValue(_proof), publicPath = parseResult.GetRequiredValue(_public);
        var logger = ctx.Loggers.CreateLogger("pmc.prove");
        ProvingHeap.AdviseHugePages(logger);
        var device = parseResult.GetValue(_device) ?? ProverDevice.Auto;
        var prover = ProverBackends.Create(device, logger);
        Groth16ProveResult result;
        try
        {
            // Said only when --device was given, so scripts parsing a plain prove's output see nothing new.
            if (parseResult.GetValue(_device) is not null)
            {
                ctx.Err.WriteLine(device == ProverDevice.Auto && prover is Groth16Prover
                    ? $"--device auto: no CUDA device found, proving on the {prover.Description}"
                    : $"proving on {prover.Description}");
            }
            result = prover.ProveFiles(parseResult.GetRequiredValue(_zkey), parseResult.GetRequiredValue(_witness), parseResult.GetValue(_r1cs));
        }
        finally
        {
            (prover as IDisposable)?.Dispose();
        }
        SnarkjsJson.WriteFile(proofPath, SnarkjsJson.ProofToJson(result.Proof));
        SnarkjsJson.WriteFile(publicPath, SnarkjsJson.PublicToJson(result.PublicSignals));
        // Guarded: even a disabled generic Log call costs jitting at the end of every prove.
        if (logger.IsEnabled(LogLevel.Information))
        {
            foreach (var (phase, time) in result.Timings) logger.LogInformation("{Phase}: {Ms:F1} ms", phase, time.TotalMilliseconds);
        }
        if (parseResult.GetValue(_stats))
        {
            long hwm = BenchCommand.ReadHwm(Environment.ProcessId);
            if (hwm == 0) hwm = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
            ctx.Err.WriteLine($"peak-working-set-bytes={hwm}");
            ctx.Err.WriteLine($"gc-collections={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated-bytes={GC.GetTotalAllocatedBytes()} gc-pause-ms={GC.GetTotalPauseDuration().TotalMilliseconds:F1}");
            foreach (var (phase, time) in result.Timings) ctx.Err.WriteLine($"{phase}: {time.TotalMilliseconds:F1} ms");
        }

        return ExitCodes.Success;
    }
}
