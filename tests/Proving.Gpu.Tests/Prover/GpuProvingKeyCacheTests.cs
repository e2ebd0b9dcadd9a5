using Microsoft.Extensions.Logging.Abstractions;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Prover;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>The device-resident key cache: hits by fingerprint, least-recently-used eviction within the budget, refusal of a key larger than it.</summary>
[Collection(GpuProverCollection.Name)]
public sealed class GpuProvingKeyCacheTests
{
    [Fact]
    public void Get_sameKeyTwice_uploadsOnce_andTheFingerprintTellsKeysApart()
    {
        using var context = GpuContext.Create(GpuBackend.IlgpuCpu);
        using var stream = context.Accelerator.CreateStream();
        using var cache = new GpuProvingKeyCache(context, 1L << 30, NullLogger.Instance);
        using var mul = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        using var cmp = ZkeyFile.Open(BuiltCircuits.File("comparators", "comparators.zkey"));

        var first = cache.Get(mul, stream, out bool up1);
        var again = cache.Get(mul, stream, out bool up2);
        var other = cache.Get(cmp, stream, out bool up3);

        Assert.True(up1);
        Assert.False(up2);
        Assert.True(up3);
        Assert.Same(first, again);
        Assert.NotSame(first, other);
        Assert.Equal(2, cache.Uploads);
        Assert.Equal(mul.NVars, first.A.Count);
        Assert.Equal(mul.DomainSize, first.H.Count);
        Assert.Equal(mul.NVars - mul.NPublic - 1, first.C.Count);
        Assert.NotEqual(first.Fingerprint, other.Fingerprint);
        Assert.Equal(GpuProvingKey.EstimateBytes(mul), first.Bytes);
        Assert.Equal(GpuProvingKey.EstimateBytes(cmp), other.Bytes);
    }

    [Fact]
    public void Get_budgetForOneKey_evictsTheLeastRecentlyUsed()
    {
        using var context = GpuContext.Create(GpuBackend.IlgpuCpu);
        using var stream = context.Accelerator.CreateStream();
        using var mul = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        using var cmp = ZkeyFile.Open(BuiltCircuits.File("comparators", "comparators.zkey"));
        long budget = Math.Max(GpuProvingKey.EstimateBytes(mul), GpuProvingKey.EstimateBytes(cmp)) + 1;
        using var cache = new GpuProvingKeyCache(context, budget, NullLogger.Instance);

        cache.Get(mul, stream, out _);
        cache.Get(cmp, stream, out _);
        cache.Get(mul, stream, out bool reuploaded);

        Assert.Equal(1, cache.Count);
        Assert.True(reuploaded);
        Assert.Equal(3, cache.Uploads);
        Assert.True(cache.Bytes <= budget);
    }

    [Fact]
    public void Get_keyLargerThanTheBudget_isRefusedWithBothSizes()
    {
        using var context = GpuContext.Create(GpuBackend.IlgpuCpu);
        using var stream = context.Accelerator.CreateStream();
        using var cmp = ZkeyFile.Open(BuiltCircuits.File("comparators", "comparators.zkey"));
        using var cache = new GpuProvingKeyCache(context, 1024, NullLogger.Instance);

        var e = Assert.Throws<InvalidOperationException>(() => cache.Get(cmp, stream, out _));

        Assert.Contains("comparators.zkey", e.Message, StringComparison.Ordinal);
        Assert.Contains("budget", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Count);
    }

    /// <summary>
    /// A hostile circuit registrant's key, well formed up to a point off the curve, must not cost honest circuits their
    /// resident keys: the upload fails before anything is freed, and the honest key is still on the device.
    /// </summary>
    [Fact]
    public void Get_malformedKey_failsWithoutFreeingTheResidentOnes()
    {
        using var context = GpuContext.Create(GpuBackend.IlgpuCpu);
        using var stream = context.Accelerator.CreateStream();
        using var honest = ZkeyFile.Open(BuiltCircuits.File("comparators", "comparators.zkey"));
        string dir = Directory.CreateTempSubdirectory("pmc-hostile-key-").FullName;
        try
        {
            string hostilePath = Path.Combine(dir, "hostile.zkey");
            File.Copy(BuiltCircuits.File("comparators", "comparators.zkey"), hostilePath);
            CorruptLastHPoint(hostilePath);
            using var hostile = ZkeyFile.Open(hostilePath);
            // Room for exactly one key: the hostile one would need the honest one's space.
            using var cache = new GpuProvingKeyCache(context, GpuProvingKey.EstimateBytes(honest) + 1, NullLogger.Instance);
            cache.Get(honest, stream, out _);

            var e = Assert.Throws<ProvingFormatException>(() => cache.Get(hostile, stream, out _));

            Assert.Contains("hostile.zkey", e.Message, StringComparison.Ordinal);
            Assert.Equal(1, cache.Count);
            cache.Get(honest, stream, out bool reuploaded);
            Assert.False(reuploaded);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Flips a bit in the y coordinate of the H section's last point (found by its encoding), leaving every other byte.</summary>
    private static void CorruptLastHPoint(string path)
    {
        G1Affine last;
        using (var zkey = ZkeyFile.Open(path))
        {
            var h = new G1Affine[zkey.DomainSize];
            zkey.ReadG1Section(ZkeyFile.SectionH, h);
            last = h[^1];
        }
        var encoded = new byte[64];
        PointCodec.WriteG1(last, encoded);
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().LastIndexOf(encoded);
        Assert.True(at >= 0, "the H section's last point was not found in the file");
        bytes[at + 40] ^= 1;
        File.WriteAllBytes(path, bytes);
    }
}
