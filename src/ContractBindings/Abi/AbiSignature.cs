using System.Text;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Abi;

/// <summary>Function selectors and event topics from Solidity signatures.</summary>
public static class AbiSignature
{
    /// <summary>
    /// Returns the 4-byte selector of a function or error signature, e.g. <c>transfer(address,uint256)</c> → <c>a9059cbb</c>.
    /// The signature is canonicalised first, so <c>transfer(address to, uint amount)</c> gives the same selector.
    /// </summary>
    /// <exception cref="FormatException">The signature is malformed.</exception>
    public static byte[] Selector(string signature)
    {
        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash(Encoding.UTF8.GetBytes(Canonicalize(signature)), hash);
        return hash[..4].ToArray();
    }

    /// <summary>Returns the 32-byte topic0 of an event signature, e.g. <c>Transfer(address,address,uint256)</c>.</summary>
    /// <exception cref="FormatException">The signature is malformed.</exception>
    public static byte[] EventTopic(string signature) => Keccak.Hash(Encoding.UTF8.GetBytes(Canonicalize(signature)));

    /// <summary>
    /// Canonical form <c>name(type1,type2)</c>: aliases expanded (<c>uint</c> → <c>uint256</c>), whitespace, parameter
    /// names and <c>indexed</c> removed, tuples written as <c>(...)</c>.
    /// </summary>
    /// <exception cref="FormatException">The signature is malformed.</exception>
    public static string Canonicalize(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        string s = signature.Trim();
        int open = s.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || s[^1] != ')')
        {
            throw new FormatException($"Invalid signature '{signature}': expected name(type1,type2,...).");
        }

        string name = s[..open].Trim();
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$'))
            {
                throw new FormatException($"Invalid signature '{signature}': bad character '{c}' in the name.");
            }
        }

        if (char.IsAsciiDigit(name[0]))
        {
            throw new FormatException($"Invalid signature '{signature}': the name starts with a digit.");
        }

        var tuple = (AbiTuple)AbiType.Parse(s[open..]);
        return name + tuple.CanonicalName;
    }
}
