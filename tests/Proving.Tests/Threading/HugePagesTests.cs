using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Tests.Threading;

public class HugePagesTests
{
    [Theory]
    [InlineData("7f2fd1c01000-7f3b94000000 ---p 00000000 00:00 0", true, 0x7f2fd1c01000L, 0x7f3b94000000L)]
    [InlineData("7f3baeab0000-7f3c2c200000 rw-p 00000000 00:00 0 ", true, 0x7f3baeab0000L, 0x7f3c2c200000L)]
    [InlineData("55d0c8a00000-55d0c8a21000 r--p 00000000 fd:01 1234567 /usr/bin/dotnet", false, 0L, 0L)]
    [InlineData("7ffd5c3de000-7ffd5c3ff000 rw-p 00000000 00:00 0 [stack]", false, 0L, 0L)]
    [InlineData("7f00-7e00 rw-p 00000000 00:00 0", false, 0L, 0L)]
    [InlineData("garbage", false, 0L, 0L)]
    public void Maps_lines_are_parsed_for_anonymous_mappings_only(string line, bool anonymous, long from, long to)
    {
        Assert.Equal(anonymous, HugePages.TryParseAnonymousMapping(line, out long f, out long t));
        if (anonymous)
        {
            Assert.Equal((from, to), (f, t));
        }
    }

    [Fact]
    public void The_gc_reservation_is_found_and_advised_on_linux()
    {
        long advised = HugePages.AdviseGcHeap();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(0, advised);
            return;
        }
        // The regions GC reserves its range up front: 256 GiB by default; under a heap hard limit it may be under the
        // 1 GiB this looks for, and then nothing is advised.
        if (AppContext.GetData("GCHeapHardLimit") is null && Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is null)
        {
            Assert.True(advised >= 1L << 30, $"advised {advised} bytes");
        }
        // The heap still works: allocate and touch more than a huge page.
        var big = new byte[8 << 20];
        big[^1] = 1;
        Assert.Equal(1, big[^1]);
    }
}
