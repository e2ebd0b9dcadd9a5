using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Proving.Gpu.Tests.Prover;

/// <summary>
/// Edge shapes and values through the whole GPU path: a 2-element domain, no private wire (the C MSM over 0 points),
/// points at infinity in the key, witness values 0, 1 and r−1, two shapes alternating (workspace reallocation).
/// A proof that comes back has passed self-verification; each is also checked against the CPU verifier here.
/// </summary>
[Collection(GpuProverCollection.Name)]
public sealed class GpuProverEdgeCaseTests(GpuProverFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-gpu-edge-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static readonly TheoryData<int, int> ShapesAndValues = new()
    {
        // nPublic 0: domain 2, wires x and y private. nPublic 2: domain 4, no private wire (C section empty).
        { 0, 0 }, { 0, 1 }, { 0, -1 }, { 0, 7 },
        { 2, 0 }, { 2, 1 }, { 2, -1 }, { 2, 7 },
    };

    private static Fr Value(int v) => v < 0 ? -Fr.FromBigInteger(-v) : Fr.FromBigInteger(v);

    private static void AssertVerifies(ZkeyFile zkey, Groth16ProveResult result, Fr[] witness)
    {
        var vk = new VerificationKey(zkey.Alpha1, zkey.Beta2, zkey.Gamma2, zkey.Delta2, zkey.ReadIC());
        Assert.True(Groth16Verifier.Prepare(vk, witness.AsSpan(1, zkey.NPublic).ToArray()).Verify(result.Proof));
    }

    [Theory]
    [MemberData(nameof(ShapesAndValues))]
    public void Prove_tinyCircuit_edgeWitnessValues_verify(int nPublic, int x)
    {
        var r1cs = TinyCircuits.Square(nPublic);
        using var zkey = ZkeyFile.Open(TinyCircuits.WriteKey(Path.Combine(_dir, $"sq{nPublic}.zkey"), r1cs));
        Assert.Equal(nPublic == 0 ? 2 : 4, zkey.DomainSize);
        Assert.Equal(nPublic == 0 ? 2 : 0, zkey.NVars - zkey.NPublic - 1);
        Fr[] witness = TinyCircuits.Witness(Value(x));

        var result = fixture.Prover.Prove(zkey, witness, r1cs);

        AssertVerifies(zkey, result, witness);
    }

    [Fact]
    public void Prove_twoShapesAlternating_reallocatesTheWorkspace_andStaysCorrect()
    {
        string small = TinyCircuits.WriteKey(Path.Combine(_dir, "sq0.zkey"), TinyCircuits.Square(0));
        string noPrivate = TinyCircuits.WriteKey(Path.Combine(_dir, "sq2.zkey"), TinyCircuits.Square(2));
        using var z0 = ZkeyFile.Open(small);
        using var z2 = ZkeyFile.Open(noPrivate);
        using var mul = ZkeyFile.Open(BuiltCircuits.File("multiplier", "multiplier.zkey"));
        Fr[] wMul = WtnsFile.Read(BuiltCircuits.File("multiplier", "multiplier.wtns"));
        for (int round = 0; round < 2; round++)
        {
            var w0 = TinyCircuits.Witness(Value(round + 3));
            AssertVerifies(z0, fixture.Prover.Prove(z0, w0), w0);
            AssertVerifies(mul, fixture.Prover.Prove(mul, wMul), wMul);
            var w2 = TinyCircuits.Witness(Value(round + 5));
            AssertVerifies(z2, fixture.Prover.Prove(z2, w2), w2);
        }
    }
}

/// <summary>
/// The device-resident key against a key file rewritten in place: same path, size, last-write time, shape and δ (a seeded
/// setup of another circuit of the same shape), so the fingerprint cannot tell them apart. Self-verification catches the
/// stale points, and a sampled comparison with the file tells them from a bad witness.
/// </summary>
[Collection(GpuProverCollection.Name)]
public sealed class GpuProverStaleKeyTests(GpuProverFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-gpu-stale-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Prove_keyRewrittenInPlaceWithTheSameFingerprint_isUploadedAgain_andTheProofVerifies()
    {
        string path = Path.Combine(_dir, "same.zkey");
        TinyCircuits.WriteKey(path, TinyCircuits.Square(0, k: 1));
        var stamp = File.GetLastWriteTimeUtc(path);
        long size = new FileInfo(path).Length;
        Fr x = Fr.FromBigInteger(3);
        using (var first = ZkeyFile.Open(path)) fixture.Prover.Prove(first, TinyCircuits.Witness(x, k: 1));

        TinyCircuits.WriteKey(path, TinyCircuits.Square(0, k: 2));
        File.SetLastWriteTimeUtc(path, stamp);
        using var second = ZkeyFile.Open(path);
        Assert.Equal(size, second.FileSize);
        int uploads = fixture.Prover.Keys.Uploads;

        // The stale device copy fails self-verification; its sampled points differ from the file's, so the prover
        // re-uploads the key and proves again within the same call.
        var result = fixture.Prover.Prove(second, TinyCircuits.Witness(x, k: 2));

        Assert.Equal(uploads + 1, fixture.Prover.Keys.Uploads);
        var vk = new VerificationKey(second.Alpha1, second.Beta2, second.Gamma2, second.Delta2, second.ReadIC());
        Assert.True(Groth16Verifier.Prepare(vk, []).Verify(result.Proof));
    }

    /// <summary>
    /// A witness that does not satisfy the circuit (what a hostile requester's input can yield) fails self-verification
    /// with the key's device copy intact: it is refused without re-reading and re-uploading the key, so such requests
    /// cost the prover one proof each, not a key upload too.
    /// </summary>
    [Fact]
    public void Prove_unsatisfyingWitness_isRefused_withoutReuploadingTheKey()
    {
        string path = Path.Combine(_dir, "honest.zkey");
        TinyCircuits.WriteKey(path, TinyCircuits.Square(0, k: 1));
        using var zkey = ZkeyFile.Open(path);
        Fr x = Fr.FromBigInteger(5);
        fixture.Prover.Prove(zkey, TinyCircuits.Witness(x, k: 1));
        int uploads = fixture.Prover.Keys.Uploads;
        Fr[] bad = TinyCircuits.Witness(x, k: 2); // the output of another circuit: k·x² instead of x²

        var e = Assert.Throws<Groth16Exception>(() => fixture.Prover.Prove(zkey, bad));

        Assert.True(e.SelfVerificationFailed);
        Assert.Equal(uploads, fixture.Prover.Keys.Uploads);
        fixture.Prover.Prove(zkey, TinyCircuits.Witness(x, k: 1));
        Assert.Equal(uploads, fixture.Prover.Keys.Uploads);
    }
}
