// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchVerifierFixture} from "./BatchVerifierFixture.sol";
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
import {RollupBatchBatchFixture} from "contracts/test/fixtures/RollupBatchBatchFixture.sol";

/// @notice verifyProofBatch of the generated verifier (RollupBatchVerifier, with 32 distinct real proofs): valid batches
///         of 1 to 32 pass, each kind of bad proof is named by its index, and errors that cancel under fixed weights
///         are caught. Gas per proof is logged and bounded.
contract Groth16BatchVerifierTest is BatchVerifierFixture {
    /// @dev EIP-1108 prices: ecPairing 45,000 + 34,000 per pair, ecMul 6,000, ecAdd 150.
    function _precompileGas(uint256 n, uint256 k) internal pure returns (uint256) {
        uint256 pairing = 45_000 + 34_000 * (n + 3);
        // Proofs 1..n-1: r A and r C (2 ecMuls) and one ecAdd; alpha and IC[0] times R (2 ecMuls, none when n = 1);
        // k inputs: one ecMul and one ecAdd each.
        uint256 muls = 2 * (n - 1) + (n == 1 ? 0 : 2) + k;
        uint256 adds = (n - 1) + k;
        return pairing + 6_000 * muls + 150 * adds;
    }

    // ---------------------------------------------------------------- valid batches

    function test_verifyProofBatch_acceptsEveryBatchOf1To32() public view {
        for (uint256 n = 1; n <= 32; ++n) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(n);
            verifier.verifyProofBatch(proofs, inputs);
        }
    }

    /// @dev The fixture's proofs are distinct statements, each valid alone (the batch result above is not vacuous).
    function test_batchFixture_proofsAreDistinctAndEachVerifiesAlone() public view {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(RollupBatchBatchFixture.COUNT);
        for (uint256 i; i < proofs.length; ++i) {
            verifier.verifyProof(proofs[i], inputs[i]);
            for (uint256 j; j < i; ++j) {
                assertTrue(keccak256(abi.encode(inputs[i])) != keccak256(abi.encode(inputs[j])), "public inputs repeat");
            }
        }
    }

    function test_verifyProofBatch_acceptsADuplicatedProof() public view {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(3);
        proofs[2] = proofs[0];
        inputs[2] = inputs[0];
        verifier.verifyProofBatch(proofs, inputs);
        uint256[8][] memory same = new uint256[8][](2);
        uint256[][] memory sameInputs = new uint256[][](2);
        (same[0], same[1], sameInputs[0], sameInputs[1]) = (proofs[1], proofs[1], inputs[1], inputs[1]);
        verifier.verifyProofBatch(same, sameInputs);
    }

    /// @dev A batch of n = 1 is the single proof's check (R = 1: no weight multiplication at all).
    function test_verifyProofBatch_batchOfOneMatchesVerifyProof() public {
        uint256[8][] memory proofs = new uint256[8][](1);
        uint256[][] memory inputs = new uint256[][](1);
        (proofs[0], inputs[0]) = (RollupBatchFixture.proof(), RollupBatchFixture.publicInputs());
        verifier.verifyProofBatch(proofs, inputs);
        inputs[0][1] = addmod(inputs[0][1], 1, R);
        vm.expectRevert(_invalidAt(0));
        verifier.verifyProofBatch(proofs, inputs);
    }

    /// @dev Gas of verifyProofBatch at n = 1, 4, 16, 32, per proof: the call from this contract with its calldata
    ///      already encoded (the verifier's execution, the CALL and its argument copy; no transaction, calldata or
    ///      encoding cost). The template's own work above the precompiles is bounded (measured: about 2,100 + 1,700 n;
    ///      the precompiles alone cost 46,150 per proof beyond the first and 243,000 + 6,150 k for the rest).
    function test_gas_verifyProofBatch() public {
        uint256[4] memory sizes = [uint256(1), 4, 16, 32];
        uint256 k = verifier.publicInputCount(); // also warms the verifier account
        for (uint256 s; s < sizes.length; ++s) {
            uint256 n = sizes[s];
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(n);
            bytes memory data = abi.encodeCall(IGroth16BatchVerifier.verifyProofBatch, (proofs, inputs));
            address target = address(verifier);
            bool ok;
            uint256 before = gasleft();
            assembly ("memory-safe") {
                ok := staticcall(gas(), target, add(data, 0x20), mload(data), 0x00, 0x00)
            }
            uint256 used = before - gasleft();
            assertTrue(ok, "valid batch");
            string memory label = string.concat("verifyProofBatch n=", vm.toString(n));
            emit log_named_uint(string.concat(label, " gas"), used);
            emit log_named_uint(string.concat(label, " gas per proof"), used / n);
            uint256 precompiles = _precompileGas(n, k);
            emit log_named_uint(string.concat(label, " gas above precompiles"), used - precompiles);
            assertLe(used, precompiles + 2_500 + 1_900 * n, "template overhead above 2,500 + 1,900 n gas");
            // The market's budget (fulfillBatch: about 55k of verification per request at 16).
            if (n == 16) assertLe(used / n, 60_000, "above 60,000 gas per proof at n = 16");
            if (n == 32) assertLe(used / n, 55_000, "above 55,000 gas per proof at n = 32");
        }
    }

    // ---------------------------------------------------------------- one bad proof

    /// @dev A valid curve point that is not the proof's, at several positions of a batch of 16: the combined check
    ///      fails and the proofs checked one by one name the bad one.
    function test_verifyProofBatch_namesTheBadProof() public {
        uint256[5] memory positions = [uint256(0), 1, 7, 14, 15];
        for (uint256 t; t < positions.length; ++t) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(16);
            _shiftC(proofs[positions[t]], 1);
            vm.expectRevert(_invalidAt(positions[t]));
            verifier.verifyProofBatch(proofs, inputs);
        }
    }

    /// @dev With two bad proofs the first is named.
    function test_verifyProofBatch_namesTheFirstOfTwoBadProofs() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(8);
        _shiftC(proofs[6], 3);
        _shiftC(proofs[2], 5);
        vm.expectRevert(_invalidAt(2));
        verifier.verifyProofBatch(proofs, inputs);
    }

    function test_verifyProofBatch_rejectsAWrongPublicInput() public {
        for (uint256 j; j < 3; ++j) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(8);
            inputs[5][j] = addmod(inputs[5][j], 1, R);
            vm.expectRevert(_invalidAt(5));
            verifier.verifyProofBatch(proofs, inputs);
        }
        // Another proof's statement: proofs 3 and 4 with their inputs swapped.
        (uint256[8][] memory p, uint256[][] memory x) = _batch(8);
        (x[3], x[4]) = (x[4], x[3]);
        vm.expectRevert(_invalidAt(3));
        verifier.verifyProofBatch(p, x);
    }

    /// @dev Proof k's A, B or C replaced, or an input changed, anywhere in a batch of 6: InvalidProofAt(k).
    function testFuzz_verifyProofBatch_namesAnyCorruptedProof(uint256 index, uint8 what, uint256 k) public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(6);
        index = index % 6;
        k = bound(k, 1, R - 1);
        uint256[8] memory p = proofs[index];
        uint256 kind = what % 4;
        if (kind == 0) {
            (uint256 x, uint256 y) = _g1Mul(1, 2, k); // A := k G
            vm.assume(x != p[0] || y != p[1]);
            (p[0], p[1]) = (x, y);
        } else if (kind == 1) {
            (p[4], p[5]) = (_neg(p[4]), _neg(p[5])); // B := -B
        } else if (kind == 2) {
            _shiftC(p, k); // C := C + k G
        } else {
            uint256 j = k % 3;
            uint256 v = uint256(keccak256(abi.encode(k))) % R;
            vm.assume(v != inputs[index][j]);
            inputs[index][j] = v;
        }
        vm.expectRevert(_invalidAt(index));
        verifier.verifyProofBatch(proofs, inputs);
    }

    // ---------------------------------------------------------------- malformed input

    function test_verifyProofBatch_rejectsCoordinatesOutsideTheBaseField() public {
        for (uint256 c; c < 8; ++c) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(4);
            uint256 original = proofs[2][c];
            proofs[2][c] = Q;
            vm.expectRevert(_invalidAt(2));
            verifier.verifyProofBatch(proofs, inputs);
            proofs[2][c] = original + Q; // the same field element, aliased
            vm.expectRevert(_invalidAt(2));
            verifier.verifyProofBatch(proofs, inputs);
        }
    }

    /// @dev x and x + r are one field element: the non-canonical one is refused (malleability), like verifyProof.
    function test_verifyProofBatch_rejectsInputsOutsideTheScalarField() public {
        for (uint256 j; j < 3; ++j) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(4);
            inputs[3][j] += R;
            vm.expectRevert(_invalidAt(3));
            verifier.verifyProofBatch(proofs, inputs);
            inputs[3][j] = R;
            vm.expectRevert(_invalidAt(3));
            verifier.verifyProofBatch(proofs, inputs);
        }
    }

    function test_verifyProofBatch_rejectsAWrongInputCount() public {
        uint256[3] memory counts = [uint256(0), 2, 4];
        for (uint256 t; t < counts.length; ++t) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(4);
            uint256[] memory other = new uint256[](counts[t]);
            for (uint256 j; j < counts[t] && j < 3; ++j) other[j] = inputs[1][j];
            inputs[1] = other;
            vm.expectRevert(_invalidAt(1));
            verifier.verifyProofBatch(proofs, inputs);
        }
    }

    /// @dev Malformed proofs (fields, counts: the first pass) are named before a proof that fails only the pairing;
    ///      among malformed ones, the first.
    function test_verifyProofBatch_namesMalformedProofsBeforePairingFailures() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(6);
        proofs[4][0] = Q; // field error at 4
        inputs[2] = new uint256[](1); // count error at 2
        _shiftC(proofs[1], 1); // pairing error at 1 (found only by the pairing check, after the field checks)
        vm.expectRevert(_invalidAt(2));
        verifier.verifyProofBatch(proofs, inputs);
    }

    function test_verifyProofBatch_revertsOnLengthMismatch() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(3);
        vm.expectRevert(abi.encodeWithSelector(IGroth16BatchVerifier.BatchLengthMismatch.selector, 0, 0));
        verifier.verifyProofBatch(new uint256[8][](0), new uint256[][](0));
        vm.expectRevert(abi.encodeWithSelector(IGroth16BatchVerifier.BatchLengthMismatch.selector, 3, 2));
        verifier.verifyProofBatch(proofs, _prefix(inputs, 2));
        (uint256[8][] memory two,) = _batch(2);
        vm.expectRevert(abi.encodeWithSelector(IGroth16BatchVerifier.BatchLengthMismatch.selector, 2, 3));
        verifier.verifyProofBatch(two, inputs);
    }

    /// @dev An input list whose ABI offset points past the calldata (a hand-made encoding) is proof i's fault.
    function test_verifyProofBatch_rejectsAnInputListOutsideTheCalldata() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(2);
        bytes memory data = abi.encodeCall(IGroth16BatchVerifier.verifyProofBatch, (proofs, inputs));
        // Layout: selector, two head offsets, proofs (length + 2 * 8 words), inputs (length, then 2 offsets).
        uint256 secondOffset = 4 + 32 * 2 + 32 * (1 + 16) + 32 * 2;
        for (uint256 t; t < 2; ++t) {
            bytes memory bad = bytes.concat(data); // a copy
            uint256 value = t == 0 ? data.length : type(uint256).max - 0x10;
            assembly ("memory-safe") {
                mstore(add(add(bad, 0x20), secondOffset), value)
            }
            (bool ok, bytes memory ret) = address(verifier).staticcall(bad);
            assertFalse(ok, "an input list outside the calldata verified");
            assertEq(keccak256(ret), keccak256(_invalidAt(1)), "must revert InvalidProofAt(1)");
        }
    }

    // ---------------------------------------------------------------- points off their curve

    /// @dev A point off its curve makes a precompile fail, reported like verifyProof does (PrecompileFailed): ecMul
    ///      (7) for proof i >= 1's A or C, ecPairing (8) for B or for proof 0's A. A failing precompile burns the gas
    ///      it was given, so each call gets a bounded limit.
    function test_verifyProofBatch_reportsPrecompileFailuresForPointsOffCurve() public view {
        uint256[2][4] memory cases = [[uint256(1), 0], [uint256(1), 7], [uint256(2), 3], [uint256(0), 0]];
        uint256[4] memory precompile = [uint256(7), 7, 8, 8];
        for (uint256 t; t < cases.length; ++t) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(3);
            uint256 i = cases[t][0];
            uint256 c = cases[t][1];
            proofs[i][c] = addmod(proofs[i][c], 1, Q);
            (bool ok, bytes memory data) = _callBatch(3_000_000, proofs, inputs);
            assertFalse(ok, "a batch with a point off its curve verified");
            assertEq(
                keccak256(data),
                keccak256(abi.encodeWithSelector(IGroth16Verifier.PrecompileFailed.selector, precompile[t])),
                "off-curve point: PrecompileFailed"
            );
        }
    }

    /// @dev Sweeping the gas limit: a valid batch succeeds from some limit on and never below; an invalid batch never
    ///      succeeds at any limit (what keeps eth_estimateGas honest).
    function test_verifyProofBatch_gasSweepNeverReturnsEarly() public view {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(2);
        (uint256[8][] memory bad, uint256[][] memory badInputs) = _batch(2);
        _shiftC(bad[1], 1);
        bool succeeded;
        for (uint256 g = 5_000; g <= 450_000; g += 5_000) {
            (bool ok,) = _callBatch(g, proofs, inputs);
            if (succeeded) assertTrue(ok, "valid batch failed at a higher gas limit than one that succeeded");
            succeeded = succeeded || ok;
            (bool badOk,) = _callBatch(g, bad, badInputs);
            assertFalse(badOk, "an invalid batch succeeded");
        }
        assertTrue(succeeded, "valid batch never succeeded below 450,000 gas");
    }

    // ---------------------------------------------------------------- errors that cancel

    /// @dev From one valid proof (A, B, C): proof 0 = (A, B, C + D) and proof 1 = (A, B, C - D), same inputs. Each is
    ///      invalid, but with equal weights (r_0 = r_1 = 1) the combined equation holds, as computed here with the
    ///      precompiles; verifyProofBatch's weights differ, so it rejects the pair and names proof 0.
    function test_verifyProofBatch_rejectsErrorsThatCancelUnderFixedWeights() public {
        (uint256[8][] memory one, uint256[][] memory oneInputs) = _batch(1);
        (uint256 dx, uint256 dy) = _g1Mul(1, 2, 0x1234567);
        uint256[8][] memory proofs = new uint256[8][](2);
        uint256[][] memory inputs = new uint256[][](2);
        (proofs[0], proofs[1]) = (_copy(one[0]), _copy(one[0]));
        (inputs[0], inputs[1]) = (oneInputs[0], oneInputs[0]);
        (proofs[0][6], proofs[0][7]) = _g1Add(one[0][6], one[0][7], dx, dy);
        (proofs[1][6], proofs[1][7]) = _g1Add(one[0][6], one[0][7], dx, _neg(dy));

        assertTrue(_combinedCheckHolds(proofs, inputs, _ones(2)), "the naive equal-weight check accepts the pair");
        assertFalse(_combinedCheckHolds(proofs, inputs, _verifierWeights(proofs, inputs)), "the verifier's weights");
        for (uint256 i; i < 2; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.InvalidProof.selector));
            verifier.verifyProof(proofs[i], inputs[i]);
        }
        vm.expectRevert(_invalidAt(0));
        verifier.verifyProofBatch(proofs, inputs);
    }

    /// @dev The same with any offset D, between valid proofs: the first proof of the pair is named.
    function testFuzz_verifyProofBatch_rejectsACancellingPairAnywhere(uint256 d, uint256 at) public {
        d = bound(d, 1, R - 1);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(6);
        at = at % 5;
        (uint256 dx, uint256 dy) = _g1Mul(1, 2, d);
        uint256[8] memory base = _copy(proofs[at]);
        proofs[at + 1] = _copy(base);
        inputs[at + 1] = inputs[at];
        (proofs[at][6], proofs[at][7]) = _g1Add(base[6], base[7], dx, dy);
        (proofs[at + 1][6], proofs[at + 1][7]) = _g1Add(base[6], base[7], dx, _neg(dy));
        vm.expectRevert(_invalidAt(at));
        verifier.verifyProofBatch(proofs, inputs);
    }

    // ---------------------------------------------------------------- helpers

    function _prefix(uint256[][] memory a, uint256 n) internal pure returns (uint256[][] memory b) {
        b = new uint256[][](n);
        for (uint256 i; i < n; ++i) b[i] = a[i];
    }
}

/// @notice Every generated verifier (2, 3 and 4 public inputs) has verifyProofBatch: its committed fixture proof
///         repeated verifies as a batch; a tampered input names its proof.
abstract contract BatchEntryBehaviour is BatchVerifierFixture {
    IGroth16BatchVerifier internal batchVerifier;

    function _deploy() internal virtual returns (IGroth16BatchVerifier);
    function _proof() internal pure virtual returns (uint256[8] memory);
    function _inputs() internal pure virtual returns (uint256[] memory);

    function setUp() public override {
        batchVerifier = _deploy();
    }

    function _repeated(uint256 n) internal pure returns (uint256[8][] memory proofs, uint256[][] memory inputs) {
        proofs = new uint256[8][](n);
        inputs = new uint256[][](n);
        for (uint256 i; i < n; ++i) (proofs[i], inputs[i]) = (_proof(), _inputs());
    }

    function test_verifyProofBatch_acceptsTheFixtureRepeated() public view {
        for (uint256 n = 1; n <= 4; ++n) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _repeated(n);
            batchVerifier.verifyProofBatch(proofs, inputs);
        }
    }

    function test_verifyProofBatch_namesATamperedInput() public {
        uint256 k = _inputs().length;
        for (uint256 j; j < k; ++j) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _repeated(3);
            inputs[2][j] = addmod(inputs[2][j], 1, R);
            vm.expectRevert(_invalidAt(2));
            batchVerifier.verifyProofBatch(proofs, inputs);
        }
    }
}

contract MultiplierBatchEntryTest is BatchEntryBehaviour {
    function _deploy() internal override returns (IGroth16BatchVerifier) {
        return new MultiplierVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return MultiplierFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return MultiplierFixture.publicInputs();
    }
}

contract ComparatorsBatchEntryTest is BatchEntryBehaviour {
    function _deploy() internal override returns (IGroth16BatchVerifier) {
        return new ComparatorsVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return ComparatorsFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return ComparatorsFixture.publicInputs();
    }
}

contract PoseidonChainBatchEntryTest is BatchEntryBehaviour {
    function _deploy() internal override returns (IGroth16BatchVerifier) {
        return new PoseidonChainVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return PoseidonChainFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return PoseidonChainFixture.publicInputs();
    }
}

contract RollupBatchBatchEntryTest is BatchEntryBehaviour {
    function _deploy() internal override returns (IGroth16BatchVerifier) {
        return new RollupBatchVerifier();
    }

    function _proof() internal pure override returns (uint256[8] memory) {
        return RollupBatchFixture.proof();
    }

    function _inputs() internal pure override returns (uint256[] memory) {
        return RollupBatchFixture.publicInputs();
    }
}
