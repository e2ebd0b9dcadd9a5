using System.Runtime.CompilerServices;

namespace ProverMarketChain.Proving.Threading;

/// <summary>
/// A per-thread scratch array of <typeparamref name="T"/>, for short-lived buffers in place of
/// <c>ArrayPool&lt;T&gt;.Shared</c>: the framework's shared pool over this assembly's structs is generic code that
/// ReadyToRun cannot precompile here, so each element type cost about 4 KB of jitted code at the start of a prove.
/// </summary>
/// <remarks>Rent and return in the same thread, and do not hold the array across a call that rents the same type (a
/// nested rent gets a fresh array, which is correct but allocates). Arrays over 1 MiB are not kept, so a long-lived
/// thread (the worker's) holds at most that much per element type.</remarks>
internal static class Scratch<T>
{
    private const long MaxKeptBytes = 1 << 20;

    [ThreadStatic]
    private static T[]? t_cached;

    /// <summary>An array of at least <paramref name="minimumLength"/> elements; its contents are stale.</summary>
    public static T[] Rent(int minimumLength)
    {
        var cached = t_cached;
        if (cached is not null && cached.Length >= minimumLength)
        {
            t_cached = null;
            return cached;
        }
        return new T[Math.Max(minimumLength, 16)];
    }

    /// <summary>Keeps <paramref name="array"/> for this thread's next <see cref="Rent"/> (the larger one is kept, up to
    /// 1 MiB).</summary>
    public static void Return(T[] array)
    {
        var cached = t_cached;
        if ((long)array.Length * Unsafe.SizeOf<T>() <= MaxKeptBytes && (cached is null || cached.Length < array.Length))
        {
            t_cached = array;
        }
    }
}
