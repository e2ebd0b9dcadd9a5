// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAskBook} from "./interfaces/IAskBook.sol";
import {ICircuitRegistry} from "./interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {IProverMarket} from "./interfaces/IProverMarket.sol";
import {ReentrancyGuard} from "./utils/ReentrancyGuard.sol";

/// @title AskBook
/// @notice Standing asks per circuit, matched by the market. Deployed by the market's constructor.
contract AskBook is IAskBook, ReentrancyGuard {
    /// @notice Asks per circuit: also the bound on the asks one match walks past (at most ~7k gas each).
    uint256 public constant MAX_ASKS_PER_CIRCUIT = 64;
    /// @notice The least collateral an ask must back each job with (in the asset's base units; the vault's assets are
    ///         ETH and 18-decimal restaking receipt tokens): what an ask puts at risk when it is matched and accepted.
    uint96 public constant MIN_ASK_COLLATERAL = 0.01 ether;
    /// @notice How far ahead an ask may expire.
    uint256 public constant MAX_ASK_LIFETIME = 30 days;

    /// @dev Three slots per ask: (next | price), (prev | maxLatency | capacity | listed), (maxCollateral | assetId |
    ///      expiresAt).
    struct AskSlot {
        address next;
        uint96 pricePerUnit;
        address prev;
        uint32 maxLatency;
        uint32 capacity;
        bool listed;
        uint96 maxCollateral;
        uint8 assetId;
        uint40 expiresAt;
    }

    /// @notice The market allowed to take and restore asks.
    address public immutable market;
    ICircuitRegistry public immutable registry;
    ICollateralVault public immutable vault;

    mapping(uint32 => mapping(address => AskSlot)) private _asks;
    mapping(uint32 => address) private _head;
    mapping(uint32 => address) private _tail;
    mapping(uint32 => uint256) private _count;

    constructor(ICircuitRegistry registry_, ICollateralVault vault_, address market_) {
        registry = registry_;
        vault = vault_;
        market = market_;
    }

    modifier onlyMarket() {
        if (msg.sender != market) revert OnlyMarket(msg.sender);
        _;
    }

    /// @inheritdoc IAskBook
    function postAsk(
        uint32 circuitId,
        uint96 pricePerUnit,
        uint32 maxLatency,
        uint32 capacity,
        uint8 assetId,
        uint96 maxCollateral,
        uint40 expiresAt,
        address hint
    ) external nonReentrant {
        if (maxLatency == 0 || capacity == 0) revert AskOutOfRange();
        if (maxCollateral < MIN_ASK_COLLATERAL) revert AskCollateralTooLow(maxCollateral, MIN_ASK_COLLATERAL);
        if (expiresAt <= block.timestamp || expiresAt > block.timestamp + MAX_ASK_LIFETIME) {
            revert AskExpiryOutOfRange(expiresAt, block.timestamp + 1, block.timestamp + MAX_ASK_LIFETIME);
        }
        if (!_canBond(msg.sender, assetId, maxCollateral)) revert AskNotBacked(msg.sender, assetId, maxCollateral);
        registry.circuitTerms(circuitId); // reverts on an unknown circuit
        mapping(address => AskSlot) storage book = _asks[circuitId];
        if (book[msg.sender].listed) _unlink(circuitId, msg.sender);
        if (_count[circuitId] >= MAX_ASKS_PER_CIRCUIT) _makeRoom(circuitId, pricePerUnit);

        address prev;
        if (hint != address(0) && book[hint].listed && book[hint].pricePerUnit <= pricePerUnit) prev = hint;
        address cur = prev == address(0) ? _head[circuitId] : book[prev].next;
        // Bounded by MAX_ASKS_PER_CIRCUIT entries.
        while (cur != address(0) && book[cur].pricePerUnit <= pricePerUnit) {
            prev = cur;
            cur = book[cur].next;
        }
        book[msg.sender] = AskSlot({
            next: cur,
            pricePerUnit: pricePerUnit,
            prev: prev,
            maxLatency: maxLatency,
            capacity: capacity,
            listed: true,
            maxCollateral: maxCollateral,
            assetId: assetId,
            expiresAt: expiresAt
        });
        if (prev == address(0)) _head[circuitId] = msg.sender;
        else book[prev].next = msg.sender;
        if (cur == address(0)) _tail[circuitId] = msg.sender;
        else book[cur].prev = msg.sender;
        ++_count[circuitId];
        emit AskPosted(
            circuitId, msg.sender, pricePerUnit, maxLatency, capacity, assetId, maxCollateral, expiresAt, prev
        );
    }

    /// @dev A full book: removes every stale ask; if none was, evicts the most expensive ask when the new one is
    ///      cheaper, else reverts `TooManyAsks`.
    function _makeRoom(uint32 circuitId, uint96 pricePerUnit) private {
        mapping(address => AskSlot) storage book = _asks[circuitId];
        address p = _head[circuitId];
        // Bounded by MAX_ASKS_PER_CIRCUIT entries.
        while (p != address(0)) {
            address next = book[p].next;
            _removeIfStale(circuitId, p, book[p]);
            p = next;
        }
        if (_count[circuitId] < MAX_ASKS_PER_CIRCUIT) return;
        address tail = _tail[circuitId];
        if (pricePerUnit >= book[tail].pricePerUnit) revert TooManyAsks(circuitId);
        _unlink(circuitId, tail);
        emit AskRemoved(circuitId, tail, Removal.Evicted);
    }

    /// @dev Removes `p`'s ask if it has expired or is no longer backed; returns whether it did.
    function _removeIfStale(uint32 circuitId, address p, AskSlot storage a) private returns (bool) {
        Removal why;
        if (a.expiresAt <= block.timestamp) why = Removal.Expired;
        else if (!_canBond(p, a.assetId, a.maxCollateral)) why = Removal.Unbacked;
        else return false;
        _unlink(circuitId, p);
        emit AskRemoved(circuitId, p, why);
        return true;
    }

    /// @dev Whether the market can take `amount` of `prover`'s collateral: its bond balance in the market covers it,
    ///      or its free vault balance does (the market takes from one or the other, never both).
    function _canBond(address prover, uint8 assetId, uint256 amount) internal view returns (bool) {
        return
            vault.freeBalance(prover, assetId) >= amount || IProverMarket(market).bondBalance(prover, assetId) >= amount;
    }

    /// @inheritdoc IAskBook
    function cancelAsk(uint32 circuitId) external nonReentrant {
        if (!_asks[circuitId][msg.sender].listed) revert AskNotListed(circuitId, msg.sender);
        _unlink(circuitId, msg.sender);
        emit AskCancelled(circuitId, msg.sender);
    }

    /// @inheritdoc IAskBook
    function removeStaleAsk(uint32 circuitId, address prover) external nonReentrant {
        AskSlot storage a = _asks[circuitId][prover];
        if (!a.listed) revert AskNotListed(circuitId, prover);
        if (!_removeIfStale(circuitId, prover, a)) revert AskNotStale(circuitId, prover);
    }

    /// @inheritdoc IAskBook
    function take(uint32 circuitId, Wanted calldata w, address start) external onlyMarket returns (Match memory m) {
        mapping(address => AskSlot) storage book = _asks[circuitId];
        address p = start != address(0) && book[start].listed ? book[start].next : _head[circuitId];
        // Bounded by MAX_ASKS_PER_CIRCUIT entries. Asks that do not fit this request (busy, too slow, another asset,
        // too little collateral) are passed over without a budget: a budget would let asks that never fit (or a
        // requester keeping the cheapest asks busy) block every match behind them.
        while (p != address(0)) {
            AskSlot storage a = book[p];
            address next = a.next;
            uint256 price = uint256(a.pricePerUnit) * w.units;
            if (price < w.reserveFee) price = w.reserveFee;
            if (price > w.maxFee) break; // sorted by price: every later ask costs at least as much
            if (a.expiresAt <= block.timestamp) {
                _unlink(circuitId, p);
                emit AskRemoved(circuitId, p, Removal.Expired);
            } else if (
                a.capacity != 0 && a.maxLatency <= w.provingWindow && a.assetId == w.assetId
                    && w.minCollateral <= a.maxCollateral
            ) {
                // The backing (two calls) is only checked for an ask that would be matched.
                if (!_canBond(p, a.assetId, a.maxCollateral)) {
                    _unlink(circuitId, p);
                    emit AskRemoved(circuitId, p, Removal.Unbacked);
                } else {
                    uint32 cap = a.capacity - 1; // capacity != 0
                    a.capacity = cap;
                    emit AskCapacityChanged(circuitId, p, cap);
                    return Match(p, uint96(price), a.maxLatency); // price <= maxFee < 2^96
                }
            }
            p = next;
        }
    }

    /// @inheritdoc IAskBook
    function release(uint32 circuitId, address prover, bool remove) external onlyMarket {
        if (!_asks[circuitId][prover].listed) return;
        if (remove) {
            _unlink(circuitId, prover);
            emit AskRemoved(circuitId, prover, Removal.Silent);
        } else {
            _restore(circuitId, prover);
        }
    }

    /// @inheritdoc IAskBook
    function restore(uint32 circuitId, address prover) external onlyMarket {
        _restore(circuitId, prover);
    }

    function _restore(uint32 circuitId, address prover) private {
        AskSlot storage a = _asks[circuitId][prover];
        if (!a.listed) return;
        uint32 cap = a.capacity == type(uint32).max ? type(uint32).max : a.capacity + 1;
        a.capacity = cap;
        emit AskCapacityChanged(circuitId, prover, cap);
    }

    /// @inheritdoc IAskBook
    function askOf(uint32 circuitId, address prover) external view returns (Ask memory) {
        return _view(_asks[circuitId][prover]);
    }

    /// @inheritdoc IAskBook
    function askHead(uint32 circuitId) external view returns (address) {
        return _head[circuitId];
    }

    /// @inheritdoc IAskBook
    function askCount(uint32 circuitId) external view returns (uint256) {
        return _count[circuitId];
    }

    /// @inheritdoc IAskBook
    function topAsks(uint32 circuitId, uint256 max)
        external
        view
        returns (address[] memory provers, Ask[] memory asks)
    {
        uint256 n = _count[circuitId];
        if (max < n) n = max;
        provers = new address[](n);
        asks = new Ask[](n);
        address p = _head[circuitId];
        for (uint256 i; i < n; ++i) {
            provers[i] = p;
            asks[i] = _view(_asks[circuitId][p]);
            p = asks[i].next;
        }
    }

    function _view(AskSlot storage s) private view returns (Ask memory) {
        return Ask(
            s.pricePerUnit, s.maxLatency, s.capacity, s.listed, s.next, s.prev, s.assetId, s.maxCollateral, s.expiresAt
        );
    }

    function _unlink(uint32 circuitId, address prover) private {
        mapping(address => AskSlot) storage book = _asks[circuitId];
        AskSlot memory a = book[prover];
        if (a.prev == address(0)) _head[circuitId] = a.next;
        else book[a.prev].next = a.next;
        if (a.next == address(0)) _tail[circuitId] = a.prev;
        else book[a.next].prev = a.prev;
        delete book[prover];
        --_count[circuitId]; // the ask was listed, so the count is at least 1
    }
}
