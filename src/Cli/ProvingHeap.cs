using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Cli;

/// <summary>Process set-up for the commands that prove in this process (<c>prove</c>, <c>bench</c>, <c>worker</c>).</summary>
internal static class ProvingHeap
{
    /// <summary>Advises the GC heap for transparent huge pages (see <see cref="HugePages.AdviseGcHeap"/>): a 2^16 prove
    /// went from 12k page faults to 6.5k. <c>PMC_NO_HUGE_PAGES=1</c> leaves the heap as it is.</summary>
    public static void AdviseHugePages(ILogger logger)
    {
        if (Environment.GetEnvironmentVariable("PMC_NO_HUGE_PAGES") == "1")
        {
            return;
        }
        long advised = HugePages.AdviseGcHeap();
        if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug("advised {MiB} MiB of heap reservation for huge pages", advised >> 20);
    }
}
