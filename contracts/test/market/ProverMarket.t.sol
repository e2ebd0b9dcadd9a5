// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";
import {ICircuitRegistry} from "../../src/interfaces/ICircuitRegistry.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";

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
        assertEq(s.createdAt, 0, "a sealed-bid request does not keep it (RequestSubmitted's block does)");
        assertEq(_state(_submit(_req(T.Mode.Dutch))).createdAt, block.timestamp, "other modes keep it");
    }

    function test_submit_acceptsUriInsteadOfInlineInput() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        vm.prank(requester);
        market.submitRequest{value: MAX_FEE}(r, "", "ipfs://input", pubs);
        assertEq(uint256(_state(market.requestIdOf(r)).status), uint256(T.Status.Open));
    }

    /// @dev The public inputs are published with every request, so a prover can preflight its witness against them.
    function test_submit_revertsWithoutPublicInputs() public {
        T.Request memory r = _req(T.Mode.StandingAsk);
        vm.prank(requester);
        vm.expectRevert(T.PublicInputsMissing.selector);
        market.submitRequest{value: MAX_FEE}(r, "input", "", new uint256[](0));
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
        bytes memory commit = abi.encodeCall(IProverMarket.commitBid, (r, bytes32(uint256(7)), uint8(0)));
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
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, 0, 12, 7 days));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.Dutch);
        r.bidDeadline = uint40(block.timestamp);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, 0, 1, 7 days));
        market.submitRequest{value: MAX_FEE}(r, "input", "", pubs);

        r = _req(T.Mode.OpenRace);
        r.provingWindow = 0;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WindowOutOfRange.selector, 0, 1, 7 days));
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
        emit T.BidCommitted(id, p1, c, 7);
        vm.prank(p1);
        market.commitBid(r, c, 7);
        assertEq(_backing(p1, 0), COLLATERAL, "bond locked");
        assertEq(vault.freeBalance(p1, 0), 10 ether - COLLATERAL);
        assertEq(uint256(market.bidStatus(id, p1, 7, c)), uint256(T.BidStatus.Committed));
        assertEq(market.bidLane(p1, 7), uint256(keccak256(abi.encode(id, c))) >> 1, "lane word");
        assertEq(uint256(market.bidStatus(id, p1, 0, c)), uint256(T.BidStatus.None), "other lane");
    }

    /// @dev A lane holds one bid at a time; a prover bids on several auctions at once through several lanes, and a lane
    ///      is reused once its bid is resolved (here: released at reveal, outside the lead).
    function test_commit_laneBusyUntilResolvedThenReused() public {
        T.Request memory a = _req(T.Mode.SealedBid);
        T.Request memory b = _req(T.Mode.SealedBid);
        _submit(a);
        _submit(b);
        _commit(a, p1, F1, 100, 0);
        _commit(a, p2, F2, 100, 0);
        bytes32 cb = market.bidCommitment(market.requestIdOf(b), p2, F2, 100, _salt(p2));
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(T.LaneBusy.selector, p2, uint8(0)));
        market.commitBid(b, cb, 0);
        _commit(b, p2, F2, 100, 1); // another lane
        _toReveal(a);
        _reveal(a, p1, F1, 100);
        _reveal(a, p2, F2, 100, 0); // loses: bond back, lane 0 free again
        assertEq(market.bidLane(p2, 0), 1, "free");
        assertEq(_backing(p2, 0), COLLATERAL, "only b's bond is held");
        T.Request memory c = _req(T.Mode.SealedBid);
        _submit(c);
        _commit(c, p2, F2, 100, 0); // reused
        assertEq(_backing(p2, 0), 2 * COLLATERAL);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.LaneBusy.selector, p1, uint8(0)));
        market.commitBid(c, keccak256("x"), 0); // p1's lane 0 holds the best bid of a
    }

    function test_commit_revertsAfterBidDeadline() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _toReveal(r);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NotInPhase.selector, id, block.timestamp, 0, r.bidDeadline));
        market.commitBid(r, keccak256("x"), 0);
    }

    function test_commit_revertsTwiceInOneLane() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, F1, 100);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.LaneBusy.selector, p1, uint8(0)));
        market.commitBid(r, keccak256("x"), 0);
    }

    /// @dev Two bids of one address in one auction: it leads only once. A further bid of the best bidder is released
    ///      unranked (bond back, lane free, rank 0), whether it is better or worse, so it can neither set the price nor
    ///      cost its bond; the second score comes from other bidders only.
    function test_reveal_secondBidOfTheBestBidderIsReleasedUnranked() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F2, 100, 0);
        bytes32 c2 = market.bidCommitment(id, p1, F1, 100, keccak256("salt2"));
        vm.prank(p1);
        market.commitBid(r, c2, 1);
        _commit(r, p2, F3, 100, 0);
        _toReveal(r);
        _reveal(r, p1, F2, 100, 0);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BidRevealed(id, p1, F1, 100, 0);
        vm.prank(p1);
        market.revealBid(r, F1, 100, keccak256("salt2"), 1);
        assertEq(_backing(p1, 0), COLLATERAL, "only the leading bid's bond is held");
        assertEq(market.bidLane(p1, 1), 1, "lane 1 free");
        T.RequestView memory s = _state(id);
        assertEq(s.fee, F2, "the first bid still leads");
        assertEq(s.secondScore, 0, "its own bid is not a second score");
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p1));
        market.revealBid(r, F2, 100, _salt(p1), 0); // the leading bid itself cannot be revealed twice
        _reveal(r, p2, F3, 100);
        assertEq(_state(id).secondScore, F3 + 1e14, "set by another bidder");
    }

    function test_dutchPrice_revertsForOtherModes() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.SealedBid));
        market.dutchPrice(r);
    }

    /// @dev The sealed form of the state slot (status byte with its top bit set) reads as a live request everywhere,
    ///      e.g. an open submission's first step may be posted early.
    function test_commitProof_acceptsASealedRequestInItsSealedForm() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        vm.prank(p1);
        market.commitProof(id, keccak256("early"));
        assertEq(market.proofCommitBlock(keccak256("early")), block.number);
        vm.expectRevert(abi.encodeWithSelector(T.UnknownRequest.selector, bytes32(uint256(1))));
        market.commitProof(bytes32(uint256(1)), keccak256("x"));
    }

    function test_commit_revertsOnZeroCommitment() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        vm.prank(p1);
        vm.expectRevert(T.ZeroCommitment.selector);
        market.commitBid(r, bytes32(0), 0);
    }

    function test_commit_revertsWithoutFreeCollateral() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.minCollateral = 11 ether;
        _submit(r);
        vm.prank(p1);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.InsufficientFree.selector, p1, uint8(0), 11 ether, 10 ether)
        );
        market.commitBid(r, keccak256("x"), 0);
    }

    function test_commit_revertsOnWrongMode() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.Dutch));
        market.commitBid(r, keccak256("x"), 0);
    }

    function test_commit_revertsOnTamperedTerms() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        r.maxFee = 1 ether; // not the terms that were submitted
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.UnknownRequest.selector, keccak256(abi.encode(r))));
        market.commitBid(r, keccak256("x"), 0);
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
        market.revealBid(r, F1, 100, _salt(p1), 0);
    }

    function test_reveal_revertsAfterRevealDeadline() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        _submit(r);
        _commit(r, p1, F1, 100);
        _toSettle(r);
        vm.prank(p1);
        vm.expectRevert();
        market.revealBid(r, F1, 100, _salt(p1), 0);
    }

    function test_reveal_revertsOnWrongSaltOrFee() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        vm.startPrank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.RevealMismatch.selector, id, p1));
        market.revealBid(r, F1, 100, keccak256("wrong salt"), 0);
        vm.expectRevert(abi.encodeWithSelector(T.RevealMismatch.selector, id, p1));
        market.revealBid(r, F1 - 1, 100, _salt(p1), 0);
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
        market.revealBid(r, F1, 100, _salt(p1), 0);
    }

    function test_reveal_revertsWithoutCommitment() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _toReveal(r);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p1));
        market.revealBid(r, F1, 100, _salt(p1), 0);
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

    /// @dev OpenSecondary: only the best bid keeps its bond and lane; a beaten best bid is released at once and
    ///      only its score is kept (as the second score).
    function test_reveal_keepsOnlyTheBestAndReleasesOthersAtOnce() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F3, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F3, 100); // best: p1
        assertEq(_state(id).secondScore, 0, "no second bid yet");
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BondReleased(id, p1, 0, COLLATERAL);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BidRevealed(id, p2, F2, 100, 1);
        _reveal(r, p2, F2, 100); // best: p2, second score: p1's; p1 released
        assertEq(_backing(p1, 0), 0, "p1 released");
        assertEq(market.bidLane(p1, 0), 1, "p1's lane free");
        _reveal(r, p3, F1, 100); // best: p3, second score: p2's
        assertEq(_backing(p2, 0), 0, "p2 released");
        assertEq(_backing(p3, 0), COLLATERAL, "the best keeps its bond");
        T.RequestView memory s = _state(id);
        assertEq(s.prover, p3);
        assertEq(s.fee, F1);
        assertEq(s.proverLatency, 100);
        assertEq(s.secondScore, F2 + 1e14);
        assertEq(s.runnerUp, address(0), "none kept with OpenSecondary");
        assertEq(uint256(market.bidStatus(id, p3, 0, bytes32(0))), uint256(T.BidStatus.Best));
    }

    /// @dev A bid that does not lead still sets the second score when it beats the current one, and not otherwise.
    function test_reveal_worseBidsOnlyLowerTheSecondScore() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F3, 100);
        _commit(r, p3, F2, 100);
        _commit(r, p4, F3 + 1, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BidRevealed(id, p2, F3, 100, 2);
        _reveal(r, p2, F3, 100);
        assertEq(_state(id).secondScore, F3 + 1e14);
        _reveal(r, p3, F2, 100);
        assertEq(_state(id).secondScore, F2 + 1e14, "lower second score");
        vm.expectEmit(true, true, false, true, address(market));
        emit T.BidRevealed(id, p4, F3 + 1, 100, 0);
        _reveal(r, p4, F3 + 1, 100);
        assertEq(_state(id).secondScore, F2 + 1e14, "unchanged");
        assertEq(_backing(p2, 0) + _backing(p3, 0) + _backing(p4, 0), 0, "all released at reveal");
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
        emit T.AuctionSettled(id, p1, F1, F2, deadline, F2 + 1e14, address(0));
        vm.prank(makeAddr("anyone"));
        market.settle(r);
        T.RequestView memory s = _state(id);
        assertEq(uint256(s.status), uint256(T.Status.Assigned));
        assertEq(s.prover, p1);
        assertEq(s.fee, F2, "second-score price");
        assertEq(s.deadline, deadline, "clock starts at the reveal deadline");
        assertEq(_backing(p1, 0), COLLATERAL, "winner's bond is its job collateral");
        assertEq(_backing(p2, 0), 0, "second released at its reveal (OpenSecondary)");
        assertEq(_backing(p3, 0), 0, "third released at reveal");
    }

    /// @dev Truthful bidding is dominant: while it wins, the winner's payment is set by the second score alone, not by
    ///      its own fee.
    function testFuzz_settle_paymentIndependentOfWinnersOwnFee(uint96 fa, uint96 fb) public {
        fa = uint96(bound(fa, UNITS, F2 - 1));
        fb = uint96(bound(fb, UNITS, F2 - 1));
        uint256 snap = vm.snapshotState();
        uint96 payA = _winWith(fa);
        vm.revertToState(snap);
        uint96 payB = _winWith(fb);
        assertEq(payA, payB, "independent of the winner's own fee");
        assertEq(payA, F2, "the runner-up's score less the winner's latency cost");
    }

    function _winWith(uint96 fee) internal returns (uint96) {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, fee, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F3, 100);
        _toReveal(r);
        _reveal(r, p3, F3, 100);
        _reveal(r, p1, fee, 100);
        _reveal(r, p2, F2, 100);
        _toSettle(r);
        market.settle(r);
        assertEq(_state(id).prover, p1);
        return _state(id).fee;
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

    /// @dev A lone qualifying bid is paid the requester's reserve, `maxFee` (reverse Vickrey with a reserve).
    function test_settle_singleBidIsPaidMaxFee() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        _toSettle(r);
        market.settle(r);
        assertEq(_state(id).fee, MAX_FEE);
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
        assertEq(_backing(p2, 0), 0, "second released at its reveal");
        assertEq(market.bidLane(p1, 0), 1, "the winner's lane is free once paid");
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
        _setProtocolFee(500); // 5%
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

    function test_forfeitBond_unrevealedBidIsBurnt() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        bytes32 c2 = _commit(r, p2, F2, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        vm.expectRevert(
            abi.encodeWithSelector(
                T.NotInPhase.selector, id, block.timestamp, uint256(r.revealDeadline) + 1, type(uint40).max
            )
        );
        market.forfeitBond(r, p2, 0, c2);
        _toSettle(r);
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p2));
        market.forfeitBond(r, p2, 0, keccak256("not the commitment"));
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p2));
        market.forfeitBond(r, p2, 1, c2); // not this lane
        vm.expectEmit(true, true, true, true, address(market));
        emit T.BondForfeited(id, p2, 0, COLLATERAL, market.BURN_ADDRESS());
        market.forfeitBond(r, p2, 0, c2);
        assertEq(vault.claimableBalance(requester, 0), 0, "never to the requester");
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), COLLATERAL, "burnt");
        assertEq(_backing(p2, 0), 0);
        assertEq(market.bidLane(p2, 0), 1, "lane freed");
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p2));
        market.forfeitBond(r, p2, 0, c2);
        bytes32 c1 = _commitmentOf(r, p1, F1, 100);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p1));
        market.forfeitBond(r, p1, 0, c1);
    }

    /// @dev A commitment in a lane is bound to its request: another request's forfeit cannot touch it.
    function test_forfeitBond_cannotReachAnotherRequestsCommitment() public {
        T.Request memory a = _req(T.Mode.SealedBid);
        T.Request memory b = _req(T.Mode.SealedBid);
        b.bidDeadline += 1000;
        b.revealDeadline += 1000;
        bytes32 idA = _submit(a);
        _submit(b);
        bytes32 cb = _commit(b, p2, F2, 100); // still in b's commit phase
        _toSettle(a); // a's reveal phase is over
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, idA, p2));
        market.forfeitBond(a, p2, 0, cb);
        assertEq(_backing(p2, 0), COLLATERAL, "b's bond untouched");
    }

    function test_cancel_refundsFullyBeforeALock() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        vm.expectRevert(abi.encodeWithSelector(T.NotRequester.selector, p1));
        vm.prank(p1);
        market.cancelRequest(r);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.RequestCancelled(id, requester, MAX_FEE);
        vm.prank(requester);
        market.cancelRequest(r);
        assertEq(market.balanceOf(requester), MAX_FEE, "full refund");
        assertEq(uint8(_state(id).status), uint8(T.Status.Cancelled));
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, id, T.Status.Cancelled));
        market.lockDutch(r);
    }

    /// @dev A sealed-bid request is a binding offer from submission: never cancellable, before any bid, during the
    ///      commit phase or after the reveals (it could otherwise be cancelled once the bids are seen).
    function test_cancel_sealedBidIsABindingOffer() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.SealedBid));
        market.cancelRequest(r);
        _commit(r, p1, F1, 100);
        _toReveal(r);
        _reveal(r, p1, F1, 100);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.SealedBid));
        market.cancelRequest(r);
    }


    /// @dev OnMiss.RunnerUp keeps the runner-up's bond and lane too; whatever the reveal order, the views, the guards
    ///      on re-reveals and forfeits, and the lanes after fulfilment stay consistent.
    function test_reveal_bestChangesHands_runnerUpStaysConsistent() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.onMiss = T.OnMiss.RunnerUp;
        bytes32 id = _submit(r);
        _commit(r, p1, F1, 100);
        _commit(r, p2, F2, 100);
        _commit(r, p3, F3, 100);
        bytes32 c4 = _commit(r, p4, F3 + 0.01 ether, 100); // never revealed
        _toReveal(r);
        _reveal(r, p3, F3, 100); // best p3
        _reveal(r, p2, F2, 100); // best p2, runner-up p3
        T.RequestView memory s = _state(id);
        assertEq(s.prover, p2);
        assertEq(s.runnerUp, p3);
        assertEq(s.runnerUpFee, F3);
        assertEq(s.secondScore, F3 + 1e14);
        _reveal(r, p1, F1, 100); // best p1, runner-up p2; p3 released
        s = _state(id);
        assertEq(s.prover, p1);
        assertEq(s.fee, F1);
        assertEq(s.runnerUp, p2);
        assertEq(s.runnerUpFee, F2);
        assertEq(s.runnerUpLatency, 100);
        assertEq(s.secondScore, F2 + 1e14);
        assertEq(_backing(p3, 0), 0, "pushed out: released");
        assertEq(market.bidLane(p3, 0), 1);
        assertEq(_backing(p2, 0), COLLATERAL);
        assertEq(uint256(market.bidStatus(id, p2, 0, bytes32(0))), uint256(T.BidStatus.RunnerUp));
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p1));
        market.revealBid(r, F1, 100, _salt(p1), 0);

        _toSettle(r);
        for (uint256 i; i < 2; ++i) {
            address p = i == 0 ? p1 : p2;
            vm.expectRevert(abi.encodeWithSelector(T.AlreadyRevealed.selector, id, p));
            market.forfeitBond(r, p, 0, bytes32(0));
        }
        bytes32 c3 = _commitmentOf(r, p3, F3, 100);
        vm.expectRevert(abi.encodeWithSelector(T.NoCommitment.selector, id, p3));
        market.forfeitBond(r, p3, 0, c3);
        market.forfeitBond(r, p4, 0, c4);
        assertEq(vault.claimableBalance(market.BURN_ADDRESS(), 0), COLLATERAL, "unrevealed bond burnt");

        uint256[8] memory proof = _proof();
        vm.prank(p1);
        market.fulfill(r, proof, pubs);
        assertEq(market.balanceOf(p1), F2, "second-score price");
        assertEq(_backing(p1, 0) + _backing(p2, 0), 0, "winner's collateral back, runner-up released");
        assertEq(market.bidLane(p1, 0) + market.bidLane(p2, 0), 2, "both lanes free");
        s = _state(id);
        assertEq(s.prover, address(0));
        assertEq(s.runnerUp, address(0));
        assertEq(uint256(market.bidStatus(id, p1, 0, bytes32(0))), uint256(T.BidStatus.None));
    }

    function test_cancel_revertsOnceAuctionDecided() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _threeBidAuction(r);
        _toSettle(r);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.WrongMode.selector, id, T.Mode.SealedBid));
        market.cancelRequest(r);
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
        T.Request memory r = _req(T.Mode.Dutch);
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
