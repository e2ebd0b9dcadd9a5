using System.Numerics;
using ProverMarketChain.ContractBindings.Abi;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Proving;

/// <summary>The commitment a request makes to its public inputs.</summary>
public static class PublicInputs
{
    /// <summary>
    /// <c>keccak256(abi.encodePacked(publicInputs))</c>, as the market checks it. For uint256 words the packed and the
    /// standard encodings are the same.
    /// </summary>
    public static byte[] Hash(IReadOnlyList<BigInteger> values)
    {
        var types = new AbiType[values.Count];
        Array.Fill(types, AbiType.UInt256);
        return Keccak.Hash(AbiCodec.Encode(types, values.Cast<object?>().ToArray()));
    }
}
