using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Proving.Gpu.Arithmetic;

/// <summary>
/// BN254 Fr element for ILGPU kernels: eight little-endian 32-bit limbs holding the Montgomery form x*2^256 mod p,
/// the same form and the same R as <see cref="Fr"/> on the CPU, so conversion is a reinterpretation of the limbs.
/// Blittable and free of arrays, so it can live in an <c>ArrayView</c> and in kernel locals. The default value is zero.
/// Arithmetic (Add, Sub, Mul and the constants) is generated into Mont256.g.cs by tools/gpu/gen_mont256.py.
/// </summary>
public readonly partial struct GpuFr : IEquatable<GpuFr>
{
    /// <summary>Limb 0 (least significant) of the Montgomery form.</summary>
    public readonly uint L0;
    /// <summary>Limb 1.</summary>
    public readonly uint L1;
    /// <summary>Limb 2.</summary>
    public readonly uint L2;
    /// <summary>Limb 3.</summary>
    public readonly uint L3;
    /// <summary>Limb 4.</summary>
    public readonly uint L4;
    /// <summary>Limb 5.</summary>
    public readonly uint L5;
    /// <summary>Limb 6.</summary>
    public readonly uint L6;
    /// <summary>Limb 7 (most significant).</summary>
    public readonly uint L7;

    /// <summary>Wraps raw Montgomery limbs; the caller guarantees the value is below the modulus.</summary>
    public GpuFr(uint l0, uint l1, uint l2, uint l3, uint l4, uint l5, uint l6, uint l7)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3; L4 = l4; L5 = l5; L6 = l6; L7 = l7;
    }

    /// <summary>The additive identity.</summary>
    public static GpuFr Zero => default;

    /// <summary>True when this is zero (kernel-safe).</summary>
    public bool IsZero => (L0 | L1 | L2 | L3 | L4 | L5 | L6 | L7) == 0;

    /// <summary>Limb-wise equality (kernel-safe; both sides are reduced, so this is field equality).</summary>
    public static bool Eq(GpuFr a, GpuFr b) =>
        a.L0 == b.L0 && a.L1 == b.L1 && a.L2 == b.L2 && a.L3 == b.L3 &&
        a.L4 == b.L4 && a.L5 == b.L5 && a.L6 == b.L6 && a.L7 == b.L7;

    /// <summary>2a mod p.</summary>
    public static GpuFr Double(GpuFr a) => Add(a, a);

    /// <summary>a^2 (Montgomery).</summary>
    public static GpuFr Square(GpuFr a) => Mul(a, a);

    /// <summary>-a mod p.</summary>
    public static GpuFr Neg(GpuFr a) => Sub(Zero, a);

    /// <summary>Montgomery form of a canonical value below p (x * R^2 * R^-1 = x*R mod p); kernel-safe.</summary>
    public static GpuFr ToMontgomery(GpuFr canonical) => Mul(canonical, R2);

    /// <summary>Canonical value of a Montgomery-form element (x*R * 1 * R^-1 = x); kernel-safe.</summary>
    public static GpuFr FromMontgomery(GpuFr montgomery) => Mul(montgomery, new GpuFr(1, 0, 0, 0, 0, 0, 0, 0));

    /// <summary>Reinterprets a CPU element (no re-encoding: both hold x*2^256 mod p).</summary>
    public static GpuFr FromCpu(in Fr x)
    {
        Span<byte> b = stackalloc byte[32];
        x.WriteLittleEndian(b, montgomery: true);
        return FromBytes(b);
    }

    /// <summary>Reinterprets this element as a CPU element.</summary>
    public Fr ToCpu() => Fr.FromMontgomery(
        L0 | ((ulong)L1 << 32), L2 | ((ulong)L3 << 32), L4 | ((ulong)L5 << 32), L6 | ((ulong)L7 << 32));

    /// <summary>Builds the element from 32 little-endian bytes of Montgomery limbs.</summary>
    internal static GpuFr FromBytes(ReadOnlySpan<byte> b) => new(
        BitConverter.ToUInt32(b[0..]), BitConverter.ToUInt32(b[4..]), BitConverter.ToUInt32(b[8..]), BitConverter.ToUInt32(b[12..]),
        BitConverter.ToUInt32(b[16..]), BitConverter.ToUInt32(b[20..]), BitConverter.ToUInt32(b[24..]), BitConverter.ToUInt32(b[28..]));

    /// <summary>Converts many CPU elements at once.</summary>
    public static GpuFr[] FromCpu(ReadOnlySpan<Fr> xs)
    {
        var r = new GpuFr[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            r[i] = FromCpu(xs[i]);
        }
        return r;
    }

    /// <inheritdoc />
    public bool Equals(GpuFr other) => Eq(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is GpuFr o && Eq(this, o);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3, L4, L5, L6, L7);

    /// <summary>Canonical decimal value.</summary>
    public override string ToString() => ToCpu().ToString();
}
