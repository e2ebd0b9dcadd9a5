using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;

namespace ProverMarketChain.Worker.Configuration;

/// <summary>
/// Reads Web3 Secret Storage (version 3) keystore files, as written by geth and <c>cast wallet new</c>, through Nethereum's
/// <see cref="KeyStoreService"/>. The one thing added here is a check of the file's parameters before Nethereum sees it:
/// Nethereum runs whatever scrypt cost or PBKDF2 count the file names, so a planted file could demand gigabytes or hours.
/// </summary>
public static class Keystore
{
    /// <summary>Decrypts the private key in <paramref name="path"/> with <paramref name="password"/>.</summary>
    /// <exception cref="KeystoreException">The file is malformed, uses unsupported parameters, or the password is wrong.</exception>
    public static byte[] Decrypt(string path, string password)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new KeystoreException(path, e.Message);
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (!root.TryGetProperty("version", out var v) || v.GetInt32() != 3)
                throw new KeystoreException(path, "not a version 3 keystore");
            var crypto = root.TryGetProperty("crypto", out var c) ? c : root.GetProperty("Crypto");
            var cipher = crypto.GetProperty("cipher").GetString();
            if (cipher != "aes-128-ctr") throw new KeystoreException(path, $"unsupported cipher '{cipher}' (only aes-128-ctr)");
            var iv = Convert.FromHexString(crypto.GetProperty("cipherparams").GetProperty("iv").GetString()!);
            var mac = Convert.FromHexString(crypto.GetProperty("mac").GetString()!);
            _ = Convert.FromHexString(crypto.GetProperty("ciphertext").GetString()!);
            var p = crypto.GetProperty("kdfparams");
            _ = Convert.FromHexString(p.GetProperty("salt").GetString()!);
            if (p.GetProperty("dklen").GetInt32() < 32 || iv.Length != 16 || mac.Length != 32)
                throw new KeystoreException(path, "bad key length, IV or MAC size");
            switch (crypto.GetProperty("kdf").GetString())
            {
                case "scrypt":
                    int n = p.GetProperty("n").GetInt32(), r = p.GetProperty("r").GetInt32(), par = p.GetProperty("p").GetInt32();
                    // Bounds keep a hostile file from demanding gigabytes or hours: 128 * r * n bytes of memory.
                    if (n < 2 || (n & (n - 1)) != 0 || n > 1 << 20 || r is < 1 or > 32 || par is < 1 or > 16)
                        throw new KeystoreException(path, $"scrypt parameters out of range (n={n}, r={r}, p={par})");
                    break;
                case "pbkdf2":
                    var prf = p.GetProperty("prf").GetString();
                    int count = p.GetProperty("c").GetInt32();
                    if (prf != "hmac-sha256") throw new KeystoreException(path, $"unsupported pbkdf2 prf '{prf}'");
                    if (count is < 1 or > 10_000_000) throw new KeystoreException(path, $"pbkdf2 iteration count {count} out of range");
                    break;
                case var kdf:
                    throw new KeystoreException(path, $"unsupported kdf '{kdf}' (scrypt or pbkdf2)");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new KeystoreException(path, $"malformed keystore JSON ({e.Message})");
        }

        try
        {
            return new KeyStoreService().DecryptKeyStoreFromJson(password, json);
        }
        catch (DecryptionException)
        {
            throw new KeystoreException(path, "wrong password (MAC mismatch)");
        }
        catch (Exception e) when (e is not KeystoreException)
        {
            throw new KeystoreException(path, $"malformed keystore ({e.Message})");
        }
    }
}

/// <summary>A keystore file could not be decrypted.</summary>
public sealed class KeystoreException(string path, string problem) : Exception($"keystore '{path}': {problem}")
{
    /// <summary>The keystore file.</summary>
    public string Path { get; } = path;
}
