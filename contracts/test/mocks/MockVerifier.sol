// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";
import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";

/// @notice Test verifier with the real seam's behaviour (reverts, never returns false) but no pairing: a proof is
///         "valid" iff proof[0] == keccak256(publicInputs) mod 2^256, so tests can build valid and invalid proofs.
///         Its batch entry accepts a batch iff every proof is valid by the same rule, naming the first one that is not.
contract MockVerifier is IGroth16Verifier, IGroth16BatchVerifier {
    uint256 public immutable count;

    constructor(uint256 count_) {
        count = count_;
    }

    function verifyProof(uint256[8] calldata proof, uint256[] calldata publicInputs) external view {
        if (publicInputs.length != count) revert PublicInputCountMismatch(count, publicInputs.length);
        if (proof[0] != uint256(keccak256(abi.encodePacked(publicInputs)))) revert InvalidProof();
    }

    function verifyProofBatch(uint256[8][] calldata proofs, uint256[][] calldata publicInputs) external view {
        if (proofs.length == 0 || proofs.length != publicInputs.length) {
            revert BatchLengthMismatch(proofs.length, publicInputs.length);
        }
        for (uint256 i; i < proofs.length; ++i) {
            if (
                publicInputs[i].length != count || proofs[i][0] != uint256(keccak256(abi.encodePacked(publicInputs[i])))
            ) revert InvalidProofAt(i);
        }
    }

    function publicInputCount() external view returns (uint256) {
        return count;
    }

    /// @notice A proof this verifier accepts for `publicInputs`.
    function validProof(uint256[] memory publicInputs) external pure returns (uint256[8] memory proof) {
        proof[0] = uint256(keccak256(abi.encodePacked(publicInputs)));
        for (uint256 i = 1; i < 8; ++i) {
            proof[i] = uint256(keccak256(abi.encode(i, publicInputs)));
        }
    }
}
