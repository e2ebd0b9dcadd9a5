// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "./utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../src/interfaces/IProverMarket.sol";
import {IAskBook} from "../src/interfaces/IAskBook.sol";

/// @notice The ask book on its own: posting rules, ordering, stale asks, the market-only take/release/restore, views.
contract AskBookTest is MarketFixture {
    uint40 internal expiry;

    function setUp() public override {
        super.setUp();
        expiry = uint40(block.timestamp + 1 days);
    }

    function _post(address p, uint96 price) internal {
        vm.prank(p);
        book.postAsk(circuitId, price, 300, 2, 0, 2 ether, expiry, address(0));
    }

    function test_postAsk_recordsEveryField() public {
        vm.expectEmit(true, true, false, true, address(book));
        emit IAskBook.AskPosted(circuitId, p1, 7, 300, 2, 0, 2 ether, expiry, address(0));
        _post(p1, 7);
        IAskBook.Ask memory a = book.askOf(circuitId, p1);
        assertEq(a.pricePerUnit, 7);
        assertEq(a.maxLatency, 300);
        assertEq(a.capacity, 2);
        assertTrue(a.listed, "listed");
        assertEq(a.assetId, 0);
        assertEq(a.maxCollateral, 2 ether);
        assertEq(a.expiresAt, expiry);
    }

    function test_postAsk_refusesExpiryOutOfRange() public {
        uint256 latest = block.timestamp + book.MAX_ASK_LIFETIME();
        vm.startPrank(p1);
        vm.expectRevert(
            abi.encodeWithSelector(IAskBook.AskExpiryOutOfRange.selector, block.timestamp, block.timestamp + 1, latest)
        );
        book.postAsk(circuitId, 1, 300, 2, 0, 2 ether, uint40(block.timestamp), address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IAskBook.AskExpiryOutOfRange.selector, latest + 1, block.timestamp + 1, latest)
        );
        book.postAsk(circuitId, 1, 300, 2, 0, 2 ether, uint40(latest + 1), address(0));
        vm.stopPrank();
    }

    function test_postAsk_backingFromBondBalanceCounts() public {
        vm.startPrank(p1);
        market.reserveCollateral(0, 10 ether); // free balance 0, bond balance 10
        book.postAsk(circuitId, 1, 300, 2, 0, 10 ether, expiry, address(0));
        vm.expectRevert(abi.encodeWithSelector(IAskBook.AskNotBacked.selector, p1, 0, 10 ether + 1));
        book.postAsk(circuitId, 1, 300, 2, 0, 10 ether + 1, expiry, address(0));
        vm.stopPrank();
    }

    /// @dev The tail follows every insertion and removal (eviction relies on it).
    function test_tail_followsInsertsAndRemovals() public {
        _post(p1, 10);
        _post(p2, 30);
        _post(p3, 20);
        (address[] memory provers,) = book.topAsks(circuitId, 10);
        assertEq(provers[2], p2, "dearest last");
        vm.prank(p2);
        book.cancelAsk(circuitId);
        assertEq(book.askOf(circuitId, p3).next, address(0), "p3 is the tail now");
        _post(p4, 40);
        assertEq(book.askOf(circuitId, p4).prev, p3);
    }

    /// @dev `take` from `start` skips the asks before it (a rematch does not go back to an ask that declined).
    function test_take_startsAfterTheGivenAsk() public {
        _post(p1, 10);
        _post(p2, 20);
        _post(p3, 30);
        IAskBook.Wanted memory w = IAskBook.Wanted(UNITS, 0, MAX_FEE, 600, 0, COLLATERAL);
        vm.startPrank(address(market));
        assertEq(book.take(circuitId, w, address(0)).prover, p1);
        assertEq(book.take(circuitId, w, p1).prover, p2);
        assertEq(book.take(circuitId, w, p2).prover, p3);
        assertEq(book.take(circuitId, w, p3).prover, address(0), "none after the last");
        vm.stopPrank();
    }

    function test_release_restoresOrRemoves() public {
        _post(p1, 10);
        IAskBook.Wanted memory w = IAskBook.Wanted(UNITS, 0, MAX_FEE, 600, 0, COLLATERAL);
        vm.startPrank(address(market));
        book.take(circuitId, w, address(0));
        assertEq(book.askOf(circuitId, p1).capacity, 1);
        book.release(circuitId, p1, false);
        assertEq(book.askOf(circuitId, p1).capacity, 2, "given back");
        vm.expectEmit(true, true, false, true, address(book));
        emit IAskBook.AskRemoved(circuitId, p1, IAskBook.Removal.Silent);
        book.release(circuitId, p1, true);
        vm.stopPrank();
        assertFalse(book.askOf(circuitId, p1).listed, "removed");
        assertEq(book.askCount(circuitId), 0);
    }

    /// @dev After MAX_MATCH_ATTEMPTS matches a standing-ask request opens for secondary delivery.
    function test_rematch_boundedByMaxAttempts() public {
        address[10] memory ps;
        for (uint256 i; i < 10; ++i) {
            ps[i] = address(uint160(0xE000 + i));
            vm.deal(ps[i], 1 ether);
            vm.startPrank(ps[i]);
            vault.depositEth{value: 1 ether}();
            book.postAsk(circuitId, uint96(10 + i), 300, 2, 0, 1 ether, expiry, address(0));
            vm.stopPrank();
        }
        T.Request memory r = _req(T.Mode.StandingAsk);
        bytes32 id = _submit(r);
        uint256 attempts = market.MAX_MATCH_ATTEMPTS();
        for (uint256 i; i < attempts; ++i) {
            assertEq(_state(id).prover, ps[i]);
            vm.prank(ps[i]);
            market.declineMatch(r);
        }
        assertEq(uint8(_state(id).status), uint8(T.Status.Secondary), "no ninth match");
    }
}
