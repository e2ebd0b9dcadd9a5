using Nethereum.Signer;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Crypto;

/// <summary>
/// A secp256k1 signature in Ethereum form: <c>r</c>, <c>s</c> (low-s normalised, s ≤ n/2) and the recovery id (0 or 1).
/// </summary>
/// <param name="R">32-byte big-endian r.</param>
/// <param name="S">32-byte big-endian s.</param>
/// <param name="RecoveryId">The y-parity of the ephemeral point R (0 or 1).</param>
public readonly record struct EthSignature(byte[] R, byte[] S, byte RecoveryId)
{
    /// <summary>The legacy <c>v</c> value, 27 + recovery id (used by EIP-191 signatures).</summary>
    public byte V => (byte)(27 + RecoveryId);

    /// <summary>The 65-byte <c>r ‖ s ‖ v</c> form (v = 27/28), as produced by <c>personal_sign</c> and <c>cast wallet sign</c>.</summary>
    public byte[] ToBytes65()
    {
        var result = new byte[65];
        R.CopyTo(result, 0);
        S.CopyTo(result, 32);
        result[64] = V;
        return result;
    }

    /// <summary>Parses a 65-byte <c>r ‖ s ‖ v</c> signature; v may be 0/1 or 27/28.</summary>
    /// <exception cref="ArgumentException">Wrong length or an invalid v.</exception>
    public static EthSignature FromBytes65(ReadOnlySpan<byte> sig)
    {
        if (sig.Length != 65)
        {
            throw new ArgumentException($"A signature is 65 bytes (r, s, v), got {sig.Length}.", nameof(sig));
        }

        byte v = sig[64];
        byte recId = v switch
        {
            0 or 1 => v,
            27 or 28 => (byte)(v - 27),
            _ => throw new ArgumentException($"Signature v must be 0, 1, 27 or 28, got {v}.", nameof(sig)),
        };
        return new EthSignature(sig[..32].ToArray(), sig[32..64].ToArray(), recId);
    }

    /// <summary>Deconstructs into r, s and the recovery id.</summary>
    public void Deconstruct(out byte[] r, out byte[] s, out byte recoveryId)
    {
        r = R;
        s = S;
        recoveryId = RecoveryId;
    }
}

/// <summary>
/// A secp256k1 private key with its Ethereum address: a thin facade over Nethereum's <see cref="EthECKey"/> (RFC 6979
/// deterministic, low-s signing with recovery id), kept so that keys, the project's <see cref="Address"/> and
/// <see cref="EthSignature"/> travel together through the signer and the worker. Thread-safe: instances are immutable.
/// </summary>
public sealed class EthKey
{
    private static readonly System.Numerics.BigInteger N =
        System.Numerics.BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly System.Numerics.BigInteger HalfN = N >> 1;

    private readonly EthECKey _key;

    private EthKey(EthECKey key)
    {
        _key = key;
        PublicKey = key.GetPubKeyNoPrefix();
        Address = Address.Parse(key.GetPublicAddress());
    }

    /// <summary>The 64-byte uncompressed public key (x ‖ y, without the 0x04 prefix).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The account address: the last 20 bytes of keccak256(public key).</summary>
    public Address Address { get; }

    /// <summary>The Nethereum key, for Nethereum's signers and accounts.</summary>
    public EthECKey NethereumKey => _key;

    /// <summary>Creates a key from a 32-byte big-endian private scalar.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes or not in [1, n-1].</exception>
    public static EthKey FromPrivateKey(byte[] privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"A secp256k1 private key is 32 bytes, got {privateKey.Length}.", nameof(privateKey));
        }

        var d = new System.Numerics.BigInteger(privateKey, isUnsigned: true, isBigEndian: true);
        if (d.IsZero || d >= N)
        {
            throw new ArgumentException("The private key is outside [1, n-1] of secp256k1.", nameof(privateKey));
        }

        return new EthKey(new EthECKey(privateKey, isPrivate: true));
    }

    /// <summary>Creates a key from a hex private key (with or without 0x).</summary>
    /// <exception cref="FormatException">Not hex.</exception>
    /// <exception cref="ArgumentException">Not a valid key.</exception>
    public static EthKey FromPrivateKey(string privateKeyHex) => FromPrivateKey(Hex.Decode(privateKeyHex));

    /// <summary>Generates a fresh random key from a cryptographic RNG.</summary>
    public static EthKey Generate() => new(EthECKey.GenerateKey());

    /// <summary>The 32-byte private key. Handle with care.</summary>
    public byte[] ExportPrivateKey() => ToBytes32(_key.GetPrivateKeyAsBytes());

    /// <summary>Signs a 32-byte hash (RFC 6979 deterministic nonce, low-s).</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    public EthSignature Sign(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"Sign expects a 32-byte hash, got {hash32.Length}.", nameof(hash32));
        }

        var sig = _key.SignAndCalculateYParityV(hash32.ToArray());
        byte parity = sig.V.Length == 0 ? (byte)0 : sig.V[^1];
        return new EthSignature(ToBytes32(sig.R), ToBytes32(sig.S), parity);
    }

    /// <summary>Signs an EIP-191 <c>personal_sign</c> message.</summary>
    public EthSignature SignMessage(ReadOnlySpan<byte> message) => Sign(PersonalSign.HashMessage(message));

    /// <summary>Recovers the signer's address from a 32-byte hash and a signature.</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes or the signature does not recover.</exception>
    public static Address Recover(ReadOnlySpan<byte> hash32, EthSignature signature) => AddressOf(RecoverPublicKey(hash32, signature));

    /// <summary>Recovers the signer's 64-byte public key from a 32-byte hash and a signature.</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes or the signature does not recover.</exception>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash32, EthSignature signature)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"Recover expects a 32-byte hash, got {hash32.Length}.", nameof(hash32));
        }

        if (signature.R is not { Length: 32 } || signature.S is not { Length: 32 } || signature.RecoveryId > 1)
        {
            throw new ArgumentException("A signature has a 32-byte r, a 32-byte s and a recovery id of 0 or 1.", nameof(signature));
        }

        var r = new System.Numerics.BigInteger(signature.R, isUnsigned: true, isBigEndian: true);
        var s = new System.Numerics.BigInteger(signature.S, isUnsigned: true, isBigEndian: true);
        if (r.IsZero || r >= N || s.IsZero || s >= N)
        {
            throw new ArgumentException("Signature r and s must be in [1, n-1].", nameof(signature));
        }

        try
        {
            var sig = EthECDSASignatureFactory.FromComponents(signature.R, signature.S, signature.RecoveryId);
            var key = EthECKey.RecoverFromSignature(sig, signature.RecoveryId, hash32.ToArray());
            return key?.GetPubKeyNoPrefix() ?? throw new ArgumentException("The signature does not recover to a valid public key.", nameof(signature));
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException("The signature does not recover to a valid public key: " + e.Message, nameof(signature), e);
        }
    }

    /// <summary>Whether a 32-byte big-endian <c>s</c> is in the lower half of the curve order (EIP-2).</summary>
    public static bool IsLowS(byte[] s) => new System.Numerics.BigInteger(s, isUnsigned: true, isBigEndian: true) <= HalfN;

    /// <summary>The address of a 64-byte uncompressed public key.</summary>
    /// <exception cref="ArgumentException">The key is not 64 bytes.</exception>
    public static Address AddressOf(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length != 64)
        {
            throw new ArgumentException($"An uncompressed public key is 64 bytes (x, y), got {publicKey64.Length}.", nameof(publicKey64));
        }

        var hash = Keccak.Hash(publicKey64);
        return Address.FromBytes(hash.AsSpan(12, 20));
    }

    private static byte[] ToBytes32(byte[] raw)
    {
        if (raw.Length == 32)
        {
            return raw;
        }

        if (raw.Length > 32)
        {
            // A leading sign byte from a big-integer export.
            return raw[^32..];
        }

        var result = new byte[32];
        raw.CopyTo(result, 32 - raw.Length);
        return result;
    }
}

/// <summary>EIP-191 version 0x45 ("personal_sign") message hashing and signer recovery, through Nethereum's <see cref="EthereumMessageSigner"/>.</summary>
public static class PersonalSign
{
    private static readonly EthereumMessageSigner Signer = new();

    /// <summary>keccak256("\x19Ethereum Signed Message:\n" + decimal length + message).</summary>
    public static byte[] HashMessage(ReadOnlySpan<byte> message) => Signer.HashPrefixedMessage(message.ToArray());

    /// <summary>Recovers the address that signed <paramref name="message"/> with a 65-byte r ‖ s ‖ v signature.</summary>
    /// <exception cref="ArgumentException">The signature is malformed.</exception>
    public static Address RecoverSigner(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature65) =>
        EthKey.Recover(HashMessage(message), EthSignature.FromBytes65(signature65));
}
