// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAskBook
/// @notice Standing asks (an orderbook per circuit): provers post a price per proving unit, a maximum latency, a
///         capacity (jobs they will take before re-posting; a fulfilled or declined job gives its slot back), the most
///         collateral they put up per job in one asset, and an expiry. A standing-ask request in the market matches
///         the cheapest suitable ask at once; the ask's prover then accepts or declines it in the market.
/// @dev Asks are kept in a doubly linked list sorted by price ascending; equal prices keep posting order (price-time
///      priority). Every ask is backed: its `maxCollateral` (at least `MIN_ASK_COLLATERAL`) must be covered by the
///      prover's market bond balance or free vault balance when it is posted and whenever a match reaches it. An ask
///      that is no longer backed, or has expired, is removed where a match or a post meets it; anyone can remove one
///      with `removeStaleAsk`. A match walks the book from the head until the price exceeds the request's `maxFee`,
///      passing over asks that do not fit the request (busy, too slow, another asset, too little collateral) with no
///      scan budget, so asks that never fit, or a requester keeping the cheapest asks busy, cannot block the asks
///      behind them. So parties that put nothing at risk can neither fill the book nor block the head.
interface IAskBook {
    /// @notice A prover's ask for a circuit.
    struct Ask {
        uint96 pricePerUnit;
        uint32 maxLatency;
        uint32 capacity;
        bool listed;
        address next;
        address prev;
        uint8 assetId;
        uint96 maxCollateral;
        uint40 expiresAt;
    }

    /// @notice What the market needs to assign a matched job (`prover` zero: no ask fits).
    struct Match {
        address prover;
        uint96 fee;
        uint32 latency;
    }

    /// @notice What a request needs from an ask.
    /// @param units Proving units of the circuit (the ask's price is per unit).
    /// @param reserveFee The reserve fee: the least a match pays.
    /// @param maxFee The most a match may cost.
    /// @param provingWindow The most latency the request accepts.
    /// @param assetId The collateral asset the request wants.
    /// @param minCollateral The collateral the request wants locked: at most the ask's `maxCollateral`.
    struct Wanted {
        uint256 units;
        uint256 reserveFee;
        uint256 maxFee;
        uint32 provingWindow;
        uint8 assetId;
        uint256 minCollateral;
    }

    /// @notice Why an ask left the book without its prover cancelling it.
    enum Removal {
        Expired,
        Unbacked,
        Evicted,
        Silent
    }

    event AskPosted(
        uint32 indexed circuitId,
        address indexed prover,
        uint96 pricePerUnit,
        uint32 maxLatency,
        uint32 capacity,
        uint8 assetId,
        uint96 maxCollateral,
        uint40 expiresAt,
        address prev
    );
    event AskCancelled(uint32 indexed circuitId, address indexed prover);
    /// @notice An ask was removed: expired, no longer backed, evicted by a cheaper ask from a full book, or silent on a
    ///         match (see `IProverMarket.lapseMatch`).
    event AskRemoved(uint32 indexed circuitId, address indexed prover, Removal reason);
    /// @notice Capacity changed through a match (down) or a fulfilled or declined job (up).
    event AskCapacityChanged(uint32 indexed circuitId, address indexed prover, uint32 capacity);

    error OnlyMarket(address caller);
    /// @notice `maxLatency` or `capacity` is zero.
    error AskOutOfRange();
    error AskCollateralTooLow(uint256 maxCollateral, uint256 minimum);
    error AskNotBacked(address prover, uint8 assetId, uint256 maxCollateral);
    error AskExpiryOutOfRange(uint256 expiresAt, uint256 earliest, uint256 latest);
    error AskNotListed(uint32 circuitId, address prover);
    error AskNotStale(uint32 circuitId, address prover);
    error TooManyAsks(uint32 circuitId);
    error NoMatchingAsk(uint32 circuitId);

    /// @notice Asks per circuit.
    function MAX_ASKS_PER_CIRCUIT() external view returns (uint256);
    /// @notice The least collateral per job an ask must put up (and be backed by).
    function MIN_ASK_COLLATERAL() external view returns (uint96);
    /// @notice How far ahead an ask may expire.
    function MAX_ASK_LIFETIME() external view returns (uint256);

    /// @notice Posts (or replaces) the caller's ask. `hint` is a listed ask priced at or below the new price from
    ///         which the sorted insertion starts (zero: from the head); a stale hint only costs gas. When the book is
    ///         full, stale asks are removed first, then the most expensive ask is evicted if the new one is cheaper.
    /// @param assetId Collateral asset the ask backs jobs with (a request in another asset does not match it).
    /// @param maxCollateral The most collateral one job may lock (>= MIN_ASK_COLLATERAL); the caller's bond balance or
    ///        free vault balance must cover it now and at every match.
    /// @param expiresAt When the ask lapses: after now and at most MAX_ASK_LIFETIME ahead.
    function postAsk(
        uint32 circuitId,
        uint96 pricePerUnit,
        uint32 maxLatency,
        uint32 capacity,
        uint8 assetId,
        uint96 maxCollateral,
        uint40 expiresAt,
        address hint
    ) external;
    /// @notice Removes the caller's ask.
    function cancelAsk(uint32 circuitId) external;
    /// @notice Permissionless: removes an ask that has expired or is no longer backed.
    function removeStaleAsk(uint32 circuitId, address prover) external;

    /// @notice Market only: takes the cheapest ask after `start` (from the head when `start` is zero or not listed)
    ///         whose latency, asset and collateral fit and whose price (raised to the reserve) fits `maxFee`, with
    ///         capacity left; its capacity goes down by one. Stale asks met on the way are removed. Returns a zero
    ///         prover when no ask within `maxFee` fits.
    function take(uint32 circuitId, Wanted calldata wanted, address start) external returns (Match memory);
    /// @notice Market only: a matched job went back: the ask's capacity slot is given back, or (`remove`, a silent
    ///         prover) the ask is removed.
    function release(uint32 circuitId, address prover, bool remove) external;
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
