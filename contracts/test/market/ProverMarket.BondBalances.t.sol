// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {IAskBook} from "../../src/interfaces/IAskBook.sol";

/// @dev Cheatcode not declared in `Vm.sol`.
interface VmStorage {
    function load(address target, bytes32 slot) external view returns (bytes32);
}

/// @notice Market bond balances (`reserveCollateral`): edge cases of opting in, the +1 encoding, assets, slashes and
///         takeovers, the ask book's collateral check, and what the events do and do not say. Every test checks the
///         conservation `vault.lockedBalance == bondBalance + collateral backing bids and jobs` where it matters.
contract ProverMarketBondBalancesTest is MarketFixture {
    VmStorage internal constant vmStorage = VmStorage(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    /// @dev Storage slot of `_bondSlots` (`forge inspect ProverMarket storageLayout`).
    uint256 internal constant BOND_SLOTS_SLOT = 12;

    function _rawSlot(address p, uint8 assetId) internal view returns (uint256) {
        bytes32 inner = keccak256(abi.encode(p, BOND_SLOTS_SLOT));
        return uint256(vmStorage.load(address(market), keccak256(abi.encode(uint256(assetId), inner))));
    }

    function _fundToken(address p, uint256 amount) internal {
        token.mint(p, amount);
        vm.startPrank(p);
        token.approve(address(vault), amount);
        vault.depositToken(tokenAsset, amount);
        vm.stopPrank();
    }

    // =================================================================== opting in, encoding

    /// @dev The slot reads 0 until the first reserve, then balance + 1 for good: a release to zero and a take to zero
    ///      both leave 1 (the prover stays opted in), never 0.
    function test_encoding_slotIsBalancePlusOneAndNeverEmptiesAgain() public {
        assertEq(_rawSlot(p1, 0), 0, "never used");
        vm.prank(p1);
        market.reserveCollateral(0, COLLATERAL);
        assertEq(_rawSlot(p1, 0), COLLATERAL + 1);
        T.Request memory r = _req(T.Mode.Dutch);
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r); // takes exactly the whole balance
        assertEq(market.bondBalance(p1, 0), 0);
        assertEq(_rawSlot(p1, 0), 1, "a take to zero keeps the slot");
        assertEq(vault.lockedBalance(p1, 0), COLLATERAL, "no vault call: still locked once");
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(_rawSlot(p1, 0), COLLATERAL + 1);
        vm.prank(p1);
        market.releaseCollateral(0, COLLATERAL);
        assertEq(_rawSlot(p1, 0), 1, "a release to zero keeps the slot");
        assertEq(vault.lockedBalance(p1, 0), 0);
        assertEq(vault.freeBalance(p1, 0), 10 ether);
        assertEq(_rawSlot(p1, tokenAsset), 0, "the other asset is untouched");
    }

    /// @dev A prover with bonds locked through the vault path reserves afterwards (1 wei): those bonds, when released,
    ///      land in the bond balance, not in the free balance, and can all be released from there; nothing is lost or
    ///      double counted.
    function test_reserveWhileVaultPathBondsOutstanding_theyComeBackToTheBondBalance() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, 0.09 ether, 100); // vault path (never reserved)
        _commit(r, p2, 0.05 ether, 100);
        _commit(r, p3, 0.06 ether, 100);
        assertEq(vault.lockedBalance(p1, 0), COLLATERAL);
        vm.prank(p1);
        market.reserveCollateral(0, 1);
        assertEq(_backing(p1, 0), COLLATERAL, "the vault-path bond still backs the bid");
        _toReveal(r);
        _reveal(r, p2, 0.05 ether, 100);
        _reveal(r, p3, 0.06 ether, 100);
        _reveal(r, p1, 0.09 ether, 100); // third: released at once
        assertEq(vault.freeBalance(p1, 0), 10 ether - COLLATERAL - 1, "not unlocked in the vault");
        assertEq(market.bondBalance(p1, 0), COLLATERAL + 1, "the vault-path bond came back to the bond balance");
        assertEq(vault.lockedBalance(p1, 0), COLLATERAL + 1);
        assertEq(_backing(p1, 0), 0);
        vm.prank(p1);
        market.releaseCollateral(0, COLLATERAL + 1);
        assertEq(vault.lockedBalance(p1, 0), 0);
        assertEq(vault.freeBalance(p1, 0), 10 ether, "all of it back");
    }

    // =================================================================== assets

    /// @dev Bond balances are per asset: reserving ETH does not opt the token in, so a token bond goes back to the free
    ///      token balance; after a token reserve it goes to the token bond balance. The ETH balance is never touched.
    function test_assets_tokenAndEthBalancesAreSeparate() public {
        _fundToken(p1, 5 ether);
        vm.prank(p1);
        market.reserveCollateral(0, 4 ether);
        T.Request memory r = _req(T.Mode.Dutch);
        r.assetId = tokenAsset;
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r); // no token bond balance: the vault locks tokens
        assertEq(vault.lockedBalance(p1, tokenAsset), COLLATERAL);
        assertEq(market.bondBalance(p1, 0), 4 ether, "ETH bond balance not used for a token job");
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(vault.freeBalance(p1, tokenAsset), 5 ether, "token collateral back to free: not opted in for it");
        assertEq(market.bondBalance(p1, tokenAsset), 0);
        assertEq(market.bondBalance(p1, 0), 4 ether);

        vm.prank(p1);
        market.reserveCollateral(tokenAsset, 2 ether);
        T.Request memory r2 = _req(T.Mode.Dutch);
        r2.assetId = tokenAsset;
        _submit(r2);
        vm.prank(p1);
        market.lockDutch(r2);
        assertEq(market.bondBalance(p1, tokenAsset), 1 ether);
        vm.prank(p1);
        market.fulfill(r2, proof, pubs);
        assertEq(market.bondBalance(p1, tokenAsset), 2 ether);
        assertEq(vault.lockedBalance(p1, tokenAsset), 2 ether);
        assertEq(market.bondBalance(p1, 0), 4 ether);
        assertEq(vault.lockedBalance(p1, 0), 4 ether);
    }

    /// @dev An asset id the vault does not know: no bond balance, reserve and take revert in the vault, a release
    ///      reverts on the empty balance, and the ask book skips the ask (its collateral check does not revert).
    function test_assets_unknownAssetId() public {
        uint8 bad = 9;
        assertEq(market.bondBalance(p1, bad), 0);
        vm.startPrank(p1);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.UnknownAsset.selector, bad));
        market.reserveCollateral(bad, 1);
        vm.expectRevert(abi.encodeWithSelector(T.InsufficientBondBalance.selector, p1, bad, 1, 0));
        market.releaseCollateral(bad, 1);
        book.postAsk(circuitId, 50_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.stopPrank();
        T.Request memory r = _req(T.Mode.SealedBid);
        r.assetId = bad;
        _submit(r);
        bytes32 id = market.requestIdOf(r);
        bytes32 c = market.bidCommitment(id, p1, 0.05 ether, 100, _salt(p1));
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.UnknownAsset.selector, bad));
        market.commitBid(r, c, 0);
        T.Request memory a = _req(T.Mode.StandingAsk);
        a.assetId = bad;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.NoMatchingAsk.selector, circuitId));
        market.submitRequest{value: a.maxFee}(a, "input", "", pubs);
    }

    /// @dev Amounts near the limits: a bond balance of 2^128 - 2 (stored 2^128 - 1) and a job collateral of 2^96 - 1.
    function test_hugeAmounts_noOverflowInTheEncoding() public {
        uint256 big = type(uint128).max - 1;
        _fundToken(p1, big);
        vm.prank(p1);
        market.reserveCollateral(tokenAsset, big);
        assertEq(market.bondBalance(p1, tokenAsset), big);
        assertEq(_rawSlot(p1, tokenAsset), type(uint128).max);
        T.Request memory r = _req(T.Mode.Dutch);
        r.assetId = tokenAsset;
        r.minCollateral = type(uint96).max;
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        assertEq(market.bondBalance(p1, tokenAsset), big - type(uint96).max);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        assertEq(vault.lockedBalance(p1, tokenAsset), big - type(uint96).max, "exactly the job collateral");
        vm.prank(p1);
        market.releaseCollateral(tokenAsset, big - type(uint96).max);
        assertEq(vault.lockedBalance(p1, tokenAsset), 0);
        assertEq(_rawSlot(p1, tokenAsset), 1);
    }

    // =================================================================== slashes, takeovers, reclaims

    /// @dev Everything but the job collateral released: the slash still finds the collateral locked (it never depends
    ///      on the bond balance), and a second job's collateral and the rest of the bond balance are not touched.
    function test_slash_neverHitsAnotherJobOrTheBondBalance() public {
        vm.prank(p1);
        market.reserveCollateral(0, 3 ether);
        T.Request memory a = _req(T.Mode.Dutch);
        T.Request memory b = _req(T.Mode.Dutch);
        _submit(a);
        _submit(b);
        vm.startPrank(p1);
        market.lockDutch(a); // from the bond balance
        market.lockDutch(b); // from the bond balance
        market.releaseCollateral(0, 1 ether); // the whole rest
        vm.stopPrank();
        assertEq(market.bondBalance(p1, 0), 0);
        assertEq(vault.lockedBalance(p1, 0), 2 * COLLATERAL, "two jobs backed");
        vm.warp(block.timestamp + a.provingWindow + 1);
        market.slash(a);
        assertEq(vault.lockedBalance(p1, 0), COLLATERAL, "only job a's collateral left");
        assertEq(_backing(p1, 0), COLLATERAL);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.InsufficientBondBalance.selector, p1, 0, 1, 0));
        market.releaseCollateral(0, 1); // job b's collateral cannot be freed
        market.slash(b);
        assertEq(vault.lockedBalance(p1, 0), 0);
        assertEq(vault.freeBalance(p1, 0), 8 ether);
    }

    /// @dev Runner-up takeover with bonds from bond balances: the standby bond stays out of the bond balance (cannot be
    ///      released) until the runner-up delivers; the slashed winner's bond balance is untouched.
    function test_runnerUpTakeover_bondsFromBondBalances() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.onMiss = T.OnMiss.RunnerUp;
        _submit(r);
        address[3] memory ps = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            vm.prank(ps[i]);
            market.reserveCollateral(0, 2 ether);
            _commit(r, ps[i], uint96(0.05 ether + i * 0.01 ether), 100);
        }
        _toReveal(r);
        for (uint256 i; i < 3; ++i) {
            _reveal(r, ps[i], uint96(0.05 ether + i * 0.01 ether), 100);
        }
        _toSettle(r);
        market.settle(r);
        assertEq(market.bondBalance(p3, 0), 2 ether, "outside the top two: back");
        assertEq(market.bondBalance(p2, 0), 1 ether, "standby bond kept");
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.InsufficientBondBalance.selector, p2, 0, 1 ether + 1, 1 ether));
        market.releaseCollateral(0, 1 ether + 1);
        vm.warp(uint256(r.revealDeadline) + 101);
        market.slash(r);
        assertEq(vault.lockedBalance(p1, 0), 1 ether, "the winner lost its job collateral only");
        assertEq(market.bondBalance(p1, 0), 1 ether);
        assertEq(_backing(p2, 0), COLLATERAL, "the runner-up's bond is its job collateral now");
        uint256[8] memory proof = _proof();
        vm.prank(p2);
        market.fulfill(r, proof, pubs);
        assertEq(market.bondBalance(p2, 0), 2 ether);
        assertEq(_backing(p2, 0), 0);
    }


    // =================================================================== ask book

    /// @dev The two balances are not added up: half in each covers neither, so the ask is skipped. The check reads the
    ///      bond balance through the market's fallback while `submitRequest` holds the market's lock (a view: no
    ///      reentrancy error).
    function test_askBook_balancesAreNotCombined() public {
        vm.startPrank(p1);
        book.postAsk(circuitId, 50_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        market.reserveCollateral(0, 9.5 ether); // free 0.5 ether, bond balance 9.5 ether
        market.releaseCollateral(0, 9 ether); // free 9.5 ether, bond balance 0.5 ether
        vault.requestWithdrawal(0, 9 ether); // free 0.5 ether
        vm.stopPrank();
        vm.prank(p2);
        book.postAsk(circuitId, 60_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        T.Request memory r = _req(T.Mode.StandingAsk);
        bytes32 id = _submit(r);
        assertEq(_state(id).prover, p2, "0.5 + 0.5 does not back the 2 ether ask");
        assertFalse(book.askOf(circuitId, p1).listed, "the unbacked ask is removed where the match meets it");
    }

    /// @dev The free balance covers but the bond balance does not: matched, and the vault locks (one or the other).
    function test_askBook_freeCoversBondBalanceShort_locksInVault() public {
        vm.startPrank(p1);
        market.reserveCollateral(0, COLLATERAL - 1);
        book.postAsk(circuitId, 50_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.stopPrank();
        T.Request memory r = _req(T.Mode.StandingAsk);
        bytes32 id = _submit(r);
        assertEq(_state(id).prover, p1);
        vm.prank(p1);
        market.acceptMatch(r);
        assertEq(market.bondBalance(p1, 0), COLLATERAL - 1, "untouched");
        assertEq(_backing(p1, 0), COLLATERAL);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.bondBalance(p1, 0), 2 * COLLATERAL - 1, "returned to the bond balance (opted in)");
        assertEq(_backing(p1, 0), 0);
    }

    // =================================================================== what the events say

    /// @dev `RequestFulfilled` after a slash (secondary delivery) returns no collateral, even to a deliverer that has a
    ///      bond balance and even though the terms carry `minCollateral`: an indexer must not apply the `BondReleased`
    ///      NatSpec sentence about fulfilled jobs to every `RequestFulfilled` (only to a fulfilment by the assigned
    ///      prover, i.e. when the request was Assigned, not Secondary or an open race).
    function test_events_secondaryDeliveryReturnsNoCollateral() public {
        vm.prank(p2);
        market.reserveCollateral(0, 2 ether);
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        _deliverTwoStep(r, id, p2);
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
        assertEq(market.bondBalance(p2, 0), 2 ether, "no collateral came back on this RequestFulfilled");
        assertEq(vault.lockedBalance(p2, 0), 2 ether);
    }

    /// @dev `RequestAssigned` at a sealed settlement carries the collateral but takes nothing (the bid bond becomes the
    ///      job collateral): only Dutch and standing-ask assignments are takes.
    function test_events_sealedSettlementAssignmentIsNoTake() public {
        vm.prank(p1);
        market.reserveCollateral(0, 3 ether);
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, 0.05 ether, 100);
        assertEq(market.bondBalance(p1, 0), 2 ether);
        _toReveal(r);
        _reveal(r, p1, 0.05 ether, 100);
        _toSettle(r);
        vm.expectEmit(true, true, false, false, address(market));
        emit T.RequestAssigned(market.requestIdOf(r), p1, 0, 0, 0, COLLATERAL);
        market.settle(r);
        assertEq(market.bondBalance(p1, 0), 2 ether, "no second take");
        assertEq(vault.lockedBalance(p1, 0), 3 ether);
    }
}
