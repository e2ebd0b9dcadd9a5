// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ReentrancyGuard
/// @notice Reentrancy lock in transient storage (EIP-1153, cancun): about 200 gas per guarded call, no SSTORE.
abstract contract ReentrancyGuard {
    /// @dev keccak256("ProverMarketChain.reentrancy") - 1.
    uint256 private constant _SLOT = 0x1a179d178dcaa6c6aaccd532b35eb05cbe412832b4d6365c019c0f0a2a450fab;

    /// @notice A guarded function was re-entered.
    error ReentrantCall();

    modifier nonReentrant() {
        assembly ("memory-safe") {
            if tload(_SLOT) {
                mstore(0x00, 0x37ed32e8) // ReentrantCall()
                revert(0x1c, 0x04)
            }
            tstore(_SLOT, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(_SLOT, 0)
        }
    }
}
