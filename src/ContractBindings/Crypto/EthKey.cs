using System.Text;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Security;
using ProverMarketChain.ContractBindings.Primitives;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

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
/// A secp256k1 private key with its Ethereum address. Signing is RFC 6979 deterministic (HMAC-SHA256), low-s normalised,
/// and returns the recovery id. Thread-safe: instances are immutable.
/// </summary>
public sealed class EthKey
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);

    private readonly ECPrivateKeyParameters _private;

    private EthKey(BigInteger d)
    {
        _private = new ECPrivateKeyParameters(d, Domain);
        var q = Domain.G.Multiply(d).Normalize();
        PublicKey = EncodePublic(q);
        Address = AddressOf(PublicKey);
    }

    /// <summary>The 64-byte uncompressed public key (x ‖ y, without the 0x04 prefix).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The account address: the last 20 bytes of keccak256(public key).</summary>
    public Address Address { get; }

    /// <summary>Creates a key from a 32-byte big-endian private scalar.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes or not in [1, n-1].</exception>
    public static EthKey FromPrivateKey(byte[] privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"A secp256k1 private key is 32 bytes, got {privateKey.Length}.", nameof(privateKey));
        }

        var d = new BigInteger(1, privateKey);
        if (d.SignValue == 0 || d.CompareTo(Curve.N) >= 0)
        {
            throw new ArgumentException("The private key is outside [1, n-1] of secp256k1.", nameof(privateKey));
        }

        return new EthKey(d);
    }

    /// <summary>Creates a key from a hex private key (with or without 0x).</summary>
    /// <exception cref="FormatException">Not hex.</exception>
    /// <exception cref="ArgumentException">Not a valid key.</exception>
    public static EthKey FromPrivateKey(string privateKeyHex) => FromPrivateKey(Hex.Decode(privateKeyHex));

    /// <summary>Generates a fresh random key from a cryptographic RNG.</summary>
    public static EthKey Generate()
    {
        var random = new SecureRandom();
        while (true)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            var d = new BigInteger(1, bytes);
            if (d.SignValue > 0 && d.CompareTo(Curve.N) < 0)
            {
                return new EthKey(d);
            }
        }
    }

    /// <summary>The 32-byte private key. Handle with care.</summary>
    public byte[] ExportPrivateKey() => ToBytes32(_private.D);

    /// <summary>Signs a 32-byte hash (RFC 6979 deterministic nonce, low-s).</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    public EthSignature Sign(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"Sign expects a 32-byte hash, got {hash32.Length}.", nameof(hash32));
        }

        var hash = hash32.ToArray();
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, _private);
        var rs = signer.GenerateSignature(hash);
        BigInteger r = rs[0], s = rs[1];
        if (s.CompareTo(HalfN) > 0)
        {
            s = Curve.N.Subtract(s);
        }

        var rBytes = ToBytes32(r);
        var sBytes = ToBytes32(s);
        for (byte recId = 0; recId < 2; recId++)
        {
            var q = RecoverPoint(hash, r, s, recId);
            if (q is not null && EncodePublic(q).AsSpan().SequenceEqual(PublicKey))
            {
                return new EthSignature(rBytes, sBytes, recId);
            }
        }

        // r >= p - n (x overflow, recovery ids 2/3) has probability ~2^-128; treat as an internal failure.
        throw new InvalidOperationException("Could not determine the recovery id of a fresh signature.");
    }

    /// <summary>Signs an EIP-191 personal message (<c>"\x19Ethereum Signed Message:\n" + len + message</c>).</summary>
    public EthSignature SignMessage(ReadOnlySpan<byte> message) => Sign(PersonalSign.HashMessage(message));

    /// <summary>Recovers the signer's address from a 32-byte hash and a signature.</summary>
    /// <exception cref="ArgumentException">The signature is invalid (r or s out of range, or no point recovers).</exception>
    public static Address Recover(ReadOnlySpan<byte> hash32, EthSignature signature) => AddressOf(RecoverPublicKey(hash32, signature));

    /// <summary>Recovers the signer's 64-byte public key from a 32-byte hash and a signature.</summary>
    /// <exception cref="ArgumentException">The signature is invalid.</exception>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash32, EthSignature signature)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"Recover expects a 32-byte hash, got {hash32.Length}.", nameof(hash32));
        }

        if (signature.R is not { Length: 32 } || signature.S is not { Length: 32 } || signature.RecoveryId > 1)
        {
            throw new ArgumentException("A signature needs 32-byte r and s and a recovery id of 0 or 1.", nameof(signature));
        }

        var r = new BigInteger(1, signature.R);
        var s = new BigInteger(1, signature.S);
        if (r.SignValue == 0 || r.CompareTo(Curve.N) >= 0 || s.SignValue == 0 || s.CompareTo(Curve.N) >= 0)
        {
            throw new ArgumentException("Signature r and s must be in [1, n-1].", nameof(signature));
        }

        var q = RecoverPoint(hash32.ToArray(), r, s, signature.RecoveryId)
            ?? throw new ArgumentException("The signature does not recover to a valid public key.", nameof(signature));
        return EncodePublic(q);
    }

    /// <summary>True when s is in the lower half of the group order (as Ethereum requires for transactions, EIP-2).</summary>
    public static bool IsLowS(byte[] s) => new BigInteger(1, s).CompareTo(HalfN) <= 0;

    /// <summary>The address of a 64-byte uncompressed public key.</summary>
    public static Address AddressOf(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length != 64)
        {
            throw new ArgumentException($"An uncompressed public key is 64 bytes (x, y), got {publicKey64.Length}.", nameof(publicKey64));
        }

        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash(publicKey64, hash);
        return Address.FromBytes(hash[12..]);
    }

    /// <summary>SEC 1 §4.1.6 public key recovery for recovery ids 0/1 (x = r).</summary>
    private static ECPoint? RecoverPoint(byte[] hash, BigInteger r, BigInteger s, int recId)
    {
        var n = Curve.N;
        if (r.CompareTo(Curve.Curve.Field.Characteristic) >= 0)
        {
            return null;
        }

        var encoded = new byte[33];
        encoded[0] = (byte)(0x02 | (recId & 1));
        ToBytes32(r).CopyTo(encoded, 1);
        ECPoint bigR;
        try
        {
            bigR = Curve.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null; // x is not on the curve
        }

        var e = new BigInteger(1, hash);
        var rInv = r.ModInverse(n);
        var u1 = n.Subtract(e).Multiply(rInv).Mod(n);
        var u2 = s.Multiply(rInv).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Curve.G, u1, bigR, u2).Normalize();
        return q.IsInfinity ? null : q;
    }

    private static byte[] EncodePublic(ECPoint q)
    {
        var full = q.Normalize().GetEncoded(false); // 0x04 || x || y
        return full.AsSpan(1).ToArray();
    }

    private static byte[] ToBytes32(BigInteger value)
    {
        var raw = value.ToByteArrayUnsigned();
        if (raw.Length == 32)
        {
            return raw;
        }

        var result = new byte[32];
        raw.CopyTo(result, 32 - raw.Length);
        return result;
    }
}

/// <summary>EIP-191 version 0x45 ("personal_sign") message hashing and signer recovery.</summary>
public static class PersonalSign
{
    /// <summary>keccak256("\x19Ethereum Signed Message:\n" + decimal length + message).</summary>
    public static byte[] HashMessage(ReadOnlySpan<byte> message)
    {
        var prefix = Encoding.ASCII.GetBytes("\u0019Ethereum Signed Message:\n" + message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var buffer = new byte[prefix.Length + message.Length];
        prefix.CopyTo(buffer, 0);
        message.CopyTo(buffer.AsSpan(prefix.Length));
        return Keccak.Hash(buffer);
    }

    /// <summary>Recovers the address that signed <paramref name="message"/> with a 65-byte r ‖ s ‖ v signature.</summary>
    /// <exception cref="ArgumentException">The signature is malformed.</exception>
    public static Address RecoverSigner(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature65) =>
        EthKey.Recover(HashMessage(message), EthSignature.FromBytes65(signature65));
}
