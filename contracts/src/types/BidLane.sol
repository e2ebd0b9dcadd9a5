// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The word in one of a prover's bid lanes (`ProverMarketBase._lanes[prover][lane]`): 0 (never used) or 1 when
///         free; while committed, `keccak256(abi.encode(requestId, commitment)) >> 1` (below 2^255, so it can never be
///         mistaken for a held word; that it is 0 or 1 has probability 2^-254); while it holds a revealed bid that
///         leads, `2^255 | fee | latency << 96 | (secondScore + 1) << 128` (the second score only in the best bid's
///         lane; 0 there: no second bid).
type BidLane is uint256;

using BidLaneLib for BidLane global;

/// @title BidLaneLib
/// @notice Builds and reads `BidLane` words.
library BidLaneLib {
    uint256 internal constant FREE_WORD = 1;
    uint256 internal constant HELD_BIT = 1 << 255;

    /// @notice A free lane (rewrites a non-zero slot: no fresh storage for the next bid).
    function free() internal pure returns (BidLane) {
        return BidLane.wrap(FREE_WORD);
    }

    /// @notice The word of a lane committed to `commitment` for request `id`.
    function committed(bytes32 id, bytes32 commitment) internal pure returns (BidLane) {
        return BidLane.wrap(uint256(keccak256(abi.encode(id, commitment))) >> 1);
    }

    /// @notice The word of a lane holding a leading bid; `secondPlusOne` < 2^127 (a score + 1, score < 2^97).
    function held(uint96 fee, uint32 latency, uint256 secondPlusOne) internal pure returns (BidLane) {
        return BidLane.wrap(HELD_BIT | uint256(fee) | uint256(latency) << 96 | secondPlusOne << 128);
    }

    /// @notice Never used (0) or freed (1).
    function isFree(BidLane w) internal pure returns (bool) {
        return BidLane.unwrap(w) <= FREE_WORD;
    }

    /// @notice Never used: a slot that was not prepared yet (`openBidLanes`).
    function isNeverUsed(BidLane w) internal pure returns (bool) {
        return BidLane.unwrap(w) == 0;
    }

    /// @notice Holds a commitment (not free, not held).
    function isCommitted(BidLane w) internal pure returns (bool) {
        uint256 x = BidLane.unwrap(w);
        return x > FREE_WORD && x < HELD_BIT;
    }

    /// @notice Holds a revealed bid that leads.
    function isHeld(BidLane w) internal pure returns (bool) {
        return BidLane.unwrap(w) >= HELD_BIT;
    }

    function eq(BidLane a, BidLane b) internal pure returns (bool) {
        return BidLane.unwrap(a) == BidLane.unwrap(b);
    }

    /// @notice The bid (fee, latency) and second score + 1 of a held word.
    function bid(BidLane w) internal pure returns (uint96 fee, uint32 latency, uint256 secondPlusOne) {
        uint256 x = BidLane.unwrap(w);
        fee = uint96(x);
        latency = uint32(x >> 96);
        secondPlusOne = (x >> 128) & ((1 << 127) - 1);
    }

    function raw(BidLane w) internal pure returns (uint256) {
        return BidLane.unwrap(w);
    }
}
