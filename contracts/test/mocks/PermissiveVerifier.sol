// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";
import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";

/// @notice An attacker's verifier that accepts every proof (registered for a circuit of its own).
contract PermissiveVerifier is IGroth16Verifier, IGroth16BatchVerifier {
    function verifyProof(uint256[8] calldata, uint256[] calldata) external pure {}

    function verifyProofBatch(uint256[8][] calldata, uint256[][] calldata) external pure {}

    function publicInputCount() external pure returns (uint256) {
        return 2;
    }
}
