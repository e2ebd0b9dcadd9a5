using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ProverMarketChain.ContractBindings.Primitives;

/// <summary>
/// Keccak-256 as used by Ethereum (the original Keccak padding <c>0x01</c>, not the FIPS-202 SHA3 padding <c>0x06</c>).
/// Allocation-free apart from the returned array of <see cref="Hash(ReadOnlySpan{byte})"/>.
/// </summary>
public static class Keccak
{
    /// <summary>Rate in bytes for a 256-bit capacity-512 sponge.</summary>
    private const int Rate = 136;

    private static readonly ulong[] RoundConstants =
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808aUL, 0x8000000080008000UL,
        0x000000000000808bUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008aUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000aUL,
        0x000000008000808bUL, 0x800000000000008bUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800aUL, 0x800000008000000aUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    /// <summary>Returns the 32-byte Keccak-256 digest of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var result = new byte[32];
        Hash(data, result);
        return result;
    }

    /// <summary>Writes the 32-byte Keccak-256 digest of <paramref name="data"/> into <paramref name="dst32"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dst32"/> is shorter than 32 bytes.</exception>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> dst32)
    {
        if (dst32.Length < 32)
        {
            throw new ArgumentException($"Destination must hold 32 bytes, got {dst32.Length}.", nameof(dst32));
        }

        Span<ulong> state = stackalloc ulong[25];
        state.Clear();
        while (data.Length >= Rate)
        {
            Absorb(state, data[..Rate]);
            Permute(state);
            data = data[Rate..];
        }

        Finish(state, data, dst32);
    }

    /// <summary>Absorbs the final partial block (fewer than <see cref="Rate"/> bytes) with Keccak padding and squeezes
    /// the 32-byte digest into <paramref name="dst32"/>.</summary>
    private static void Finish(Span<ulong> state, ReadOnlySpan<byte> tail, Span<byte> dst32)
    {
        Span<byte> last = stackalloc byte[Rate];
        last.Clear();
        tail.CopyTo(last);
        last[tail.Length] ^= 0x01;
        last[Rate - 1] ^= 0x80;
        Absorb(state, last);
        Permute(state);

        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dst32.Slice(8 * i, 8), state[i]);
        }
    }

    /// <summary>
    /// Returns the Keccak-256 digest of everything left in <paramref name="stream"/>, read in blocks (a multi-gigabyte
    /// proving key is hashed without being held in memory).
    /// </summary>
    public static async Task<byte[]> HashAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var state = new ulong[25];
        var buffer = new byte[Rate * 4096];
        int filled = 0;
        while (true)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            filled += n;
            int whole = filled - filled % Rate;
            for (int off = 0; off < whole; off += Rate)
            {
                Absorb(state, buffer.AsSpan(off, Rate));
                Permute(state);
            }
            // Keep the partial block at the front for the next read.
            buffer.AsSpan(whole, filled - whole).CopyTo(buffer);
            filled -= whole;
        }
        var result = new byte[32];
        Finish(state, buffer.AsSpan(0, filled), result);
        return result;
    }

    /// <summary>Returns the Keccak-256 digest of the file at <paramref name="path"/>, streamed.</summary>
    public static async Task<byte[]> HashFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await HashAsync(f, cancellationToken).ConfigureAwait(false);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Absorb(Span<ulong> state, ReadOnlySpan<byte> block)
    {
        for (int i = 0; i < Rate / 8; i++)
        {
            state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(8 * i, 8));
        }
    }

    /// <summary>The Keccak-f[1600] permutation, 24 rounds, fully unrolled over the 5x5 lanes.</summary>
    private static void Permute(Span<ulong> s)
    {
        ulong a00 = s[0], a01 = s[1], a02 = s[2], a03 = s[3], a04 = s[4];
        ulong a05 = s[5], a06 = s[6], a07 = s[7], a08 = s[8], a09 = s[9];
        ulong a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14];
        ulong a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19];
        ulong a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];

        for (int round = 0; round < 24; round++)
        {
            // Theta
            ulong c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            ulong c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            ulong c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            ulong c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            ulong c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            ulong d0 = c4 ^ BitOperations.RotateLeft(c1, 1);
            ulong d1 = c0 ^ BitOperations.RotateLeft(c2, 1);
            ulong d2 = c1 ^ BitOperations.RotateLeft(c3, 1);
            ulong d3 = c2 ^ BitOperations.RotateLeft(c4, 1);
            ulong d4 = c3 ^ BitOperations.RotateLeft(c0, 1);

            // Rho and Pi: b[y][2x+3y] = rot(a[x][y] ^ d[x], r[x][y]); lane index = x + 5y.
            ulong b00 = a00 ^ d0;
            ulong b10 = BitOperations.RotateLeft(a01 ^ d1, 1);
            ulong b20 = BitOperations.RotateLeft(a02 ^ d2, 62);
            ulong b05 = BitOperations.RotateLeft(a03 ^ d3, 28);
            ulong b15 = BitOperations.RotateLeft(a04 ^ d4, 27);
            ulong b16 = BitOperations.RotateLeft(a05 ^ d0, 36);
            ulong b01 = BitOperations.RotateLeft(a06 ^ d1, 44);
            ulong b11 = BitOperations.RotateLeft(a07 ^ d2, 6);
            ulong b21 = BitOperations.RotateLeft(a08 ^ d3, 55);
            ulong b06 = BitOperations.RotateLeft(a09 ^ d4, 20);
            ulong b07 = BitOperations.RotateLeft(a10 ^ d0, 3);
            ulong b17 = BitOperations.RotateLeft(a11 ^ d1, 10);
            ulong b02 = BitOperations.RotateLeft(a12 ^ d2, 43);
            ulong b12 = BitOperations.RotateLeft(a13 ^ d3, 25);
            ulong b22 = BitOperations.RotateLeft(a14 ^ d4, 39);
            ulong b23 = BitOperations.RotateLeft(a15 ^ d0, 41);
            ulong b08 = BitOperations.RotateLeft(a16 ^ d1, 45);
            ulong b18 = BitOperations.RotateLeft(a17 ^ d2, 15);
            ulong b03 = BitOperations.RotateLeft(a18 ^ d3, 21);
            ulong b13 = BitOperations.RotateLeft(a19 ^ d4, 8);
            ulong b14 = BitOperations.RotateLeft(a20 ^ d0, 18);
            ulong b24 = BitOperations.RotateLeft(a21 ^ d1, 2);
            ulong b09 = BitOperations.RotateLeft(a22 ^ d2, 61);
            ulong b19 = BitOperations.RotateLeft(a23 ^ d3, 56);
            ulong b04 = BitOperations.RotateLeft(a24 ^ d4, 14);

            // Chi
            a00 = b00 ^ (~b01 & b02); a01 = b01 ^ (~b02 & b03); a02 = b02 ^ (~b03 & b04); a03 = b03 ^ (~b04 & b00); a04 = b04 ^ (~b00 & b01);
            a05 = b05 ^ (~b06 & b07); a06 = b06 ^ (~b07 & b08); a07 = b07 ^ (~b08 & b09); a08 = b08 ^ (~b09 & b05); a09 = b09 ^ (~b05 & b06);
            a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14); a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11);
            a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19); a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16);
            a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24); a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21);

            // Iota
            a00 ^= RoundConstants[round];
        }

        s[0] = a00; s[1] = a01; s[2] = a02; s[3] = a03; s[4] = a04;
        s[5] = a05; s[6] = a06; s[7] = a07; s[8] = a08; s[9] = a09;
        s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14;
        s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19;
        s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
    }
}
