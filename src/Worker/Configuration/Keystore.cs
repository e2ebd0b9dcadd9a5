using System.Security.Cryptography;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.Worker.Configuration;

/// <summary>
/// Reads Web3 Secret Storage (version 3) keystore files, as written by geth and <c>cast wallet new</c>:
/// scrypt or PBKDF2-HMAC-SHA256 key derivation, AES-128-CTR, and a Keccak-256 MAC over the ciphertext.
/// </summary>
public static class Keystore
{
    /// <summary>Decrypts the private key in <paramref name="path"/> with <paramref name="password"/>.</summary>
    /// <exception cref="KeystoreException">The file is malformed, uses unsupported parameters, or the password is wrong.</exception>
    public static byte[] Decrypt(string path, string password)
    {
        JsonElement crypto;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (!root.TryGetProperty("version", out var v) || v.GetInt32() != 3)
                throw new KeystoreException(path, "not a version 3 keystore");
            crypto = (root.TryGetProperty("crypto", out var c) ? c : root.GetProperty("Crypto")).Clone();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new KeystoreException(path, $"malformed keystore JSON ({e.Message})");
        }
        catch (IOException e)
        {
            throw new KeystoreException(path, e.Message);
        }

        try
        {
            var cipher = crypto.GetProperty("cipher").GetString();
            if (cipher != "aes-128-ctr") throw new KeystoreException(path, $"unsupported cipher '{cipher}' (only aes-128-ctr)");
            var iv = Convert.FromHexString(crypto.GetProperty("cipherparams").GetProperty("iv").GetString()!);
            var ciphertext = Convert.FromHexString(crypto.GetProperty("ciphertext").GetString()!);
            var mac = Convert.FromHexString(crypto.GetProperty("mac").GetString()!);
            var kdf = crypto.GetProperty("kdf").GetString();
            var p = crypto.GetProperty("kdfparams");
            var salt = Convert.FromHexString(p.GetProperty("salt").GetString()!);
            int dklen = p.GetProperty("dklen").GetInt32();
            if (dklen < 32 || iv.Length != 16 || mac.Length != 32)
                throw new KeystoreException(path, "bad key length, IV or MAC size");
            var pw = System.Text.Encoding.UTF8.GetBytes(password);
            byte[] derived = kdf switch
            {
                "scrypt" => ScryptDerive(path, pw, salt, p, dklen),
                "pbkdf2" => Pbkdf2Derive(path, pw, salt, p, dklen),
                _ => throw new KeystoreException(path, $"unsupported kdf '{kdf}' (scrypt or pbkdf2)"),
            };

            var macInput = new byte[16 + ciphertext.Length];
            derived.AsSpan(16, 16).CopyTo(macInput);
            ciphertext.CopyTo(macInput, 16);
            if (!CryptographicOperations.FixedTimeEquals(Keccak.Hash(macInput), mac))
                throw new KeystoreException(path, "wrong password (MAC mismatch)");
            return AesCtr(derived.AsSpan(0, 16), iv, ciphertext);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new KeystoreException(path, $"malformed keystore crypto section ({e.Message})");
        }
    }

    private static byte[] ScryptDerive(string path, byte[] pw, byte[] salt, JsonElement p, int dklen)
    {
        int n = p.GetProperty("n").GetInt32(), r = p.GetProperty("r").GetInt32(), par = p.GetProperty("p").GetInt32();
        // Bounds keep a hostile file from demanding gigabytes or hours: 128 * r * n bytes of memory.
        if (n < 2 || (n & (n - 1)) != 0 || n > 1 << 20 || r is < 1 or > 32 || par is < 1 or > 16)
            throw new KeystoreException(path, $"scrypt parameters out of range (n={n}, r={r}, p={par})");
        return Org.BouncyCastle.Crypto.Generators.SCrypt.Generate(pw, salt, n, r, par, dklen);
    }

    private static byte[] Pbkdf2Derive(string path, byte[] pw, byte[] salt, JsonElement p, int dklen)
    {
        var prf = p.GetProperty("prf").GetString();
        int c = p.GetProperty("c").GetInt32();
        if (prf != "hmac-sha256") throw new KeystoreException(path, $"unsupported pbkdf2 prf '{prf}'");
        if (c is < 1 or > 10_000_000) throw new KeystoreException(path, $"pbkdf2 iteration count {c} out of range");
        return Rfc2898DeriveBytes.Pbkdf2(pw, salt, c, HashAlgorithmName.SHA256, dklen);
    }

    /// <summary>AES-128 in counter mode (big-endian 128-bit counter starting at the IV), built on ECB.</summary>
    private static byte[] AesCtr(ReadOnlySpan<byte> key, byte[] iv, byte[] input)
    {
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var counter = (byte[])iv.Clone();
        var block = new byte[16];
        var output = new byte[input.Length];
        for (int off = 0; off < input.Length; off += 16)
        {
            aes.EncryptEcb(counter, block, PaddingMode.None);
            int n = Math.Min(16, input.Length - off);
            for (int i = 0; i < n; i++) output[off + i] = (byte)(input[off + i] ^ block[i]);
            for (int i = 15; i >= 0 && ++counter[i] == 0; i--) { }
        }
        return output;
    }
}

/// <summary>A keystore file could not be decrypted.</summary>
public sealed class KeystoreException(string path, string problem) : Exception($"keystore '{path}': {problem}")
{
    /// <summary>The keystore file.</summary>
    public string Path { get; } = path;
}
