// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";

/// @notice Missed deadlines: slashing, compensation, bounties, runner-up takeover and secondary fulfilment.
contract ProverMarketSlashingTest is MarketFixture {
    uint96 constant F1 = 0.05 ether;
    uint96 constant F2 = 0.06 ether;

    function _auction(T.OnMiss onMiss) internal returns (T.Request memory r, bytes32 id) {
        r = _req(T.Mode.SealedBid);
        r.onMiss = onMiss;
        id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F2, 200);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        _reveal(r, p2, F2, 200);
        _toSettle(r);
    }

    function test_slash_revertsBeforeDeadline() public {
        (T.Request memory r,) = _auction(T.OnMiss.OpenSecondary);
        uint40 deadline = r.revealDeadline + 100;
        vm.expectRevert(abi.encodeWithSelector(T.DeadlineNotPassed.selector, deadline));
        market.slash(r);
    }

    function test_slash_unauthorizedDirectVaultSlashReverts() public {
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.OnlyMarket.selector, p2));
        vault.slash(p1, 0, 1, p2, bytes32(0));
    }

    function test_slash_compensatesRequesterAndOpensSecondary() public {
        (T.Request memory r, bytes32 id) = _auction(T.OnMiss.OpenSecondary);
        market.settle(r);
        vm.warp(uint256(r.revealDeadline) + 101);
        uint256 burned = COLLATERAL / 2; // SLASH_BURN_BPS
        uint256 half = (COLLATERAL - burned) / 2; // the default slash share of the rest
        vm.expectEmit(true, true, false, true, address(market));
        emit T.ProverSlashed(id, p1, 0, COLLATERAL, burned, half, COLLATERAL - burned - half, T.Status.Secondary);
        vm.prank(makeAddr("keeper"));
        market.slash(r);
        assertEq(_backing(p1, 0), 0, "job collateral taken");
        assertEq(vault.freeBalance(p1, 0), 10 ether - COLLATERAL);
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), burned, "half burnt");
        assertEq(vault.claimableBalance(requester, 0), half, "requester compensated");
        assertEq(vault.claimableBalance(address(market), 0), COLLATERAL - burned - half, "bounty held");
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Secondary));
        assertEq(s.bounty, COLLATERAL - burned - half);
        assertEq(s.excluded, p1, "the slashed prover is kept out");
        assertEq(s.deadline, block.timestamp + r.provingWindow);

        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Secondary));
        market.slash(r);

        // Anyone delivers through the two-step path and gets the fee and the bounty.
        _deliverTwoStep(r, id, p3);
        uint256 price = F2 + 1e12 * (200 - 100); // second-score price set at settlement
        assertEq(market.balanceOf(p3), price, "the assigned price");
        assertEq(vault.claimableBalance(p3, 0), COLLATERAL - burned - half, "bounty");
        assertEq(vault.claimableBalance(address(market), 0), 0);
        assertEq(market.balanceOf(requester), MAX_FEE - price);

        uint256 before = p3.balance;
        vm.prank(p3);
        vault.claim(0, COLLATERAL - burned - half, p3);
        assertEq(p3.balance - before, COLLATERAL - burned - half);
    }

    function test_slash_settlesImplicitly() public {
        (T.Request memory r, bytes32 id) = _auction(T.OnMiss.OpenSecondary);
        vm.warp(uint256(r.revealDeadline) + 101);
        market.slash(r);
        assertEq(uint256(_state(id).status), uint256(T.Status.Secondary));
        assertEq(_backing(p2, 0), 0, "second released at its reveal");
        assertEq(market.bidLane(p1, 0), 1, "the slashed winner's lane is free");
    }

    function test_slash_runnerUpTakesOver() public {
        (T.Request memory r, bytes32 id) = _auction(T.OnMiss.RunnerUp);
        market.settle(r);
        assertEq(_backing(p2, 0), COLLATERAL, "runner-up kept on standby");
        vm.warp(uint256(r.revealDeadline) + 101);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestAssigned(id, p2, F2, uint40(block.timestamp + 200), 0, COLLATERAL);
        market.slash(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Assigned));
        assertEq(s.prover, p2);
        assertEq(s.fee, F2, "runner-up paid its own bid");
        assertEq(s.runnerUp, address(0));
        // The slashed winner's and the runner-up's lanes are free (`_best` holds the runner-up now); the winner's bond
        // cannot be forfeited a second time.
        assertEq(market.bidLane(p1, 0) + market.bidLane(p2, 0), 2);
        bytes32 c1 = _commitmentOf(r, p1, F1, 100);
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p1));
        market.forfeitBond(r, p1, 0, c1);

        uint256[8] memory proof = _proof();
        vm.prank(p2);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p2), F2);
        // A takeover has no open delivery to reward: half is burnt and the requester gets the rest, so a winner that
        // misses on purpose for a runner-up it controls loses its whole collateral.
        assertEq(vault.claimableBalance(p2, 0), 0, "no bounty for the runner-up");
        assertEq(vault.claimableBalance(requester, 0), COLLATERAL / 2, "the rest to the requester");
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), COLLATERAL / 2, "half burnt");
        assertEq(_backing(p2, 0), 0);
    }

    function test_slash_runnerUpAlsoMissesThenSecondary() public {
        (T.Request memory r, bytes32 id) = _auction(T.OnMiss.RunnerUp);
        vm.warp(uint256(r.revealDeadline) + 101);
        market.slash(r);
        vm.warp(block.timestamp + 201);
        market.slash(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Secondary));
        // Winner: half burnt, half to the requester (takeover). Runner-up: half burnt, a quarter each to the requester
        // and the bounty.
        assertEq(s.bounty, COLLATERAL / 4, "the runner-up's slash only");
        assertEq(vault.claimableBalance(requester, 0), COLLATERAL / 2 + COLLATERAL / 4);
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), COLLATERAL);

        // Nobody delivers: the requester is refunded and the bounty goes to the treasury.
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.expire(r);
        assertEq(market.balanceOf(requester), MAX_FEE);
        assertEq(vault.claimableBalance(treasury, 0), COLLATERAL / 4);
        assertEq(uint256(_state(id).status), uint256(T.Status.Expired));
    }

    function test_slash_winnerFulfilReleasesStandbyRunnerUp() public {
        (T.Request memory r,) = _auction(T.OnMiss.RunnerUp);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(_backing(p2, 0), 0, "standby released");
        assertEq(_backing(p1, 0), 0);
    }

    function test_slash_dutchWithTokenCollateral() public {
        token.mint(p4, 5 ether);
        vm.startPrank(p4);
        token.approve(address(vault), 5 ether);
        vault.depositToken(tokenAsset, 5 ether);
        vm.stopPrank();
        T.Request memory r = _req(T.Mode.Dutch);
        r.assetId = tokenAsset;
        r.minCollateral = 2 ether;
        bytes32 id = _submit(r);
        vm.prank(p4);
        market.lockDutch(r);
        assertEq(_backing(p4, tokenAsset), 2 ether);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), tokenAsset), 1 ether, "half burnt");
        assertEq(vault.claimableBalance(requester, tokenAsset), 0.5 ether);
        assertEq(_state(id).bounty, 0.5 ether);
        vm.prank(requester);
        vault.claim(tokenAsset, 0.5 ether, requester);
        assertEq(token.balanceOf(requester), 0.5 ether);
    }

    /// @dev The split is fixed in code: half burnt, a quarter to the requester, a quarter held as the bounty.
    function test_slash_splitIsFixed() public {
        assertEq(market.SLASH_BURN_BPS(), 5_000);
        assertEq(market.SLASH_REQUESTER_BPS(), 5_000);
        (T.Request memory r, bytes32 id) = _auction(T.OnMiss.OpenSecondary);
        vm.warp(uint256(r.revealDeadline) + 101);
        market.slash(r);
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), COLLATERAL / 2);
        assertEq(vault.claimableBalance(requester, 0), COLLATERAL / 4);
        assertEq(_state(id).bounty, COLLATERAL / 4);
    }

    function testFuzz_slash_neverExceedsLockedCollateral(uint96 collateral) public {
        collateral = uint96(bound(collateral, 0, 10 ether));
        T.Request memory r = _req(T.Mode.Dutch);
        r.minCollateral = collateral;
        bytes32 id = _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        uint256 lockedBefore = vault.lockedBalance(p1, 0);
        uint256 freeBefore = vault.freeBalance(p1, 0);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        uint256 taken = lockedBefore - vault.lockedBalance(p1, 0);
        assertLe(taken, lockedBefore, "slash <= locked");
        assertEq(taken, collateral, "exactly the job collateral");
        assertEq(vault.freeBalance(p1, 0), freeBefore, "free collateral untouched");
        uint256 burned = vault.claimableBalance(market.BURN_ADDRESS(), 0);
        assertEq(burned, uint256(collateral) * market.SLASH_BURN_BPS() / 10_000, "the stated share is burnt");
        assertEq(vault.claimableBalance(requester, 0) + _state(id).bounty + burned, collateral, "split conserves value");
    }
}
