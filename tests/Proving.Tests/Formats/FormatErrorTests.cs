using System.Buffers.Binary;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Tests.Interop;

namespace ProverMarketChain.Proving.Tests.Formats;

/// <summary>Every bad-input case yields a <see cref="ProvingFormatException"/> naming the file and the problem.</summary>
[Collection(CircuitCollection.Name)]
public sealed class FormatErrorTests(CircuitFixture f)
{
    private string Mutate(string source, string name, Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(f.P(source));
        change(bytes);
        var path = f.P(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ProvingFormatException Fails(string path, Action action, string expectedFragment)
    {
        var e = Assert.Throws<ProvingFormatException>(action);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expectedFragment, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void MissingFiles()
    {
        var p = f.P("does-not-exist.zkey");
        Fails(p, () => ZkeyFile.Open(p), "not found");
        Fails(p, () => WtnsFile.Read(p), "not found");
        Fails(p, () => R1csFile.Read(p), "not found");
        Fails(p, () => SnarkjsJson.ReadProof(p), "not found");
        Fails(p, () => PtauFile.Open(p), "not found");
    }

    [Fact]
    public void WrongFileType()
    {
        Fails(f.P("mul.wtns"), () => ZkeyFile.Open(f.P("mul.wtns")), "not a zkey file");
        Fails(f.P("mul_snarkjs.zkey"), () => WtnsFile.Read(f.P("mul_snarkjs.zkey")), "not a wtns file");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(100)]
    [InlineData(2000)]
    public void TruncatedZkey(int keep)
    {
        var bytes = File.ReadAllBytes(f.P("mul_snarkjs.zkey"));
        var path = f.P($"trunc{keep}.zkey");
        File.WriteAllBytes(path, bytes[..Math.Min(keep, bytes.Length - 1)]);
        Fails(path, () => ZkeyFile.Open(path), keep < 12 ? "too short" : "truncated");
    }

    [Fact]
    public void TruncatedZkeyAtTheLastByte()
    {
        var bytes = File.ReadAllBytes(f.P("pos_dev.zkey"));
        var path = f.P("trunc_last.zkey");
        File.WriteAllBytes(path, bytes[..^1]);
        Fails(path, () => ZkeyFile.Open(path), "truncated");
    }

    [Fact]
    public void ZkeyForAnotherCurve()
    {
        // Groth16 header section payload starts 12 (file header) + 12 + 4 (protocol section) + 12 (section header) in.
        var path = Mutate("mul_snarkjs.zkey", "wrongq.zkey", b => b[40 + 4] ^= 0x01);
        Fails(path, () => ZkeyFile.Open(path), "expected BN254");
    }

    [Fact]
    public void CorruptPointInZkey()
    {
        using var z0 = ZkeyFile.Open(f.P("pos_dev.zkey"));
        int nVars = z0.NVars;
        // Flip a byte in the middle of the A section (section 5): locate it by scanning the section table.
        var path = Mutate("pos_dev.zkey", "corrupt.zkey", b =>
        {
            long pos = 12;
            while (true)
            {
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos));
                long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)pos + 4));
                if (type == ZkeyFile.SectionA)
                {
                    b[pos + 12 + 64 * (nVars / 2) + 5] ^= 0x40;
                    break;
                }

                pos += 12 + size;
            }
        });
        using var z = ZkeyFile.Open(path);
        var bases = new Curves.G1Affine[nVars];
        Fails(path, () => z.ReadG1Section(ZkeyFile.SectionA, bases), "not a valid G1 point");
        Fails(path, () => new Groth16Prover().ProveFiles(path, f.P("pos.wtns")), "not a valid G1 point");
    }

    [Fact]
    public void TruncatedAndCorruptWitness()
    {
        var bytes = File.ReadAllBytes(f.P("pos.wtns"));
        var t = f.P("trunc.wtns");
        File.WriteAllBytes(t, bytes[..^7]);
        Fails(t, () => WtnsFile.Read(t), "truncated");

        // Value 2 set to 0xff..ff: not below r.
        var big = Mutate("pos.wtns", "big.wtns", b => b.AsSpan(b.Length - 32).Fill(0xff));
        Fails(big, () => WtnsFile.Read(big), "not below the field prime");

        // Prime replaced by q: another field.
        var q = Mutate("pos.wtns", "q.wtns", b =>
        {
            Span<byte> qb = stackalloc byte[32];
            Assert.True(Fq.Modulus.TryWriteBytes(qb, out _, isUnsigned: true));
            qb.CopyTo(b.AsSpan(12 + 12 + 4));
        });
        Fails(q, () => WtnsFile.Read(q), "expected the BN254 scalar field");
    }

    [Fact]
    public void WitnessFromAnotherCircuit()
    {
        var w = f.P("pos.wtns");
        var e = Fails(w, () => new Groth16Prover().ProveFiles(f.P("mul_snarkjs.zkey"), w), "another circuit");
        Assert.Contains("expects 4", e.Message);
    }

    [Fact]
    public void BadJsonInputs()
    {
        var notJson = f.P("bad.json");
        File.WriteAllText(notJson, "{ \"pi_a\": [");
        Fails(notJson, () => SnarkjsJson.ReadProof(notJson), "invalid JSON");

        var offCurve = f.P("offcurve_proof.json");
        File.WriteAllText(offCurve, """{"pi_a":["1","3","1"],"pi_b":[["0","0"],["1","0"],["0","0"]],"pi_c":["1","2","1"],"protocol":"groth16","curve":"bn128"}""");
        Fails(offCurve, () => SnarkjsJson.ReadProof(offCurve), "pi_a is not on the BN254 curve");

        var pub = f.P("bad_public.json");
        File.WriteAllText(pub, "[\"-5\"]");
        Fails(pub, () => SnarkjsJson.ReadPublic(pub), "not a non-negative decimal");
        File.WriteAllText(pub, $"[\"{Fr.Modulus}\"]");
        Fails(pub, () => SnarkjsJson.ReadPublic(pub), "not below");
    }

    [Fact]
    public void R1csMatchesSnarkjsInfoAndDetectsCorruption()
    {
        var r1cs = R1csFile.Read(f.P("pos.r1cs"));
        var info = Tooling.SnarkjsOk("r1cs", "info", f.P("pos.r1cs")).All;
        Assert.Contains($"# of Constraints: {r1cs.NConstraints}", info);
        Assert.Contains($"# of Wires: {r1cs.NVars}", info);
        Assert.Contains($"# of Public Inputs: {r1cs.NPubInputs}", info);
        Assert.Contains($"# of Outputs: {r1cs.NOutputs}", info);
        Assert.Equal(-1, r1cs.FirstUnsatisfiedConstraint(WtnsFile.Read(f.P("pos.wtns"))));

        var bytes = File.ReadAllBytes(f.P("pos.r1cs"));
        var t = f.P("trunc.r1cs");
        File.WriteAllBytes(t, bytes[..(bytes.Length / 2)]);
        Fails(t, () => R1csFile.Read(t), "truncated");
    }

    [Fact]
    public void PtauErrors()
    {
        var p = f.P("pot1.ptau"); // contributed but not prepared for phase 2
        Fails(p, () => PtauFile.Open(p), "not prepared for phase 2");
        using var ptau = PtauFile.Open(f.P("pot.ptau")); // power 3: far too small for the Poseidon circuit
        Fails(f.P("pot.ptau"), () => new Groth16Setup().CreateFromPtau(R1csFile.Read(f.P("pos.r1cs")), ptau), "too small");
    }
}
