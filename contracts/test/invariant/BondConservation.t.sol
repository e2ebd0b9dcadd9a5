// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {MarketHandler} from "./MarketHandler.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {MockERC20} from "../mocks/MockERC20.sol";

/// @notice `MarketHandler` whose every action records the market's logs and replays them through an indexer that
///         knows only the documented bond-balance rule (IProverMarket: `reserveCollateral`, `BondReleased`):
///         - a take (`BidCommitted` with a bond; `RequestAssigned` of a Dutch or standing-ask request) comes from the
///           bond balance when it covers the whole amount, else from the vault;
///         - a return (`BondReleased`; `RequestFulfilled` of a job that was assigned, for `minCollateral` of its terms)
///           goes to the bond balance once the prover has reserved in that asset, else to the vault;
///         - `CollateralReserved` / `CollateralReleased` carry the new bond balance;
///         - `ProverSlashed` / `BondForfeited` take the amount out of what is outstanding.
///         The indexer also counts the collateral outstanding per prover and asset from the same events.
contract BondConservationHandler is MarketHandler {
    // Indexer state, rebuilt from the market's events only.
    mapping(bytes32 => T.Request) internal _terms;
    mapping(bytes32 => bool) internal _known;
    /// @dev The request has an assigned prover whose job collateral is outstanding (RequestAssigned seen, no
    ///      SecondaryOpened or RequestFulfilled since).
    mapping(bytes32 => bool) internal _assigned;
    mapping(address => mapping(uint8 => uint256)) public idxBond;
    mapping(address => mapping(uint8 => uint256)) public idxOutstanding;
    mapping(address => mapping(uint8 => bool)) public idxOptedIn;
    /// @dev Set when an event contradicts the indexer (a reserve/release whose new balance does not follow, an
    ///      outstanding amount going negative, an event for an unknown request).
    bool public indexerBroken;
    string public indexerWhy;
    uint256 public nTakesFromBond;
    uint256 public nTakesFromVault;
    uint256 public nReturnsToBond;
    uint256 public nReturnsToVault;
    uint256 public nReserved;
    uint256 public nReleased;

    constructor(
        IProverMarket market_,
        CollateralVault vault_,
        MockVerifier verifier_,
        MockERC20 token_,
        uint32 circuitId_,
        uint8 tokenAsset_,
        address treasury_,
        address[] memory provers_,
        address[] memory requesters_,
        uint256[] memory pubs_
    )
        MarketHandler(
            market_, vault_, verifier_, token_, circuitId_, tokenAsset_, treasury_, provers_, requesters_, pubs_
        )
    {}

    /// @dev A fuzzer's call: the actions it calls on `this` are steps of it (see `MarketHandler.action`).
    modifier recorded() {
        _inStep = true;
        ++steps;
        vm.recordLogs();
        _;
        _index(vm.getRecordedLogs());
        _inStep = false;
    }

    // ------------------------------------------------------------------ recorded actions (the fuzz targets)

    function r_submit(uint256 m, uint96 f, uint96 c, bool ru, bool tk, uint256 w) external recorded {
        this.submit(m, f, c, ru, tk, w);
    }

    function r_postAsk(uint256 p, uint96 price, uint32 cap) external recorded {
        this.postAsk(p, price, cap);
    }

    function r_commitBid(uint256 s, uint256 p, uint96 f, uint32 l) external recorded {
        this.commitBid(s, p, f, l);
    }

    function r_revealBids(uint256 s, uint256 skip, bool leaveOne) external recorded {
        this.revealBids(s, skip, leaveOne);
    }

    function r_settle(uint256 s) external recorded {
        this.settle(s);
    }

    function r_lockDutch(uint256 s, uint256 p) external recorded {
        this.lockDutch(s, p);
    }

    function r_fulfill(uint256 s, bool bad) external recorded {
        this.fulfill(s, bad);
    }

    function r_deliverOpen(uint256 s, uint256 p) external recorded {
        this.deliverOpen(s, p);
    }

    function r_slash(uint256 s) external recorded {
        this.slash(s);
    }

    function r_cancel(uint256 s) external recorded {
        this.cancel(s);
    }

    function r_expire(uint256 s) external recorded {
        this.expire(s);
    }

    function r_forfeitBond(uint256 s, uint256 p) external recorded {
        this.forfeitBond(s, p);
    }

    function r_acceptMatch(uint256 s, uint8 how) external recorded {
        this.acceptMatch(s, how);
    }

    function r_warp(uint32 secs) external recorded {
        this.warp(secs);
    }

    function r_vaultWithdraw(uint256 p, uint128 a, bool complete, bool tk) external recorded {
        this.vaultWithdraw(p, a, complete, tk);
    }

    function r_deposit(uint256 p, uint96 a, bool tk) external recorded {
        this.deposit(p, a, tk);
    }

    function r_reserveCollateral(uint256 p, uint96 a, bool tk) external recorded {
        this.reserveCollateral(p, a, tk);
    }

    function r_releaseCollateral(uint256 p, uint96 a, bool tk) external recorded {
        this.releaseCollateral(p, a, tk);
    }

    function r_reserveDust(uint256 p, bool tk) external recorded {
        this.reserveDust(p, tk);
    }

    function r_releaseAll(uint256 p, bool tk) external recorded {
        this.releaseAll(p, tk);
    }

    /// @dev Whole lifecycles (see `MarketHandler.lifecycle`) are what takes, moves and returns bonds most often.
    function r_lifecycle(uint256 seed, uint96 collateral, bool runnerUp, bool useToken) external recorded {
        this.lifecycle(seed, collateral, runnerUp, useToken);
    }

    /// @dev A batch returns each request's job collateral like `fulfill` (one `RequestFulfilled` each), summed into one
    ///      vault or bond-balance move per asset: the indexer's per-event rule must still add up.
    function r_fulfillBatch(uint256 seed, uint8 size, uint8 flaw) external recorded {
        this.fulfillBatch(seed, size, flaw);
    }

    // ------------------------------------------------------------------ the indexer

    function _broken(string memory why) internal {
        if (!indexerBroken) {
            indexerBroken = true;
            indexerWhy = why;
        }
    }

    function _take(address p, uint8 asset, uint256 amount) internal {
        idxOutstanding[p][asset] += amount;
        if (idxBond[p][asset] >= amount) {
            idxBond[p][asset] -= amount;
            ++nTakesFromBond;
        } else {
            ++nTakesFromVault;
        }
    }

    function _return(address p, uint8 asset, uint256 amount) internal {
        _drop(p, asset, amount);
        if (idxOptedIn[p][asset]) {
            idxBond[p][asset] += amount;
            ++nReturnsToBond;
        } else {
            ++nReturnsToVault;
        }
    }

    function _drop(address p, uint8 asset, uint256 amount) internal {
        if (idxOutstanding[p][asset] < amount) return _broken("outstanding below zero");
        idxOutstanding[p][asset] -= amount;
    }

    function _request(bytes32 id) internal returns (T.Request storage r) {
        if (!_known[id]) _broken("event for an unknown request");
        r = _terms[id];
    }

    function _index(Vm.Log[] memory logs) internal {
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(market)) continue;
            bytes32 t0 = l.topics[0];
            if (t0 == T.RequestSubmitted.selector) {
                (T.Request memory r) = abi.decode(l.data, (T.Request));
                _terms[l.topics[1]] = r;
                _known[l.topics[1]] = true;
            } else if (t0 == T.CollateralReserved.selector) {
                address p = address(uint160(uint256(l.topics[1])));
                uint8 a = uint8(uint256(l.topics[2]));
                (uint256 amount, uint256 newBal) = abi.decode(l.data, (uint256, uint256));
                if (newBal != idxBond[p][a] + amount) _broken("CollateralReserved: new balance does not follow");
                idxBond[p][a] = newBal;
                idxOptedIn[p][a] = true;
                ++nReserved;
            } else if (t0 == T.CollateralReleased.selector) {
                address p = address(uint160(uint256(l.topics[1])));
                uint8 a = uint8(uint256(l.topics[2]));
                (uint256 amount, uint256 newBal) = abi.decode(l.data, (uint256, uint256));
                if (newBal + amount != idxBond[p][a]) _broken("CollateralReleased: new balance does not follow");
                idxBond[p][a] = newBal;
                ++nReleased;
            } else if (t0 == T.BidCommitted.selector) {
                address p = address(uint160(uint256(l.topics[2])));
                (,, uint8 a, uint256 bond) = abi.decode(l.data, (bytes32, uint8, uint8, uint256));
                if (bond != 0) _take(p, a, bond);
            } else if (t0 == T.RequestAssigned.selector) {
                bytes32 id = l.topics[1];
                address p = address(uint160(uint256(l.topics[2])));
                (,, uint8 a, uint256 collateral) = abi.decode(l.data, (uint256, uint40, uint8, uint256));
                T.Mode mode = _request(id).mode;
                // Sealed settlement and runner-up takeover reassign a bond already taken at commit.
                if ((mode == T.Mode.Dutch || mode == T.Mode.StandingAsk) && collateral != 0) _take(p, a, collateral);
                _assigned[id] = true;
            } else if (t0 == T.AuctionSettled.selector) {
                // The assignment record of a sealed auction (the only one when it is settled inside `fulfill`).
                _assigned[l.topics[1]] = true;
            } else if (t0 == T.SecondaryOpened.selector) {
                _assigned[l.topics[1]] = false;
            } else if (t0 == T.RequestFulfilled.selector) {
                bytes32 id = l.topics[1];
                address p = address(uint160(uint256(l.topics[2])));
                T.Request storage r = _request(id);
                // Only a fulfilment by the assigned prover returns job collateral; a secondary or open-race delivery
                // (also `RequestFulfilled`) returns nothing.
                if (_assigned[id] && r.minCollateral != 0) _return(p, r.assetId, r.minCollateral);
                _assigned[id] = false;
            } else if (t0 == T.BondReleased.selector) {
                address p = address(uint160(uint256(l.topics[2])));
                (uint8 a, uint256 amount) = abi.decode(l.data, (uint8, uint256));
                _return(p, a, amount);
            } else if (t0 == T.ProverSlashed.selector) {
                address p = address(uint160(uint256(l.topics[2])));
                (uint8 a, uint256 amount) = abi.decode(l.data, (uint8, uint256));
                _drop(p, a, amount);
            } else if (t0 == T.BondForfeited.selector) {
                address p = address(uint160(uint256(l.topics[2])));
                (uint8 a, uint256 amount) = abi.decode(l.data, (uint8, uint256));
                _drop(p, a, amount);
            }
        }
    }
}

/// @notice Conservation of collateral between the vault and the market's bond balances under random lifecycles:
///         for every prover and asset, `vault.lockedBalance == bondBalance + collateral outstanding in the market`,
///         where the outstanding collateral is derived independently (a) from the market's request state and (b) from
///         the market's events by an indexer that follows the documented rule, which must also rebuild every bond
///         balance exactly.
/// forge-config: default.invariant.runs = 48
/// forge-config: default.invariant.depth = 64
contract BondConservationInvariants is MarketFixture {
    /// @dev How many times `r_lifecycle` is listed among the 21 single steps: 11 of 32 entries, a third of the calls,
    ///      so a run of 64 calls has fewer than 4 lifecycles (the fourth is the first batch) with probability below
    ///      2e-8.
    uint256 internal constant LIFECYCLE_WEIGHT = 11;
    /// @dev The floor holds for runs of at least this many calls (the default depth; deep runs are longer).
    uint256 internal constant MIN_STEPS = 64;
    uint256 internal constant MIN_SUBMITS = 4;

    BondConservationHandler internal handler;

    function setUp() public override {
        super.setUp();
        (address[] memory ps, address[] memory rs) = _participants();
        handler =
            new BondConservationHandler(market, vault, verifier, token, circuitId, tokenAsset, treasury, ps, rs, pubs);
        targetContract(address(handler));
        bytes4[] memory sel = new bytes4[](21 + LIFECYCLE_WEIGHT);
        sel[0] = BondConservationHandler.r_submit.selector;
        sel[1] = BondConservationHandler.r_postAsk.selector;
        sel[2] = BondConservationHandler.r_commitBid.selector;
        sel[3] = BondConservationHandler.r_revealBids.selector;
        sel[4] = BondConservationHandler.r_settle.selector;
        sel[5] = BondConservationHandler.r_lockDutch.selector;
        sel[6] = BondConservationHandler.r_fulfill.selector;
        sel[7] = BondConservationHandler.r_deliverOpen.selector;
        sel[8] = BondConservationHandler.r_slash.selector;
        sel[9] = BondConservationHandler.r_cancel.selector;
        sel[10] = BondConservationHandler.r_expire.selector;
        sel[11] = BondConservationHandler.r_forfeitBond.selector;
        sel[12] = BondConservationHandler.r_acceptMatch.selector;
        sel[13] = BondConservationHandler.r_warp.selector;
        sel[14] = BondConservationHandler.r_vaultWithdraw.selector;
        sel[15] = BondConservationHandler.r_deposit.selector;
        sel[16] = BondConservationHandler.r_reserveCollateral.selector;
        sel[17] = BondConservationHandler.r_releaseCollateral.selector;
        sel[18] = BondConservationHandler.r_reserveDust.selector;
        sel[19] = BondConservationHandler.r_releaseAll.selector;
        sel[20] = BondConservationHandler.r_fulfillBatch.selector;
        // Whole lifecycles are what moves bonds; the single steps interleave them.
        for (uint256 i = 21; i < sel.length; ++i) {
            sel[i] = BondConservationHandler.r_lifecycle.selector;
        }
        targetSelector(FuzzSelector(address(handler), sel));
    }

    /// @dev Whether `p` has `r.minCollateral` outstanding for request `r`, from the market's state alone.
    function _backs(T.Request memory r, address p) internal view returns (bool) {
        if (r.minCollateral == 0) return false;
        bytes32 id = keccak256(abi.encode(r));
        T.RequestView memory s = market.requestState(id);
        if (r.mode != T.Mode.SealedBid) return s.status == T.Status.Assigned && s.prover == p;
        (,, uint8 lane,, bytes32 commitment) = handler.bids(id, p);
        // A commitment keeps its bond in every status until forfeited or reclaimed; the best bid and the kept runner-up
        // keep theirs while their lanes are held; after a slash a taken-over runner-up is the assigned prover.
        if (market.bidStatus(id, p, lane, commitment) != T.BidStatus.None) return true;
        return s.status == T.Status.Assigned && s.prover == p;
    }

    function _outstanding(address p, uint8 asset) internal view returns (uint256 sum) {
        uint256 n = handler.requestCount();
        for (uint256 i; i < n; ++i) {
            T.Request memory r = handler.requestAt(i);
            if (r.assetId == asset && _backs(r, p)) sum += r.minCollateral;
        }
    }

    /// @notice One campaign, every check (each `invariant_` function is a campaign of its own).
    function invariant_lockedEqualsBondBalancePlusOutstanding() public view {
        assertFalse(handler.indexerBroken(), handler.indexerWhy());
        uint256 np = handler.proverCount();
        for (uint256 i; i < np; ++i) {
            address p = handler.provers(i);
            for (uint8 asset; asset < 2; ++asset) {
                uint256 locked = vault.lockedBalance(p, asset);
                uint256 bond = market.bondBalance(p, asset);
                assertEq(locked, bond + _outstanding(p, asset), "locked == bond balance + outstanding (state)");
                assertEq(handler.idxBond(p, asset), bond, "indexer rebuilds the bond balance from events");
                assertEq(
                    locked, handler.idxBond(p, asset) + handler.idxOutstanding(p, asset), "locked == indexer totals"
                );
            }
        }
    }

    /// @notice What a run reached (see `ProverMarketInvariants.afterInvariant`): bonds are taken and returned by
    ///         submissions that are fulfilled, slashed or delivered openly, so each must happen in every run.
    function afterInvariant() public view {
        if (handler.steps() < MIN_STEPS) return;
        assertGe(handler.nSubmitted(), MIN_SUBMITS, "submits in the run");
        assertGe(handler.nFulfilled(), 1, "fulfilments by the assigned prover in the run");
        assertGe(handler.nDelivered(), 1, "open deliveries in the run");
        assertGe(handler.nSlashed(), 1, "slashes in the run");
        assertGe(handler.nTakesFromBond() + handler.nTakesFromVault(), 1, "bonds taken in the run");
        assertGe(handler.nReturnsToBond() + handler.nReturnsToVault(), 1, "bonds returned in the run");
        assertGe(handler.nBatches(), 1, "batches in the run");
    }
}
