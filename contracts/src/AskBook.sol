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
    /// @notice Asks per circuit, and how many the matcher inspects per request.
    uint256 public constant MAX_ASKS_PER_CIRCUIT = 64;
    uint256 public constant MAX_MATCH_SCAN = 8;

    /// @dev Two slots per ask: (next | price) and (prev | maxLatency | capacity | listed).
    struct AskSlot {
        address next;
        uint96 pricePerUnit;
        address prev;
        uint32 maxLatency;
        uint32 capacity;
        bool listed;
    }

    /// @notice The market allowed to take and restore asks.
    address public immutable market;
    ICircuitRegistry public immutable registry;
    ICollateralVault public immutable vault;

    mapping(uint32 => mapping(address => AskSlot)) private _asks;
    mapping(uint32 => address) private _head;
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
    function postAsk(uint32 circuitId, uint96 pricePerUnit, uint32 maxLatency, uint32 capacity, address hint)
        external
        nonReentrant
    {
        if (maxLatency == 0 || capacity == 0) revert AskOutOfRange();
        registry.circuitTerms(circuitId); // reverts on an unknown circuit
        mapping(address => AskSlot) storage book = _asks[circuitId];
        if (book[msg.sender].listed) _unlink(circuitId, msg.sender);
        if (_count[circuitId] >= MAX_ASKS_PER_CIRCUIT) revert TooManyAsks(circuitId);

        address prev;
        if (hint != address(0) && book[hint].listed && book[hint].pricePerUnit <= pricePerUnit) prev = hint;
        address cur = prev == address(0) ? _head[circuitId] : book[prev].next;
        // Bounded by MAX_ASKS_PER_CIRCUIT entries.
        while (cur != address(0) && book[cur].pricePerUnit <= pricePerUnit) {
            prev = cur;
            cur = book[cur].next;
        }
        book[msg.sender] = AskSlot({
            next: cur, pricePerUnit: pricePerUnit, prev: prev, maxLatency: maxLatency, capacity: capacity, listed: true
        });
        if (prev == address(0)) _head[circuitId] = msg.sender;
        else book[prev].next = msg.sender;
        if (cur != address(0)) book[cur].prev = msg.sender;
        ++_count[circuitId];
        emit AskPosted(circuitId, msg.sender, pricePerUnit, maxLatency, capacity, prev);
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
    function take(
        uint32 circuitId,
        uint256 units,
        uint256 reserveFee,
        uint256 maxFee,
        uint32 provingWindow,
        uint8 assetId,
        uint256 minCollateral
    ) external onlyMarket returns (Match memory m) {
        mapping(address => AskSlot) storage book = _asks[circuitId];
        address p = _head[circuitId];
        for (uint256 i; i < MAX_MATCH_SCAN && p != address(0); ++i) {
            AskSlot storage a = book[p];
            uint256 price = uint256(a.pricePerUnit) * units;
            if (price < reserveFee) price = reserveFee;
            if (price > maxFee) break; // sorted by price: every later ask costs at least as much
            if (
                a.capacity != 0 && a.maxLatency <= provingWindow
                    && (minCollateral == 0 || _canBond(p, assetId, minCollateral))
            ) {
                uint32 cap = a.capacity - 1; // capacity != 0
                a.capacity = cap;
                emit AskCapacityChanged(circuitId, p, cap);
                return Match(p, uint96(price), a.maxLatency); // price <= maxFee < 2^96
            }
            p = a.next;
        }
        revert NoMatchingAsk(circuitId);
    }

    /// @inheritdoc IAskBook
    function restore(uint32 circuitId, address prover) external onlyMarket {
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
        return Ask(s.pricePerUnit, s.maxLatency, s.capacity, s.listed, s.next, s.prev);
    }

    function _unlink(uint32 circuitId, address prover) private {
        mapping(address => AskSlot) storage book = _asks[circuitId];
        AskSlot memory a = book[prover];
        if (a.prev == address(0)) _head[circuitId] = a.next;
        else book[a.prev].next = a.next;
        if (a.next != address(0)) book[a.next].prev = a.prev;
        delete book[prover];
        --_count[circuitId]; // the ask was listed, so the count is at least 1
    }
}
