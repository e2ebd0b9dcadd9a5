// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttackFixture} from "./AttackFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Terms that hold bonds hostage or change under a job in flight: windows and the protocol fee.
contract ParameterAttacksTest is AttackFixture {
    /// @dev A reveal phase too short to land a reveal (bonds would then be forfeited) is refused at submission.
    function test_attack_revealWindowTooShort() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.revealDeadline = r.bidDeadline + 11;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, 11, 12, 7 days));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
        r.revealDeadline = r.bidDeadline + 12;
        _submit(r);
    }

    /// @dev Deadlines far enough out to hold bonds or collateral hostage are refused: commit phase, reveal phase,
    ///      Dutch ramp and proving window each at most MAX_WINDOW.
    function test_attack_hostageDeadlines() public {
        uint256 max = market.MAX_WINDOW();
        T.Request memory r = _req(T.Mode.SealedBid);
        r.bidDeadline = uint40(block.timestamp + max + 1);
        r.revealDeadline = r.bidDeadline + 100;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, max + 1, 1, max));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.SealedBid);
        r.revealDeadline = uint40(r.bidDeadline + max + 1);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, max + 1, 12, max));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.Dutch);
        r.provingWindow = uint32(max + 1);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, max + 1, 1, max));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.Dutch);
        r.bidDeadline = uint40(block.timestamp + max + 1);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, max + 1, 1, max));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    /// @dev The owner raising the protocol fee cannot reach a job in flight: the change waits PARAMS_DELAY and then
    ///      applies only to requests submitted under it (each request carries its fee); a request that claims a fee
    ///      other than the effective one is refused.
    function test_attack_feeChangeInFlight() public {
        T.Request memory r = _req(T.Mode.Dutch);
        r.provingWindow = 3 days; // still in flight when the change takes effect
        _submit(r); // under a 0% fee
        vm.prank(p1);
        market.lockDutch(r);
        market.proposeProtocolFee(1_000); // 10%
        (uint16 pending, uint40 at) = market.pendingProtocolFee();
        assertEq(pending, 1_000);
        assertEq(at, block.timestamp + market.PARAMS_DELAY());
        vm.expectRevert(abi.encodeWithSelector(T.ParamsNotReady.selector, at));
        market.activateProtocolFee();
        assertEq(market.effectiveProtocolFee(), 0, "not before the delay");
        vm.warp(at);
        assertEq(market.effectiveProtocolFee(), 1_000);
        uint256 price = market.dutchPrice(r);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), price, "the fee in force at submission: none");
        assertEq(market.balanceOf(treasury), 0);

        T.Request memory stale = _req(T.Mode.Dutch);
        stale.protocolFeeBps = 0;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.ProtocolFeeMismatch.selector, 0, 1_000));
        market.submitRequest{value: MAX_FEE}(stale, "input", "", pubs);
    }

    /// @dev Only the owner proposes, within the cap; a new proposal replaces the pending one and restarts the delay.
    function test_attack_feeProposalBoundedAndOwnerOnly() public {
        vm.prank(p1);
        vm.expectRevert();
        market.proposeProtocolFee(1);
        vm.expectRevert(abi.encodeWithSelector(T.ParamOutOfRange.selector, 1_001, 0, 1_000));
        market.proposeProtocolFee(1_001);
        market.proposeProtocolFee(500);
        vm.warp(block.timestamp + 1 days);
        market.proposeProtocolFee(100);
        (, uint40 at) = market.pendingProtocolFee();
        assertEq(at, block.timestamp + market.PARAMS_DELAY(), "the delay restarts");
    }
}
