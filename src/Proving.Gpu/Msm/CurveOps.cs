using ProverMarketChain.Proving.Gpu.Arithmetic;
using ProverMarketChain.Proving.Gpu.Curves;

namespace ProverMarketChain.Proving.Gpu.Msm;

/// <summary>
/// The group law the MSM kernels need, as instance methods on a stateless struct so that the kernels can be generic
/// over the curve: ILGPU compiles <c>default(TOps).AddMixed(..)</c> on a struct type parameter into a direct call.
/// </summary>
/// <typeparam name="TAffine">Affine point (the bases).</typeparam>
/// <typeparam name="TJacobian">Jacobian point (buckets and sums).</typeparam>
public interface ICurveOps<TAffine, TJacobian>
    where TAffine : unmanaged
    where TJacobian : unmanaged
{
    /// <summary>The point at infinity.</summary>
    TJacobian Infinity();

    /// <summary>-P (infinity stays infinity).</summary>
    TAffine Negate(TAffine p);

    /// <summary>a + p with p affine.</summary>
    TJacobian AddMixed(TJacobian a, TAffine p);

    /// <summary>a + b.</summary>
    TJacobian Add(TJacobian a, TJacobian b);

    /// <summary>2a.</summary>
    TJacobian Double(TJacobian a);
}

/// <summary>G1 over <see cref="GpuFq"/> (delegates to <see cref="GpuG1"/>).</summary>
public readonly struct G1CurveOps : ICurveOps<GpuG1Affine, GpuG1Jacobian>
{
    /// <inheritdoc />
    public GpuG1Jacobian Infinity() => GpuG1Jacobian.Infinity;

    /// <inheritdoc />
    public GpuG1Affine Negate(GpuG1Affine p) => new(p.X, GpuFq.Neg(p.Y), p.Infinity);

    /// <inheritdoc />
    public GpuG1Jacobian AddMixed(GpuG1Jacobian a, GpuG1Affine p) => GpuG1.AddMixed(a, p);

    /// <inheritdoc />
    public GpuG1Jacobian Add(GpuG1Jacobian a, GpuG1Jacobian b) => GpuG1.Add(a, b);

    /// <inheritdoc />
    public GpuG1Jacobian Double(GpuG1Jacobian a) => GpuG1.Double(a);
}

/// <summary>G2 over <see cref="GpuFq2"/> (delegates to <see cref="GpuG2"/>).</summary>
public readonly struct G2CurveOps : ICurveOps<GpuG2Affine, GpuG2Jacobian>
{
    /// <inheritdoc />
    public GpuG2Jacobian Infinity() => GpuG2Jacobian.Infinity;

    /// <inheritdoc />
    public GpuG2Affine Negate(GpuG2Affine p) =>
        new(p.X, new GpuFq2(GpuFq.Neg(p.Y.C0), GpuFq.Neg(p.Y.C1)), p.Infinity);

    /// <inheritdoc />
    public GpuG2Jacobian AddMixed(GpuG2Jacobian a, GpuG2Affine p) => GpuG2.AddMixed(a, p);

    /// <inheritdoc />
    public GpuG2Jacobian Add(GpuG2Jacobian a, GpuG2Jacobian b) => GpuG2.Add(a, b);

    /// <inheritdoc />
    public GpuG2Jacobian Double(GpuG2Jacobian a) => GpuG2.Double(a);
}
