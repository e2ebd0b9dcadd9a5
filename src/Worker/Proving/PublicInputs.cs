using System.Numerics;
using Nethereum.ABI;
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
        ArgumentNullException.ThrowIfNull(values);
        return Keccak.Hash(new ABIEncode().GetABIEncoded(values.Select(v => new ABIValue("uint256", v)).ToArray()));
    }
}
