using System.Globalization;
using System.Numerics;
using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Pairing;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

public class PairingTests
{
    private static readonly G1Affine G = G1Affine.Generator;
    private static readonly G2Affine H = G2Affine.Generator;

    [Fact]
    public void Pairing_is_bilinear_and_non_degenerate()
    {
        var rng = new Random(42);
        Fr a = Fr.Random(rng), b = Fr.Random(rng);
        Fq12 e = Bn254Pairing.Pair(G, H);
        Assert.False(e.IsOne);
        Assert.True(e.Pow(Fr.Modulus).IsOne);
        G1Affine aP = G.ToJacobian().Multiply(a).ToAffine();
        G2Affine bQ = H.ToJacobian().Multiply(b).ToAffine();
        Fq12 eab = Bn254Pairing.Pair(aP, bQ);
        Assert.Equal(e.Pow((a * b).ToBigInteger()), eab);
        Assert.Equal(Bn254Pairing.Pair(G, bQ), Bn254Pairing.Pair(G.ToJacobian().Multiply(b).ToAffine(), H));
        Assert.True(Bn254Pairing.Pair(G1Affine.Infinity, H).IsOne);
        Assert.True(Bn254Pairing.Pair(G, G2Affine.Infinity).IsOne);
    }

    [Fact]
    public void Final_exponentiation_is_a_fixed_coprime_power_of_the_naive_one()
    {
        // Oracle: the textbook exponent (q^12 - 1)/r with a generic square-and-multiply. The efficient chain computes
        // the same value raised to m = 2x(6x^2 + 3x + 1), coprime to r.
        BigInteger q = Fq.Modulus, r = Fr.Modulus, x = Bn254Pairing.X;
        var rng = new Random(9);
        Fq12 f = Bn254Pairing.MillerLoop(new[] { G.ToJacobian().Multiply(Fr.Random(rng)).ToAffine() }, new[] { H });
        Fq12 easy = f.Pow(BigInteger.Pow(q, 6) - 1).Pow(q * q + 1);
        Fq12 naive = easy.Pow((BigInteger.Pow(q, 4) - q * q + 1) / r);
        BigInteger m = 2 * x * (6 * x * x + 3 * x + 1);
        Assert.Equal(BigInteger.One, BigInteger.GreatestCommonDivisor(m, r));
        Assert.Equal(naive.Pow(m), Bn254Pairing.FinalExponentiation(f));
    }

    [Fact]
    public void Pairing_check_accepts_inverse_pairs_and_rejects_others()
    {
        var rng = new Random(1);
        G1Affine p = G.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
        G2Affine q = H.ToJacobian().Multiply(Fr.Random(rng)).ToAffine();
        Assert.True(Bn254Pairing.PairingCheck(new[] { p, p.Negate() }, new[] { q, q }));
        Assert.True(Bn254Pairing.PairingCheck(new[] { p, p }, new[] { q, q.Negate() }));
        Assert.False(Bn254Pairing.PairingCheck(new[] { p, p }, new[] { q, q }));
        Assert.False(Bn254Pairing.PairingCheck(new[] { p }, new[] { q }));
        Assert.True(Bn254Pairing.PairingCheck(ReadOnlySpan<G1Affine>.Empty, ReadOnlySpan<G2Affine>.Empty));
        // e(aP, Q) e(P, -aQ) = 1.
        Fr a = Fr.Random(rng);
        Assert.True(Bn254Pairing.PairingCheck(
            new[] { p.ToJacobian().Multiply(a).ToAffine(), p },
            new[] { q, q.ToJacobian().Multiply(a).Negate().ToAffine() }));
        Assert.Throws<ArgumentException>(() => Bn254Pairing.PairingCheck(new[] { p }, ReadOnlySpan<G2Affine>.Empty));
    }

    // go-ethereum core/vm/testdata/precompiles/bn256Pairing.json (EIP-197 precompile vectors).
    [Theory]
    [InlineData("jeff1", true, "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")]
    [InlineData("jeff2", true, "2eca0c7238bf16e83e7a1e6c5d49540685ff51380f309842a98561558019fc0203d3260361bb8451de5ff5ecd17f010ff22f5c31cdf184e9020b06fa5997db841213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f21ee6226d31426322afcda621464d0611d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f06967a1237ebfeca9aaae0d6d0bab8e28c198c5a339ef8a2407e31cdac516db922160fa257a5fd5b280642ff47b65eca77e626cb685c84fa6d3b6882a283ddd1198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")]
    [InlineData("jeff3", true, "0f25929bcb43d5a57391564615c9e70a992b10eafa4db109709649cf48c50dd216da2f5cb6be7a0aa72c440c53c9bbdfec6c36c7d515536431b3a865468acbba2e89718ad33c8bed92e210e81d1853435399a271913a6520736a4729cf0d51eb01a9e2ffa2e92599b68e44de5bcf354fa2642bd4f26b259daa6f7ce3ed57aeb314a9a87b789a58af499b314e13c3d65bede56c07ea2d418d6874857b70763713178fb49a2d6cd347dc58973ff49613a20757d0fcc22079f9abd10c3baee245901b9e027bd5cfc2cb5db82d4dc9677ac795ec500ecd47deee3b5da006d6d049b811d7511c78158de484232fc68daf8a45cf217d1c2fae693ff5871e8752d73b21198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")]
    [InlineData("jeff6", false, "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c103188585e2364128fe25c70558f1560f4f9350baf3959e603cc91486e110936198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")]
    [InlineData("one_point", false, "00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000002198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")]
    [InlineData("two_point_match_4", true, "105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf10160cf031d41b41557f3e7e3ba0c51bebe5da8e6ecd855ec50fc87efcdeac168bcc0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec57fd3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa114c059d74e5b6c4ec14ae5864ebe23a71781d86c29fb8fb6cce94f70d3de7a2101b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030427000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000021a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c635f7290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f2f997f3dbd66a7afe07fe7862ce239edba9e05c5afff7f8a1259c9733b2dfbb929d1691530ca701b4a106054688728c9972c8512e9789e9567aae23e302ccd75")]
    public void EIP197_precompile_vectors(string name, bool expected, string hex)
    {
        byte[] input = Convert.FromHexString(hex);
        int pairs = input.Length / 192;
        var ps = new G1Affine[pairs];
        var qs = new G2Affine[pairs];
        for (int i = 0; i < pairs; i++)
        {
            ReadOnlySpan<byte> s = input.AsSpan(192 * i, 192);
            ps[i] = G1Affine.FromXY(Word(s, 0), Word(s, 1));
            // EIP-197 orders Fq2 coordinates imaginary part first.
            qs[i] = G2Affine.FromXY(new Fq2(Word(s, 3), Word(s, 2)), new Fq2(Word(s, 5), Word(s, 4)));
        }
        Assert.True(expected == Bn254Pairing.PairingCheck(ps, qs), name);
    }

    private static Fq Word(ReadOnlySpan<byte> s, int index)
    {
        var v = new BigInteger(s.Slice(32 * index, 32), isUnsigned: true, isBigEndian: true);
        Assert.True(v < Fq.Modulus);
        return Fq.FromBigInteger(v);
    }
}
