// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A request's state slot (`ProverMarketBase._core[id]`), in one of two forms told apart by bit 7: the plain
///         form (`ProverMarketBase.Core`: status | createdAt | deadline | reserveFee | bestLatency | secondLatency |
///         flags) or, for a sealed-bid request until a slash, the sealed form (`ProverMarketBase.Sealed`: status |
///         form bit | lane | reserveFee or deadline | best bidder). The status is bits 0-6 in both; 0: no request.
type RequestWord is uint256;

using RequestWordLib for RequestWord global;

/// @title RequestWordLib
/// @notice Reads and rewrites the parts of a `RequestWord` that both forms share (the struct codecs live in
///         `ProverMarketBase`, next to the structs).
library RequestWordLib {
    /// @notice Bit 7: the sealed-auction form.
    uint256 internal constant SEALED_FORM = 0x80;
    uint256 internal constant STATUS_MASK = 0x7f;

    /// @notice Whether a request was ever stored under this id.
    function exists(RequestWord w) internal pure returns (bool) {
        return RequestWord.unwrap(w) != 0;
    }

    function isSealed(RequestWord w) internal pure returns (bool) {
        return RequestWord.unwrap(w) & SEALED_FORM != 0;
    }

    /// @notice The status byte (an `IProverMarketTypes.Status`), in either form.
    function status(RequestWord w) internal pure returns (uint8) {
        return uint8(RequestWord.unwrap(w) & STATUS_MASK);
    }

    /// @notice The same word with another status, in either form.
    function withStatus(RequestWord w, uint8 newStatus) internal pure returns (RequestWord) {
        return RequestWord.wrap(RequestWord.unwrap(w) & ~STATUS_MASK | newStatus);
    }

    function raw(RequestWord w) internal pure returns (uint256) {
        return RequestWord.unwrap(w);
    }
}
