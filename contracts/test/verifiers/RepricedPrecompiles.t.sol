// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {IGroth16Verifier} from "contracts/src/interfaces/IGroth16Verifier.sol";
import {IGroth16BatchVerifier} from "contracts/src/interfaces/IGroth16BatchVerifier.sol";
import {MultiplierVerifier} from "contracts/src/verifiers/MultiplierVerifier.sol";
import {ComparatorsVerifier} from "contracts/src/verifiers/ComparatorsVerifier.sol";
import {PoseidonChainVerifier} from "contracts/src/verifiers/PoseidonChainVerifier.sol";
import {RollupBatchVerifier} from "contracts/src/verifiers/RollupBatchVerifier.sol";
import {MultiplierFixture} from "contracts/test/fixtures/MultiplierFixture.sol";
import {ComparatorsFixture} from "contracts/test/fixtures/ComparatorsFixture.sol";
import {PoseidonChainFixture} from "contracts/test/fixtures/PoseidonChainFixture.sol";
import {RollupBatchFixture} from "contracts/test/fixtures/RollupBatchFixture.sol";

/// @notice Stands in for a BN254 precompile whose price was raised: burns `EXTRA_GAS`, then forwards its input to the
///         real precompile with all the gas left and returns its output. It never succeeds where the real precompile
///         would not: too little gas for the burn fails (underflow or out of gas), and a failing forward reverts.
contract RepricedPrecompile {
    /// @notice The real precompile (0x06, 0x07 or 0x08).
    address public immutable PRECOMPILE;
    /// @notice Gas burnt before forwarding, on top of the real precompile's price.
    uint256 public immutable EXTRA_GAS;

    constructor(address precompile, uint256 extraGas) {
        PRECOMPILE = precompile;
        EXTRA_GAS = extraGas;
    }

    fallback(bytes calldata input) external returns (bytes memory output) {
        uint256 stop = gasleft() - EXTRA_GAS; // checked: holding less than EXTRA_GAS fails, as a starved call must
        while (gasleft() > stop) {}
        bool ok;
        (ok, output) = PRECOMPILE.staticcall(input);
        if (!ok) revert();
    }
}

/// @notice The committed verifiers keep verifying real proofs when the BN254 precompiles cost 10 times their EIP-1108
///         price, because they forward all their gas to each precompile instead of hard-coding its price.
/// @dev The verifier under test is the committed contract's own runtime code with only the precompile addresses
///      rewritten: each `PUSH1 a GAS STATICCALL` with a in {0x06, 0x07, 0x08} becomes `PUSH1 (0xe0 | a) ...`, and a
///      `RepricedPrecompile` is etched at 0xe6 / 0xe7 / 0xe8 (no precompile lives there). The patched code is etched at
///      its own address; the original stays deployed for comparison.
abstract contract RepricedPrecompilesBehaviour is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @dev EIP-1108 prices: ecAdd 150, ecMul 6,000, ecPairing 45,000 + 34,000 per pair (the verifiers use 4 pairs).
    uint256 internal constant ECADD_PRICE = 150;
    uint256 internal constant ECMUL_PRICE = 6_000;
    uint256 internal constant PAIRING_PRICE = 181_000;
    /// @dev The repriced precompiles cost this many times their EIP-1108 price.
    uint256 internal constant REPRICE_FACTOR = 10;

    address internal constant MOCK_ECADD = address(0xe6);
    address internal constant MOCK_ECMUL = address(0xe7);
    address internal constant MOCK_PAIRING = address(0xe8);

    IGroth16Verifier internal original;
    IGroth16Verifier internal repriced;

    function _deploy() internal virtual returns (IGroth16Verifier);
    function _proof() internal pure virtual returns (uint256[8] memory);
    function _inputs() internal pure virtual returns (uint256[] memory);

    function setUp() public {
        original = _deploy();
        vm.etch(MOCK_ECADD, address(new RepricedPrecompile(address(0x06), (REPRICE_FACTOR - 1) * ECADD_PRICE)).code);
        vm.etch(MOCK_ECMUL, address(new RepricedPrecompile(address(0x07), (REPRICE_FACTOR - 1) * ECMUL_PRICE)).code);
        vm.etch(MOCK_PAIRING, address(new RepricedPrecompile(address(0x08), (REPRICE_FACTOR - 1) * PAIRING_PRICE)).code);

        bytes memory code = address(original).code;
        (uint256 adds, uint256 muls, uint256 pairings) = _redirectPrecompiles(code);
        assertEq(pairings, 2, "one ecPairing call site per entry (verifyProof, verifyProofBatch)");
        assertGe(muls, 2, "no ecMul call site found");
        assertGe(adds, 2, "no ecAdd call site found");
        repriced = IGroth16Verifier(address(uint160(uint256(keccak256("repriced verifier")))));
        vm.etch(address(repriced), code);
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Rewrites, in place, the address of every `PUSH1 a GAS STATICCALL` with a in {6, 7, 8} to 0xe0 | a,
    ///      walking the code instruction by instruction (PUSH data is skipped, so it is never mistaken for code).
    function _redirectPrecompiles(bytes memory code)
        internal
        pure
        returns (uint256 adds, uint256 muls, uint256 pairings)
    {
        uint256 n = code.length;
        for (uint256 i; i < n; ++i) {
            uint8 op = uint8(code[i]);
            if (op == 0x60 && i + 3 < n && uint8(code[i + 2]) == 0x5a && uint8(code[i + 3]) == 0xfa) {
                uint8 target = uint8(code[i + 1]);
                if (target == 0x06) ++adds;
                else if (target == 0x07) ++muls;
                else if (target == 0x08) ++pairings;
                if (target >= 0x06 && target <= 0x08) code[i + 1] = bytes1(target | 0xe0);
            }
            if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
        }
    }

    function _call(IGroth16Verifier v, uint256 gasLimit, uint256[8] memory p, uint256[] memory inputs)
        internal
        view
        returns (bool ok, bytes memory data)
    {
        (ok, data) = address(v).staticcall{gas: gasLimit}(abi.encodeCall(IGroth16Verifier.verifyProof, (p, inputs)));
    }

    function _gasOf(IGroth16Verifier v) internal view returns (uint256 used) {
        uint256[8] memory p = _proof();
        uint256[] memory inputs = _inputs();
        uint256 before = gasleft();
        v.verifyProof(p, inputs);
        used = before - gasleft();
    }

    function _repeated(uint256 n) internal pure returns (uint256[8][] memory proofs, uint256[][] memory inputs) {
        proofs = new uint256[8][](n);
        inputs = new uint256[][](n);
        for (uint256 i; i < n; ++i) (proofs[i], inputs[i]) = (_proof(), _inputs());
    }

    function _batchGasOf(IGroth16Verifier v, uint256[8][] memory proofs, uint256[][] memory inputs)
        internal
        view
        returns (uint256 used)
    {
        uint256 before = gasleft();
        IGroth16BatchVerifier(address(v)).verifyProofBatch(proofs, inputs);
        used = before - gasleft();
    }

    function _isPrecompileFailed(bytes memory data) internal pure returns (bool) {
        bytes32 h = keccak256(data);
        return h == keccak256(abi.encodeWithSelector(IGroth16Verifier.PrecompileFailed.selector, 6))
            || h == keccak256(abi.encodeWithSelector(IGroth16Verifier.PrecompileFailed.selector, 7))
            || h == keccak256(abi.encodeWithSelector(IGroth16Verifier.PrecompileFailed.selector, 8));
    }

    // ---------------------------------------------------------------- tests

    /// @dev The premise: each repriced precompile fails when given exactly its EIP-1108 price (what a verifier that
    ///      hard-codes prices would give it) and returns the real precompile's output when given enough gas.
    function test_repricedPrecompiles_failAtTheirEip1108Price() public view {
        bytes memory addIn = abi.encode(uint256(1), uint256(2), uint256(1), uint256(2));
        bytes memory mulIn = abi.encode(uint256(1), uint256(2), uint256(3));
        // A 4-pair pairing input that holds: e(P, Q) * e(-P, Q) * e(P, Q) * e(-P, Q) = 1 for the generators P, Q.
        bytes memory pairIn;
        {
            uint256 q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
            bytes memory g2 = abi.encode(
                uint256(11559732032986387107991004021392285783925812861821192530917403151452391805634),
                uint256(10857046999023057135944570762232829481370756359578518086990519993285655852781),
                uint256(4082367875863433681332203403145435568316851327593401208105741076214120093531),
                uint256(8495653923123431417604973247489272438418190587263600148770280649306958101930)
            );
            bytes memory pos = bytes.concat(abi.encode(uint256(1), uint256(2)), g2);
            bytes memory neg = bytes.concat(abi.encode(uint256(1), q - 2), g2);
            pairIn = bytes.concat(pos, neg, pos, neg);
        }
        address[3] memory mocks = [MOCK_ECADD, MOCK_ECMUL, MOCK_PAIRING];
        address[3] memory reals = [address(0x06), address(0x07), address(0x08)];
        uint256[3] memory prices = [ECADD_PRICE, ECMUL_PRICE, PAIRING_PRICE];
        bytes[3] memory ins = [addIn, mulIn, pairIn];
        for (uint256 k; k < 3; ++k) {
            (bool realOk, bytes memory realOut) = reals[k].staticcall{gas: prices[k]}(ins[k]);
            assertTrue(realOk, "the real precompile runs at its EIP-1108 price");
            (bool ok,) = mocks[k].staticcall{gas: prices[k]}(ins[k]);
            assertFalse(ok, "a repriced precompile must fail at its EIP-1108 price");
            bytes memory out;
            (ok, out) = mocks[k].staticcall{gas: REPRICE_FACTOR * prices[k] + 20_000}(ins[k]);
            assertTrue(ok, "a repriced precompile runs when given its new price");
            assertEq(keccak256(out), keccak256(realOut), "a repriced precompile returns the real output");
            if (k == 2) assertEq(abi.decode(out, (uint256)), 1, "the probe pairing holds");
        }
    }

    /// @dev Fulfilment under repricing: the committed verifier, pointed at precompiles that cost 10x, verifies the
    ///      fixture's real proof. Its gas grows by at least the extra price of every call, so every call site went
    ///      through a repriced precompile.
    function test_repricedPrecompiles_validProofStillVerifies() public view {
        repriced.verifyProof(_proof(), _inputs());
        uint256 n = _inputs().length;
        uint256 extra = (REPRICE_FACTOR - 1) * (PAIRING_PRICE + n * (ECMUL_PRICE + ECADD_PRICE));
        uint256 base = _gasOf(original);
        assertGe(_gasOf(repriced), base + extra, "every precompile call paid the raised price");
    }

    /// @dev The batch entry under repricing: the fixture's proof three times verifies, and every call paid its
    ///      stand-in's extra (a fixed amount per call): one pairing; 2 ecMuls and an ecAdd for each proof after the
    ///      first, and 2 + k ecMuls and k ecAdds for alpha, IC[0] and the k inputs.
    function test_repricedPrecompiles_validBatchStillVerifies() public view {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _repeated(3);
        IGroth16BatchVerifier(address(repriced)).verifyProofBatch(proofs, inputs);
        uint256 k = _inputs().length;
        uint256 extra = (REPRICE_FACTOR - 1) * (PAIRING_PRICE + (4 + 2 + k) * ECMUL_PRICE + (2 + k) * ECADD_PRICE);
        uint256 base = _batchGasOf(original, proofs, inputs);
        assertGe(_batchGasOf(repriced, proofs, inputs), base + extra, "every batch precompile call paid the raised price");
    }

    /// @dev Each kind of call in the batch entry reaches its stand-in too.
    function test_repricedPrecompiles_eachBatchCallReachesItsStandIn() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _repeated(3);
        address[3] memory mocks = [MOCK_ECADD, MOCK_ECMUL, MOCK_PAIRING];
        for (uint256 k; k < 3; ++k) {
            bytes memory saved = mocks[k].code;
            vm.etch(mocks[k], hex"5f5ffd"); // PUSH0 PUSH0 REVERT
            (bool ok, bytes memory data) = address(repriced).staticcall{gas: 5_000_000}(
                abi.encodeCall(IGroth16BatchVerifier.verifyProofBatch, (proofs, inputs))
            );
            assertFalse(ok, "verified through a failing precompile");
            assertEq(
                keccak256(data),
                keccak256(abi.encodeWithSelector(IGroth16Verifier.PrecompileFailed.selector, 6 + k)),
                "PrecompileFailed names the failing precompile"
            );
            vm.etch(mocks[k], saved);
        }
    }

    /// @dev Each kind of call reaches its stand-in: one that always fails makes the verifier revert PrecompileFailed
    ///      with the real precompile's address.
    function test_repricedPrecompiles_eachCallReachesItsStandIn() public {
        address[3] memory mocks = [MOCK_ECADD, MOCK_ECMUL, MOCK_PAIRING];
        for (uint256 k; k < 3; ++k) {
            bytes memory saved = mocks[k].code;
            vm.etch(mocks[k], hex"5f5ffd"); // PUSH0 PUSH0 REVERT
            (bool ok, bytes memory data) = _call(repriced, 5_000_000, _proof(), _inputs());
            assertFalse(ok, "verified through a failing precompile");
            assertEq(
                keccak256(data),
                keccak256(abi.encodeWithSelector(IGroth16Verifier.PrecompileFailed.selector, 6 + k)),
                "PrecompileFailed names the failing precompile"
            );
            vm.etch(mocks[k], saved);
        }
    }

    /// @dev Too little gas never yields success. A limit that covers the EIP-1108 prices (the original verifier
    ///      succeeds with it) is too little once they are raised: the repriced call reverts. Sweeping the limit, a
    ///      valid proof succeeds from some limit on and never below it, every failure is a revert (PrecompileFailed,
    ///      or no data when the verifier itself ran out of gas), and a tampered proof never succeeds.
    function test_repricedPrecompiles_tooLittleGasReverts() public view {
        uint256[8] memory p = _proof();
        uint256[] memory inputs = _inputs();
        (bool ok, bytes memory data) = _call(original, 400_000, p, inputs);
        assertTrue(ok, "400,000 gas covers the EIP-1108 prices");
        (ok, data) = _call(repriced, 400_000, p, inputs);
        assertFalse(ok, "400,000 gas must not verify at 10x the prices");
        assertTrue(_isPrecompileFailed(data), "a starved precompile reverts PrecompileFailed");

        uint256[] memory tampered = _inputs();
        tampered[0] = addmod(tampered[0], 1, R);
        bool succeeded;
        for (uint256 g = 50_000; g <= 3_000_000; g += 125_000) {
            (ok, data) = _call(repriced, g, p, inputs);
            if (succeeded) assertTrue(ok, "valid proof failed at a higher gas limit than one that succeeded");
            if (ok) succeeded = true;
            else if (data.length != 0) assertTrue(_isPrecompileFailed(data), "unexpected revert data while starved");
            (bool tamperedOk,) = _call(repriced, g, p, tampered);
            assertFalse(tamperedOk, "an invalid proof succeeded");
        }
        assertTrue(succeeded, "valid proof never verified below 3,000,000 gas at 10x the prices");
    }
}

contract MultiplierRepricedPrecompilesTest is RepricedPrecompilesBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new MultiplierVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return MultiplierFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return MultiplierFixture.publicInputs();
    }
}

contract ComparatorsRepricedPrecompilesTest is RepricedPrecompilesBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new ComparatorsVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return ComparatorsFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return ComparatorsFixture.publicInputs();
    }
}

contract PoseidonChainRepricedPrecompilesTest is RepricedPrecompilesBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new PoseidonChainVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return PoseidonChainFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return PoseidonChainFixture.publicInputs();
    }
}

contract RollupBatchRepricedPrecompilesTest is RepricedPrecompilesBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new RollupBatchVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return RollupBatchFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return RollupBatchFixture.publicInputs();
    }
}
