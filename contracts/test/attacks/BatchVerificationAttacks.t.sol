// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchVerifierFixture} from "../verifiers/BatchVerifierFixture.sol";

/// @notice Attacks on Groth16 batch verification (`verifyProofBatch`, which `fulfillBatch` relies on): a prover who
///         holds valid proofs for some requests tries to be paid for others with proofs that do not verify, by making
///         their errors cancel in the combined pairing check. The combination's weights come from a hash of the
///         whole batch, so the prover cannot know them before fixing every proof.
contract BatchVerificationAttacksTest is BatchVerifierFixture {
    /// @dev The prover knows the weights the verifier would use for a batch [P0 + D, P1] (proof 0 with error D, proof
    ///      1 valid), and moves proof 1's C by -D / r_1 so that the two errors cancel under exactly those weights: the
    ///      combined check with the predicted weights holds, as computed here. But moving proof 1 changed the batch,
    ///      hence the seed and the weights: verifyProofBatch rejects it and names proof 0.
    function test_attack_errorsTunedToPredictedWeightsDoNotCancel() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(2);
        (uint256 dx, uint256 dy) = _g1Mul(1, 2, 0xdead);
        (proofs[0][6], proofs[0][7]) = _g1Add(proofs[0][6], proofs[0][7], dx, dy);
        uint256[] memory predicted = _verifierWeights(proofs, inputs);

        // r_0 D + r_1 E = 0 with r_0 = 1: E = -D / r_1.
        uint256 e = R - _invR(predicted[1]);
        (uint256 ex, uint256 ey) = _g1Mul(dx, dy, e);
        (proofs[1][6], proofs[1][7]) = _g1Add(proofs[1][6], proofs[1][7], ex, ey);

        assertTrue(_combinedCheckHolds(proofs, inputs, predicted), "the predicted weights accept the tuned batch");
        uint256[] memory actual = _verifierWeights(proofs, inputs);
        assertTrue(actual[1] != predicted[1], "the tuned batch has other weights");
        assertFalse(_combinedCheckHolds(proofs, inputs, actual), "its own weights reject it");
        vm.expectRevert(_invalidAt(0));
        verifier.verifyProofBatch(proofs, inputs);
    }

    /// @dev A cancelling pair (C + D, C - D on one statement) hidden among 14 valid proofs of a full-size batch.
    function test_attack_cancellingPairHiddenInALargeBatch() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(16);
        (uint256 dx, uint256 dy) = _g1Mul(1, 2, 42);
        uint256[8] memory base = _copy(proofs[9]);
        proofs[10] = _copy(base);
        inputs[10] = inputs[9];
        (proofs[9][6], proofs[9][7]) = _g1Add(base[6], base[7], dx, dy);
        (proofs[10][6], proofs[10][7]) = _g1Add(base[6], base[7], dx, _neg(dy));
        assertTrue(_combinedCheckHolds(proofs, inputs, _ones(16)), "equal weights would accept the batch");
        vm.expectRevert(_invalidAt(9));
        verifier.verifyProofBatch(proofs, inputs);
    }

    /// @dev The same statement under two encodings: an input x + r (the same field element) would let a prover
    ///      present one proof as two distinct entries, or change the seed without changing the statement to grind
    ///      weights. Non-canonical inputs are refused before the seed is taken.
    function test_attack_aliasedInputCannotReshuffleTheWeights() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(4);
        inputs[2][0] += R;
        vm.expectRevert(_invalidAt(2));
        verifier.verifyProofBatch(proofs, inputs);
    }

    /// @dev Proof 0's weight is 1 by design: the prover can make proof 0 anything, but a lone error there is still
    ///      one error, and the others' weights depend on it through the seed.
    function test_attack_errorInTheUnweightedFirstProofIsCaught() public {
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batch(8);
        (proofs[0][6], proofs[0][7]) = _g1Add(proofs[0][6], proofs[0][7], 1, 2);
        vm.expectRevert(_invalidAt(0));
        verifier.verifyProofBatch(proofs, inputs);
    }
}
