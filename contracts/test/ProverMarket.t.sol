// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "./utils/MarketFixture.sol";
import {IProverMarket, IProverMarketTypes as T} from "../src/interfaces/IProverMarket.sol";
import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {IGroth16Verifier} from "../src/interfaces/IGroth16Verifier.sol";
import {ICircuitRegistry} from "../src/interfaces/ICircuitRegistry.sol";
import {MockVerifier} from "./mocks/MockVerifier.sol";

/// @notice Submission, the sealed-bid auction, fulfilment, cancellation and expiry.
contract ProverMarketTest is MarketFixture {
    uint96 constant F1 = 0.05 ether;
    uint96 constant F2 = 0.06 ether;
    uint96 constant F3 = 0.07 ether;

    // =================================================================== submission

    function test_submit_escrowsAndEmitsFullTerms() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = market.requestIdOf(r);
        assertEq(id, keccak256(abi.encode(r)), "id is keccak256(abi.encode(request))");
        vm.expectEmit(true, true, true, true, address(market));
        emit T.RequestSubmitted(id, requester, circuitId, r, UNITS, UNITS * 1, "input", "", pubs);
        bytes32 got = _submit(r);
        assertEq(got, id);
        assertEq(address(market).balance, MAX_FEE, "escrow held");
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Open));
        assertEq(s.reserveFee, UNITS * 1, "reserve = 1 wei/unit floor x units");
        assertEq(s.createdAt, block.timestamp);
    }

    function test_submit_acceptsUriInsteadOfInlineInput() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        vm.prank(requester);
        market.submitRequest{value: MAX_FEE}(r, "", "ipfs://input", new uint256[](0));
        assertEq(uint256(_state(market.requestIdOf(r)).status), uint256(T.Status.Open));
    }

    /// @dev The terms' words must be canonical (as the ABI decoder requires): a dirty word or an out-of-range enum
    ///      reverts at submission, and the same words never reach a stored request in any later call.
    function test_submit_revertsOnNonCanonicalTerms() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes memory good = abi.encodeCall(IProverMarket.submitRequest, (r, "input", "", pubs));
        // word index within the request => a value that does not fit the field
        uint256[6] memory word = [uint256(1), 2, 3, 9, 11, 13];
        uint256[6] memory bad = [uint256(1) << 32, 4, 2, uint256(1) << 96, uint256(1) << 200, uint256(1) << 64];
        for (uint256 i; i < word.length; ++i) {
            bytes memory data = bytes.concat(good); // copy
            uint256 at = 4 + 32 * word[i];
            uint256 v = bad[i];
            assembly {
                mstore(add(add(data, 0x20), at), v)
            }
            vm.prank(requester);
            (bool ok, bytes memory ret) = address(market).call{value: r.maxFee}(data);
            assertFalse(ok, "non-canonical terms accepted");
            assertEq(ret.length, 0, "reverts like the ABI decoder");
        }
        bytes32 id = _submit(r);
        // A later call with a dirty copy of the (now stored) terms finds no request.
        bytes memory commit = abi.encodeCall(IProverMarket.commitBid, (r, bytes32(uint256(7))));
        assembly {
            let p := add(add(commit, 0x20), 4)
            mstore(p, or(mload(p), shl(200, 1))) // requester word with a dirty high bit
        }
        vm.prank(p1);
        (bool ok2, bytes memory ret2) = address(market).call(commit);
        assertFalse(ok2, "dirty terms accepted");
        assertTrue(bytes4(ret2) == T.UnknownRequest.selector, "dirty terms hash to an unknown id");
        assertEq(uint256(_state(id).status), uint256(T.Status.Open));
    }

    function test_submit_revertsOnWrongEscrow() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongEscrow.selector, MAX_FEE - 1, MAX_FEE));
        market.submitRequest{value: MAX_FEE - 1}(r, "input", "", pubs);
    }

    function test_submit_revertsWhenSenderIsNotRequester() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        vm.deal(p1, 1 ether);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NotRequester.selector, p1));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    function test_submit_revertsOnDuplicate() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.RequestExists.selector, id));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    function test_submit_revertsOnBadWindows() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.revealDeadline = r.bidDeadline;
        vm.prank(requester);
        vm.expectRevert(T.BadWindows.selector);
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.Dutch);
        r.bidDeadline = uint40(block.timestamp);
        vm.prank(requester);
        vm.expectRevert(T.BadWindows.selector);
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.OpenRace);
        r.provingWindow = 0;
        vm.prank(requester);
        vm.expectRevert(T.BadWindows.selector);
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    function test_submit_revertsOnInputHashMismatch() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        vm.prank(requester);
        vm.expectRevert(T.InputHashMismatch.selector);
        market.submitRequest{value: MAX_FEE}(r, "other input", "", pubs);
    }

    function test_submit_revertsWithoutInput() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        vm.prank(requester);
        vm.expectRevert(T.InputMissing.selector);
        market.submitRequest{value: MAX_FEE}(r, "", "", pubs);
    }

    function test_submit_revertsOnPublicInputsMismatch() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        uint256[] memory other = new uint256[](2);
        other[0] = 1;
        vm.prank(requester);
        vm.expectRevert(T.PublicInputsMismatch.selector);
        market.submitRequest{value: MAX_FEE}(r, "input", "", other);
    }

    function test_submit_revertsOnUnpinnedOrUpgradedVerifier() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.verifier = address(0xBEEF);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.VerifierNotActive.selector, address(0xBEEF), address(verifier)));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    function test_submit_revertsOnUnknownCircuit() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.circuitId = 99;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UnknownCircuit.selector, uint32(99)));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);
    }

    function test_submit_revertsWhenMaxFeeBelowReserve() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.maxFee = uint96(UNITS - 1);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.MaxFeeBelowReserve.selector, UNITS - 1, UNITS));
        market.submitRequest{value: UNITS - 1}(r, "input", "", pubs);
    }

    // =================================================================== sealed bid: commit

    function test_commit_locksBondAndEmits() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        bytes32 c = market.bidCommitment(id, p1, F1, 100, _salt(p1));
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BidCommitted(id, p1, c, 0, COLLATERAL);
        vm.prank(p1);
        market.commitBid(r, c);
        assertEq(_backing(p1, 0), COLLATERAL, "bond locked");
        assertEq(vault.freeBalance(p1, 0), 10 ether - COLLATERAL);
        assertEq(market.bidCommitmentOf(id, p1), c);
    }

    function test_commit_revertsAfterBidDeadline() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _toReveal(r);
        vm.prank(p1);
        vm.expectRevert(
            abi.encodeWithSelector(T.NotInPhase.selector, id, block.timestamp, block.timestamp - 100 - 1, r.bidDeadline)
        );
        market.commitBid(r, keccak256("x"));
    }

    function test_commit_revertsTwice() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyCommitted.selector, id, p1));
        market.commitBid(r, keccak256("x"));
    }

    function test_commit_revertsOnSentinelCommitment() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        vm.prank(p1);
        vm.expectRevert(T.ZeroCommitment.selector);
        market.commitBid(r, bytes32(uint256(1)));
    }

    function test_commit_revertsWithoutFreeCollateral() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.minCollateral = 11 ether;
        _submit(r);
        vm.prank(p1);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.InsufficientFree.selector, p1, uint8(0), 11 ether, 10 ether)
        );
        market.commitBid(r, keccak256("x"));
    }

    function test_commit_revertsOnWrongMode() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.Dutch));
        market.commitBid(r, keccak256("x"));
    }

    function test_commit_revertsOnTamperedTerms() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        r.maxFee = 1 ether; // not the terms that were submitted
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.UnknownRequest.selector, keccak256(abi.encode(r))));
        market.commitBid(r, keccak256("x"));
    }

    // =================================================================== sealed bid: reveal

    function test_reveal_revertsDuringCommitPhase() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        vm.prank(p1);
        vm.expectRevert(
            abi.encodeWithSelector(
                T.NotInPhase.selector, id, block.timestamp, uint256(r.bidDeadline) + 1, r.revealDeadline
            )
        );
        market.revealBid(r, F1, 100, _salt(p1));
    }

    function test_reveal_revertsAfterRevealDeadline() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, F1, 100);
        _toSettle(r);
        vm.prank(p1);
        vm.expectRevert();
        market.revealBid(r, F1, 100, _salt(p1));
    }

    function test_reveal_revertsOnWrongSaltOrFee() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        vm.startPrank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.RevealMismatch.selector, id, p1));
        market.revealBid(r, F1, 100, keccak256("wrong salt"));
        vm.expectRevert(abi.encodeWithSelector(T.RevealMismatch.selector, id, p1));
        market.revealBid(r, F1 - 1, 100, _salt(p1));
        vm.stopPrank();
    }

    function test_reveal_revertsOnDoubleReveal() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p1));
        market.revealBid(r, F1, 100, _salt(p1));
    }

    function test_reveal_revertsWithoutCommitment() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _toReveal(r);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p1));
        market.revealBid(r, F1, 100, _salt(p1));
    }

    function test_reveal_revertsOnBidOutOfRange() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, MAX_FEE + 1, 100);
        _commit(r, p2, F2, r.provingWindow + 1);
        _commit(r, p3, uint96(UNITS - 1), 100); // below the reserve
        _toReveal(r);
        vm.expectRevert(
            abi.encodeWithSelector(T.BidOutOfRange.selector, MAX_FEE + 1, UNITS, MAX_FEE, uint32(100), r.provingWindow)
        );
        _reveal(r, p1, MAX_FEE + 1, 100);
        vm.expectRevert(
            abi.encodeWithSelector(T.BidOutOfRange.selector, F2, UNITS, MAX_FEE, r.provingWindow + 1, r.provingWindow)
        );
        _reveal(r, p2, F2, r.provingWindow + 1);
        vm.expectRevert(
            abi.encodeWithSelector(T.BidOutOfRange.selector, UNITS - 1, UNITS, MAX_FEE, uint32(100), r.provingWindow)
        );
        _reveal(r, p3, uint96(UNITS - 1), 100);
    }

    function test_reveal_keepsTopTwoAndReleasesOthersAtOnce() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F3, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F3, 100); // best: p1
        _reveal(r, p2, F2, 100); // best: p2, second: p1
        assertEq(_backing(p1, 0), COLLATERAL, "p1 still in top two");
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BondReleased(id, p1, 0, COLLATERAL);
        _reveal(r, p3, F1, 100); // best: p3, second: p2, p1 pushed out
        assertEq(_backing(p1, 0), 0, "p1 released");
        T.RequestView memory s = _state(id);
        assertEq(s.prover, p3);
        assertEq(s.runnerUp, p2);
        assertEq(s.fee, F1);
        assertEq(s.runnerUpFee, F2);
    }

    // =================================================================== sealed bid: settle

    function _threeBidAuction(T.Request memory r) internal returns (bytes32 id) {
        id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F3, 50);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        _reveal(r, p2, F2, 100);
        _reveal(r, p3, F3, 50);
    }

    function test_settle_paysSecondScore() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        // scores: p1 = F1 + 1e12*100, p2 = F2 + 1e12*100, p3 = F3 + 1e12*50. Winner p1 pays p2's score - 1e12*100 = F2.
        uint40 deadline = r.revealDeadline + 100;
        vm.expectEmit(true, true, false, true, address(market));
        emit T.AuctionSettled(id, p1, F1, F2, deadline, p2, F2);
        vm.prank(makeAddr("anyone"));
        market.settle(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Assigned));
        assertEq(s.prover, p1);
        assertEq(s.fee, F2, "second-score price");
        assertEq(s.deadline, deadline, "clock starts at the reveal deadline");
        assertEq(_backing(p1, 0), COLLATERAL, "winner's bond is its job collateral");
        assertEq(_backing(p2, 0), 0, "runner-up released (OpenSecondary)");
        assertEq(_backing(p3, 0), 0, "third released at reveal");
    }

    function test_settle_latencyWeightDecides() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.latencyWeight = 1e15; // 0.001 ether per second
        bytes32 id = _submit(r);
        _commit(r, p1, 0.01 ether, 60); // score 0.07
        _commit(r, p2, 0.05 ether, 10); // score 0.06
        _toReveal(r);
        _reveal(r, p1, 0.01 ether, 60);
        _reveal(r, p2, 0.05 ether, 10);
        _toSettle(r);
        market.settle(r);
        T.RequestView memory s = _state(id);
        assertEq(s.prover, p2, "faster bid wins despite a higher fee");
        assertEq(s.fee, 0.06 ether, "p2 paid p1's score minus its own latency cost");
    }

    function test_settle_singleBidIsPaidItsOwnFee() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        _toSettle(r);
        market.settle(r);
        assertEq(_state(id).fee, F1);
    }

    function test_settle_paymentCappedAtMaxFee() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 1);
        _commit(r, p2, MAX_FEE, 600);
        _toReveal(r);
        _reveal(r, p1, F1, 1);
        _reveal(r, p2, MAX_FEE, 600);
        _toSettle(r);
        market.settle(r);
        assertEq(_state(id).fee, MAX_FEE);
    }

    function test_settle_tieBreakIndependentOfRevealOrder() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F1, 100);
        _toReveal(r);
        address expected = keccak256(abi.encode(id, p1)) < keccak256(abi.encode(id, p2)) ? p1 : p2;

        uint256 snap = vm.snapshotState();
        _reveal(r, p1, F1, 100);
        _reveal(r, p2, F1, 100);
        _toSettle(r);
        market.settle(r);
        assertEq(_state(id).prover, expected, "order p1, p2");
        vm.revertToState(snap);

        _reveal(r, p2, F1, 100);
        _reveal(r, p1, F1, 100);
        _toSettle(r);
        market.settle(r);
        assertEq(_state(id).prover, expected, "order p2, p1");
        assertEq(_state(id).fee, F1, "tie: second score equals the winner's");
    }

    function test_settle_revertsBeforeRevealDeadline() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        vm.expectRevert(
            abi.encodeWithSelector(
                T.NotInPhase.selector, id, block.timestamp, uint256(r.revealDeadline) + 1, type(uint40).max
            )
        );
        market.settle(r);
    }

    function test_settle_revertsWithoutReveals() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toSettle(r);
        vm.expectRevert(abi.encodeWithSelector(T.NoBids.selector, id));
        market.settle(r);
    }

    function test_settle_revertsTwice() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        market.settle(r);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Assigned));
        market.settle(r);
    }

    // =================================================================== fulfilment

    function test_fulfill_paysProverRefundsRequesterUnlocks() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        market.settle(r);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestFulfilled(id, p1, F2, 0, MAX_FEE - F2, 0, 0);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), F2);
        assertEq(market.balanceOf(requester), MAX_FEE - F2);
        assertEq(_backing(p1, 0), 0);
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));

        uint256 before = p1.balance;
        vm.prank(p1);
        market.withdraw(F2, p1);
        assertEq(p1.balance - before, F2);
        assertEq(market.balanceOf(p1), 0);
        assertEq(address(market).balance, MAX_FEE - F2, "only the requester's refund is left");
    }

    function test_fulfill_settlesImplicitly() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), F2);
        assertEq(_backing(p2, 0), 0, "runner-up released by the implicit settlement");
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
    }

    function test_fulfill_revertsOnWrongPublicInputs() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _threeBidAuction(r);
        _toSettle(r);
        uint256[] memory other = new uint256[](2);
        other[0] = 11;
        other[1] = 23;
        uint256[8] memory proofForOther = verifier.validProof(other);
        vm.prank(p1);
        vm.expectRevert(T.PublicInputsMismatch.selector);
        market.fulfill(r, proofForOther, other);
    }

    function test_fulfill_revertsOnInvalidProof() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _threeBidAuction(r);
        _toSettle(r);
        uint256[8] memory bad = _badProof();
        vm.prank(p1);
        vm.expectRevert(IGroth16Verifier.InvalidProof.selector);
        market.fulfill(r, bad, pubs);
    }

    function test_fulfill_revertsOnLateProof() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _threeBidAuction(r);
        _toSettle(r);
        market.settle(r);
        uint40 deadline = r.revealDeadline + 100;
        vm.warp(uint256(deadline) + 1);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.DeadlinePassed.selector, deadline));
        market.fulfill(r, proof, pubs);
    }

    function test_fulfill_revertsForOtherProver() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _threeBidAuction(r);
        _toSettle(r);
        uint256[8] memory proof = _proof();
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.NotAssignedProver.selector, p2, p1));
        market.fulfill(r, proof, pubs);
    }

    function test_fulfill_revertsTwice() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Fulfilled));
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), F2, "paid once");
    }

    function test_fulfill_revertsDuringAuction() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Open));
        market.fulfill(r, proof, pubs);
    }

    function test_fulfill_protocolFeeGoesToTreasury() public {
        market.setProtocolFee(500); // 5%
        T.Request memory r = _req(T.Mode.SealedBid);
        _threeBidAuction(r);
        _toSettle(r);
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(treasury), uint256(F2) * 500 / 10_000);
        assertEq(market.balanceOf(p1), uint256(F2) - uint256(F2) * 500 / 10_000);
        assertEq(market.balanceOf(requester), MAX_FEE - F2);
    }

    // =================================================================== bonds, cancel, expire

    function test_forfeitBond_unrevealedBidPaysRequester() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F2, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        vm.expectRevert(
            abi.encodeWithSelector(
                T.NotInPhase.selector, id, block.timestamp, uint256(r.revealDeadline) + 1, type(uint40).max
            )
        );
        market.forfeitBond(r, p2);
        _toSettle(r);
        vm.expectEmit(true, true, true, true, address(market));
        emit T.BondForfeited(id, p2, 0, COLLATERAL, requester);
        market.forfeitBond(r, p2);
        assertEq(vault.claimableBalance(requester, 0), COLLATERAL);
        assertEq(_backing(p2, 0), 0);
        vm.expectRevert(abi.encodeWithSelector(T.BondAlreadySettled.selector, id, p2));
        market.forfeitBond(r, p2);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p1));
        market.forfeitBond(r, p1);
    }

    function test_cancel_refundsFullyAndBiddersReclaim() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F3, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        _reveal(r, p2, F2, 100);
        _reveal(r, p3, F3, 100); // outside the top two: released now
        vm.expectRevert(abi.encodeWithSelector(T.NotRequester.selector, p1));
        vm.prank(p1);
        market.cancelRequest(r);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestCancelled(id, requester, MAX_FEE);
        vm.prank(requester);
        market.cancelRequest(r);
        assertEq(market.balanceOf(requester), MAX_FEE, "full refund");

        vm.prank(p1);
        market.reclaimBond(r);
        vm.prank(p2);
        market.reclaimBond(r);
        assertEq(_backing(p1, 0) + _backing(p2, 0) + _backing(p3, 0), 0);
        vm.prank(p3);
        vm.expectRevert(abi.encodeWithSelector(T.BondAlreadySettled.selector, id, p3));
        market.reclaimBond(r);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.BondAlreadySettled.selector, id, p1));
        market.reclaimBond(r);
    }

    /// @dev The runner-up lives in the best bidder's bid slot: whatever the reveal order, the views, the guards on
    ///      re-reveals and forfeits, and the slot after fulfilment read as plain `REVEALED`.
    function test_reveal_bestChangesHands_runnerUpRecordStaysConsistent() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F3, 100);
        _commit(r, p4, F3 + 0.01 ether, 100); // never revealed
        _toReveal(r);
        _reveal(r, p3, F3, 100); // best p3
        _reveal(r, p2, F2, 100); // best p2, runner-up p3
        T.RequestView memory s = _state(id);
        assertEq(s.prover, p2);
        assertEq(s.runnerUp, p3);
        assertEq(s.runnerUpFee, F3);
        _reveal(r, p1, F1, 100); // best p1, runner-up p2; p3 released
        s = _state(id);
        assertEq(s.prover, p1);
        assertEq(s.fee, F1);
        assertEq(s.runnerUp, p2);
        assertEq(s.runnerUpFee, F2);
        assertEq(_backing(p3, 0), 0, "pushed out: released");
        assertEq(_backing(p2, 0), COLLATERAL);
        address[3] memory revealed = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            assertEq(market.bidCommitmentOf(id, revealed[i]), bytes32(uint256(1)), "REVEALED");
        }
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p1));
        market.revealBid(r, F1, 100, _salt(p1));

        _toSettle(r);
        for (uint256 i; i < 3; ++i) {
            vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, revealed[i]));
            market.forfeitBond(r, revealed[i]);
        }
        market.forfeitBond(r, p4);
        assertEq(vault.claimableBalance(requester, 0), COLLATERAL, "unrevealed bond forfeited");

        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), F2, "second-score price");
        assertEq(_backing(p1, 0) + _backing(p2, 0), 0);
        assertEq(market.bidCommitmentOf(id, p1), bytes32(0), "cleared once paid");
        assertEq(market.bidCommitmentOf(id, p2), bytes32(uint256(1)));
        s = _state(id);
        assertEq(s.prover, address(0));
        assertEq(s.runnerUp, address(0));
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p1));
        market.forfeitBond(r, p1);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p2));
        market.forfeitBond(r, p2);
    }

    /// @dev After a cancellation the runner-up can reclaim before or after the best bidder, once.
    function test_cancel_runnerUpReclaimsBeforeOrAfterBest() public {
        for (uint256 order; order < 2; ++order) {
            T.Request memory r = _req(T.Mode.SealedBid);
            bytes32 id = _submit(r);
            _commit(r, p1, F1, 100);
            _commit(r, p2, F2, 100);
            _toReveal(r);
            _reveal(r, p2, F2, 100);
            _reveal(r, p1, F1, 100);
            vm.prank(requester);
            market.cancelRequest(r);
            address first = order == 0 ? p2 : p1;
            address second = order == 0 ? p1 : p2;
            vm.prank(first);
            market.reclaimBond(r);
            vm.prank(second);
            market.reclaimBond(r);
            assertEq(_backing(p1, 0) + _backing(p2, 0), 0, "both bonds back");
            for (uint256 i; i < 2; ++i) {
                address p = i == 0 ? p1 : p2;
                vm.prank(p);
                vm.expectRevert(abi.encodeWithSelector(T.BondAlreadySettled.selector, id, p));
                market.reclaimBond(r);
                assertEq(market.bidCommitmentOf(id, p), bytes32(uint256(2)), "BOND_SETTLED");
            }
        }
    }

    function test_cancel_revertsOnceAuctionDecided() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Open));
        market.cancelRequest(r);
    }

    function test_reclaimBond_revertsUnlessCancelled() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Open));
        market.reclaimBond(r);
    }

    function test_expire_sealedWithoutReveals() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        vm.expectRevert(abi.encodeWithSelector(T.NotExpirable.selector, id));
        market.expire(r);
        _toSettle(r);
        market.expire(r);
        assertEq(market.balanceOf(requester), MAX_FEE);
        assertEq(uint256(_state(id).status), uint256(T.Status.Expired));
    }

    function test_withdraw_revertsBeyondBalance() public {
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.InsufficientBalance.selector, 1, 0));
        market.withdraw(1, p1);
    }

    function test_withdraw_reentrancyIsBlocked() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        vm.prank(requester);
        market.cancelRequest(r);
        Reenterer attacker = new Reenterer(market);
        attacker.setTarget(_submit(_req(T.Mode.OpenRace)));
        vm.prank(requester);
        vm.expectRevert(); // the nested call hits ReentrantCall, so the ETH transfer fails
        market.withdraw(MAX_FEE, address(attacker));
        assertEq(market.balanceOf(requester), MAX_FEE, "balance intact");
        assertEq(market.proofCommitBlock(keccak256("reentered")), 0, "nested call did not happen");
    }

    function test_extension_cannotBeCalledWithPlainEth() public {
        (bool ok,) = address(market).call{value: 1}("");
        assertFalse(ok, "plain ETH transfer must revert");
    }
}

/// @notice Tries to re-enter the market when it receives ETH.
contract Reenterer {
    IProverMarket internal immutable m;

    constructor(IProverMarket market_) {
        m = market_;
    }

    /// @dev commitProof would succeed on its own for a live request; only the reentrancy lock stops it.
    bytes32 public target;

    function setTarget(bytes32 id) external {
        target = id;
    }

    receive() external payable {
        m.commitProof(target, keccak256("reentered"));
    }
}
