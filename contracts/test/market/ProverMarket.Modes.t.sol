// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {IAskBook} from "../../src/interfaces/IAskBook.sol";
import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";

/// @notice Reverse Dutch, standing asks and the open race, including two-step (commit / reveal) proof submission.
contract ProverMarketModesTest is MarketFixture {
    // =================================================================== reverse Dutch

    function test_dutch_priceRampsFromMinToMax() public {
        T.Request memory r = _req(T.Mode.Dutch); // ramp over 100 s from 0.01 to 0.1 ether
        _submit(r);
        assertEq(market.dutchPrice(r), r.minFee, "start");
        vm.warp(block.timestamp + 50);
        assertEq(market.dutchPrice(r), (uint256(r.minFee) + MAX_FEE) / 2, "halfway");
        vm.warp(r.bidDeadline);
        assertEq(market.dutchPrice(r), MAX_FEE, "end");
    }

    function test_dutch_startPriceRaisedToReserve() public {
        T.Request memory r = _req(T.Mode.Dutch);
        r.minFee = 0;
        _submit(r);
        assertEq(market.dutchPrice(r), UNITS * 1, "reserve floor");
    }

    function test_dutch_firstLockTakesJobAtCurrentPrice() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.warp(block.timestamp + 25);
        uint256 price = market.dutchPrice(r);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestAssigned(id, p1, price, uint40(block.timestamp + r.provingWindow), 0, COLLATERAL);
        vm.prank(p1);
        market.lockDutch(r);
        assertEq(_backing(p1, 0), COLLATERAL);
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Assigned));
        market.lockDutch(r);

        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), price);
        assertEq(market.balanceOf(requester), MAX_FEE - price);
        assertEq(_backing(p1, 0), 0);
    }

    /// @dev The usual lock (minFee above the reserve) keeps the prover in the core slot and derives the price from the
    ///      lock time: the state, `dutchPrice` and the payment all agree with the price emitted at the lock.
    function test_dutch_lockedPriceFollowsLockTime() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.warp(block.timestamp + 37);
        uint256 price = market.dutchPrice(r);
        uint40 deadline = uint40(block.timestamp + r.provingWindow);
        vm.prank(p2);
        market.lockDutch(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Assigned));
        assertEq(s.prover, p2);
        assertEq(s.deadline, deadline);
        assertEq(s.runnerUp, address(0));
        vm.warp(block.timestamp + 50);
        assertEq(market.dutchPrice(r), price, "price fixed at the lock");
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NotAssignedProver.selector, p1, p2));
        market.fulfill(r, proof, pubs);
        vm.prank(p2);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p2), price);
        assertEq(market.balanceOf(requester), MAX_FEE - price);
        s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Fulfilled));
        assertEq(s.prover, address(0), "cleared once fulfilled");
        assertEq(s.reserveFee, 0);
    }

    /// @dev The packed form holds every bit of the prover (reserveFee | bestLatency | secondLatency = 160 bits), also
    ///      for addresses with the top or the low 32 bits set, and the price recomputed from `deadline - provingWindow`
    ///      is exact up to the last lock time whose deadline still fits in uint40.
    function test_dutch_lockedProverPackingHoldsEveryAddressBit() public {
        address[3] memory who =
            [address(type(uint160).max), address(uint160(1) << 159 | 0xffffffff), address(uint160(0x1000))];
        uint256[3] memory at = [uint256(1_700_000_000), 1_800_000_000, (uint256(1) << 40) - 1 - 600 - 37];
        for (uint256 i; i < 3; ++i) {
            vm.deal(who[i], 20 ether);
            vm.prank(who[i]);
            vault.depositEth{value: 10 ether}();
            vm.warp(at[i]);
            T.Request memory r = _req(T.Mode.Dutch);
            r.minFee = 0.02 ether;
            bytes32 id = _submit(r);
            vm.warp(at[i] + 37);
            uint256 price = market.dutchPrice(r);
            vm.prank(who[i]);
            market.lockDutch(r);
            T.RequestView memory s = _state(id);
            assertEq(s.prover, who[i], "packed prover");
            assertEq(s.deadline, at[i] + 37 + r.provingWindow);
            vm.warp(at[i] + 37 + r.provingWindow);
            assertEq(market.dutchPrice(r), price, "price from the lock time");
            uint256[8] memory proof = _proof();
            vm.prank(who[i]);
            market.fulfill(r, proof, pubs);
            assertEq(market.balanceOf(who[i]), price, "paid the lock price");
            assertEq(_backing(who[i], 0), 0, "collateral released");
        }
    }

    /// @dev A reserve above minFee starts the ramp: the price is then stored beside the core slot.
    function test_dutch_lockAboveMinFeeStoresPrice() public {
        T.Request memory r = _req(T.Mode.Dutch);
        r.minFee = 0;
        bytes32 id = _submit(r);
        vm.warp(block.timestamp + 10);
        uint256 price = market.dutchPrice(r);
        assertGt(price, UNITS, "ramping up from the reserve");
        vm.prank(p1);
        market.lockDutch(r);
        T.RequestView memory s = _state(id);
        assertEq(s.prover, p1);
        assertEq(s.fee, price);
        assertEq(market.dutchPrice(r), price, "locked price");
        assertEq(s.reserveFee, UNITS * 1);
        assertEq(s.proverLatency, r.provingWindow);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), price);
    }

    /// @dev A slashed locked job opens for secondary delivery at the locked price (plus the bounty).
    function test_dutch_slashLockedJobSecondaryPaysLockPrice() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.warp(block.timestamp + 60);
        uint256 price = market.dutchPrice(r);
        vm.prank(p1);
        market.lockDutch(r);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Secondary));
        assertEq(s.prover, address(0));
        assertEq(s.fee, price, "secondary fee = locked price");
        assertEq(market.dutchPrice(r), price);
        assertEq(s.bounty, COLLATERAL / 4, "a quarter: half burnt, half of the rest to the requester");
        _deliverTwoStep(r, id, p3);
        assertEq(market.balanceOf(p3), price);
        assertEq(vault.claimableBalance(p3, 0), COLLATERAL / 4, "bounty");
        assertEq(market.balanceOf(requester), MAX_FEE - price);
    }

    function test_dutch_lockRevertsAfterRampEnd() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        uint256 created = block.timestamp;
        vm.warp(uint256(r.bidDeadline) + 1);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NotInPhase.selector, id, block.timestamp, created, r.bidDeadline));
        market.lockDutch(r);
        market.expire(r);
        assertEq(market.balanceOf(requester), MAX_FEE);
    }

    function test_dutch_cancelBeforeLockRefundsAll() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.prank(requester);
        market.cancelRequest(r);
        assertEq(market.balanceOf(requester), MAX_FEE);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Cancelled));
        market.lockDutch(r);
    }

    function test_dutch_cancelAfterLockReverts() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Assigned));
        market.cancelRequest(r);
    }

    function testFuzz_dutch_priceMonotoneWithinBounds(uint256 t1, uint256 t2) public {
        T.Request memory r = _req(T.Mode.Dutch);
        _submit(r);
        uint256 start = block.timestamp;
        t1 = bound(t1, 0, 300);
        t2 = bound(t2, t1, 300);
        vm.warp(start + t1);
        uint256 a = market.dutchPrice(r);
        vm.warp(start + t2);
        uint256 b = market.dutchPrice(r);
        assertLe(a, b, "non-decreasing");
        assertGe(a, r.minFee, "at least the start price");
        assertLe(b, MAX_FEE, "at most the maximum fee");
    }

    // =================================================================== standing asks

    function _askReq() internal returns (T.Request memory r) {
        r = _req(T.Mode.StandingAsk);
    }

    function test_asks_sortedByPriceThenTime() public {
        vm.prank(p1);
        book.postAsk(circuitId, 50_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.prank(p2);
        book.postAsk(circuitId, 40_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.prank(p3);
        book.postAsk(circuitId, 50_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), p2); // same price as p1: after p1
        vm.prank(p4);
        book.postAsk(circuitId, 45_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), p1); // stale hint (p1 is pricier): falls back to the head
        (address[] memory provers,) = book.topAsks(circuitId, 10);
        assertEq(provers.length, 4);
        assertEq(provers[0], p2);
        assertEq(provers[1], p4);
        assertEq(provers[2], p1);
        assertEq(provers[3], p3);

        vm.prank(p4);
        book.cancelAsk(circuitId);
        (provers,) = book.topAsks(circuitId, 10);
        assertEq(provers.length, 3);
        assertEq(provers[1], p1);
        assertEq(book.askOf(circuitId, p1).prev, p2);
        vm.prank(p4);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.AskNotListed.selector, circuitId, p4));
        book.cancelAsk(circuitId);
    }

    function test_asks_requestMatchesBestAskAtOnceAndWaitsForAcceptance() public {
        vm.prank(p1);
        book.postAsk(circuitId, 50_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.prank(p2);
        book.postAsk(circuitId, 40_000, 300, 1, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        T.Request memory r = _askReq();
        bytes32 id = market.requestIdOf(r);
        uint256 fee = 40_000 * uint256(UNITS);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestMatched(id, p2, fee, 300, uint40(block.timestamp + market.ASK_ACCEPT_WINDOW()), 1);
        _submit(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Matched));
        assertEq(s.prover, p2);
        assertEq(s.fee, fee);
        assertEq(book.askOf(circuitId, p2).capacity, 0, "capacity used");
        assertEq(_backing(p2, 0), 0, "nothing locked before acceptance");

        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NotMatchedProver.selector, p1, p2));
        market.acceptMatch(r);
        vm.warp(block.timestamp + 10);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestAssigned(id, p2, fee, uint40(block.timestamp + 300), 0, COLLATERAL);
        vm.prank(p2);
        market.acceptMatch(r);
        s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Assigned));
        assertEq(s.deadline, block.timestamp + 300, "the proving deadline starts at acceptance");
        assertEq(_backing(p2, 0), COLLATERAL);

        // p2 is out of capacity: the next request goes to p1.
        T.Request memory r2 = _askReq();
        bytes32 id2 = _submit(r2);
        assertEq(_state(id2).prover, p1);

        uint256[8] memory proof = _proof();
        vm.prank(p2);
        market.fulfill(r, proof, pubs);
        assertEq(book.askOf(circuitId, p2).capacity, 1, "capacity restored");
        assertEq(market.balanceOf(p2), fee);
        assertEq(market.balanceOf(requester), MAX_FEE - fee);
    }

    function test_asks_skipsTooSlowOrUncollateralized() public {
        vm.prank(p1);
        book.postAsk(circuitId, 10_000, 10_000, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0)); // too slow for a 600 s window
        vm.prank(p2);
        book.postAsk(circuitId, 20_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.prank(p2);
        vault.requestWithdrawal(0, 10 ether); // p2 has no free collateral left
        vm.prank(p3);
        book.postAsk(circuitId, 30_000, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        bytes32 id = _submit(_askReq());
        assertEq(_state(id).prover, p3);
    }

    function test_asks_revertWhenNothingFits() public {
        vm.prank(p1);
        book.postAsk(circuitId, 1e12, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0)); // 1e12 * 1e6 units = 1e18 > maxFee
        T.Request memory r = _askReq();
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.NoMatchingAsk.selector, circuitId));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    function test_asks_priceRaisedToReserve() public {
        vm.prank(p1);
        book.postAsk(circuitId, 0, 300, 5, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        bytes32 id = _submit(_askReq());
        assertEq(_state(id).fee, UNITS * 1, "paid the reserve, not zero");
    }

    function test_asks_onlyMarketTakesAndRestores() public {
        vm.expectRevert(abi.encodeWithSelector(IAskBook.OnlyMarket.selector, address(this)));
        book.take(circuitId, IAskBook.Wanted(1, 0, 1, 1, 0, 0), address(0));
        vm.expectRevert(abi.encodeWithSelector(IAskBook.OnlyMarket.selector, address(this)));
        book.release(circuitId, p1, true);
        vm.expectRevert(abi.encodeWithSelector(IAskBook.OnlyMarket.selector, address(this)));
        book.restore(circuitId, p1);
    }

    function test_asks_rejectBadAsks() public {
        vm.startPrank(p1);
        vm.expectRevert(IAskBook.AskOutOfRange.selector);
        book.postAsk(circuitId, 1, 0, 1, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.expectRevert(IAskBook.AskOutOfRange.selector);
        book.postAsk(circuitId, 1, 1, 0, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.stopPrank();
    }

    function test_asks_repostReplacesAndResorts() public {
        vm.prank(p1);
        book.postAsk(circuitId, 50_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.prank(p2);
        book.postAsk(circuitId, 40_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
        vm.prank(p2);
        book.postAsk(circuitId, 60_000, 300, 2, 0, 2 ether, uint40(block.timestamp + 7 days), p1);
        (address[] memory provers, IAskBook.Ask[] memory asks) = book.topAsks(circuitId, 10);
        assertEq(provers.length, 2);
        assertEq(provers[0], p1);
        assertEq(provers[1], p2);
        assertEq(asks[1].pricePerUnit, 60_000);
        assertEq(book.askCount(circuitId), 2);
    }

    // =================================================================== open race (two-step proofs)

    function test_race_firstValidRevealedProofIsPaid() public {
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        uint256[8] memory proof = _proof();
        bytes32 c = market.proofCommitment(id, p1, proof);
        vm.prank(p1);
        market.commitProof(id, c);
        assertEq(market.proofCommitBlock(c), block.number);

        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.ProofCommittedThisBlock.selector, c));
        market.revealProof(r, proof, pubs);

        vm.roll(block.number + 1);
        // A copier who saw the proof in the mempool has no commitment of its own.
        bytes32 copier = market.proofCommitment(id, p2, proof);
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.ProofNotCommitted.selector, copier));
        market.revealProof(r, proof, pubs);

        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestFulfilled(id, p1, MAX_FEE, 0, 0, 0, 0);
        vm.prank(p1);
        market.revealProof(r, proof, pubs);
        assertEq(market.balanceOf(p1), MAX_FEE);

        // A late commitment by the copier cannot be paid twice.
        vm.prank(p2);
        market.commitProof(id, copier);
        vm.roll(block.number + 1);
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Fulfilled));
        market.revealProof(r, proof, pubs);
    }

    function test_race_invalidProofRejected() public {
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        uint256[8] memory bad = _badProof();
        _commitProof(id, p1, bad);
        vm.roll(block.number + 1);
        vm.prank(p1);
        vm.expectRevert(IGroth16Verifier.InvalidProof.selector);
        market.revealProof(r, bad, pubs);
    }

    function test_race_expiresAfterWindow() public {
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        uint256[8] memory proof = _proof();
        _commitProof(id, p1, proof);
        vm.warp(block.timestamp + r.provingWindow + 1);
        vm.roll(block.number + 1);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.DeadlinePassed.selector, uint40(block.timestamp - 1)));
        market.revealProof(r, proof, pubs);
        market.expire(r);
        assertEq(market.balanceOf(requester), MAX_FEE);
    }

    function test_commitProof_revertsOnUnknownOrDuplicate() public {
        vm.expectRevert(abi.encodeWithSelector(T.UnknownRequest.selector, bytes32(uint256(7))));
        market.commitProof(bytes32(uint256(7)), keccak256("c"));
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        market.commitProof(id, keccak256("c"));
        vm.expectRevert(abi.encodeWithSelector(T.ProofAlreadyCommitted.selector, keccak256("c")));
        market.commitProof(id, keccak256("c"));
        vm.expectRevert(T.ZeroCommitment.selector);
        market.commitProof(id, bytes32(0));
    }

    function test_revealProof_revertsWhileAssigned() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        uint256[8] memory proof = _proof();
        _commitProof(id, p2, proof);
        vm.roll(block.number + 1);
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Assigned));
        market.revealProof(r, proof, pubs);
    }
}
