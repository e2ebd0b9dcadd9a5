namespace ProverMarketChain.Proving.Ntt;

/// <summary>
/// Bit reversal of a 32-bit word, shared by the CPU domain, the GPU twiddle tables and the GPU kernels (plain integer
/// code with no arrays, so ILGPU compiles it into kernels as it is).
/// </summary>
public static class BitReversal
{
    /// <summary>The bits of <paramref name="x"/> in reverse order (bit 0 becomes bit 31).</summary>
    public static uint Reverse32(uint x)
    {
        x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
        x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
        x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
        x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
        return (x >> 16) | (x << 16);
    }
}
