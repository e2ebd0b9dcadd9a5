// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title AuctionLib
/// @notice Scoring, deterministic ranking and second-score pricing of sealed bids.
/// @dev score = fee + latencyWeight * latency. Lower is better. Ties are broken, in order, by the lower promised
///      latency and then by the lower `keccak256(requestId, prover)`. Every key is fixed before the reveal phase
///      (fee, latency and prover are in the commitment; the request id is fixed at submission), so the ranking does
///      not depend on transaction order and no party, sequencer included, can choose the winner among equal bids.
library AuctionLib {
    /// @notice A revealed bid.
    struct Bid {
        address prover;
        uint96 fee;
        uint32 latency;
    }

    /// @notice The commitment a bidder posts: binds the request, the bidder, its fee, latency and a secret salt.
    function commitment(bytes32 requestId, address prover, uint96 fee, uint32 latency, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(requestId, prover, fee, latency, salt));
    }

    /// @notice fee + weight * latency. Cannot overflow: uint96 + uint64 * uint32 < 2^97.
    function score(uint96 fee, uint32 latency, uint64 weight) internal pure returns (uint256) {
        return uint256(fee) + uint256(weight) * uint256(latency);
    }

    /// @notice Whether bid `a` ranks strictly before bid `b` (see the tie-breaking rule above).
    function beats(bytes32 requestId, Bid memory a, Bid memory b, uint64 weight) internal pure returns (bool) {
        uint256 sa = score(a.fee, a.latency, weight);
        uint256 sb = score(b.fee, b.latency, weight);
        if (sa != sb) return sa < sb;
        if (a.latency != b.latency) return a.latency < b.latency;
        return keccak256(abi.encode(requestId, a.prover)) < keccak256(abi.encode(requestId, b.prover));
    }

    /// @notice Second-score payment: the fee at which the winner's score would equal the second-best score, capped at
    ///         `maxFee`.
    /// @dev Requires the winner to rank at or before the second bid, so secondScore >= winner.fee + weight *
    ///      winnerLatency and the result is at least the winner's fee, which is at most `maxFee` (checked at reveal).
    function secondScorePayment(uint32 winnerLatency, uint256 secondScore, uint64 weight, uint96 maxFee)
        internal
        pure
        returns (uint96)
    {
        uint256 pay = secondScore - uint256(weight) * uint256(winnerLatency);
        return pay > maxFee ? maxFee : uint96(pay);
    }
}
