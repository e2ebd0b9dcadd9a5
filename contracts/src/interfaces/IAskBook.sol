// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAskBook
/// @notice Standing asks (an orderbook per circuit): provers post a price per proving unit, a maximum latency and a
///         capacity (jobs they will take before re-posting; a fulfilled job gives its slot back). A standing-ask
///         request in the market matches the cheapest suitable ask at once.
/// @dev Asks are kept in a doubly linked list sorted by price ascending; equal prices keep posting order (price-time
///      priority). Matching inspects at most `MAX_MATCH_SCAN` asks from the head.
interface IAskBook {
    /// @notice A prover's ask for a circuit.
    struct Ask {
        uint96 pricePerUnit;
        uint32 maxLatency;
        uint32 capacity;
        bool listed;
        address next;
        address prev;
    }

    /// @notice What the market needs to assign a matched job.
    struct Match {
        address prover;
        uint96 fee;
        uint32 latency;
    }

    event AskPosted(
        uint32 indexed circuitId,
        address indexed prover,
        uint96 pricePerUnit,
        uint32 maxLatency,
        uint32 capacity,
        address prev
    );
    event AskCancelled(uint32 indexed circuitId, address indexed prover);
    /// @notice Capacity changed through a match (down) or a fulfilled job (up).
    event AskCapacityChanged(uint32 indexed circuitId, address indexed prover, uint32 capacity);

    error OnlyMarket(address caller);
    error AskOutOfRange();
    error AskNotListed(uint32 circuitId, address prover);
    error TooManyAsks(uint32 circuitId);
    error NoMatchingAsk(uint32 circuitId);

    /// @notice Posts (or replaces) the caller's ask. `hint` is a listed ask priced at or below the new price from
    ///         which the sorted insertion starts (zero: from the head); a stale hint only costs gas.
    function postAsk(uint32 circuitId, uint96 pricePerUnit, uint32 maxLatency, uint32 capacity, address hint) external;
    /// @notice Removes the caller's ask.
    function cancelAsk(uint32 circuitId) external;

    /// @notice Market only: takes the cheapest ask whose latency fits `provingWindow`, whose price (raised to
    ///         `reserveFee`) fits `maxFee`, with capacity left and `minCollateral` covered by the prover's market bond
    ///         balance or by its free vault balance (either one alone, as the market takes it). Reverts
    ///         `NoMatchingAsk` when none of the first `MAX_MATCH_SCAN` asks fits.
    function take(
        uint32 circuitId,
        uint256 units,
        uint256 reserveFee,
        uint256 maxFee,
        uint32 provingWindow,
        uint8 assetId,
        uint256 minCollateral
    ) external returns (Match memory);
    /// @notice Market only: gives back the capacity slot of a fulfilled job (if the ask is still listed).
    function restore(uint32 circuitId, address prover) external;

    /// @notice A prover's ask (listed = false when none).
    function askOf(uint32 circuitId, address prover) external view returns (Ask memory);
    /// @notice The cheapest ask's prover.
    function askHead(uint32 circuitId) external view returns (address);
    /// @notice Number of listed asks.
    function askCount(uint32 circuitId) external view returns (uint256);
    /// @notice Up to `max` asks from the head, cheapest first.
    function topAsks(uint32 circuitId, uint256 max) external view returns (address[] memory provers, Ask[] memory asks);
}
