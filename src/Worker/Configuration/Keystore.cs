using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;

namespace ProverMarketChain.Worker.Configuration;

/// <summary>
/// Reads Web3 Secret Storage (version 3) keystore files, as written by geth and <c>cast wallet new</c>, through Nethereum's
/// keystore services. The one thing added is a bound on the key-derivation cost, checked on the very object Nethereum
/// decrypts (its own deserialisation of the file, which matches keys case-insensitively and keeps the last duplicate):
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
            using (var doc = JsonDocument.Parse(json))
            {
                if (!doc.RootElement.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != 3)
                    throw new KeystoreException(path, "not a version 3 keystore");
            }

            var kdf = new KeyStoreKdfChecker().GetKeyStoreKdfType(json);
            return kdf switch
            {
                KeyStoreKdfChecker.KdfType.scrypt => DecryptScrypt(path, json, password),
                KeyStoreKdfChecker.KdfType.pbkdf2 => DecryptPbkdf2(path, json, password),
                _ => throw new KeystoreException(path, $"unsupported kdf '{kdf}' (scrypt or pbkdf2)"),
            };
        }
        catch (DecryptionException)
        {
            throw new KeystoreException(path, "wrong password (MAC mismatch)");
        }
        catch (Exception e) when (e is JsonException or Newtonsoft.Json.JsonException or KeyNotFoundException or InvalidOperationException
            or FormatException or ArgumentException or NullReferenceException or InvalidKdfException)
        {
            throw new KeystoreException(path, $"malformed keystore JSON ({e.Message})");
        }
    }

    private static byte[] DecryptScrypt(string path, string json, string password)
    {
        var service = new KeyStoreScryptService();
        var store = service.DeserializeKeyStoreFromJson(json);
        Check(path, store?.Crypto?.Cipher, store?.Crypto?.Kdfparams?.Dklen, store?.Crypto?.CipherParams?.Iv, store?.Crypto?.Mac);
        var p = store!.Crypto.Kdfparams;
        // 128 * r * n bytes of memory and p passes: bounded so that a hostile file cannot demand gigabytes or hours.
        if (p.N < 2 || (p.N & (p.N - 1)) != 0 || p.N > 1 << 20 || p.R is < 1 or > 32 || p.P is < 1 or > 16)
            throw new KeystoreException(path, $"scrypt parameters out of range (n={p.N}, r={p.R}, p={p.P})");
        return service.DecryptKeyStore(password, store);
    }

    private static byte[] DecryptPbkdf2(string path, string json, string password)
    {
        var service = new KeyStorePbkdf2Service();
        var store = service.DeserializeKeyStoreFromJson(json);
        Check(path, store?.Crypto?.Cipher, store?.Crypto?.Kdfparams?.Dklen, store?.Crypto?.CipherParams?.Iv, store?.Crypto?.Mac);
        var p = store!.Crypto.Kdfparams;
        if (p.Prf != "hmac-sha256") throw new KeystoreException(path, $"unsupported pbkdf2 prf '{p.Prf}'");
        if (p.Count is < 1 or > 10_000_000) throw new KeystoreException(path, $"pbkdf2 iteration count {p.Count} out of range");
        return service.DecryptKeyStore(password, store);
    }

    private static void Check(string path, string? cipher, int? dklen, string? iv, string? mac)
    {
        if (cipher != "aes-128-ctr") throw new KeystoreException(path, $"unsupported cipher '{cipher}' (only aes-128-ctr)");
        // The derived key is 32 bytes: 16 for AES-128, 16 for the MAC; a longer one only costs more derivation work.
        if (dklen != 32 || iv is null || Convert.FromHexString(iv).Length != 16 || mac is null || Convert.FromHexString(mac).Length != 32)
            throw new KeystoreException(path, "bad key length, IV or MAC size");
    }
}

/// <summary>A keystore file could not be decrypted.</summary>
public sealed class KeystoreException(string path, string problem) : Exception($"keystore '{path}': {problem}")
{
    /// <summary>The keystore file.</summary>
    public string Path { get; } = path;
}
