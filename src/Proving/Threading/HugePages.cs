using System.Globalization;
using System.Runtime.InteropServices;

namespace ProverMarketChain.Proving.Threading;

/// <summary>
/// Transparent huge pages for the managed heap. A prove touches tens of megabytes of fresh memory (bases, digits, QAP
/// vectors, window state), and on virtual machines a 4 KiB page fault costs around 14 µs: on the 2^16-constraint
/// benchmark about a sixth of the prover's CPU time went to faults. Where the kernel's THP mode is <c>madvise</c> (a
/// common default), memory advised with <c>MADV_HUGEPAGE</c> is faulted in 2 MiB at a time instead.
/// </summary>
public static class HugePages
{
    private const int MadvHugePage = 14;
    private const long MinimumReservation = 1L << 30;

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>
    /// Advises the garbage collector's address-space reservation for huge pages, so the heap's later growth is faulted
    /// in 2 MiB pages. The reservation is found in <c>/proc/self/maps</c> as an anonymous mapping of at least 1 GiB
    /// (the GC reserves its whole range up front and commits from it; nothing else in a prover process maps that much).
    /// Memory already committed is unaffected, and so is correctness: this only changes page granularity.
    /// </summary>
    /// <returns>Bytes advised; 0 on other systems or where nothing qualified or the kernel refused.</returns>
    /// <remarks>Call once, early, in a process that is about to prove. The cost is a read of the maps file (about a
    /// millisecond); where THP is disabled (<c>never</c>) the advice has no effect.</remarks>
    public static long AdviseGcHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        long advised = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                if (TryParseAnonymousMapping(line, out long from, out long to) && to - from >= MinimumReservation
                    && Madvise((nint)from, (nuint)(to - from), MadvHugePage) == 0)
                {
                    advised += to - from;
                }
            }
        }
        catch (IOException)
        {
            // No maps file (a restricted /proc): nothing advised.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return advised;
    }

    /// <summary>Parses a <c>/proc/self/maps</c> line ("start-end perms offset dev inode [path]") that has no path and
    /// inode 0, i.e. anonymous memory.</summary>
    internal static bool TryParseAnonymousMapping(string line, out long from, out long to)
    {
        from = to = 0;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5 || parts[4] != "0")
        {
            return false;
        }
        int dash = parts[0].IndexOf('-');
        return dash > 0
            && long.TryParse(parts[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out from)
            && long.TryParse(parts[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out to)
            && to > from;
    }
}
