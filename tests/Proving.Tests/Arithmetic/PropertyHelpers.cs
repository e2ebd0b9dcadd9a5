using System.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace ProverMarketChain.Proving.Tests.Arithmetic;

/// <summary>Shared FsCheck generators and runner configuration for the arithmetic property tests.</summary>
internal static class PropertyHelpers
{
    /// <summary>Quick configuration: modest case count so the suite stays fast on 2 cores.</summary>
    public static Config Config(int maxTest = 100) => FsCheck.Config.QuickThrowOnFailure.WithMaxTest(maxTest);

    /// <summary>Integers in [0, m) with extra weight on edge values.</summary>
    public static Arbitrary<BigInteger> Below(BigInteger m)
    {
        Gen<BigInteger> uniform = Gen.ArrayOf(Gen.Choose(int.MinValue, int.MaxValue), 9).Select(words =>
        {
            var bytes = new byte[36];
            for (int i = 0; i < 9; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), words[i]);
            }
            return new BigInteger(bytes, isUnsigned: true) % m;
        });
        Gen<BigInteger> edges = Gen.Elements(BigInteger.Zero, BigInteger.One, new BigInteger(2), m - 1, m - 2, (m - 1) / 2,
            (m + 1) / 2, BigInteger.Pow(2, 64) - 1, BigInteger.Pow(2, 64), BigInteger.Pow(2, 192));
        return Gen.Frequency((6, uniform), (1, edges)).ToArbitrary();
    }

    /// <summary>Seeds for System.Random-driven structured inputs.</summary>
    public static Arbitrary<int> Seeds() => Gen.Choose(0, int.MaxValue).ToArbitrary();

    public static void Check(Property p, int maxTest = 100) => FsCheck.Check.One(Config(maxTest), p);
}
