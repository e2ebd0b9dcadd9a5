// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";
import {MockVerifier} from "./MockVerifier.sol";

/// @notice A verifier with only the single-proof entry (as verifiers exported before the batch entry): it forwards to
///         the mock's rule.
contract SingleOnlyVerifier is IGroth16Verifier {
    MockVerifier internal immutable _inner;

    constructor(MockVerifier inner) {
        _inner = inner;
    }

    function verifyProof(uint256[8] calldata proof, uint256[] calldata publicInputs) external view {
        _inner.verifyProof(proof, publicInputs);
    }

    function publicInputCount() external view returns (uint256) {
        return _inner.count();
    }
}
