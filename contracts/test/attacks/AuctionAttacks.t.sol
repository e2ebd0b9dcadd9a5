// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttackFixture} from "./AttackFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Attacks 2, 3 and 4 (sealed bid): requester shills, a second address gaming the lone-bidder rule, and a
///         cancellation after the bids are seen.
contract AuctionAttacksTest is AttackFixture {
    uint96 constant HONEST_BEST = 0.02 ether;
    uint96 constant HONEST_SECOND = 0.08 ether;
    uint32 constant LAT = 100;

    /// @dev The honest auction alone: p1 bids 0.02, p2 0.08; p1 is paid the second score, 0.08 (+ latency terms).
    function _honest(T.Request memory r) internal {
        _commit(r, p1, HONEST_BEST, LAT);
        _commit(r, p2, HONEST_SECOND, LAT);
    }

    /// @dev Attack 2 as reviewed: the requester commits a grid of shill bids from a second address, reveals only the
    ///      one just above the best honest score (pulling the second score down to it) and got every other bond back
    ///      as a forfeit. Now forfeits are burnt and every bond is worth at least maxFee: the requester's total
    ///      (what it pays plus what its shill loses) is worse than not shilling at all.
    function test_attack_shillBidding() public {
        // Baseline: no shill.
        T.Request memory base = _req(T.Mode.SealedBid);
        _submit(base);
        _honest(base);
        _toReveal(base);
        _reveal(base, p1, HONEST_BEST, LAT);
        _reveal(base, p2, HONEST_SECOND, LAT);
        _toSettle(base);
        uint256 before = market.balanceOf(p1);
        uint256[8] memory proof = _proof(); // before the prank: an external call in the arguments would use it up
        vm.prank(p1);
        market.fulfill(base, proof, pubs);
        uint256 honestPay = market.balanceOf(p1) - before;
        assertEq(honestPay, HONEST_SECOND, "second-score price");

        // With a grid of 8 shills from 0.01 to 0.08 ether.
        uint256 attackerBefore = _worth(requester) + _worth(shill) + requester.balance;
        T.Request memory r = _req(T.Mode.SealedBid);
        assertGe(r.minCollateral, r.maxFee, "every bond is worth at least the whole fee");
        _submit(r);
        _honest(r);
        uint96[8] memory grid;
        bytes32[8] memory commits;
        for (uint256 i; i < 8; ++i) {
            grid[i] = uint96(0.01 ether * (i + 1));
            commits[i] = _commit(r, shill, grid[i], LAT, uint8(i));
        }
        _toReveal(r);
        _reveal(r, p1, HONEST_BEST, LAT);
        _reveal(r, p2, HONEST_SECOND, LAT);
        // Reveal only the shill just above the best honest bid (0.03); the others stay sealed.
        _reveal(r, shill, grid[2], LAT, 2);
        _toSettle(r);
        for (uint256 i; i < 8; ++i) {
            if (i != 2) market.forfeitBond(r, shill, uint8(i), commits[i]);
        }
        before = market.balanceOf(p1);
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        uint256 shilledPay = market.balanceOf(p1) - before;
        assertEq(shilledPay, grid[2], "the shill did lower the price");
        uint256 attackerAfter = _worth(requester) + _worth(shill) + requester.balance;
        uint256 cost = attackerBefore - attackerAfter;
        assertEq(cost, shilledPay + 7 * COLLATERAL, "the price paid plus seven burnt bonds");
        assertGt(cost, honestPay, "shilling costs the requester more than it saves");
        assertEq(vault.claimableBalance(requester, 0), 0, "no forfeit reaches the requester");
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), 7 * COLLATERAL, "burnt");
    }

    /// @dev A sealed-bid bond below maxFee is refused at submission, so no shill grid is cheap.
    function test_attack_cheapBondsRefused() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.minCollateral = r.maxFee - 1;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.BidBondBelowMaxFee.selector, r.maxFee - 1, r.maxFee));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    /// @dev Attack 3 as reviewed: a lone bidder was paid its own fee, so revealing a maxFee bid from a second address
    ///      (whose bond comes back) raised its pay to maxFee. Now a lone qualifying bid is paid the reserve, maxFee:
    ///      the shadow bid changes nothing.
    function test_attack_loneBidderShadow() public {
        uint256[2] memory paid;
        for (uint256 withShadow; withShadow < 2; ++withShadow) {
            T.Request memory r = _req(T.Mode.SealedBid);
            _submit(r);
            _commit(r, p1, HONEST_BEST, LAT);
            if (withShadow == 1) _commit(r, shill, MAX_FEE, 1);
            _toReveal(r);
            _reveal(r, p1, HONEST_BEST, LAT);
            if (withShadow == 1) _reveal(r, shill, MAX_FEE, 1);
            _toSettle(r);
            uint256 before = market.balanceOf(p1);
            uint256[8] memory proof = _proof();
            vm.prank(p1);
            market.fulfill(r, proof, pubs);
            paid[withShadow] = market.balanceOf(p1) - before;
        }
        assertEq(paid[0], MAX_FEE, "a lone bid is paid maxFee");
        assertLe(paid[1], paid[0], "a shadow bid cannot raise the pay");
    }

    /// @dev Attack 4 (sealed) as reviewed: the requester cancelled in the reveal phase after seeing the bids, a free
    ///      option. Now a sealed-bid request is a binding offer: never cancellable.
    function test_attack_cancelAfterSeeingBids() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _honest(r);
        _toReveal(r);
        _reveal(r, p1, HONEST_BEST, LAT);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.SealedBid));
        market.cancelRequest(r);
    }
}
