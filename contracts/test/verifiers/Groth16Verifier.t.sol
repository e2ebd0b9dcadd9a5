// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "contracts/src/interfaces/IGroth16Verifier.sol";
import {MultiplierVerifier} from "contracts/src/verifiers/MultiplierVerifier.sol";
import {ComparatorsVerifier} from "contracts/src/verifiers/ComparatorsVerifier.sol";
import {PoseidonChainVerifier} from "contracts/src/verifiers/PoseidonChainVerifier.sol";
import {RollupBatchVerifier} from "contracts/src/verifiers/RollupBatchVerifier.sol";
import {MultiplierFixture} from "contracts/test/fixtures/MultiplierFixture.sol";
import {ComparatorsFixture} from "contracts/test/fixtures/ComparatorsFixture.sol";
import {PoseidonChainFixture} from "contracts/test/fixtures/PoseidonChainFixture.sol";
import {RollupBatchFixture} from "contracts/test/fixtures/RollupBatchFixture.sol";

/// @dev The few forge cheatcodes these tests use (self-contained: no forge-std here).
interface IVerifierTestVm {
    function expectRevert(bytes calldata revertData) external;
    function assertEq(uint256 left, uint256 right, string calldata error) external pure;
    function assertEq(bytes calldata left, bytes calldata right, string calldata error) external pure;
    function assertTrue(bool condition, string calldata error) external pure;
    function assertFalse(bool condition, string calldata error) external pure;
    function assertLt(uint256 left, uint256 right, string calldata error) external pure;
    function assume(bool condition) external pure;
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
}

/// @notice Behaviour every generated Groth16 verifier must have, run against each committed circuit fixture.
/// @dev Each concrete contract below binds one verifier to its fixture (a real snarkjs proof).
abstract contract Groth16VerifierBehaviour {
    IVerifierTestVm internal constant vm = IVerifierTestVm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @dev ecPairing with 4 pairs (EIP-1108): 45,000 + 4 * 34,000.
    uint256 internal constant PAIRING_GAS = 181_000;
    /// @dev One ecMul (6,000) and one ecAdd (150) per public input (EIP-1108).
    uint256 internal constant PER_INPUT_PRECOMPILE_GAS = 6_150;

    event log_named_uint(string key, uint256 val);

    IGroth16Verifier internal verifier;

    function _deploy() internal virtual returns (IGroth16Verifier);
    function _proof() internal pure virtual returns (uint256[8] memory);
    function _inputs() internal pure virtual returns (uint256[] memory);
    function _name() internal pure virtual returns (string memory);

    function setUp() public {
        verifier = _deploy();
    }

    // ---------------------------------------------------------------- helpers

    function _err(bytes4 selector, uint256 arg) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, arg);
    }

    function _invalid() internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGroth16Verifier.InvalidProof.selector);
    }

    function _precompileFailed(uint256 precompile) internal pure returns (bytes memory) {
        return _err(IGroth16Verifier.PrecompileFailed.selector, precompile);
    }

    function _g1Add(uint256 ax, uint256 ay, uint256 bx, uint256 by) internal view returns (uint256 x, uint256 y) {
        (bool ok, bytes memory out) = address(0x06).staticcall(abi.encode(ax, ay, bx, by));
        vm.assertTrue(ok, "ecAdd failed in test helper");
        (x, y) = abi.decode(out, (uint256, uint256));
    }

    function _g1Mul(uint256 x, uint256 y, uint256 s) internal view returns (uint256 rx, uint256 ry) {
        (bool ok, bytes memory out) = address(0x07).staticcall(abi.encode(x, y, s));
        vm.assertTrue(ok, "ecMul failed in test helper");
        (rx, ry) = abi.decode(out, (uint256, uint256));
    }

    function _neg(uint256 y) internal pure returns (uint256) {
        return y == 0 ? 0 : Q - y;
    }

    function _callWithGas(uint256 gasLimit, uint256[8] memory p, uint256[] memory inputs)
        internal
        view
        returns (bool ok, bytes memory data)
    {
        (ok, data) = address(verifier).staticcall{gas: gasLimit}(abi.encodeCall(IGroth16Verifier.verifyProof, (p, inputs)));
    }

    // ---------------------------------------------------------------- valid proof

    function test_validProofVerifies() public view {
        verifier.verifyProof(_proof(), _inputs());
    }

    function test_publicInputCountMatchesFixture() public view {
        vm.assertEq(verifier.publicInputCount(), _inputs().length, "publicInputCount");
    }

    /// @dev Gas of a verifyProof call from this contract to the warm verifier (ABI encoding and CALL included, no
    ///      transaction intrinsic or calldata cost), logged and bounded: the precompiles cost 181,000 + 6,150 n, and
    ///      the template plus the call may add at most 3,000 + 600 n on top (measured: about 2,800 + 400 n).
    function test_gas_verifyProof() public {
        uint256[8] memory p = _proof();
        uint256[] memory inputs = _inputs();
        vm.assertEq(verifier.publicInputCount(), inputs.length, "warm-up"); // the measured call finds the account warm
        uint256 before = gasleft();
        verifier.verifyProof(p, inputs);
        uint256 used = before - gasleft();
        emit log_named_uint(string.concat(_name(), ".verifyProof gas"), used);
        uint256 precompiles = PAIRING_GAS + PER_INPUT_PRECOMPILE_GAS * inputs.length;
        emit log_named_uint(string.concat(_name(), ".verifyProof gas above precompiles"), used - precompiles);
        vm.assertLt(used, precompiles + 3_000 + 600 * inputs.length, "verifier overhead above 3,000 + 600 n gas");
    }

    /// @dev The committed JSON fixture (snarkjs proof/public files) holds the same public signals as the library.
    function test_jsonFixtureMatchesLibrary() public view {
        string memory json = vm.readFile(string.concat("contracts/test/fixtures/", _name(), "/public.json"));
        uint256[] memory fromJson = vm.parseJsonUintArray(json, "$");
        uint256[] memory inputs = _inputs();
        vm.assertEq(fromJson.length, inputs.length, "public.json length");
        for (uint256 i; i < inputs.length; ++i) {
            vm.assertEq(fromJson[i], inputs[i], "public.json value");
        }
    }

    // ---------------------------------------------------------------- public inputs

    function test_revertsOnWrongInputCount() public {
        uint256[] memory inputs = _inputs();
        uint256 n = inputs.length;
        uint256[] memory shorter = new uint256[](n - 1);
        for (uint256 i; i < n - 1; ++i) shorter[i] = inputs[i];
        uint256[] memory longer = new uint256[](n + 1);
        for (uint256 i; i < n; ++i) longer[i] = inputs[i];

        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.PublicInputCountMismatch.selector, n, n - 1));
        verifier.verifyProof(_proof(), shorter);
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.PublicInputCountMismatch.selector, n, n + 1));
        verifier.verifyProof(_proof(), longer);
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.PublicInputCountMismatch.selector, n, 0));
        verifier.verifyProof(_proof(), new uint256[](0));
    }

    function test_revertsOnTamperedInput() public {
        uint256[] memory inputs = _inputs();
        for (uint256 i; i < inputs.length; ++i) {
            uint256[] memory tampered = _inputs();
            tampered[i] = addmod(tampered[i], 1, R);
            vm.expectRevert(_invalid());
            verifier.verifyProof(_proof(), tampered);
        }
    }

    /// @dev x and x + r are the same field element; the verifier must reject the non-canonical one (malleability).
    function test_revertsOnInputNotInField() public {
        uint256[] memory inputs = _inputs();
        for (uint256 i; i < inputs.length; ++i) {
            uint256[] memory aliased = _inputs();
            aliased[i] = inputs[i] + R;
            vm.expectRevert(_err(IGroth16Verifier.PublicInputNotInField.selector, i));
            verifier.verifyProof(_proof(), aliased);

            uint256[] memory exact = _inputs();
            exact[i] = R;
            vm.expectRevert(_err(IGroth16Verifier.PublicInputNotInField.selector, i));
            verifier.verifyProof(_proof(), exact);
        }
    }

    function testFuzz_revertsOnAnyTamperedInput(uint256 index, uint256 value) public {
        uint256[] memory inputs = _inputs();
        index = index % inputs.length;
        value = value % R;
        vm.assume(value != inputs[index]);
        inputs[index] = value;
        vm.expectRevert(_invalid());
        verifier.verifyProof(_proof(), inputs);
    }

    function testFuzz_revertsOnAnyInputAboveField(uint256 index, uint256 value) public {
        uint256[] memory inputs = _inputs();
        index = index % inputs.length;
        inputs[index] = R + value % (type(uint256).max - R + 1);
        vm.expectRevert(_err(IGroth16Verifier.PublicInputNotInField.selector, index));
        verifier.verifyProof(_proof(), inputs);
    }

    // ---------------------------------------------------------------- proof coordinates

    /// @dev Each coordinate, set to q or to its alias c + q, is rejected before any precompile call.
    function test_revertsOnCoordinateNotInField() public {
        uint256[8] memory original = _proof();
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory p = _proof();
            p[i] = Q;
            vm.expectRevert(_err(IGroth16Verifier.ProofCoordinateNotInField.selector, i));
            verifier.verifyProof(p, _inputs());
            p[i] = original[i] + Q;
            vm.expectRevert(_err(IGroth16Verifier.ProofCoordinateNotInField.selector, i));
            verifier.verifyProof(p, _inputs());
        }
    }

    function testFuzz_revertsOnAnyCoordinateAboveField(uint8 index, uint256 value) public {
        uint256 i = index % 8;
        uint256[8] memory p = _proof();
        p[i] = Q + value % (type(uint256).max - Q + 1);
        vm.expectRevert(_err(IGroth16Verifier.ProofCoordinateNotInField.selector, i));
        verifier.verifyProof(p, _inputs());
    }

    // ---------------------------------------------------------------- tampered points

    /// @dev Valid curve points that are not the proof's: the pairing runs and fails.
    function test_revertsOnOtherValidA() public {
        uint256[8] memory p = _proof();
        (p[0], p[1]) = _g1Add(p[0], p[1], 1, 2);
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());

        p = _proof();
        p[1] = _neg(p[1]); // -A
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());

        p = _proof();
        (p[0], p[1]) = (0, 0); // the point at infinity
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());
    }

    function test_revertsOnOtherValidB() public {
        uint256[8] memory p = _proof();
        p[4] = _neg(p[4]); // -B: negate both parts of y
        p[5] = _neg(p[5]);
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());
    }

    function test_revertsOnOtherValidC() public {
        uint256[8] memory p = _proof();
        (p[6], p[7]) = _g1Add(p[6], p[7], 1, 2);
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());

        p = _proof();
        p[7] = _neg(p[7]); // -C
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());
    }

    function testFuzz_revertsOnRandomA(uint256 k) public {
        k = k % R;
        uint256[8] memory p = _proof();
        (uint256 x, uint256 y) = _g1Mul(1, 2, k);
        vm.assume(x != p[0] || y != p[1]);
        (p[0], p[1]) = (x, y);
        vm.expectRevert(_invalid());
        verifier.verifyProof(p, _inputs());
    }

    /// @dev Points off their curve (or B with its Fp2 halves in snarkjs' [c0, c1] order instead of EIP-197's) are
    ///      refused by the pairing precompile, which the verifier reports as PrecompileFailed(8). A failing precompile
    ///      consumes all the gas it was given (63/64 of what the verifier had), so each call gets a bounded limit.
    function test_revertsOnPointsOffCurve() public view {
        uint256[8][4] memory cases;
        cases[0] = _proof();
        cases[0][0] = addmod(cases[0][0], 1, Q); // A.x
        cases[1] = _proof();
        cases[1][3] = addmod(cases[1][3], 1, Q); // B.x.c0
        cases[2] = _proof();
        (cases[2][2], cases[2][3], cases[2][4], cases[2][5]) = (cases[2][3], cases[2][2], cases[2][5], cases[2][4]);
        cases[3] = _proof();
        cases[3][7] = addmod(cases[3][7], 1, Q); // C.y
        for (uint256 i; i < cases.length; ++i) {
            (bool ok, bytes memory data) = _callWithGas(1_000_000, cases[i], _inputs());
            vm.assertFalse(ok, "a proof with a point off its curve verified");
            vm.assertEq(data, _precompileFailed(8), "off-curve point must revert PrecompileFailed(8)");
        }
    }

    /// @dev A precompile that fails on bad input burns the gas it was given. The verifier gives each call its exact
    ///      price, so an off-curve proof sent with a generous gas limit still costs only about one successful
    ///      verification, not the whole limit.
    function test_offCurveProofBurnsBoundedGas() public view {
        uint256[8] memory bad = _proof();
        bad[0] = addmod(bad[0], 1, Q); // A.x off the curve
        uint256 before = gasleft();
        (bool ok,) = _callWithGas(5_000_000, bad, _inputs());
        uint256 used = before - gasleft();
        vm.assertFalse(ok, "an off-curve proof verified");
        vm.assertLt(used, 300_000, "a malformed proof must not burn the caller's whole gas limit");
    }

    // ---------------------------------------------------------------- gas starvation

    /// @dev A gas limit that covers the vk_x accumulation but not the pairing: the starved ecPairing call fails and the
    ///      verifier reverts PrecompileFailed(8) with the 1/64 of gas it kept; it does not return.
    function test_starvedPairingReverts() public view {
        uint256 n = _inputs().length;
        uint256 gasLimit = 30_000 + PER_INPUT_PRECOMPILE_GAS * n + PAIRING_GAS / 2;
        (bool ok, bytes memory data) = _callWithGas(gasLimit, _proof(), _inputs());
        vm.assertFalse(ok, "starved call must not succeed");
        vm.assertEq(data, _precompileFailed(8), "starved pairing must revert PrecompileFailed(8)");
    }

    /// @dev Too little gas for the first ecMul: the call reverts, never returns. When the verifier's retained 1/64
    ///      suffices it reports PrecompileFailed(7); just below 6,000 gas for the precompile it may not (the
    ///      verifier then runs out of gas itself: a revert without data). Both are reverts; some limit shows the first.
    function test_starvedEcMulReverts() public view {
        uint256 reported;
        for (uint256 g = 2_000; g <= 9_000; g += 50) {
            (bool ok, bytes memory data) = _callWithGas(g, _proof(), _inputs());
            vm.assertFalse(ok, "starved call must not succeed");
            if (data.length != 0) {
                vm.assertEq(data, _precompileFailed(7), "starved ecMul must revert PrecompileFailed(7)");
                ++reported;
            }
        }
        vm.assertTrue(reported > 0, "no gas limit reported PrecompileFailed(7)");
    }

    /// @dev Sweeps the gas limit: a valid proof succeeds from some limit on and never at a lower one; every failure is
    ///      a revert (empty data for out-of-gas in the verifier's own code, or PrecompileFailed); an invalid proof
    ///      never succeeds at any limit. This is what keeps eth_estimateGas's binary search honest.
    function test_gasSweepNeverReturnsEarly() public view {
        uint256[8] memory p = _proof();
        uint256[] memory inputs = _inputs();
        uint256[] memory tampered = _inputs();
        tampered[0] = addmod(tampered[0], 1, R);
        bool succeeded;
        uint256 starvedPairings;
        for (uint256 g = 1_000; g <= 300_000; g += 1_500) {
            (bool ok, bytes memory data) = _callWithGas(g, p, inputs);
            if (succeeded) vm.assertTrue(ok, "valid proof failed at a higher gas limit than one that succeeded");
            if (ok) {
                succeeded = true;
            } else if (data.length != 0) {
                bool precompile = keccak256(data) == keccak256(_precompileFailed(6))
                    || keccak256(data) == keccak256(_precompileFailed(7)) || keccak256(data) == keccak256(_precompileFailed(8));
                vm.assertTrue(precompile, "unexpected revert data while starved");
                if (keccak256(data) == keccak256(_precompileFailed(8))) ++starvedPairings;
            }
            (bool tamperedOk,) = _callWithGas(g, p, tampered);
            vm.assertFalse(tamperedOk, "an invalid proof succeeded");
        }
        vm.assertTrue(succeeded, "valid proof never succeeded below 300,000 gas");
        vm.assertTrue(starvedPairings > 0, "no gas limit starved the pairing");
    }
}

contract MultiplierVerifierTest is Groth16VerifierBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new MultiplierVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return MultiplierFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return MultiplierFixture.publicInputs();
    }

    function _name() internal pure override returns (string memory) {
        return "multiplier";
    }

    /// @dev multiplier's public signals are c = a*b and d = c^2 + b for the committed input a = 3, b = 11.
    function test_publicSignalsAreTheCircuitOutputs() public pure {
        uint256[] memory inputs = _inputs();
        vm.assertEq(inputs[0], 33, "c = a*b");
        vm.assertEq(inputs[1], 33 * 33 + 11, "d = c^2 + b");
    }

    /// @dev A valid proof of another circuit with the same input count does not verify here.
    function test_revertsOnProofOfAnotherCircuit() public {
        vm.expectRevert(_invalid());
        verifier.verifyProof(PoseidonChainFixture.proof(), PoseidonChainFixture.publicInputs());
    }
}

contract ComparatorsVerifierTest is Groth16VerifierBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new ComparatorsVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return ComparatorsFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return ComparatorsFixture.publicInputs();
    }

    function _name() internal pure override returns (string memory) {
        return "comparators";
    }
}

contract PoseidonChainVerifierTest is Groth16VerifierBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new PoseidonChainVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return PoseidonChainFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return PoseidonChainFixture.publicInputs();
    }

    function _name() internal pure override returns (string memory) {
        return "poseidon_chain";
    }
}

contract RollupBatchVerifierTest is Groth16VerifierBehaviour {
    function _deploy() internal override returns (IGroth16Verifier) {
        return new RollupBatchVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return RollupBatchFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return RollupBatchFixture.publicInputs();
    }

    function _name() internal pure override returns (string memory) {
        return "rollup_batch";
    }
}
