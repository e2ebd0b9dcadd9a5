using System.Diagnostics;
using ILGPU.Runtime;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Curves;
using ProverMarketChain.Proving.Gpu.Msm;
using ProverMarketChain.Proving.Gpu.Ntt;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>
/// A proving key's points on the device: the G1 sections A, B1, C and H, the G2 section B2, and the QAP domain's tables.
/// Uploaded once (the worker proves many times with one key) and freed by <see cref="Dispose"/>.
/// </summary>
public sealed class GpuProvingKey : IDisposable
{
    private GpuProvingKey(ZkeyFingerprint fingerprint, GpuG1Bases a, GpuG1Bases b1, GpuG1Bases c, GpuG1Bases h, GpuG2Bases b2, GpuDomain domain, TimeSpan uploadTime)
    {
        Fingerprint = fingerprint;
        A = a;
        B1 = b1;
        C = c;
        H = h;
        B2 = b2;
        Domain = domain;
        UploadTime = uploadTime;
    }

    /// <summary>Which key this is.</summary>
    public ZkeyFingerprint Fingerprint { get; }

    /// <summary>Section A (one point per wire).</summary>
    public GpuG1Bases A { get; }

    /// <summary>Section B1 (one point per wire).</summary>
    public GpuG1Bases B1 { get; }

    /// <summary>Section C (one point per private wire).</summary>
    public GpuG1Bases C { get; }

    /// <summary>Section H (one point per domain element).</summary>
    public GpuG1Bases H { get; }

    /// <summary>Section B2 in G2 (one point per wire).</summary>
    public GpuG2Bases B2 { get; }

    /// <summary>The QAP domain (twiddles and odd-coset powers).</summary>
    public GpuDomain Domain { get; }

    /// <summary>Device memory held.</summary>
    public long Bytes => A.Bytes + B1.Bytes + C.Bytes + H.Bytes + B2.Bytes + Domain.Bytes;

    /// <summary>How long reading and uploading took.</summary>
    public TimeSpan UploadTime { get; }

    /// <summary>The device memory a key of this shape holds (<see cref="Bytes"/> before uploading it), to check a budget.</summary>
    public static long EstimateBytes(ZkeyFile zkey)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        long g1 = System.Runtime.CompilerServices.Unsafe.SizeOf<GpuG1Affine>(), g2 = System.Runtime.CompilerServices.Unsafe.SizeOf<GpuG2Affine>();
        long nPrivate = zkey.NVars - zkey.NPublic - 1;
        return g1 * (2L * zkey.NVars + nPrivate + zkey.DomainSize) + g2 * zkey.NVars + GpuDomain.BytesFor(zkey.DomainLog2);
    }

    /// <summary>
    /// Reads the key's sections and uploads them on <paramref name="stream"/>. The next section is read and converted on
    /// the host while the previous one is copied, so the disk, the host conversion and the bus overlap.
    /// </summary>
    /// <exception cref="ProvingFormatException">A section is malformed (a point off the curve, say).</exception>
    public static GpuProvingKey Upload(GpuContext context, ZkeyFile zkey, AcceleratorStream stream)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(zkey);
        ArgumentNullException.ThrowIfNull(stream);
        var sw = Stopwatch.StartNew();
        int nPrivate = zkey.NVars - zkey.NPublic - 1;
        var owned = new List<IDisposable>();
        try
        {
            G1Affine[] ReadG1(uint section, int count)
            {
                var points = GC.AllocateUninitializedArray<G1Affine>(count);
                zkey.ReadG1Section(section, points);
                return points;
            }

            // Host work for section k+1 runs while section k's copy is in flight; each upload waits for its copy before
            // its host array may be dropped (an async copy reads from it).
            var readA = Task.Run(() => ReadG1(ZkeyFile.SectionA, zkey.NVars));
            var domain = new GpuDomain(context, zkey.DomainLog2);
            owned.Add(domain);
            GpuG1Bases UploadG1(Task<G1Affine[]> read)
            {
                var bases = GpuG1Bases.Upload(context, read.GetAwaiter().GetResult(), stream);
                owned.Add(bases);
                return bases;
            }

            var readB1 = Task.Run(() => ReadG1(ZkeyFile.SectionB1, zkey.NVars));
            var a = UploadG1(readA);
            var readC = Task.Run(() => ReadG1(ZkeyFile.SectionC, nPrivate));
            var b1 = UploadG1(readB1);
            var readH = Task.Run(() => ReadG1(ZkeyFile.SectionH, zkey.DomainSize));
            var c = UploadG1(readC);
            var readB2 = Task.Run(() =>
            {
                var points = GC.AllocateUninitializedArray<G2Affine>(zkey.NVars);
                zkey.ReadB2(points);
                return points;
            });
            var h = UploadG1(readH);
            var b2 = GpuG2Bases.Upload(context, readB2.GetAwaiter().GetResult(), stream);
            owned.Add(b2);
            stream.Synchronize();
            return new GpuProvingKey(ZkeyFingerprint.Of(zkey), a, b1, c, h, b2, domain, sw.Elapsed);
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether sampled points of every section on the device equal <paramref name="zkey"/>'s (the first, the last and
    /// evenly spaced ones between, <paramref name="samplesPerSection"/> in all): a cheap check, after a proof failed to
    /// verify, that tells a stale or corrupted device copy (re-upload and prove again) from a witness that does not satisfy
    /// the circuit (the failure stands, and nothing is re-uploaded, so a hostile witness cannot make the prover re-read
    /// its key on every request).
    /// </summary>
    public bool MatchesFile(ZkeyFile zkey, int samplesPerSection = 16)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerSection, 2);
        if (ZkeyFingerprint.Of(zkey) != Fingerprint) return false;
        return G1Matches(A, ZkeyFile.SectionA) && G1Matches(B1, ZkeyFile.SectionB1) && G1Matches(C, ZkeyFile.SectionC)
            && G1Matches(H, ZkeyFile.SectionH) && G2Matches();

        bool G1Matches(GpuG1Bases bases, uint section)
        {
            Span<G1Affine> file = stackalloc G1Affine[1];
            var device = new GpuG1Affine[1];
            foreach (int i in Samples(bases.Count, samplesPerSection))
            {
                zkey.ReadG1Points(section, i, file);
                bases.View.SubView(i, 1).CopyToCPU(device);
                if (!SameBytes(GpuG1Affine.FromCpu(file[0]), device[0])) return false;
            }
            return true;
        }

        bool G2Matches()
        {
            var file = new G2Affine[1];
            var device = new GpuG2Affine[1];
            foreach (int i in Samples(B2.Count, samplesPerSection))
            {
                zkey.ReadB2Points(i, file);
                B2.View.SubView(i, 1).CopyToCPU(device);
                if (!SameBytes(GpuG2Affine.FromCpu(file[0]), device[0])) return false;
            }
            return true;
        }
    }

    private static IEnumerable<int> Samples(int count, int samples)
    {
        if (count == 0) yield break;
        int n = Math.Min(count, samples);
        for (int k = 0; k < n; k++) yield return n == 1 ? 0 : (int)((long)k * (count - 1) / (n - 1));
    }

    private static bool SameBytes<T>(T a, T b) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in a)).SequenceEqual(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in b)));

    /// <inheritdoc />
    public void Dispose()
    {
        A.Dispose();
        B1.Dispose();
        C.Dispose();
        H.Dispose();
        B2.Dispose();
        Domain.Dispose();
    }
}
