// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGroth16Verifier
/// @notice A Groth16 verifier over BN254 for one circuit, with its verification key inlined.
/// @dev Unlike the snarkjs template, implementations never return `false`: an invalid proof, an input outside the
///      scalar field or a failed precompile call all revert. A verifier that returns false when the pairing precompile
///      is starved of gas lets `eth_estimateGas` under-estimate, so the market requires reverting verifiers.
interface IGroth16Verifier {
    /// @notice The pairing check failed: the proof does not verify against these public inputs.
    error InvalidProof();
    /// @notice Public input `index` is not a canonical element of the BN254 scalar field.
    error PublicInputNotInField(uint256 index);
    /// @notice A proof coordinate is not a canonical element of the BN254 base field.
    error ProofCoordinateNotInField(uint256 index);
    /// @notice The number of public inputs differs from the circuit's.
    error PublicInputCountMismatch(uint256 expected, uint256 actual);
    /// @notice A call to the ecAdd (0x06), ecMul (0x07) or ecPairing (0x08) precompile failed (bad point or out of gas).
    error PrecompileFailed(uint256 precompile);

    /// @notice Verifies a proof; reverts unless it is valid.
    /// @param proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]: the order of snarkjs `zkey export soliditycalldata`
    ///        (G2 coordinates with the imaginary part first, as EIP-197 expects).
    /// @param publicInputs The circuit's public signals, in snarkjs `public.json` order.
    function verifyProof(uint256[8] calldata proof, uint256[] calldata publicInputs) external view;

    /// @notice Number of public inputs the verification key expects.
    function publicInputCount() external view returns (uint256);
}
