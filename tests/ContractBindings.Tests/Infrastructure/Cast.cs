using System.Diagnostics;

namespace ProverMarketChain.ContractBindings.Tests.Infrastructure;

/// <summary>Runs Foundry's <c>cast</c> as an independent oracle.</summary>
public static class Cast
{
    private static readonly SemaphoreSlim Parallelism = new(4, 4);

    /// <summary>Runs cast with the given arguments and returns trimmed stdout; throws with stderr on failure.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        await Parallelism.WaitAsync();
        try
        {
            var psi = new ProcessStartInfo(RepoPaths.Tool("cast"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"cast {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
            }

            return (await stdout).Trim();
        }
        finally
        {
            Parallelism.Release();
        }
    }
}
