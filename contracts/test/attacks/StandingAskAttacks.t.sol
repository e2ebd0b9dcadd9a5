// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttackFixture} from "./AttackFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {IAskBook} from "../../src/interfaces/IAskBook.sol";

/// @notice Attacks 1 and 6: a requester stealing a standing-ask prover's collateral, and parties with nothing at risk
///         filling or blocking the ask book.
contract StandingAskAttacksTest is AttackFixture {
    /// @dev Attack 1 as reviewed: a standing-ask request with `minCollateral` = the prover's whole free balance and
    ///      inputs no proof can satisfy, matched at once, then slashed. Now: the ask caps the collateral per job, the
    ///      match locks nothing until the prover accepts, a decline or silence costs it nothing, and the public
    ///      inputs are published for its preflight.
    function test_attack_askCollateralTheft() public {
        _postAsk(p1, 40_000, 2 ether);
        uint256 before = _worth(p1);

        // The whole free balance is more than the ask puts up: no match at all.
        T.Request memory r = _askRequest(10 ether);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.NoMatchingAsk.selector, circuitId));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        // Within the cap: matched, nothing locked, no deadline running, nothing to slash.
        r = _askRequest(2 ether);
        bytes32 id = _submit(r);
        assertEq(uint8(_state(id).status), uint8(T.Status.Matched));
        assertEq(vault.lockedBalance(p1, 0), 0, "nothing locked before acceptance");
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Matched));
        market.slash(r);
        vm.expectRevert(abi.encodeWithSelector(T.NotExpirable.selector, id));
        market.expire(r);

        // Silence: the match lapses, the silent ask leaves the book, the request opens for anyone; p1 lost nothing.
        market.lapseMatch(r);
        assertFalse(book.askOf(circuitId, p1).listed, "the silent ask is removed");
        assertEq(uint8(_state(id).status), uint8(T.Status.Secondary));
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.expire(r);
        assertEq(_worth(p1), before, "silence cost the prover nothing");
        assertEq(market.balanceOf(requester), MAX_FEE, "the requester is only refunded");
    }

    /// @dev The preflight fails (the published public inputs are not what the input proves): the prover declines;
    ///      nothing is locked, its ask keeps its place and capacity, and the request goes to the next ask.
    function test_attack_askDeclineCostsNothingAndMovesOn() public {
        _postAsk(p1, 40_000, 2 ether);
        _postAsk(p2, 50_000, 2 ether);
        uint256 before = _worth(p1);
        T.Request memory r = _askRequest(2 ether);
        bytes32 id = _submit(r);
        assertEq(_state(id).prover, p1);
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.NotMatchedProver.selector, p2, p1));
        market.declineMatch(r);
        vm.prank(p1);
        market.declineMatch(r);
        assertEq(_worth(p1), before, "a decline costs nothing");
        assertTrue(book.askOf(circuitId, p1).listed, "a decline keeps the ask");
        assertEq(book.askOf(circuitId, p1).capacity, 5, "and gives its capacity back");
        T.RequestView memory s = _state(id);
        assertEq(uint8(s.status), uint8(T.Status.Matched));
        assertEq(s.prover, p2, "the next ask");
        vm.prank(p2);
        market.declineMatch(r);
        s = _state(id);
        assertEq(uint8(s.status), uint8(T.Status.Secondary), "no ask left: open for secondary delivery");
        assertEq(s.fee, 50_000 * uint256(UNITS), "at the last matched fee");
    }

    /// @dev A match in another asset than the ask's, or beyond its cap, is never made.
    function test_attack_askCapHoldsPerAsset() public {
        token.mint(p1, 5 ether);
        vm.startPrank(p1);
        token.approve(address(vault), 5 ether);
        vault.depositToken(tokenAsset, 5 ether);
        vm.stopPrank();
        vm.prank(p1);
        book.postAsk(circuitId, 1, 300, 5, tokenAsset, 2 ether, uint40(block.timestamp + 1 days), address(0));
        T.Request memory r = _askRequest(1 ether); // asset 0: the token ask does not fit
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.NoMatchingAsk.selector, circuitId));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    /// @dev Attack 6a as reviewed: 64 throwaway asks with nothing behind them fill the book. Now an ask must be backed
    ///      by at least MIN_ASK_COLLATERAL when posted, and stale asks are removed when the book is full.
    function test_attack_askBookFill() public {
        address nobody = makeAddr("nobody");
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.AskNotBacked.selector, nobody, 0, 0.01 ether));
        book.postAsk(circuitId, 1, 300, 5, 0, 0.01 ether, uint40(block.timestamp + 1 days), address(0));
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.AskCollateralTooLow.selector, 1, 0.01 ether));
        book.postAsk(circuitId, 1, 300, 5, 0, 1, uint40(block.timestamp + 1 days), address(0));

        // Backed at posting, then the collateral is withdrawn: 64 asks fill the book but no longer count.
        for (uint256 i; i < 64; ++i) {
            _throwawayAsk(address(uint160(0xA000 + i)), 1, 300, 5, uint40(block.timestamp + 1 days), true);
        }
        assertEq(book.askCount(circuitId), 64);
        _postAsk(p1, 40_000, 2 ether); // the book makes room: every unbacked ask is removed
        assertEq(book.askCount(circuitId), 1);
        assertEq(book.askHead(circuitId), p1);
    }

    /// @dev A full book of backed asks: a cheaper honest ask evicts the most expensive one; a dearer one is refused.
    function test_attack_fullBookEvictsMostExpensive() public {
        for (uint256 i; i < 64; ++i) {
            _throwawayAsk(
                address(uint160(0xB000 + i)), uint96(100 + i), 300, 5, uint40(block.timestamp + 1 days), false
            );
        }
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.TooManyAsks.selector, circuitId));
        book.postAsk(circuitId, 1_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 1 days), address(0));
        _postAsk(p1, 50, 2 ether);
        assertEq(book.askCount(circuitId), 64);
        assertEq(book.askHead(circuitId), p1);
        assertFalse(book.askOf(circuitId, address(uint160(0xB000 + 63))).listed, "the dearest ask was evicted");
    }

    /// @dev Attack 6b as reviewed: 8 zero-price asks with no collateral behind them sit at the head and use up
    ///      the match scan, so every request that needs collateral reverts. Now unbacked (and expired) asks are removed
    ///      where the match meets them, and asks that do not fit a request are passed over without a scan budget.
    function test_attack_askHeadBlock() public {
        for (uint256 i; i < 8; ++i) {
            _throwawayAsk(address(uint160(0xC000 + i)), 0, 300, 5, uint40(block.timestamp + 1 days), true);
        }
        for (uint256 i; i < 4; ++i) {
            _throwawayAsk(address(uint160(0xD000 + i)), 0, 300, 5, uint40(block.timestamp + 1 hours), false);
        }
        vm.warp(block.timestamp + 2 hours); // these four expired
        _postAsk(p1, 40_000, 2 ether);
        bytes32 id = _submit(_askRequest(1 ether));
        assertEq(_state(id).prover, p1, "the honest ask is matched");
        // The expired asks were removed on the way; the unbacked ones do not fit this request (0.01 < 1 ether), were
        // passed over, and anyone can remove them.
        assertEq(book.askCount(circuitId), 9, "the 4 expired asks were removed");
        for (uint256 i; i < 8; ++i) {
            book.removeStaleAsk(circuitId, address(uint160(0xC000 + i)));
        }
        assertEq(book.askCount(circuitId), 1);
    }

    /// @dev Anyone can remove a stale ask; a live one cannot be removed by others.
    function test_attack_removeStaleAskOnlyWhenStale() public {
        _postAsk(p1, 40_000, 2 ether);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.AskNotStale.selector, circuitId, p1));
        book.removeStaleAsk(circuitId, p1);
        vm.warp(block.timestamp + 1 days);
        book.removeStaleAsk(circuitId, p1);
        assertFalse(book.askOf(circuitId, p1).listed, "removed");
    }
}
