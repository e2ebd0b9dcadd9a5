using Nethereum.Util;
using Org.BouncyCastle.Crypto.Digests;

namespace ProverMarketChain.ContractBindings.Primitives;

/// <summary>
/// Keccak-256 as used by Ethereum (the original Keccak padding, not FIPS-202 SHA3): one-shot hashing through Nethereum's
/// <see cref="Sha3Keccack"/>. Streaming (<see cref="HashAsync"/>) uses BouncyCastle's <see cref="KeccakDigest"/>, the
/// digest Nethereum itself is built on, because Nethereum exposes no incremental API and a multi-gigabyte proving key
/// must be hashed without being held in memory.
/// </summary>
public static class Keccak
{
    /// <summary>Returns the 32-byte Keccak-256 digest of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data) => Sha3Keccack.Current.CalculateHash(data.ToArray());

    /// <summary>Writes the 32-byte Keccak-256 digest of <paramref name="data"/> into <paramref name="dst32"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dst32"/> is shorter than 32 bytes.</exception>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> dst32)
    {
        if (dst32.Length < 32)
        {
            throw new ArgumentException($"Destination must hold 32 bytes, got {dst32.Length}.", nameof(dst32));
        }

        Hash(data).CopyTo(dst32);
    }

    /// <summary>
    /// Returns the Keccak-256 digest of everything left in <paramref name="stream"/>, read in blocks (a multi-gigabyte
    /// proving key is hashed without being held in memory).
    /// </summary>
    public static async Task<byte[]> HashAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var digest = new KeccakDigest(256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            digest.BlockUpdate(buffer, 0, n);
        }

        var result = new byte[32];
        digest.DoFinal(result, 0);
        return result;
    }

    /// <summary>Returns the Keccak-256 digest of the file at <paramref name="path"/>, streamed.</summary>
    public static async Task<byte[]> HashFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await HashAsync(f, cancellationToken).ConfigureAwait(false);
    }
}
