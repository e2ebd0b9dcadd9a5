using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using ProverMarketChain.Proving.Threading;

namespace ProverMarketChain.Proving.Fields;

/// <summary>
/// Element of the BN254 base field F_q, q = 21888242871839275222246405745257275088696311157297823662689037894645226208583,
/// stored in Montgomery form (x*2^256 mod r) over four little-endian 64-bit limbs. The default value is zero.
/// </summary>
public readonly struct Fq : IEquatable<Fq>
{
    internal readonly U256 V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fq(in U256 v) { V = v; }

    /// <summary>The modulus q.</summary>
    public static BigInteger Modulus { get; } = BigInteger.Parse(
        "21888242871839275222246405745257275088696311157297823662689037894645226208583", CultureInfo.InvariantCulture);

    /// <summary>Additive identity.</summary>
    public static Fq Zero => default;

    /// <summary>Multiplicative identity.</summary>
    public static Fq One => new(FqParams.R);

    /// <summary>True when this is zero.</summary>
    public bool IsZero => V.IsZero;

    /// <summary>True when this is one.</summary>
    public bool IsOne => Mont<FqParams>.Eq(V, FqParams.R);

    /// <summary>Reduces any integer (negative included) modulo q.</summary>
    public static Fq FromBigInteger(BigInteger value)
    {
        BigInteger m = BigInteger.Remainder(value, Modulus);
        if (m.Sign < 0)
        {
            m += Modulus;
        }
        return new Fq(Mont<FqParams>.ToMont(U256.FromBigInteger(m)));
    }

    /// <summary>Canonical integer in [0, q).</summary>
    public BigInteger ToBigInteger() => Mont<FqParams>.FromMont(V).ToBigInteger();

    /// <summary>Wraps raw Montgomery limbs; the caller guarantees the value is below q.</summary>
    public static Fq FromMontgomery(ulong l0, ulong l1, ulong l2, ulong l3) => new(new U256(l0, l1, l2, l3));

    /// <summary>Builds an element from canonical little-endian limbs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not below q.</exception>
    public static Fq FromCanonical(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        var x = new U256(l0, l1, l2, l3);
        if (!Mont<FqParams>.IsBelowModulus(x))
        {
            throw new ArgumentOutOfRangeException(nameof(l3), "Canonical Fq value must be below the modulus q.");
        }
        return new Fq(Mont<FqParams>.ToMont(x));
    }

    /// <summary>Canonical (non-Montgomery) limbs of this element.</summary>
    internal U256 ToCanonicalLimbs() => Mont<FqParams>.FromMont(V);

    /// <summary>Reads 32 little-endian bytes, either raw Montgomery form or canonical; false if the value is not below q.</summary>
    /// <exception cref="ArgumentException"><paramref name="src32"/> is not exactly 32 bytes.</exception>
    public static bool TryReadLittleEndian(ReadOnlySpan<byte> src32, bool montgomery, out Fq value)
    {
        if (src32.Length != 32)
        {
            throw new ArgumentException($"Expected 32 bytes for an Fq element, got {src32.Length}.", nameof(src32));
        }
        var x = new U256(
            BinaryPrimitives.ReadUInt64LittleEndian(src32),
            BinaryPrimitives.ReadUInt64LittleEndian(src32[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(src32[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(src32[24..]));
        if (!Mont<FqParams>.IsBelowModulus(x))
        {
            value = default;
            return false;
        }
        value = new Fq(montgomery ? x : Mont<FqParams>.ToMont(x));
        return true;
    }

    /// <summary>Writes 32 little-endian bytes, raw Montgomery form or canonical.</summary>
    /// <exception cref="ArgumentException"><paramref name="dst32"/> is shorter than 32 bytes.</exception>
    public void WriteLittleEndian(Span<byte> dst32, bool montgomery)
    {
        if (dst32.Length < 32)
        {
            throw new ArgumentException($"Need 32 bytes to write an Fq element, got {dst32.Length}.", nameof(dst32));
        }
        U256 x = montgomery ? V : Mont<FqParams>.FromMont(V);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32, x.L0);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32[8..], x.L1);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32[16..], x.L2);
        BinaryPrimitives.WriteUInt64LittleEndian(dst32[24..], x.L3);
    }

    /// <summary>Sum.</summary>
    public static Fq operator +(in Fq a, in Fq b) => new(Mont<FqParams>.Add(a.V, b.V));

    /// <summary>Difference.</summary>
    public static Fq operator -(in Fq a, in Fq b) => new(Mont<FqParams>.Sub(a.V, b.V));

    /// <summary>Negation.</summary>
    public static Fq operator -(in Fq a) => new(Mont<FqParams>.Neg(a.V));

    /// <summary>Product.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fq operator *(in Fq a, in Fq b) => new(Mont<FqParams>.Mul(a.V, b.V));

    /// <summary>Equality.</summary>
    public static bool operator ==(in Fq a, in Fq b) => Mont<FqParams>.Eq(a.V, b.V);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in Fq a, in Fq b) => !Mont<FqParams>.Eq(a.V, b.V);

    /// <summary>this^2.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public Fq Square() => new(Mont<FqParams>.Square(V));

    /// <summary>2*this.</summary>
    public Fq Double() => new(Mont<FqParams>.Double(V));

    /// <summary>Multiplicative inverse.</summary>
    /// <exception cref="DivideByZeroException">This is zero.</exception>
    public Fq Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("Cannot invert zero in Fq.");
        }
        return new Fq(Mont<FqParams>.Inverse(V));
    }

    /// <summary>this^e; a negative exponent inverts first (and then throws on zero).</summary>
    public Fq Pow(BigInteger e) => e.Sign < 0 ? Inverse().Pow(-e) : new Fq(Mont<FqParams>.Pow(V, e));

    /// <summary>Inverts every element in place with one field inversion (Montgomery's trick); zeros stay zero.</summary>
    public static void BatchInverse(Span<Fq> values)
    {
        if (values.Length == 0)
        {
            return;
        }
        Fq[]? rented = null;
        Span<Fq> prefix = values.Length <= 64 ? stackalloc Fq[values.Length]
            : (rented = Scratch<Fq>.Rent(values.Length)).AsSpan(0, values.Length);
        try
        {
            Fq acc = One;
            for (int i = 0; i < values.Length; i++)
            {
                prefix[i] = acc;
                if (!values[i].IsZero)
                {
                    acc *= values[i];
                }
            }
            Fq inv = acc.Inverse();
            for (int i = values.Length - 1; i >= 0; i--)
            {
                Fq v = values[i];
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
                Scratch<Fq>.Return(rented);
            }
        }
    }

    /// <summary>(q + 1) / 4: since q = 3 mod 4, a^((q+1)/4) is a square root of every quadratic residue a.</summary>
    private static readonly BigInteger SqrtExponent = (Modulus + 1) >> 2;

    /// <summary>(q - 1) / 2, the Euler-criterion exponent.</summary>
    private static readonly BigInteger LegendreExponent = (Modulus - 1) >> 1;

    /// <summary>True when this is a square in Fq (zero included).</summary>
    public bool IsSquare() => IsZero || Pow(LegendreExponent).IsOne;

    /// <summary>Computes a square root if one exists. Returns false for non-residues.</summary>
    public bool TrySqrt(out Fq root)
    {
        Fq candidate = Pow(SqrtExponent);
        if (candidate.Square() == this)
        {
            root = candidate;
            return true;
        }
        root = default;
        return false;
    }

    /// <summary>A square root of this element (either of the two).</summary>
    /// <exception cref="ArithmeticException">This is not a quadratic residue.</exception>
    public Fq Sqrt() => TrySqrt(out Fq r) ? r : throw new ArithmeticException($"{this} is not a square in Fq.");

    /// <summary>True when the canonical value is odd (used as the "sign" of a root).</summary>
    public bool IsOdd => (Mont<FqParams>.FromMont(V).L0 & 1) != 0;

    /// <summary>Uniformly random element.</summary>
    public static Fq Random(Random rng) => new(Mont<FqParams>.Random(rng));

    /// <inheritdoc />
    public bool Equals(Fq other) => this == other;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fq f && this == f;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(V.L0, V.L1, V.L2, V.L3);

    /// <summary>Canonical decimal representation.</summary>
    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);
}
