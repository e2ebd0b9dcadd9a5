// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";

/// @notice Bond balances: collateral the vault keeps locked for the market, backing no job, that bids and jobs take
///         without a vault call (`reserveCollateral`, `releaseCollateral`, and every take and release in between).
contract ProverMarketCollateralTest is MarketFixture {
    // =================================================================== reserve and release

    function test_reserveCollateral_movesFreeIntoBondBalance() public {
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CollateralReserved(p1, 0, 3 ether, 3 ether);
        vm.prank(p1);
        market.reserveCollateral(0, 3 ether);
        assertEq(market.bondBalance(p1, 0), 3 ether);
        assertEq(vault.freeBalance(p1, 0), 7 ether);
        assertEq(vault.lockedBalance(p1, 0), 3 ether, "still locked in the vault");
        assertEq(_backing(p1, 0), 0, "backs nothing yet");
    }

    function test_releaseCollateral_returnsToFreeThenUnbonds() public {
        vm.startPrank(p1);
        market.reserveCollateral(0, 3 ether);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CollateralReleased(p1, 0, 2 ether, 1 ether);
        market.releaseCollateral(0, 2 ether);
        assertEq(market.bondBalance(p1, 0), 1 ether);
        assertEq(vault.freeBalance(p1, 0), 9 ether);
        // Back in the free balance, it leaves only through the vault's unbonding delay.
        vault.requestWithdrawal(0, 9 ether);
        vm.expectRevert();
        vault.completeWithdrawal(0, p1);
        vm.stopPrank();
    }

    function test_reserveCollateral_revertsOnZeroShortOrUnknown() public {
        vm.startPrank(p1);
        vm.expectRevert(T.ZeroAmount.selector);
        market.reserveCollateral(0, 0);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.InsufficientFree.selector, p1, 0, 11 ether, 10 ether));
        market.reserveCollateral(0, 11 ether);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.UnknownAsset.selector, 7));
        market.reserveCollateral(7, 1);
        vm.stopPrank();
        assertEq(market.bondBalance(p1, 0), 0);
        assertEq(vault.freeBalance(p1, 0), 10 ether, "nothing moved");
    }

    function test_releaseCollateral_revertsBeyondBondBalance() public {
        vm.startPrank(p1);
        vm.expectRevert(T.ZeroAmount.selector);
        market.releaseCollateral(0, 0);
        market.reserveCollateral(0, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(T.InsufficientBondBalance.selector, p1, 0, 1 ether + 1, 1 ether));
        market.releaseCollateral(0, 1 ether + 1);
        vm.stopPrank();
    }

    /// @dev A bond taken for a bid leaves the bond balance, so it cannot be released while it backs the bid.
    function test_releaseCollateral_cannotFreeAnOutstandingBond() public {
        vm.prank(p1);
        market.reserveCollateral(0, COLLATERAL);
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, 0.05 ether, 100);
        assertEq(market.bondBalance(p1, 0), 0, "the bond came from the bond balance");
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.InsufficientBondBalance.selector, p1, 0, 1, 0));
        market.releaseCollateral(0, 1);
        assertEq(_backing(p1, 0), COLLATERAL, "still backs the bid");
    }

    // =================================================================== takes and releases

    function test_commitBid_takesBondFromBondBalanceWithoutVaultCall() public {
        vm.prank(p1);
        market.reserveCollateral(0, 2 ether);
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        vm.expectCall(address(vault), abi.encodeWithSelector(ICollateralVault.lock.selector), uint64(0));
        _commit(r, p1, 0.05 ether, 100);
        assertEq(market.bondBalance(p1, 0), 2 ether - COLLATERAL);
        assertEq(vault.lockedBalance(p1, 0), 2 ether, "the vault's locked balance did not move");
        assertEq(vault.freeBalance(p1, 0), 8 ether);
    }

    /// @dev A bond balance short of the whole bond is left alone: the bond is locked in the vault instead.
    function test_commitBid_locksInVaultWhenBondBalanceShort() public {
        vm.prank(p1);
        market.reserveCollateral(0, COLLATERAL - 1);
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        vm.expectCall(address(vault), abi.encodeCall(ICollateralVault.lock, (p1, 0, COLLATERAL)), uint64(1));
        _commit(r, p1, 0.05 ether, 100);
        assertEq(market.bondBalance(p1, 0), COLLATERAL - 1, "untouched");
        assertEq(vault.freeBalance(p1, 0), 10 ether - (COLLATERAL - 1) - COLLATERAL);
        assertEq(_backing(p1, 0), COLLATERAL);
    }

    /// @dev Once a prover has reserved, bonds of losing bids and the winner's job collateral all come back to the bond
    ///      balance, with no vault call (here the bonds themselves still came from the vault: 1 wei does not cover one).
    function test_sealedLifecycle_releasesEveryBondIntoBondBalance() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        address[3] memory ps = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            vm.prank(ps[i]);
            market.reserveCollateral(0, 1);
            _commit(r, ps[i], uint96(0.05 ether + i * 0.01 ether), 100);
        }
        _toReveal(r);
        for (uint256 i; i < 3; ++i) {
            _reveal(r, ps[i], uint96(0.05 ether + i * 0.01 ether), 100);
        }
        assertEq(market.bondBalance(p3, 0), COLLATERAL + 1, "third released at reveal");
        _toSettle(r);
        uint256[8] memory proof = _proof();
        vm.expectCall(address(vault), abi.encodeWithSelector(ICollateralVault.unlock.selector), uint64(0));
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        for (uint256 i; i < 3; ++i) {
            assertEq(market.bondBalance(ps[i], 0), COLLATERAL + 1, "back in the bond balance");
            assertEq(vault.lockedBalance(ps[i], 0), COLLATERAL + 1, "still locked in the vault");
            assertEq(_backing(ps[i], 0), 0, "backs nothing");
            assertEq(vault.freeBalance(ps[i], 0), 10 ether - COLLATERAL - 1);
        }
        // The next bid of each of them takes the bond from the bond balance.
        T.Request memory r2 = _req(T.Mode.SealedBid);
        _submit(r2);
        vm.expectCall(address(vault), abi.encodeWithSelector(ICollateralVault.lock.selector), uint64(0));
        _commit(r2, p2, 0.05 ether, 100);
        assertEq(market.bondBalance(p2, 0), 1);
    }

    /// @dev A prover that never reserved gets its released bonds back in its free vault balance, as without bond
    ///      balances; a reserve down to zero keeps it opted in.
    function test_release_withoutReserve_goesBackToVaultFree() public {
        T.Request memory r = _req(T.Mode.Dutch);
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        uint256[8] memory proof = _proof();
        vm.expectCall(address(vault), abi.encodeCall(ICollateralVault.unlock, (p1, 0, COLLATERAL)), uint64(1));
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(vault.freeBalance(p1, 0), 10 ether);
        assertEq(vault.lockedBalance(p1, 0), 0);
        assertEq(market.bondBalance(p1, 0), 0);

        vm.startPrank(p1);
        market.reserveCollateral(0, 0.5 ether);
        market.releaseCollateral(0, 0.5 ether);
        vm.stopPrank();
        T.Request memory r2 = _req(T.Mode.Dutch);
        _submit(r2);
        vm.prank(p1);
        market.lockDutch(r2);
        vm.prank(p1);
        market.fulfill(r2, proof, pubs);
        assertEq(market.bondBalance(p1, 0), COLLATERAL, "opted in: back to the bond balance");
        assertEq(vault.freeBalance(p1, 0), 10 ether - COLLATERAL);
    }

    /// @dev A slash takes the job collateral out of the vault's locked balance; the rest of the bond balance stays.
    function test_slash_afterBondBalanceTake_leavesRestOfBondBalance() public {
        vm.prank(p1);
        market.reserveCollateral(0, 3 ether);
        T.Request memory r = _req(T.Mode.Dutch);
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        assertEq(market.bondBalance(p1, 0), 3 ether - COLLATERAL);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        assertEq(vault.lockedBalance(p1, 0), 3 ether - COLLATERAL, "exactly the job collateral taken");
        assertEq(market.bondBalance(p1, 0), 3 ether - COLLATERAL, "bond balance untouched");
        assertEq(_backing(p1, 0), 0);
        vm.prank(p1);
        market.releaseCollateral(0, 3 ether - COLLATERAL);
        assertEq(vault.lockedBalance(p1, 0), 0, "the whole rest can leave");
    }

    /// @dev An unrevealed bid's bond, taken from the bond balance, is forfeited from the vault's locked balance.
    function test_forfeitBond_fromBondBalanceTake() public {
        vm.prank(p1);
        market.reserveCollateral(0, COLLATERAL);
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        bytes32 c = _commit(r, p1, 0.05 ether, 100);
        _toSettle(r);
        market.forfeitBond(r, p1, 0, c);
        assertEq(vault.lockedBalance(p1, 0), 0);
        assertEq(market.bondBalance(p1, 0), 0);
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), COLLATERAL, "burnt");
        assertEq(vault.claimableBalance(requester, 0), 0, "never to the requester");
    }

    /// @dev A standing ask matches a prover whose only collateral is its bond balance.
    function test_standingAsk_matchesProverHoldingBondBalanceOnly() public {
        vm.startPrank(p1);
        market.reserveCollateral(0, 10 ether);
        book.postAsk(circuitId, 50_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.stopPrank();
        assertEq(vault.freeBalance(p1, 0), 0);
        T.Request memory r = _req(T.Mode.StandingAsk);
        bytes32 id = _submit(r);
        assertEq(_state(id).prover, p1, "matched");
        assertEq(market.bondBalance(p1, 0), 10 ether, "nothing taken before acceptance");
        vm.prank(p1);
        market.acceptMatch(r);
        assertEq(market.bondBalance(p1, 0), 10 ether - COLLATERAL);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.bondBalance(p1, 0), 10 ether, "collateral back");
    }

    /// @dev Neither the bond balance nor the free balance backs the ask any more: it is removed, not taken.
    function test_standingAsk_skipsProverWithoutCollateral() public {
        vm.startPrank(p1);
        book.postAsk(circuitId, 50_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vault.requestWithdrawal(0, 10 ether);
        vm.stopPrank();
        vm.prank(p2);
        book.postAsk(circuitId, 60_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        T.Request memory r = _req(T.Mode.StandingAsk);
        bytes32 id = _submit(r);
        assertEq(_state(id).prover, p2, "the cheaper ask had no collateral");
    }
}
