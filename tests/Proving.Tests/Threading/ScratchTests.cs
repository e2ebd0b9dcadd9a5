using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Tests.Threading;

public class ScratchTests
{
    [Fact]
    public void Returned_arrays_are_reused_on_the_same_thread_up_to_a_megabyte()
    {
        var a = Scratch<Fq>.Rent(100);
        Assert.True(a.Length >= 100);
        Scratch<Fq>.Return(a);
        Assert.Same(a, Scratch<Fq>.Rent(50));
        // Taken out: a second rent before the return gets another array.
        Assert.NotSame(a, Scratch<Fq>.Rent(50));
        Scratch<Fq>.Return(a);

        // Over 1 MiB (32 bytes per element): not kept, so a long-lived thread does not hold it.
        var big = Scratch<Fq>.Rent((1 << 15) + 1);
        Scratch<Fq>.Return(big);
        Assert.NotSame(big, Scratch<Fq>.Rent((1 << 15) + 1));
    }
}
