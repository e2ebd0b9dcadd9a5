using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Tests.Infrastructure;

/// <summary>Tiny hand-assembled contracts for RPC tests (no compiler needed).</summary>
public static class TestContracts
{
    /// <summary>
    /// Runtime: with empty calldata it reverts with the 4 bytes 0xdeadbeef; otherwise it emits LOG1 with
    /// topic0 = calldataload(0) and empty data.
    /// </summary>
    public static readonly byte[] EmitterRuntime = Hex.Decode("0x3615600f5760003560006000a100005b63deadbeef60e01b60005260046000fd");

    /// <summary>Init code that deploys <see cref="EmitterRuntime"/>.</summary>
    public static readonly byte[] EmitterInit = Hex.Decode("0x602080600b6000396000f3" + Hex.Encode(EmitterRuntime, prefix: false));
}
