// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGroth16BatchVerifier
/// @notice Batch entry of a Groth16 verifier over BN254 for one circuit (the verifier template implements it beside
///         `IGroth16Verifier`). `ProverMarket.fulfillBatch` needs it; a verifier without it still serves `fulfill`.
/// @dev Like `verifyProof`, it never returns false: every failure reverts.
interface IGroth16BatchVerifier {
    /// @notice Proof `index` of a batch is invalid: a coordinate or input outside its field, a wrong input count, or a
    ///         failed pairing check.
    error InvalidProofAt(uint256 index);
    /// @notice `verifyProofBatch` got no proofs, or a different number of proofs and public-input lists.
    error BatchLengthMismatch(uint256 proofs, uint256 publicInputs);

    /// @notice Verifies n proofs together; reverts unless every one is valid.
    /// @dev Groth16 batch verification: the n pairing equations are combined with random weights r_i derived from a
    ///      hash of every proof and public input in the batch (Fiat-Shamir, so the submitter cannot choose them). That
    ///      takes n + 3 pairings instead of 4n, and the public-input terms are summed as scalars before the curve
    ///      multiplications. When the combined check fails, the proofs are checked one by one to name the bad one.
    /// @param proofs Proofs in `IGroth16Verifier.verifyProof`'s order.
    /// @param publicInputs One list of public signals per proof.
    function verifyProofBatch(uint256[8][] calldata proofs, uint256[][] calldata publicInputs) external view;
}
