using ProverMarketChain.Proving.Ntt;

namespace ProverMarketChain.Proving.Tests.Ntt;

/// <summary>The shared bit reversal (CPU domain, GPU tables and kernels) against a bit-by-bit reference.</summary>
public sealed class BitReversalTests
{
    private static uint Naive(uint x)
    {
        uint r = 0;
        for (int i = 0; i < 32; i++) r |= ((x >> i) & 1u) << (31 - i);
        return r;
    }

    [Fact]
    public void Reverse32_equalsTheBitByBitReversal_andUndoesItself()
    {
        var rng = new Random(5);
        uint[] edges = [0, 1, 2, 0x80000000u, 0xFFFFFFFFu, 0x12345678u];
        foreach (uint x in edges.Concat(Enumerable.Range(0, 2000).Select(_ => (uint)rng.NextInt64(0, 1L << 32))))
        {
            Assert.Equal(Naive(x), BitReversal.Reverse32(x));
            Assert.Equal(x, BitReversal.Reverse32(BitReversal.Reverse32(x)));
        }
    }
}
