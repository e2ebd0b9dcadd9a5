using System.Diagnostics;

namespace ProverMarketChain.Proving.Security;

/// <summary>
/// The environment a process the worker starts (the witness runner's <c>node</c>, say) gets: the worker's own, less
/// anything that looks like a secret. The worker's signing key (<c>PMC_PRIVATE_KEY</c>) and keystore password
/// (<c>PMC_KEYSTORE_PASSWORD</c>) live in its environment, and a child inherits the whole environment by default, so
/// any code the child runs (or a debugger attached to it, or <c>/proc/&lt;pid&gt;/environ</c>) would otherwise see them.
/// </summary>
/// <remarks>
/// Removed: the two names above, and every variable whose name contains <c>KEY</c>, <c>PASSWORD</c>, <c>PASSWD</c>,
/// <c>SECRET</c>, <c>TOKEN</c>, <c>MNEMONIC</c>, <c>CREDENTIAL</c> or <c>PRIVATE</c>, in any case. Everything else
/// (<c>PATH</c>, <c>HOME</c>, <c>LANG</c>, <c>TMPDIR</c>...) is kept. Every <see cref="ProcessStartInfo"/> the worker
/// uses goes through <see cref="Apply"/>.
/// </remarks>
public static class ChildProcessEnvironment
{
    private static readonly string[] ExactNames = ["PMC_PRIVATE_KEY", "PMC_KEYSTORE_PASSWORD"];

    private static readonly string[] SecretFragments = ["KEY", "PASSWORD", "PASSWD", "SECRET", "TOKEN", "MNEMONIC", "CREDENTIAL", "PRIVATE"];

    /// <summary>Whether a variable named <paramref name="name"/> is withheld from child processes.</summary>
    public static bool IsSecret(string name) =>
        ExactNames.Contains(name, StringComparer.OrdinalIgnoreCase)
        || SecretFragments.Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Removes every secret variable from <paramref name="startInfo"/>'s environment (which starts as a copy of this
    /// process's), and returns the names removed (for a debug log; never the values).
    /// </summary>
    public static IReadOnlyList<string> Apply(ProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        var env = startInfo.Environment;
        var removed = env.Keys.Where(IsSecret).ToList();
        foreach (var name in removed) env.Remove(name);
        return removed;
    }
}
