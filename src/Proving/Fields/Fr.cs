using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Fields;

/// <summary>
/// Element of the BN254 scalar field F_r, r = 21888242871839275222246405745257275088548364400416034343698204186575808495617,
/// stored in Montgomery form (x*2^256 mod r) over four little-endian 64-bit limbs. The default value is zero.
/// </summary>
public readonly struct Fr : IEquatable<Fr>
{
    internal readonly U256 V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fr(in U256 v) { V = v; }

    /// <summary>The modulus r.</summary>
    public static BigInteger Modulus { get; } = BigInteger.Parse(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617", CultureInfo.InvariantCulture);

    /// <summary>Largest k such that 2^k divides r - 1.</summary>
    public const int TwoAdicity = 28;

    private static readonly Fr[] Roots = BuildRoots();

    /// <summary>Additive identity.</summary>
    public static Fr Zero => default;

    /// <summary>Multiplicative identity.</summary>
    public static Fr One => new(FrParams.R);

    /// <summary>True when this is zero.</summary>
    public bool IsZero => V.IsZero;

    /// <summary>True when this is one.</summary>
    public bool IsOne => Mont<FrParams>.Eq(V, FrParams.R);

    /// <summary>Reduces any integer (negative included) modulo r.</summary>
    public static Fr FromBigInteger(BigInteger value)
    {
        BigInteger m = BigInteger.Remainder(value, Modulus);
        if (m.Sign < 0)
        {
            m += Modulus;
        }
        return new Fr(Mont<FrParams>.ToMont(U256.FromBigInteger(m)));
    }

    /// <summary>Canonical integer in [0, r).</summary>
    public BigInteger ToBigInteger() => Mont<FrParams>.FromMont(V).ToBigInteger();

    /// <summary>Wraps raw Montgomery limbs; the caller guarantees the value is below r.</summary>
    public static Fr FromMontgomery(ulong l0, ulong l1, ulong l2, ulong l3) => new(new U256(l0, l1, l2, l3));

    /// <summary>Builds an element from canonical little-endian limbs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not below r.</exception>
    public static Fr FromCanonical(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        var x = new U256(l0, l1, l2, l3);
        if (!Mont<FrParams>.IsBelowModulus(x))
        {
            throw new ArgumentOutOfRangeException(nameof(l3), "Canonical Fr value must be below the modulus r.");
        }
        return new Fr(Mont<FrParams>.ToMont(x));
    }

    /// <summary>Canonical (non-Montgomery) limbs of this element.</summary>
    internal U256 ToCanonicalLimbs() => Mont<FrParams>.FromMont(V);

    /// <summary>Reads 32 little-endian bytes, either raw Montgomery form or canonical; false if the value is not below r.</summary>
    /// <exception cref="ArgumentException"><paramref name="src32"/> is not exactly 32 bytes.</exception>
    public static bool TryReadLittleEndian(ReadOnlySpan<byte> src32, bool montgomery, out Fr value)
    {
        if (src32.Length != 32)
        {
            throw new ArgumentException($"Expected 32 bytes for an Fr element, got {src32.Length}.", nameof(src32));
        }
        var x = new U256(
            BinaryPrimitives.ReadUInt64LittleEndian(src32),
            BinaryPrimitives.ReadUInt64LittleEndian(src32[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(src32[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(src32[24..]));
        if (!Mont<FrParams>.IsBelowModulus(x))
        {
            value = default;
            return false;
        }
        value = new Fr(montgomery ? x : Mont<FrParams>.ToMont(x));
        return true;
    }

    /// <summary>Writes 32 little-endian bytes, raw Montgomery form or canonical.</summary>
    /// <exception cref="ArgumentException"><paramref name="dst32"/> is shorter than 32 bytes.</exception>
    public void WriteLittleEndian(Span<byte> dst32, bool montgomery)
    {
        if (dst32.Length < 32)
        {
            throw new ArgumentException($"Need 32 bytes to write an Fr element, got {dst32.Length}.", nameof(dst32));
        }
        U256 x = montgomery ? V : Mont<FrParams>.FromMont(V);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32, x.L0);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32[8..], x.L1);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32[16..], x.L2);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32[24..], x.L3);
    }

    /// <summary>Sum.</summary>
    public static Fr operator +(in Fr a, in Fr b) => new(Mont<FrParams>.Add(a.V, b.V));

    /// <summary>Difference.</summary>
    public static Fr operator -(in Fr a, in Fr b) => new(Mont<FrParams>.Sub(a.V, b.V));

    /// <summary>Negation.</summary>
    public static Fr operator -(in Fr a) => new(Mont<FrParams>.Neg(a.V));

    /// <summary>Product.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fr operator *(in Fr a, in Fr b) => new(Mont<FrParams>.Mul(a.V, b.V));

    /// <summary>Equality.</summary>
    public static bool operator ==(in Fr a, in Fr b) => Mont<FrParams>.Eq(a.V, b.V);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in Fr a, in Fr b) => !Mont<FrParams>.Eq(a.V, b.V);

    /// <summary>this^2.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public Fr Square() => new(Mont<FrParams>.Square(V));

    /// <summary>2*this.</summary>
    public Fr Double() => new(Mont<FrParams>.Double(V));

    /// <summary>Multiplicative inverse.</summary>
    /// <exception cref="DivideByZeroException">This is zero.</exception>
    public Fr Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("Cannot invert zero in Fr.");
        }
        return new Fr(Mont<FrParams>.Inverse(V));
    }

    /// <summary>this^e; a negative exponent inverts first (and then throws on zero).</summary>
    public Fr Pow(BigInteger e) => e.Sign < 0 ? Inverse().Pow(-e) : new Fr(Mont<FrParams>.Pow(V, e));

    /// <summary>Inverts every element in place with one field inversion (Montgomery's trick); zeros stay zero.</summary>
    public static void BatchInverse(Span<Fr> values)
    {
        if (values.Length == 0)
        {
            return;
        }
        Fr[]? rented = null;
        Span<Fr> prefix = values.Length <= 64 ? stackalloc Fr[values.Length]
            : (rented = Scratch<Fr>.Rent(values.Length)).AsSpan(0, values.Length);
        try
        {
            Fr acc = One;
            for (int i = 0; i < values.Length; i++)
            {
                prefix[i] = acc;
                if (!values[i].IsZero)
                {
                    acc *= values[i];
                }
            }
            Fr inv = acc.Inverse();
            for (int i = values.Length - 1; i >= 0; i--)
            {
                Fr v = values[i];
                if (v.IsZero)
                {
                    continue;
                }
                values[i] = inv * prefix[i];
                inv *= v;
            }
        }
        finally
        {
            if (rented != null)
            {
                Scratch<Fr>.Return(rented);
            }
        }
    }

    /// <summary>The primitive 2^k-th root of unity used by snarkjs/ffjavascript: (5^t)^(2^(28-k)), t = (r-1)/2^28.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="log2Size"/> is outside [0, 28].</exception>
    public static Fr RootOfUnity(int log2Size)
    {
        if ((uint)log2Size > TwoAdicity)
        {
            throw new ArgumentOutOfRangeException(nameof(log2Size), $"Fr has 2-adicity {TwoAdicity}; got {log2Size}.");
        }
        return Roots[log2Size];
    }

    private static Fr[] BuildRoots()
    {
        var roots = new Fr[TwoAdicity + 1];
        var r = BigInteger.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495617", CultureInfo.InvariantCulture);
        BigInteger t = (r - 1) >> TwoAdicity;
        var five = new Fr(Mont<FrParams>.ToMont(new U256(5, 0, 0, 0)));
        roots[TwoAdicity] = five.Pow(t);
        for (int k = TwoAdicity - 1; k >= 0; k--)
        {
            roots[k] = roots[k + 1].Square();
        }
        return roots;
    }

    /// <summary>Uniformly random element.</summary>
    public static Fr Random(Random rng) => new(Mont<FrParams>.Random(rng));

    /// <inheritdoc />
    public bool Equals(Fr other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fr f && this == f;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(V.L0, V.L1, V.L2, V.L3);

    /// <summary>Canonical decimal representation.</summary>
    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);
}
